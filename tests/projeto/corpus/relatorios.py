"""Ajudantes dos testes do corpus: copiar uma entrega, resumir um relatório, conferir um defeito.

(Feitos para os testes de tests/projeto/test_corpus_*.py; hoje só test_corpus_extras.py os usa.)
"""

from __future__ import annotations

import shutil
from pathlib import Path

from . import Broken, unexpected_outcomes


def copy_submission(source: Path, dest: Path) -> Path:
    """Copia uma pasta de entrega (sem __pycache__) e devolve o destino."""
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def summary(report: dict) -> str:
    """Uma linha por verificação (status, id, mensagem curta), para as mensagens dos asserts."""
    lines = [f"erro do corretor: {report['error']}"] if report.get("error") else []
    for check in report.get("checks", []):
        message = (check["message"] or "").replace("\n", " | ")[:300]
        lines.append(f"  {check['status']:7} {check['id']}: {message}")
    return "\n".join(lines)


def assert_only_the_defect(report: dict, entry: Broken) -> None:
    """Falha (com o resumo do relatório) se outras verificações, além das do defeito, falharam."""
    problems = unexpected_outcomes(report, entry)
    assert not problems, f"{entry.defect}\n" + "\n".join(problems) + "\n" + summary(report)
