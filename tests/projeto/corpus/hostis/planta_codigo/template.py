"""Entrega hostil: planta código onde o corretor (ou o próximo Python) o rodaria.

Só cria arquivos NOVOS (nunca edita um existente), para que um teste que falhe consiga limpar:
- um conftest.py em tests/dia03/ e em tests/dia01/ (o pytest do corretor o importaria);
- um módulo novo em common/ e um .pth no site-packages do venv (roda em todo Python que subir).
O código plantado, se um dia rodar, cria o arquivo `marcador` que o teste indicou em alvos.json.
"""
import errno
import sys
import sysconfig
from pathlib import Path

from common.config import REPO_ROOT
from relato import TARGETS, app_with

MARKER = TARGETS.get("marcador", "/nao/existe")
PAYLOAD = f"import pathlib; pathlib.Path({MARKER!r}).write_text('o código plantado rodou')\n"
PLANTS = {
    "conftest_dia03": (REPO_ROOT / "tests" / "dia03" / "conftest.py", PAYLOAD),
    "conftest_dia01": (REPO_ROOT / "tests" / "dia01" / "conftest.py", PAYLOAD),
    "common": (REPO_ROOT / "common" / "plantado_pelo_aluno.py", PAYLOAD),
    "pth": (Path(sysconfig.get_paths()["purelib"]) / "zz_plantado_pelo_aluno.pth", PAYLOAD),
    "venv_bin": (Path(sys.prefix) / "bin" / "plantado_pelo_aluno", PAYLOAD),
}
written, errors = [], {}
for name, (path, text) in PLANTS.items():
    try:
        with open(path, "x", encoding="utf-8") as handle:  # "x": só arquivo novo
            handle.write(text)
        written.append(name)
    except OSError as exc:
        errors[name] = errno.errorcode.get(exc.errno, str(exc.errno))
REPORT = {"escritos": written, "erros": errors}
app = app_with(REPORT)
