"""Uma correção completa: sobe o alvo, roda as verificações do dia (pytest) e monta o relatório."""

from __future__ import annotations

import contextlib
import io
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from common.config import REPO_ROOT

from .launcher import LaunchOptions, SubmissionError, external, launch
from .results import Report
from .target import Target

DAYS = ("dia01", "dia02", "dia03")
LLM_DAYS = {"dia03"}  # nos outros dias o fake LLM só sobe se alguma verificação pedir
TEARDOWN_GRACE_S = 2.0


class GraderError(Exception):
    """O corretor não conseguiu rodar (erro de uso ou das verificações): código de saída 2."""


@dataclass(frozen=True)
class GradeOptions:
    day: str
    submission: Path | None = None
    url: str | None = None
    llm_url: str | None = None
    extras: bool = False
    checks_dirs: tuple[Path, ...] = field(default_factory=tuple)
    startup_timeout: float = 20.0
    run_timeout: float = 180.0


def checks_dir(day: str) -> Path:
    return REPO_ROOT / "tests" / day


def _pytest_args(options: GradeOptions) -> list[str]:
    folders = [checks_dir(options.day), *options.checks_dirs]
    for folder in folders:
        if not folder.is_dir():
            raise GraderError(f"pasta de verificações não encontrada: {folder}")
    return [
        # Sem plugins instalados por pacotes (ex.: o do langsmith): mais rápido e sem surpresas.
        *map(str, folders), "-q", "-p", "no:cacheprovider", "--import-mode=importlib", "--disable-plugin-autoload",
        "--capture=sys", "--rootdir", str(REPO_ROOT),
    ]


def _preload() -> None:
    import pytest  # noqa: F401

    from . import fixtures, plugin  # noqa: F401


def _run_pytest(options: GradeOptions, target: Target, deadline: float):
    """Roda o pytest numa thread; se ele não acabar até o prazo (+ folga), seguimos sem ele."""
    import pytest  # importado aqui: o servidor do aluno já está subindo enquanto isso

    from . import fixtures
    from .plugin import GraderPlugin

    plugin = GraderPlugin(target, options.extras, deadline, options.run_timeout)
    args = _pytest_args(options)
    output = io.StringIO()
    exit_code: list[object] = []

    def run() -> None:
        with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
            exit_code.append(pytest.main(args, plugins=[plugin, fixtures]))

    saved_streams = sys.stdout, sys.stderr
    worker = threading.Thread(target=run, name="corretor-pytest", daemon=True)
    worker.start()
    worker.join(max(0.0, deadline - time.monotonic()) + TEARDOWN_GRACE_S)
    if worker.is_alive():  # travou fora de uma verificação (ex.: numa fixture): desistimos dele
        sys.stdout, sys.stderr = saved_streams  # o pytest ainda estaria capturando a saída
        if not plugin.specs:
            raise GraderError(f"as verificações não terminaram de carregar em {options.run_timeout:g} s")
    if plugin.problems:
        raise GraderError("as verificações têm problemas:\n" + "\n".join(plugin.problems))
    if exit_code and not plugin.specs:
        raise GraderError(f"nenhuma verificação encontrada para {options.day}.\n{output.getvalue()[-2000:]}")
    return plugin.results()


def grade(options: GradeOptions) -> Report:
    """Corrige uma entrega (ou um servidor externo com --url) e devolve o relatório."""
    if options.day not in DAYS:
        raise GraderError(f"dia inválido: {options.day!r} (use {', '.join(DAYS)})")
    started = time.monotonic()
    deadline = started + options.run_timeout
    # Importa o pytest e as verificações enquanto o servidor do aluno sobe (em paralelo).
    threading.Thread(target=_preload, daemon=True).start()
    if options.url:
        context = external(options.url, options.llm_url, options.extras)
        shown = options.url
    else:
        eager_llm = options.day in LLM_DAYS or options.extras
        context = launch(LaunchOptions(options.submission, options.extras, options.startup_timeout, eager_llm))
        shown = str(options.submission)
    try:
        with context as target:
            checks = _run_pytest(options, target, deadline)
    except SubmissionError as exc:
        raise GraderError(str(exc)) from exc
    return Report(options.day, shown, checks, time.monotonic() - started)
