"""As bibliotecas da página (dia03/static/vendor) são as que o README de lá diz, byte a byte."""

import re
from pathlib import Path

from tests.projeto.vendor_readme import assert_files_match_readme

VENDOR = Path(__file__).resolve().parents[2] / "dia03" / "static" / "vendor"
README = (VENDOR / "README.md").read_text(encoding="utf-8")


def test_cada_arquivo_tem_o_hash_do_readme():
    assert_files_match_readme(VENDOR)


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
