"""Corretor no Classroom 50 (foundation50/classroom50), que corrige cada entrega no GitHub Actions.

    python -m common.grader.classroom50 DIA [--slug TAREFA] [--out PASTA] [--checks PASTA] [--extras]
        gera dist/classroom50/TAREFA/: o autograder.py e o pacote do corretor, a pasta que o
        professor commita em CLASSROOM/autograders/TAREFA/ no repositório classroom50 da organização;
    python -m common.grader.classroom50 --run --workspace PASTA
        o que o autograder.py chama no runner: acha a entrega no checkout do aluno, corrige e grava
        result.json (classroom50/result/v1), release-body.md e status/summary em $GITHUB_OUTPUT.

O contrato (variáveis, result.json, código de saída) é o da página "Advanced Autograding" da wiki
do Classroom 50 e o do runner.py dele; o README do corretor diz de que versão.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import re
import shutil
import sys
import tarfile
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from common.argparse_ptbr import PortugueseArgumentParser
from common.config import REPO_ROOT

from . import report as reports
from .adapter import append_to_env_file, grade_with_cli, workflow_commands_paused
from .bundle import BundleConfig, copy_bundle, find_day_submission, placeholder_submission
from .results import GUIDE
from .session import DAYS

ENTRY_POINT = Path(__file__).with_name("classroom50_autograder.py")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,38}$")  # o formato de slug que o Classroom 50 aceita
MAX_BUNDLE_BYTES = 10 * 1024 * 1024  # o runner não baixa pacote (.tar.gz) maior que isso
REQUIRED_ENV = ("CLASSROOM", "ASSIGNMENT", "SUBMISSION_TAG", "COMMIT_URL", "RELEASE_URL")
RESULT_FILE, RELEASE_BODY = "result.json", "release-body.md"
COMMIT_URL = re.compile(r"^(?P<repo>https://[^/\s]+/[^/\s]+/[^/\s]+)/commit/(?P<sha>[0-9a-fA-F]{7,64})$")


# ---------------------------------------------------------------- no runner: corrigir uma entrega


def identity_from_env(env: dict[str, str]) -> dict[str, str]:
    """A identidade da entrega no result.json, a partir das variáveis que o runner passa."""
    missing = [name for name in REQUIRED_ENV if not env.get(name)]
    if missing:
        raise KeyError(", ".join(missing))
    return {
        "classroom": env["CLASSROOM"],
        "assignment": env["ASSIGNMENT"],
        "assignment_type": env.get("ASSIGNMENT_TYPE") or "individual",
        "owner": env.get("OWNER") or env.get("USERNAME") or env.get("GITHUB_ACTOR") or "desconhecido",
        "submission": env["SUBMISSION_TAG"],
        "commit": env["COMMIT_URL"],
        "release": env["RELEASE_URL"],
        "review": env.get("REVIEW_URL") or env["COMMIT_URL"],
        # O runner troca pelo horário do commit; este só vale fora dele.
        "datetime": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def guide_base(workspace: Path, commit_url: str, configured: str | None) -> str | None:
    """Onde o aluno lê o guia: o endereço do pacote ou, se o repositório dele traz o guia, o próprio
    arquivo no commit corrigido (o COMMIT_URL é https://github.com/DONO/REPO/commit/SHA)."""
    if configured:
        return configured
    match = COMMIT_URL.match(commit_url)
    if match and (workspace / GUIDE).is_file():
        return f"{match['repo']}/blob/{match['sha']}"
    return None


def _submission(workspace: Path, day: str, scratch: Path) -> tuple[Path, str]:
    """(entrega, rótulo para o relatório). Sem entrega, uma que explica o que faltou."""
    found = find_day_submission(workspace, day)
    if found is not None:
        return found, found.relative_to(workspace).as_posix() or "."
    explanation = (f"Entrega não encontrada: o corretor procurou {day}/template.py (ou template.py na raiz) "
                   "no seu repositório e não achou. Confira se o arquivo foi commitado e enviado (git push).")
    return placeholder_submission(scratch / "entrega-ausente", explanation), "entrega não encontrada"


def run_in_runner(workspace: Path, bundle: Path = REPO_ROOT) -> int:
    """Corrige a entrega do checkout `workspace` e grava os arquivos que o runner do Classroom 50 lê."""
    try:
        identity = identity_from_env(dict(os.environ))
    except KeyError as exc:
        print(f"corretor: faltam variáveis do Classroom 50 ({exc.args[0]}): rodando fora do runner?", file=sys.stderr)
        return 1
    config = BundleConfig.read(bundle)
    with tempfile.TemporaryDirectory(prefix="classroom50-") as scratch:
        submission, label = _submission(workspace, config.day, Path(scratch))
        with workflow_commands_paused():
            outcome = grade_with_cli(config.day, submission, config.grader_args(bundle))
    if outcome.report is None:
        return 1  # o corretor não rodou: erro de infraestrutura (o runner registra "error")
    report = dataclasses.replace(outcome.report, submission=f"{label} ({identity['owner']})")
    if base := guide_base(workspace, identity["commit"], config.guide_url):
        report = reports.with_hint_links(report, base)
    result = reports.classroom50_result(report, identity)
    (workspace / RESULT_FILE).write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (workspace / RELEASE_BODY).write_text(reports.markdown(report) + "\n", encoding="utf-8")
    status, summary = reports.classroom50_status(report)
    append_to_env_file("GITHUB_OUTPUT", [f"status={status}", f"summary={summary}"])
    return 0


# ---------------------------------------------------------------- no computador do professor: o pacote


def compressed_size(folder: Path) -> int:
    """Tamanho do .tar.gz que o Publish Pages do Classroom 50 faz desta pasta."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        archive.add(folder, arcname=folder.name)
    return buffer.tell()


def build(day: str, out: Path, *, extras: bool = False, checks_dir: Path | None = None) -> Path:
    """A pasta da tarefa: autograder.py + o pacote do corretor (sem soluções)."""
    copy_bundle(out, day, extras=extras, checks_dir=checks_dir)
    shutil.copy2(ENTRY_POINT, out / "autograder.py")
    size = compressed_size(out)
    if size > MAX_BUNDLE_BYTES:
        raise ValueError(f"o pacote ficou com {size / 2**20:.1f} MiB compactado; o Classroom 50 aceita até 10 MiB")
    return out


def build_parser() -> PortugueseArgumentParser:
    parser = PortugueseArgumentParser(
        prog="python -m common.grader.classroom50",
        description="Gera a pasta do autograder para o Classroom 50 (ou, com --run, corrige no runner).")
    parser.add_argument("day", metavar="DIA", nargs="?", choices=DAYS, help="dia01, dia02 ou dia03")
    parser.add_argument("--slug", metavar="TAREFA", help="o slug da tarefa no Classroom 50 (padrão: o DIA)")
    parser.add_argument("--out", type=Path, metavar="PASTA", help="pasta de saída (padrão: dist/classroom50/SLUG)")
    parser.add_argument("--checks", type=Path, metavar="PASTA", help="verificações ocultas do professor a incluir")
    parser.add_argument("--extras", action="store_true", help="corrige também os desafios extras (valem 0 na nota)")
    parser.add_argument("--run", action="store_true", help="(uso do autograder.py) corrige a entrega no runner")
    parser.add_argument("--workspace", type=Path, default=Path.cwd(), metavar="PASTA", help="(com --run) o checkout do aluno")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.run:
        return run_in_runner(args.workspace.resolve())
    if args.day is None:
        parser.error("informe o DIA (dia01, dia02 ou dia03)")
    slug = args.slug or args.day
    if not SLUG.match(slug):
        parser.error(f"slug inválido: {slug!r} (minúsculas, números e '-', de 2 a 39 caracteres)")
    out = args.out or REPO_ROOT / "dist" / "classroom50" / slug
    try:
        build(args.day, out, extras=args.extras, checks_dir=args.checks)
    except (FileNotFoundError, ValueError) as exc:
        print(f"python -m common.grader.classroom50: erro: {exc}", file=sys.stderr)
        return 2
    print(f"Autograder do Classroom 50: {out}/ ({compressed_size(out) / 1024:.0f} KiB compactado)")
    print(f"No repositório classroom50 da organização: copie esta pasta para CLASSROOM/autograders/{slug}/,")
    print("faça commit e push; o Publish Pages empacota e publica. Veja common/grader/README.md.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
