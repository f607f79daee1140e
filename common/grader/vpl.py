"""Corretor no Moodle VPL (Virtual Programming Lab), que corrige cada entrega num servidor de execução (jail).

    python -m common.grader.vpl DIA [--out PASTA] [--python CAMINHO] [--checks PASTA] [--extras] [--guia-url URL]
        gera dist/vpl/DIA/: `execucao/` (vpl_evaluate.sh, vpl_run.sh e corretor.zip, os "arquivos de
        execução" da atividade) e `pedidos/` (os arquivos que o aluno entrega, com o conteúdo inicial);
    python -m common.grader.vpl --run avaliar|executar --jail PASTA
        o que o vpl_execution chama: corrige os arquivos enviados e escreve, para "avaliar", a nota e
        os comentários no formato do VPL (`Comment :=>>`, blocos `<|--`/`--|>`, `Grade :=>>`) e, para
        "executar", o relatório do terminal.

Como o VPL avalia: roda vpl_evaluate.sh na pasta da entrega (com os arquivos de execução ao lado);
se ele deixar um vpl_execution, apaga os arquivos de execução que não foram marcados para ficar, roda
o vpl_execution e lê a saída dele: a última linha `Grade :=>>` é a nota e os comentários são as
linhas `Comment :=>>` e as dos blocos `<|--`...`--|>`.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
import tempfile
from pathlib import Path, PurePosixPath

from common.argparse_ptbr import PortugueseArgumentParser
from common.config import REPO_ROOT

from . import report as reports
from .adapter import grade_with_cli
from .bundle import BundleConfig, find_day_submission, placeholder_submission, zip_bundle
from .session import DAYS

DEFAULT_PYTHON = "/opt/curso-fastapi-langchain/.venv/bin/python"
BUNDLE_ZIP = "corretor.zip"
MODES = ("avaliar", "executar")
DEFAULT_GRADE_RANGE = (0.0, 10.0)  # o mesmo padrão do default_evaluate.sh do VPL
MAX_RUN_TIMEOUT_S, TIME_MARGIN_S = 180.0, 10.0  # folga para o Python subir e o corretor limpar tudo

SCRIPT = """\
#!/bin/bash
# {purpose} do curso "FastAPI + LangChain em 3 dias" no Moodle VPL.
# Gerado por `make vpl DAY={day}`; não edite à mão (veja common/grader/README.md).
# O VPL roda este script na pasta da entrega, com os arquivos de execução ao lado. Ele extrai o
# corretor (corretor.zip) para .corretor/ e escreve vpl_execution, que o VPL roda em seguida.
# O Python com as dependências do corretor é instalado uma vez em cada servidor de execução.
PYTHON={python}
# shellcheck source=/dev/null
[ -f vpl_environment.sh ] && . ./vpl_environment.sh
# Um VPL antigo entrega arquivos binários ainda em base64, como NOME.b64.
if [ ! -f {bundle} ] && [ -f {bundle}.b64 ] && [ -x "$PYTHON" ]; then
  "$PYTHON" -m base64 -d {bundle}.b64 > {bundle}
fi
if [ ! -x "$PYTHON" ] || ! "$PYTHON" -m zipfile -e {bundle} .corretor; then
  cat > vpl_execution <<'FIM'
#!/bin/bash
echo '<|--'
echo '-O corretor não está instalado neste servidor de execução'
echo '>Não encontrei o Python do corretor ({python_text}) ou o {bundle}.'
echo 'Avise o professor: este erro é do ambiente de correção, não do seu código.'
echo '--|>'
FIM
  chmod +x vpl_execution
  exit 0
fi
cat > vpl_execution <<'FIM'
#!/bin/bash
# shellcheck source=/dev/null
[ -f vpl_environment.sh ] && . ./vpl_environment.sh
mkdir -p .tmp && export TMPDIR="$PWD/.tmp"
cd .corretor && exec {python} -m common.grader.vpl --run {mode} --jail ..
FIM
chmod +x vpl_execution
"""


# ---------------------------------------------------------------- no servidor de execução: corrigir


def _float_env(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, ""))
    except ValueError:
        return default


def grade_range() -> tuple[float, float]:
    """A escala da nota da atividade (VPL_GRADEMIN/VPL_GRADEMAX do vpl_environment.sh)."""
    low, high = DEFAULT_GRADE_RANGE
    if os.environ.get("VPL_GRADEMAX", "").strip():
        low, high = _float_env("VPL_GRADEMIN", low), _float_env("VPL_GRADEMAX", high)
    return low, high


def time_budget() -> list[str]:
    """--run-timeout que cabe no tempo máximo de execução da atividade (VPL_MAXTIME), com folga."""
    max_time = _float_env("VPL_MAXTIME", 0.0)
    if max_time <= 0:
        return []
    run_timeout = max(10.0, min(MAX_RUN_TIMEOUT_S, max_time - TIME_MARGIN_S))
    return ["--run-timeout", f"{run_timeout:g}", "--startup-timeout", f"{min(20.0, run_timeout / 2):g}"]


def submitted_names(jail: Path) -> list[str]:
    """Os arquivos que o aluno enviou (VPL_SUBFILES); sem a variável, os .py soltos na pasta."""
    names = [line.strip() for line in os.environ.get("VPL_SUBFILES", "").splitlines() if line.strip()]
    if names:
        return names
    return sorted(p.name for p in jail.glob("*.py") if p.is_file())


def collect_submission(jail: Path, dest: Path) -> Path:
    """Copia só os arquivos enviados para `dest` (nunca os do VPL nem o corretor) e devolve a pasta."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in submitted_names(jail):
        relative = PurePosixPath(name)
        if relative.is_absolute() or ".." in relative.parts or not (jail / relative).is_file():
            continue
        target = dest / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(jail / relative, target)
    return dest


def run_in_jail(mode: str, jail: Path, bundle: Path = REPO_ROOT) -> int:
    """Corrige a entrega da pasta `jail` e escreve o que o VPL lê (ou o relatório, para "executar")."""
    config = BundleConfig.read(bundle)
    with tempfile.TemporaryDirectory(prefix="vpl-") as scratch:
        sent = collect_submission(jail, Path(scratch) / "entrega")
        submission = find_day_submission(sent, config.day) or placeholder_submission(
            Path(scratch) / "entrega-ausente",
            f"Entrega não encontrada: envie o arquivo template.py do {config.day} (o corretor não o achou entre os arquivos enviados).")
        outcome = grade_with_cli(config.day, submission, [*config.grader_args(bundle), *time_budget()], quiet=True)
    if outcome.report is None:
        print(reports.vpl_error(outcome.output.strip()[-2000:] or f"código de saída {outcome.exit_code}"))
        return 0
    report = outcome.report
    if config.guide_url:
        report = reports.with_hint_links(report, config.guide_url)
    if mode == "executar":
        print(reports.terminal(report, sys.stdout))
    else:
        print(reports.vpl_evaluation(report, *grade_range()))
    return 0


# ---------------------------------------------------------------- no computador do professor: a atividade


def script(day: str, mode: str, python: str) -> str:
    purpose = "Avaliação" if mode == "avaliar" else "Execução (botão Executar: o relatório, sem nota)"
    return SCRIPT.format(purpose=purpose, day=day, mode=mode, python=shlex.quote(python),
                         python_text=python.replace("'", ""), bundle=BUNDLE_ZIP)


def requested_files(day: str) -> list[Path]:
    """Os arquivos que o aluno edita e entrega no VPL: os .py da pasta do dia (o Dia 3 tem extras.py)."""
    return sorted((REPO_ROOT / day).glob("*.py"))


def build(day: str, out: Path, *, python: str = DEFAULT_PYTHON, extras: bool = False,
          checks_dir: Path | None = None, guide_url: str | None = None) -> Path:
    """dist/vpl/DIA/: execucao/ (os arquivos de execução) e pedidos/ (os arquivos pedidos, com o conteúdo inicial)."""
    shutil.rmtree(out, ignore_errors=True)
    execution, requested = out / "execucao", out / "pedidos"
    zip_bundle(execution / BUNDLE_ZIP, day, extras=extras, checks_dir=checks_dir, guide_url=guide_url)
    for name, mode in (("vpl_evaluate.sh", "avaliar"), ("vpl_run.sh", "executar")):
        (execution / name).write_text(script(day, mode, python), encoding="utf-8")
        (execution / name).chmod(0o755)
    requested.mkdir(parents=True)
    for path in requested_files(day):
        shutil.copy2(path, requested / path.name)
    return out


def build_parser() -> PortugueseArgumentParser:
    parser = PortugueseArgumentParser(
        prog="python -m common.grader.vpl",
        description="Gera os arquivos de uma atividade do Moodle VPL (ou, com --run, corrige dentro do VPL).")
    add = parser.add_argument
    add("day", metavar="DIA", nargs="?", choices=DAYS, help="dia01, dia02 ou dia03")
    add("--out", type=Path, metavar="PASTA", help="pasta de saída (padrão: dist/vpl/DIA)")
    add("--python", default=DEFAULT_PYTHON, metavar="CAMINHO", help=f"o Python do corretor no servidor de execução (padrão: {DEFAULT_PYTHON})")
    add("--checks", type=Path, metavar="PASTA", help="verificações ocultas do professor a incluir")
    add("--extras", action="store_true", help="corrige também os desafios extras (fora da nota)")
    add("--guia-url", dest="guide_url", metavar="URL",
        help="endereço da pasta com o GUIA_APRENDIZADO.md (as dicas viram links)")
    add("--run", choices=MODES, metavar="avaliar|executar", help="(uso do vpl_execution) corrige a entrega dentro do VPL")
    add("--jail", type=Path, default=Path.cwd(), metavar="PASTA", help="(com --run) a pasta da entrega no VPL")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.run:
        return run_in_jail(args.run, args.jail.resolve())
    if args.day is None:
        parser.error("informe o DIA (dia01, dia02 ou dia03)")
    out = args.out or REPO_ROOT / "dist" / "vpl" / args.day
    try:
        build(args.day, out, python=args.python, extras=args.extras, checks_dir=args.checks, guide_url=args.guide_url)
    except (FileNotFoundError, ValueError) as exc:
        print(f"python -m common.grader.vpl: erro: {exc}", file=sys.stderr)
        return 2
    print(f"Atividade do VPL: {out}/")
    print(f"  execucao/ -> Arquivos de execução (vpl_evaluate.sh, vpl_run.sh, {BUNDLE_ZIP})")
    print(f"  pedidos/  -> Arquivos pedidos: {', '.join(p.name for p in requested_files(args.day))}")
    print(f"No servidor de execução, o Python do corretor: {args.python}. Veja common/grader/README.md.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
