"""Prova do corretor no Dia 3 (o único que verifica o comportamento de streaming).

Numa só rodada de `grade_many` (modo turma, 2 em paralelo), como o professor faria:
- a solução de referência tira 100, três vezes, com o mesmo resultado (nada de verificação instável);
- outros estilos corretos (fastapi.sse, sse-starlette, HTTPBearer, um agente) também tiram 100;
- o template intocado tira pouco, sem quebrar o corretor;
- cada entrega quebrada reprova exatamente as verificações do seu defeito.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from common.grader.classroom import grade_many
from tests.projeto.corpus import REPO_ROOT, Broken, materialize, unexpected_outcomes
from tests.projeto.corpus.quebrados_dia03 import CORRECT_STYLES, DAY, ENTRIES

SOLUTIONS = ("_solucao_1", "_solucao_2", "_solucao_3")
TEMPLATE = "_template"
# O template só tem o /health pronto (nem o login está ligado): passa servidor_sobe e nada mais.
TEMPLATE_MAX_SCORE = 10


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, dict]:
    """Nome da entrega -> relatório JSON do corretor."""
    root = tmp_path_factory.mktemp("corpus_dia03")
    submissions = {entry.name: materialize(entry, root) for entry in ENTRIES + CORRECT_STYLES}
    for name in SOLUTIONS:
        submissions[name] = _copy(REPO_ROOT / "solutions" / DAY, root / name)
    submissions[TEMPLATE] = _copy(REPO_ROOT / DAY, root / TEMPLATE)
    return grade_many(DAY, submissions, root / "saida", jobs=2)


def _copy(source: Path, dest: Path) -> Path:
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def _summary(report: dict) -> str:
    lines = [f"erro do corretor: {report['error']}"] if report.get("error") else []
    for check in report.get("checks", []):
        message = (check["message"] or "").replace("\n", " | ")[:300]
        lines.append(f"  {check['status']:7} {check['id']}: {message}")
    return "\n".join(lines)


def _outcomes(report: dict) -> list[tuple[str, str]]:
    return [(check["id"], check["status"]) for check in report["checks"]]


@pytest.mark.parametrize("name", SOLUTIONS)
def test_solucao_tira_100(reports, name):
    report = reports[name]
    assert report["max_score"] == 100, _summary(report)
    assert report["score"] == 100, _summary(report)


def test_solucao_tem_o_mesmo_resultado_nas_tres_correcoes(reports):
    first, *others = (_outcomes(reports[name]) for name in SOLUTIONS)
    assert all(outcome == first for outcome in others), "\n\n".join(_summary(reports[n]) for n in SOLUTIONS)


@pytest.mark.parametrize("entry", CORRECT_STYLES, ids=lambda entry: entry.name)
def test_outros_estilos_corretos_tiram_100(reports, entry: Broken):
    report = reports[entry.name]
    assert report["score"] == 100, f"{entry.defect}\n{_summary(report)}"


def test_template_tira_pouco_sem_quebrar_o_corretor(reports):
    report = reports[TEMPLATE]
    assert "error" not in report, _summary(report)
    assert {c["status"] for c in report["checks"]} <= {"pass", "fail", "skip"}, _summary(report)
    assert report["checks"][0]["status"] == "pass", "o template já serve /health:\n" + _summary(report)
    assert 0 < report["score"] <= TEMPLATE_MAX_SCORE, _summary(report)


def test_corpus_cobre_todas_as_verificacoes(reports):
    check_ids = {c["id"] for c in reports[SOLUTIONS[0]]["checks"]}
    covered = set().union(*(entry.fails for entry in ENTRIES))
    assert covered == check_ids, f"sem entrega quebrada: {sorted(check_ids - covered)}; ids desconhecidos: {sorted(covered - check_ids)}"


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda entry: entry.name)
def test_entrega_quebrada_reprova_so_o_defeito(reports, entry: Broken):
    report = reports[entry.name]
    problems = unexpected_outcomes(report, entry)
    assert not problems, f"{entry.defect}\n" + "\n".join(problems) + "\n" + _summary(report)
