"""Prova do corretor nos Dias 1 e 2: a solução tira 100, o template tira pouco (sem quebrar o
corretor) e cada entrega quebrada do corpus reprova exatamente as verificações do seu defeito.

Cada dia é corrigido numa só rodada do modo turma (`corpus.JOBS` em paralelo): solução, template, outros
estilos corretos e todo o corpus juntos, como o professor faria com uma turma.
"""

from __future__ import annotations

import pytest

from tests.projeto.corpus import (
    SOLUTION, TEMPLATE, Broken, assert_corpus_covers, assert_only_the_defect, assert_template_scores_low,
    assert_unfinished_routes_blame_the_todo, grade_corpus, summary,
)
from tests.projeto.corpus import quebrados_dia01, quebrados_dia02

ENTRIES = {"dia01": quebrados_dia01.ENTRIES, "dia02": quebrados_dia02.ENTRIES}
# Outros jeitos corretos (HTTPBearer, 422 próprio, created_at sem fuso...): precisam tirar 100.
CORRECT_STYLES = {"dia01": quebrados_dia01.CORRECT_STYLES, "dia02": quebrados_dia02.CORRECT_STYLES}
# O template só tem o /health pronto: passa servidor_sobe e pouco mais.
TEMPLATE_MAX_SCORE = 20


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, dict[str, dict]]:
    """dia -> nome da entrega -> relatório JSON do corretor."""
    root = tmp_path_factory.mktemp("corpus_dia01_02")
    return {day: grade_corpus(day, entries + CORRECT_STYLES[day], root / day) for day, entries in ENTRIES.items()}


@pytest.mark.parametrize("day", sorted(ENTRIES))
def test_solucao_tira_100(reports, day):
    report = reports[day][SOLUTION]
    assert report["score"] == report["max_score"] == 100, summary(report)


@pytest.mark.parametrize(
    "entry", [entry for entries in CORRECT_STYLES.values() for entry in entries], ids=lambda entry: entry.name
)
def test_outros_estilos_corretos_tiram_100(reports, entry: Broken):
    report = reports[entry.day][entry.name]
    assert report["score"] == report["max_score"] == 100, f"{entry.defect}\n" + summary(report)


@pytest.mark.parametrize("day", sorted(ENTRIES))
def test_template_tira_pouco_sem_quebrar_o_corretor(reports, day):
    assert_template_scores_low(reports[day][TEMPLATE], TEMPLATE_MAX_SCORE)


@pytest.mark.parametrize("day", sorted(ENTRIES))
def test_template_manda_apagar_o_raise_todo(reports, day):
    assert_unfinished_routes_blame_the_todo(reports[day][TEMPLATE])


@pytest.mark.parametrize("day", sorted(ENTRIES))
def test_corpus_cobre_todas_as_verificacoes(reports, day):
    assert_corpus_covers(ENTRIES[day], {c["id"] for c in reports[day][SOLUTION]["checks"]})


@pytest.mark.parametrize(
    "entry", [entry for entries in ENTRIES.values() for entry in entries], ids=lambda entry: entry.name
)
def test_entrega_quebrada_reprova_so_o_defeito(reports, entry: Broken):
    assert_only_the_defect(reports[entry.day][entry.name], entry)
