"""Prova das verificações dos desafios extras do Dia 3 (`--extras`).

Numa só rodada de `grade_many` (modo turma, `corpus.JOBS` em paralelo, com --extras):
- a solução de referência passa em todos os extras (e continua com 100 no núcleo);
- o template intocado fica com 0 nos extras, sem quebrar o corretor;
- cada entrega quebrada de tests/projeto/corpus/quebrados_extras.py reprova exatamente o seu extra.
"""

from __future__ import annotations

import pytest

from tests.projeto.corpus import SOLUTION, TEMPLATE, Broken, assert_corpus_covers, assert_only_the_defect, grade_corpus, summary
from tests.projeto.corpus.quebrados_extras import CORRECT_STYLES, DAY, ENTRIES

EXTRA_IDS = {
    f"dia03.extra.{name}" for name in (
        "eventos_tipados", "heartbeat", "especialista", "cancelamento", "status", "limite", "inatividade",
        "historico", "agente", "fallback",
    )
}


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, dict]:
    """Nome da entrega -> relatório JSON do corretor (com --extras)."""
    return grade_corpus(DAY, ENTRIES + CORRECT_STYLES, tmp_path_factory.mktemp("corpus_extras"), extras=True)


def _extras(report: dict) -> dict[str, dict]:
    return {check["id"]: check for check in report.get("checks", []) if check["extra"]}


def test_solucao_passa_em_todos_os_extras(reports):
    report = reports[SOLUTION]
    assert set(_extras(report)) == EXTRA_IDS, summary(report)
    assert report["extras_score"] == report["extras_max_score"] == 100, summary(report)
    assert report["score"] == report["max_score"] == 100, summary(report)


def test_template_fica_com_zero_nos_extras_sem_quebrar(reports):
    report = reports[TEMPLATE]
    assert "error" not in report, summary(report)
    extras = _extras(report)
    assert set(extras) == EXTRA_IDS, summary(report)
    assert report["extras_score"] == 0, summary(report)
    assert {check["status"] for check in extras.values()} <= {"fail", "skip"}, summary(report)
    # As rotas dos extras respondem 501 no template: os extras em cima delas saem como "não tentado".
    not_tried = {i for i, check in extras.items() if (check["message"] or "").startswith("não tentado")}
    assert len(not_tried) >= 8, summary(report)


@pytest.mark.parametrize("entry", CORRECT_STYLES, ids=lambda entry: entry.name)
def test_outros_estilos_corretos_tiram_100_nos_extras(reports, entry: Broken):
    report = reports[entry.name]
    assert report["extras_score"] == report["extras_max_score"] == 100, f"{entry.defect}\n" + summary(report)


def test_corpus_cobre_todos_os_extras():
    assert all(entry.extras and entry.day == DAY for entry in ENTRIES)
    assert_corpus_covers(ENTRIES, EXTRA_IDS)


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda entry: entry.name)
def test_entrega_quebrada_reprova_so_o_seu_extra(reports, entry: Broken):
    assert_only_the_defect(reports[entry.name], entry)
