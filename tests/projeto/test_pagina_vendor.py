"""As bibliotecas da página (dia03/static/vendor) são as que o README de lá diz, byte a byte."""

import hashlib
import re
from pathlib import Path

VENDOR = Path(__file__).resolve().parents[2] / "dia03" / "static" / "vendor"
README = (VENDOR / "README.md").read_text(encoding="utf-8")
# Linhas da tabela "Arquivos desta pasta": | `sha256` | `arquivo` |
LISTED = dict((name, digest) for digest, name in re.findall(r"^\| `([0-9a-f]{64})` \| `([^`]+)` \|$", README, re.M))


def test_cada_arquivo_tem_o_hash_do_readme():
    on_disk = {path.name for path in VENDOR.iterdir()} - {"README.md"}
    assert set(LISTED) == on_disk, f"esperado o README listar {sorted(on_disk)}, recebido {sorted(LISTED)}"
    for name, digest in LISTED.items():
        actual = hashlib.sha256((VENDOR / name).read_bytes()).hexdigest()
        assert actual == digest, f"{name}: esperado sha256 {digest} (README), recebido {actual}"


def test_versao_do_readme_e_a_do_arquivo():
    """O cabeçalho de cada biblioteca traz a versão: tem de ser a que o README trava."""
    banners = {"marked.umd.js": r"marked v([\d.]+)", "purify.min.js": r"DOMPurify ([\d.]+)"}
    packages = {"marked.umd.js": "marked", "purify.min.js": "dompurify"}
    for name, pattern in banners.items():
        version = re.search(pattern, (VENDOR / name).read_text(encoding="utf-8")[:400]).group(1)
        assert f"`{packages[name]}@{version}`" in README, f"{name} é a versão {version}, que o README não cita"


def test_index_carrega_as_bibliotecas_antes_do_app():
    html = (VENDOR.parent / "index.html").read_text(encoding="utf-8")
    scripts = re.findall(r'<script src="([^"]+)" defer></script>', html)
    assert scripts == ["static/vendor/marked.umd.js", "static/vendor/purify.min.js", "static/app.js"]
