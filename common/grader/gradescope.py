"""Pacote do corretor para o Gradescope.

    python -m common.grader.gradescope DIA [--out ARQ] [--checks PASTA]
        gera dist/gradescope-DIA.zip (setup.sh + run_autograder + o corretor e as verificações do dia);
    python -m common.grader.gradescope DIA --run [--root /autograder]
        o que o run_autograder chama dentro do contêiner: acha a entrega e grava results/results.json.

O Gradescope roda cada entrega no seu próprio contêiner: é assim que a correção escala
para além de uma máquina.
"""

from __future__ import annotations

import os
import sys
import zipfile
from pathlib import Path

from common.argparse_ptbr import PortugueseArgumentParser
from common.config import REPO_ROOT

from . import report as reports
from .bundle import HIDDEN_CHECKS, source_files
from .cli import main as grader_main
from .sandbox import MODE_VARIABLE, ON
from .session import DAYS


SETUP_SH = """\
#!/usr/bin/env bash
# Monta o contêiner do Gradescope (roda uma vez): Python 3.11+, venv, o corretor instalado e o isolamento.
set -euo pipefail
cd /autograder/source
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends python3 python3-venv python3-pip bubblewrap
PY=python3
if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  apt-get install -y --no-install-recommends software-properties-common
  add-apt-repository -y ppa:deadsnakes/ppa
  apt-get update
  apt-get install -y --no-install-recommends python3.11 python3.11-venv
  PY=python3.11
fi
"$PY" -m venv /autograder/venv
/autograder/venv/bin/pip install --upgrade pip
/autograder/venv/bin/pip install -r requirements.txt
# O código do aluno importa common.config: o pacote precisa estar instalado, não só no PYTHONPATH.
/autograder/venv/bin/pip install -e .

# Isolamento (veja common/grader/README.md#sandbox). O contêiner do Gradescope costuma proibir o bwrap
# (seccomp); então o corretor, que roda como root, sobe o servidor do aluno com este usuário sem privilégios.
id -u corretor-aluno >/dev/null 2>&1 || useradd --system --no-create-home --home-dir /nonexistent \\
  --shell /usr/sbin/nologin corretor-aluno
# Os arquivos do corretor ficam legíveis só pelo root (verificações, verificações ocultas, resultados);
# o aluno lê só o que o servidor dele importa: o venv, common/ e dia03/static.
chmod -R go-rwx /autograder/source
chmod 0711 /autograder /autograder/source
chmod -R go+rX /autograder/venv /autograder/source/common
if [ -d /autograder/source/dia03/static ]; then
  chmod 0711 /autograder/source/dia03
  chmod -R go+rX /autograder/source/dia03/static
fi
"""

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# O Gradescope roda isto para cada entrega; a nota sai em results/results.json.
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
PY="${{AUTOGRADER_PYTHON:-$ROOT/venv/bin/python}}"
cd "$ROOT/source" || exit 1
mkdir -p "$ROOT/results" && chmod 0700 "$ROOT/results"  # a nota não fica ao alcance do servidor do aluno
exec "$PY" -m common.grader.gradescope {day} --run --root "$ROOT"
"""


def _add_script(archive: zipfile.ZipFile, name: str, text: str) -> None:
    info = zipfile.ZipInfo(name)
    info.external_attr = 0o755 << 16  # executável ao extrair
    archive.writestr(info, text)


def build_zip(day: str, out: Path, checks_dir: Path | None = None) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        _add_script(archive, "setup.sh", SETUP_SH)
        _add_script(archive, "run_autograder", RUN_AUTOGRADER.format(day=day))
        for path in source_files(day):  # o mesmo conteúdo dos pacotes das outras plataformas
            archive.write(path, path.relative_to(REPO_ROOT).as_posix())
        if checks_dir:
            for path in sorted(checks_dir.rglob("*.py")):
                archive.write(path, f"{HIDDEN_CHECKS}/{path.relative_to(checks_dir).as_posix()}")
    return out


def find_submission(folder: Path) -> Path | None:
    """A entrega: template.py na raiz, senão o template.py mais raso, senão o único .py."""
    if (folder / "template.py").is_file():
        return folder
    templates = sorted(folder.rglob("template.py"), key=lambda p: (len(p.parts), str(p)))
    if templates:
        return templates[0].parent
    scripts = [p for p in folder.rglob("*.py") if "__pycache__" not in p.parts]
    return scripts[0] if len(scripts) == 1 else None


def run_in_container(day: str, root: Path) -> int:
    results = root / "results" / "results.json"
    submission = find_submission(root / "submission")
    if submission is None:
        reports.write_gradescope_error("não achei template.py (nem um único arquivo .py) na entrega", results)
        return 0
    argv = [day, str(submission), "--gradescope", str(results)]
    if not os.environ.get(MODE_VARIABLE):  # o Gradescope exige isolamento (bwrap, ou o usuário sem privilégios)
        argv += ["--sandbox", ON]
    hidden = root / "source" / HIDDEN_CHECKS
    if hidden.is_dir():
        argv += ["--checks", str(hidden)]
    code = grader_main(argv)
    if not results.is_file():
        reports.write_gradescope_error(f"erro interno do corretor (código {code}); veja a saída", results)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = PortugueseArgumentParser(prog="python -m common.grader.gradescope",
                                     description="Gera o .zip do corretor para o Gradescope.")
    parser.add_argument("day", metavar="DIA", choices=DAYS)
    parser.add_argument("--out", type=Path, help="arquivo .zip (padrão: dist/gradescope-DIA.zip)")
    parser.add_argument("--checks", type=Path, help="verificações ocultas do professor a incluir")
    parser.add_argument("--run", action="store_true", help="(uso interno do run_autograder) corrige a entrega")
    parser.add_argument("--root", type=Path, default=Path(os.environ.get("AUTOGRADER_ROOT", "/autograder")))
    args = parser.parse_args(argv)
    if args.run:
        return run_in_container(args.day, args.root)
    out = build_zip(args.day, args.out or REPO_ROOT / "dist" / f"gradescope-{args.day}.zip", args.checks)
    print(f"Pacote do Gradescope: {out}")
    print("No Gradescope: Configure Autograder → Zip file upload → envie este arquivo.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
