"""O que os adaptadores de plataforma (Classroom 50, GitHub Actions, Moodle VPL) têm em comum.

Cada adaptador corrige pela mesma linha de comando do corretor (`cli.main`, com `--json`): assim
tudo o que a linha de comando faz antes de escrever um relatório vale em toda plataforma, e o
adaptador só traduz o relatório para o formato dela.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import secrets
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from .cli import main as grader_main
from .results import Report


@dataclass(frozen=True)
class Outcome:
    """O resultado de uma correção: o relatório (se o corretor chegou a escrevê-lo) e o código de saída."""

    report: Report | None
    exit_code: int
    output: str = ""  # stdout + stderr do corretor, quando capturados (quiet=True)


def grade_with_cli(day: str, submission: Path, extra_args: Sequence[str] = (), *, quiet: bool = False) -> Outcome:
    """Corre `python -m common.grader DIA ENTREGA --json ...` neste processo e lê o relatório.

    Com `quiet`, o relatório do terminal e os erros não vão para a saída (o VPL lê a saída inteira
    como nota e comentários): ficam em `Outcome.output`.
    """
    with tempfile.TemporaryDirectory(prefix="corretor-") as tmp:
        json_path = Path(tmp) / "relatorio.json"
        argv = [day, str(submission), "--json", str(json_path), *extra_args]
        captured = io.StringIO()
        with contextlib.ExitStack() as stack:
            if quiet:
                stack.enter_context(contextlib.redirect_stdout(captured))
                stack.enter_context(contextlib.redirect_stderr(captured))
            code = grader_main(argv)
        report = None
        if json_path.is_file():
            report = Report.from_dict(json.loads(json_path.read_text(encoding="utf-8")))
    return Outcome(report, code, captured.getvalue())


@contextlib.contextmanager
def workflow_commands_paused(stream=None) -> Iterator[None]:
    """No GitHub Actions, desliga os comandos de workflow (`::error::`...) enquanto o bloco roda.

    O relatório do terminal traz trechos das respostas do servidor do aluno; com os comandos
    desligados, nada do que o aluno escreveu vira anotação, máscara ou saída do job. O token que
    religa os comandos é aleatório a cada correção.
    """
    stream = stream or sys.stdout
    if os.environ.get("GITHUB_ACTIONS") != "true":
        yield
        return
    token = secrets.token_hex(16)
    print(f"::stop-commands::{token}", file=stream, flush=True)
    try:
        yield
    finally:
        print(f"::{token}::", file=stream, flush=True)


def append_to_env_file(variable: str, lines: Sequence[str]) -> None:
    """Acrescenta linhas ao arquivo de uma variável do runner (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY...)."""
    path = os.environ.get(variable)
    if not path:
        return
    with open(path, "a", encoding="utf-8") as handle:
        for line in lines:
            handle.write(line.rstrip("\n") + "\n")
