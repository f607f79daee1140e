"""Prova do corretor no Dia 3 (o único que verifica o comportamento de streaming).

Numa só rodada do modo turma (`corpus.JOBS` em paralelo), como o professor faria:
- a solução de referência tira 100, duas vezes, com o mesmo resultado (nada de verificação instável);
- outros estilos corretos (fastapi.sse, sse-starlette, HTTPBearer, um agente) também tiram 100;
- o template intocado tira pouco, sem quebrar o corretor;
- cada entrega quebrada reprova exatamente as verificações do seu defeito.
"""

from __future__ import annotations

import pytest

from tests.projeto.corpus import (
    SOLUTION, TEMPLATE, Broken, assert_corpus_covers, assert_only_the_defect, assert_template_scores_low,
    grade_corpus, solution_names, summary,
)
from tests.projeto.corpus.quebrados_dia03 import CORRECT_STYLES, DAY, ENTRIES

SOLUTIONS = solution_names(2)
# O template só tem o /health pronto (nem o login está ligado): passa servidor_sobe e nada mais.
TEMPLATE_MAX_SCORE = 10


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, dict]:
    """Nome da entrega -> relatório JSON do corretor."""
    root = tmp_path_factory.mktemp("corpus_dia03")
    return grade_corpus(DAY, ENTRIES + CORRECT_STYLES, root, solutions=len(SOLUTIONS))


def _outcomes(report: dict) -> list[tuple[str, str]]:
    return [(check["id"], check["status"]) for check in report["checks"]]


@pytest.mark.parametrize("name", SOLUTIONS)
def test_solucao_tira_100(reports, name):
    report = reports[name]
    assert report["score"] == report["max_score"] == 100, summary(report)


def test_solucao_tem_o_mesmo_resultado_nas_duas_correcoes(reports):
    first, second = (_outcomes(reports[name]) for name in SOLUTIONS)
    assert first == second, "\n\n".join(summary(reports[name]) for name in SOLUTIONS)


@pytest.mark.parametrize("entry", CORRECT_STYLES, ids=lambda entry: entry.name)
def test_outros_estilos_corretos_tiram_100(reports, entry: Broken):
    assert reports[entry.name]["score"] == 100, f"{entry.defect}\n{summary(reports[entry.name])}"


def test_template_tira_pouco_sem_quebrar_o_corretor(reports):
    assert_template_scores_low(reports[TEMPLATE], TEMPLATE_MAX_SCORE)


def test_corpus_cobre_todas_as_verificacoes(reports):
    assert_corpus_covers(ENTRIES, {c["id"] for c in reports[SOLUTION]["checks"]})


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda entry: entry.name)
def test_entrega_quebrada_reprova_so_o_defeito(reports, entry: Broken):
    assert_only_the_defect(reports[entry.name], entry)
