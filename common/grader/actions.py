"""Corretor no GitHub Actions, no fork do aluno (sem Classroom): o passo "Corrigir" de
.github/workflows/corretor.yml.

    python -m common.grader.actions [--dia DIA|todos] [--desde SHA] [--saida PASTA] [--extras] [--checks PASTA]

Corrige os dias pedidos (`--dia`) ou, sem isso, os que mudaram desde o commit `--desde` (o push
anterior; sem ele, todos). Para cada dia: o relatório do terminal no log, `SAIDA/DIA.json` e
`SAIDA/DIA.md` (o artefato), o Markdown no resumo do job ($GITHUB_STEP_SUMMARY), `DIA=nota/máxima`
em $GITHUB_OUTPUT e uma anotação (::error/::warning) por verificação que falhou.
Código de saída: 0 se nenhuma verificação do núcleo falhou, 1 se alguma falhou, 2 se o corretor não rodou.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

from common.argparse_ptbr import PortugueseArgumentParser

from . import report as reports
from .adapter import append_to_env_file, workflow_commands_paused
from .results import GUIDE, Report
from .session import DAYS

ALL = "todos"
NO_COMMIT = "0" * 40  # o `before` de um push que cria o branch
ANNOTATIONS_PER_KIND = 10  # o GitHub mostra no máximo 10 ::error e 10 ::warning por passo


def changed_days(workspace: Path, since: str) -> list[str] | None:
    """Os dias cuja pasta mudou entre `since` e HEAD; None se não dá para saber (sem o commit)."""
    if not since or set(since) == {"0"}:
        return None
    done = subprocess.run(["git", "-C", str(workspace), "diff", "--name-only", since, "HEAD", "--"],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return None
    folders = {Path(name).parts[0] for name in done.stdout.splitlines() if name}
    return [day for day in DAYS if day in folders]


def days_to_grade(workspace: Path, day: str, since: str) -> list[str]:
    if day == ALL:
        return list(DAYS)
    if day:
        return [day]
    changed = changed_days(workspace, since)
    return list(DAYS) if changed is None else changed


def grade_day(workspace: Path, day: str, out_dir: Path, extra_args: list[str]) -> Report | None:
    """Corrige WORKSPACE/DIA num processo do corretor; o relatório do terminal vai para o log."""
    json_path = out_dir / f"{day}.json"
    json_path.unlink(missing_ok=True)
    command = [sys.executable, "-m", "common.grader", day, str(workspace / day), "--json", str(json_path), *extra_args]
    sys.stdout.flush()
    subprocess.run(command, cwd=workspace, check=False)
    if not json_path.is_file():
        return None
    return Report.from_dict(json.loads(json_path.read_text(encoding="utf-8")))


def guide_base(workspace: Path) -> str | None:
    """O guia no commit corrigido, para as dicas virarem links no resumo do job."""
    server, repo, sha = (os.environ.get(k, "") for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA"))
    if server and repo and sha and (workspace / GUIDE).is_file():
        return f"{server}/{repo}/blob/{sha}"
    return None


def limit_annotations(lines: list[str]) -> list[str]:
    """No máximo 10 de cada tipo (o resto o GitHub descartaria calado): a última avisa quantas faltaram."""
    kept: list[str] = []
    for kind in ("::error", "::warning"):
        of_kind = [line for line in lines if line.startswith(kind + " ")]
        if len(of_kind) > ANNOTATIONS_PER_KIND:
            hidden = len(of_kind) - ANNOTATIONS_PER_KIND + 1
            of_kind = of_kind[: ANNOTATIONS_PER_KIND - 1] + [
                f"{kind} title=Corretor do curso::mais {hidden} verificações não passaram: veja o resumo do job"]
        kept += of_kind
    return kept


def summary_table(results: dict[str, Report | None]) -> str:
    lines = ["# Corretor do curso", "", "| Dia | Nota | Extras |", "|---|---|---|"]
    for day, report in results.items():
        if report is None:
            lines.append(f"| {day} | o corretor não conseguiu rodar (veja o log) | |")
            continue
        extras = f"{reports.number(report.extras_score)}/{reports.number(report.extras_max_score)}" \
            if report.extras_max_score else "—"
        lines.append(f"| {day} | {reports.number(report.score)}/{reports.number(report.max_score)} | {extras} |")
    return "\n".join(lines)


def publish(workspace: Path, out_dir: Path, results: dict[str, Report | None]) -> None:
    """Resumo do job, saídas do passo, Markdown do artefato e anotações."""
    sections, outputs, annotations = [summary_table(results)], [], []
    base = guide_base(workspace)
    for day, report in results.items():
        if report is None:
            continue
        report = dataclasses.replace(report, submission=f"{day}/")
        if base:
            report = reports.with_hint_links(report, base)
        text = reports.markdown(report)
        (out_dir / f"{day}.md").write_text(text + "\n", encoding="utf-8")
        sections.append(text)
        outputs.append(f"{day}={reports.number(report.score)}/{reports.number(report.max_score)}")
        annotations += reports.github_annotations(report, f"{day}/template.py")
    append_to_env_file("GITHUB_STEP_SUMMARY", ["\n\n".join(sections)])
    append_to_env_file("GITHUB_OUTPUT", outputs)
    for line in limit_annotations(annotations):
        print(line)


def exit_code(results: dict[str, Report | None]) -> int:
    if any(report is None for report in results.values()):
        return 2
    return 1 if any(report.core_failed for report in results.values()) else 0


def build_parser() -> PortugueseArgumentParser:
    parser = PortugueseArgumentParser(prog="python -m common.grader.actions",
                                      description="Corrige os dias alterados no GitHub Actions (fork do aluno).")
    add = parser.add_argument
    add("--dia", default="", choices=("", *DAYS, ALL), metavar="DIA", help="dia01, dia02, dia03 ou todos (padrão: os que mudaram)")
    add("--desde", default="", metavar="SHA", help="o commit anterior ao push (github.event.before)")
    add("--saida", type=Path, default=Path("notas"), metavar="PASTA", help="onde gravar DIA.json e DIA.md (padrão: notas)")
    add("--extras", action="store_true", help="corrige também os desafios extras (nota à parte)")
    add("--checks", type=Path, action="append", default=[], metavar="PASTA", help="verificações a mais (pode repetir)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    workspace = Path.cwd()
    days = days_to_grade(workspace, args.dia, args.desde)
    if not days:
        print("corretor: nenhuma pasta de dia mudou neste push; nada para corrigir.")
        append_to_env_file("GITHUB_STEP_SUMMARY", ["# Corretor do curso", "", "Nenhuma pasta de dia mudou neste push."])
        return 0
    args.saida.mkdir(parents=True, exist_ok=True)
    extra_args = ["--extras"] if args.extras else []
    for folder in args.checks:
        extra_args += ["--checks", str(folder.resolve())]
    with workflow_commands_paused():
        results = {day: grade_day(workspace, day, args.saida, extra_args) for day in days}
    publish(workspace, args.saida, results)
    return exit_code(results)


if __name__ == "__main__":
    sys.exit(main())
