"""O Swagger UI do /docs (common/static/swagger-ui) é o que o README de lá diz, byte a byte."""

import re
import tomllib
from fnmatch import fnmatch
from pathlib import Path

from common.docs import ASSETS_DIR
from tests.projeto.vendor_readme import assert_files_match_readme

REPO_ROOT = Path(__file__).resolve().parents[2]
README = (ASSETS_DIR / "README.md").read_text(encoding="utf-8")
MAX_FILE_BYTES = 2 * 1024 * 1024


def test_cada_arquivo_tem_o_hash_do_readme():
    assert_files_match_readme(ASSETS_DIR)


def test_versao_do_readme_e_a_do_bundle():
    """O bundle traz a versão do pacote (PACKAGE_VERSION): tem de ser a que o README trava."""
    bundle = (ASSETS_DIR / "swagger-ui-bundle.js").read_text(encoding="utf-8")
    versions = set(re.findall(r'PACKAGE_VERSION:"([\d.]+)"', bundle))
    assert len(versions) == 1, f"esperada uma versão no bundle, recebido {versions}"
    assert f"`swagger-ui-dist@{versions.pop()}`" in README


def test_nenhum_arquivo_passa_de_2_mb():
    for path in ASSETS_DIR.iterdir():
        size = path.stat().st_size
        assert size <= MAX_FILE_BYTES, f"{path.name}: esperado no máximo 2 MB, recebido {size / 2**20:.1f} MB"


def test_pyproject_empacota_todos_os_arquivos():
    """Instalado sem -e (num wheel), o app ainda acha o Swagger UI: o package-data cobre cada arquivo."""
    config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    package_data = config["tool"]["setuptools"]["package-data"]
    patterns = package_data.get("common", []) + package_data.get("*", [])
    common = ASSETS_DIR.parents[1]
    for path in ASSETS_DIR.iterdir():
        relative = path.relative_to(common).as_posix()
        assert any(fnmatch(relative, pattern) for pattern in patterns), (
            f"{relative}: nenhum padrão do package-data de common o inclui ({patterns})"
        )
