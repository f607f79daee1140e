"""Pastas de arquivos de terceiros copiados byte a byte: o README.md de cada uma lista o sha256 de cada
arquivo numa tabela `| `sha256` | `arquivo` |` (veja dia03/static/vendor e common/static/swagger-ui)."""

import hashlib
import re
from pathlib import Path

HASH_ROW = re.compile(r"^\| `([0-9a-f]{64})` \| `([^`]+)` \|$", re.M)


def assert_files_match_readme(folder: Path) -> None:
    """Cada arquivo da pasta (menos o README) está no README, com o sha256 que tem no disco."""
    readme = (folder / "README.md").read_text(encoding="utf-8")
    listed = {name: digest for digest, name in HASH_ROW.findall(readme)}
    on_disk = {path.name for path in folder.iterdir()} - {"README.md"}
    assert set(listed) == on_disk, f"esperado o README listar {sorted(on_disk)}, recebido {sorted(listed)}"
    for name, digest in listed.items():
        actual = hashlib.sha256((folder / name).read_bytes()).hexdigest()
        assert actual == digest, f"{name}: esperado sha256 {digest} (README), recebido {actual}"
