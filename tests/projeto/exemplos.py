"""O que os testes dos exemplos do guia (docs/exemplos/diaN) compartilham."""

from __future__ import annotations

import importlib.util
from types import ModuleType

from common.config import REPO_ROOT


def load_example(day: str, name: str) -> ModuleType:
    """Importa docs/exemplos/<day>/<name>.py como um módulo avulso (a pasta não é um pacote)."""
    path = REPO_ROOT / "docs" / "exemplos" / day / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"exemplo_{day}_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
