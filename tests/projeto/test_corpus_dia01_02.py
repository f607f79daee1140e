"""Prova do corretor nos Dias 1 e 2: a solução tira 100, o template tira pouco (sem quebrar o
corretor) e cada entrega quebrada do corpus reprova exatamente as verificações do seu defeito.

Cada dia é corrigido numa só rodada de `grade_many` (modo turma, 2 em paralelo): soluções,
templates e todo o corpus juntos, como o professor faria com uma turma.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from common.grader.classroom import grade_many
from tests.projeto.corpus import REPO_ROOT, Broken, materialize, unexpected_outcomes
from tests.projeto.corpus import quebrados_dia01, quebrados_dia02

ENTRIES = {"dia01": quebrados_dia01.ENTRIES, "dia02": quebrados_dia02.ENTRIES}
# Outros jeitos corretos (HTTPBearer, 422 próprio, created_at sem fuso...): precisam tirar 100.
CORRECT_STYLES = {"dia01": quebrados_dia01.CORRECT_STYLES, "dia02": quebrados_dia02.CORRECT_STYLES}
SOLUTION, TEMPLATE = "_solucao", "_template"
# O template só tem o /health pronto: passa servidor_sobe e pouco mais.
TEMPLATE_MAX_SCORE = 20


def _copy(source: Path, dest: Path) -> Path:
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, dict[str, dict]]:
    """dia -> nome da entrega -> relatório JSON do corretor."""
    root = tmp_path_factory.mktemp("corpus_dia01_02")
    graded = {}
    for day, entries in ENTRIES.items():
        folder = root / day
        submissions = {entry.name: materialize(entry, folder) for entry in entries + CORRECT_STYLES[day]}
        submissions[SOLUTION] = _copy(REPO_ROOT / "solutions" / day, folder / SOLUTION)
        submissions[TEMPLATE] = _copy(REPO_ROOT / day, folder / TEMPLATE)
        graded[day] = grade_many(day, submissions, root / f"{day}_saida", jobs=2)
    return graded


def _summary(report: dict) -> str:
    lines = [f"erro do corretor: {report['error']}"] if report.get("error") else []
    for check in report.get("checks", []):
        message = (check["message"] or "").replace("\n", " | ")[:300]
        lines.append(f"  {check['status']:7} {check['id']}: {message}")
    return "\n".join(lines)


@pytest.mark.parametrize("day", sorted(ENTRIES))
def test_solucao_tira_100(reports, day):
    report = reports[day][SOLUTION]
    assert report["max_score"] == 100, _summary(report)
    assert report["score"] == 100, _summary(report)


@pytest.mark.parametrize(
    "entry", [entry for entries in CORRECT_STYLES.values() for entry in entries], ids=lambda entry: entry.name
)
def test_outros_estilos_corretos_tiram_100(reports, entry: Broken):
    report = reports[entry.day][entry.name]
    assert report["score"] == report["max_score"] == 100, f"{entry.defect}\n" + _summary(report)


@pytest.mark.parametrize("day", sorted(ENTRIES))
def test_template_tira_pouco_sem_quebrar_o_corretor(reports, day):
    report = reports[day][TEMPLATE]
    assert "error" not in report, _summary(report)
    assert {c["status"] for c in report["checks"]} <= {"pass", "fail", "skip"}, _summary(report)
    assert report["checks"][0]["status"] == "pass", "o template já serve /health:\n" + _summary(report)
    assert 0 < report["score"] <= TEMPLATE_MAX_SCORE, _summary(report)


@pytest.mark.parametrize("day", sorted(ENTRIES))
def test_corpus_cobre_todas_as_verificacoes(reports, day):
    check_ids = {c["id"] for c in reports[day][SOLUTION]["checks"]}
    covered = set().union(*(entry.fails for entry in ENTRIES[day]))
    assert covered == check_ids, (
        f"sem entrega quebrada: {sorted(check_ids - covered)}; ids desconhecidos: {sorted(covered - check_ids)}"
    )


@pytest.mark.parametrize(
    "entry", [entry for entries in ENTRIES.values() for entry in entries], ids=lambda entry: entry.name
)
def test_entrega_quebrada_reprova_so_o_defeito(reports, entry: Broken):
    report = reports[entry.day][entry.name]
    problems = unexpected_outcomes(report, entry)
    assert not problems, f"{entry.defect}\n" + "\n".join(problems) + "\n" + _summary(report)
