"""Corpus de entregas para provar o corretor.

Uma entrega quebrada é a solução de referência com UM defeito, descrito como trocas
de texto (`patches`). Assim o corpus não copia a solução inteira, e se a solução mudar
a troca falha alto (o texto antigo precisa aparecer exatamente uma vez).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]
HOSTILE_DIR = Path(__file__).resolve().parent / "hostis"


@dataclass(frozen=True)
class Broken:
    name: str
    day: str
    defect: str  # o defeito, em pt-BR, como aparece na mensagem do teste
    patches: tuple[tuple[str, str], ...]
    fails: frozenset[str]  # ids das verificações que DEVEM falhar (e só elas)
    extras: bool = False


def materialize(entry: Broken, dest_root: Path) -> Path:
    """Escreve a entrega quebrada em dest_root/<name>/ e devolve a pasta."""
    solution_dir = REPO_ROOT / "solutions" / entry.day
    text = (solution_dir / "template.py").read_text(encoding="utf-8")
    for old, new in entry.patches:
        count = text.count(old)
        assert count == 1, f"{entry.name}: o trecho a trocar aparece {count} vezes na solução: {old!r}"
        text = text.replace(old, new)
    dest = dest_root / entry.name
    shutil.copytree(solution_dir, dest, ignore=shutil.ignore_patterns("__pycache__"))
    (dest / "template.py").write_text(text, encoding="utf-8")
    return dest


def unexpected_outcomes(report: dict, entry: Broken) -> list[str]:
    """Compara o relatório JSON do corretor com o defeito esperado; lista o que destoa."""
    problems = []
    failed = {c["id"] for c in report["checks"] if c["status"] in {"fail", "timeout", "error"}}
    for missing in sorted(entry.fails - failed):
        problems.append(f"{missing} deveria falhar, mas não falhou")
    for extra in sorted(failed - entry.fails):
        problems.append(f"{extra} falhou sem ser o defeito deste caso")
    for check in report["checks"]:
        if check["status"] == "skip" and "depende de" not in (check["message"] or ""):
            problems.append(f"{check['id']} foi pulado sem ser dependente de uma falha: {check['message']}")
    return problems
