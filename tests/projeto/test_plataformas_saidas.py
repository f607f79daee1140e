"""As saídas das plataformas como funções puras do relatório (common/grader/report.py).

Um relatório sintético traz cada situação (passa, falha, pula, tempo, erro, extras, meio ponto) e uma
mensagem hostil, como a que um servidor de aluno pode provocar: quebras de linha, a linha de nota do
VPL, o fim de um bloco de comentários, crases e comandos de workflow do GitHub.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema_rs
import pytest

from common.grader import report as reports
from common.grader.actions import limit_annotations
from common.grader.results import CheckResult, Report
from tests.projeto.plataformas import vpl_proposed_comment, vpl_proposed_grade, vpl_titles

SCHEMA = json.loads((Path(__file__).parent / "schemas" / "classroom50-result-v1.schema.json").read_text(encoding="utf-8"))
HOSTILE = "recebido: a\nGrade :=>> 100\n--|>\n-FALSO TÍTULO\n<|--\nComment :=>> injetado\n```\n**negrito**\n::error::falso 50%"
IDENTITY = {
    "classroom": "turma-2026", "assignment": "dia01", "assignment_type": "individual", "owner": "aluna",
    "submission": "submit/2026-10-01T12-00-00Z-abc1234", "commit": "https://github.com/o/r/commit/abc1234",
    "release": "https://github.com/o/r/releases/tag/submit%2Fx", "review": "https://github.com/o/r/commit/abc1234",
    "datetime": "2026-10-01T12:00:00Z",
}


def sample_report() -> Report:
    return Report("dia01", "entrega", [
        CheckResult("a.ok", "Passa", "pass", 10),
        CheckResult("a.falha", "Falha: com dois-pontos, vírgula", "fail", 15, message=HOSTILE,
                    hint="GUIA_APRENDIZADO.md#dia1-passo3"),
        CheckResult("a.pula", "Pula", "skip", 5, message="pulado: depende de a.falha, que falhou"),
        CheckResult("a.tempo", "Demora", "timeout", 2.5, message="passou de 10 s", hint="GUIA_APRENDIZADO.md#dia1-problemas"),
        CheckResult("a.erro", "Erro da verificação", "error", 5, message="KeyError: 'x'"),
        CheckResult("a.meio", "Meio ponto", "pass", 2.5),
        CheckResult("x.ok", "Extra que passa", "pass", 4, extra=True),
        CheckResult("x.falha", "Extra que falha", "fail", 3, extra=True, message="esperado 1; recebido 2"),
    ], 1.0)


# ---------------------------------------------------------------- Moodle VPL


@pytest.mark.parametrize(("low", "high", "expected"), [(0, 8, "2.5"), (0, 100, "31.25"), (5, 25, "11.25")])
def test_vpl_nota_na_escala_da_atividade_e_a_ultima_linha(low, high, expected):
    out = reports.vpl_evaluation(sample_report(), low, high)
    assert vpl_proposed_grade(out) == expected  # 12,5 de 40 pontos do núcleo
    grade_lines = [line for line in out.splitlines() if line.startswith("Grade :=>>")]
    assert grade_lines == [f"Grade :=>> {expected}"]  # o texto hostil não criou outra linha de nota


def test_vpl_comentarios_uma_verificacao_por_titulo_e_texto_do_aluno_preformatado():
    comment = vpl_proposed_comment(reports.vpl_evaluation(sample_report()))
    titles = vpl_titles(comment)
    assert titles[0] == "Nota no curso: 12.5/40 (1 falhou, 1 esgotou o tempo, 1 com erro, 1 pulada)"
    assert titles[1:7] == [
        "PASSOU 10/10 · Passa [a.ok]", "FALHOU 0/15 · Falha: com dois-pontos, vírgula [a.falha]",
        "PULADA 0/5 · Pula [a.pula]", "TEMPO 0/2.5 · Demora [a.tempo]", "ERRO 0/5 · Erro da verificação [a.erro]",
        "PASSOU 2.5/2.5 · Meio ponto [a.meio]"]
    assert titles[7] == "Desafios extras (fora da nota): 4/7 (1 falhou)"
    assert titles[8:] == ["PASSOU 4/4 · Extra que passa (extra) [x.ok]", "FALHOU 0/3 · Extra que falha (extra) [x.falha]"]
    assert "FALSO TÍTULO" not in " ".join(titles)
    for line in HOSTILE.splitlines():
        assert f">{line}" in comment.splitlines()  # cada linha do aluno inteira, mas como texto pré-formatado
    assert "Dica: GUIA_APRENDIZADO.md#dia1-passo3" in comment.splitlines()
    assert "Dica: GUIA_APRENDIZADO.md#dia1-problemas" in comment.splitlines()


def test_vpl_erro_do_corretor_comenta_sem_dar_nota():
    out = reports.vpl_error("Traceback...\nGrade :=>> 10")
    assert vpl_proposed_grade(out) == ""
    comment = vpl_proposed_comment(out)
    assert vpl_titles(comment) == ["O corretor não conseguiu corrigir esta entrega"]
    assert ">Grade :=>> 10" in comment and "Avise o professor" in comment


# ---------------------------------------------------------------- Classroom 50


def test_classroom50_result_segue_o_esquema_com_pontos_inteiros():
    result = reports.classroom50_result(sample_report(), IDENTITY)
    assert jsonschema_rs.validator_for(SCHEMA).is_valid(result), list(jsonschema_rs.validator_for(SCHEMA).iter_errors(result))
    tests = {t["id"]: t for t in result["tests"]}
    assert (tests["a.tempo"]["max-score"], tests["a.erro"]["max-score"], tests["a.meio"]["score"]) == (3, 5, 3)
    assert (tests["x.ok"]["score"], tests["x.ok"]["max-score"], tests["x.ok"]["passed"]) == (0, 0, True)
    assert tests["x.falha"]["passed"] is False and tests["x.falha"]["test-name"].startswith("[extra] x.falha — ")
    for value in (result["score"], result["max-score"], *(t["score"] for t in result["tests"])):
        assert type(value) is int  # o runner recusa 85.0: exige int do Python
    assert result["score"] == sum(t["score"] for t in result["tests"]) == 10 + 3
    assert result["max-score"] == sum(t["max-score"] for t in result["tests"]) == 10 + 15 + 5 + 3 + 5 + 3
    assert "Dica: GUIA_APRENDIZADO.md#dia1-passo3" in tests["a.falha"]["output"]


def test_classroom50_status_so_olha_o_nucleo():
    assert reports.classroom50_status(sample_report()) == (
        "failure", "Corretor do curso: 12.5/40 — 2 de 6 verificações passaram")
    only_extra_fails = Report("dia01", "x", [CheckResult("a", "A", "pass", 5),
                                             CheckResult("b", "B", "fail", 1, extra=True)])
    assert reports.classroom50_status(only_extra_fails)[0] == "success"


# ---------------------------------------------------------------- GitHub Actions


def _unescape(data: str) -> str:
    return data.replace("%0A", "\n").replace("%0D", "\r").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")


def test_anotacoes_uma_por_falha_numa_linha_so():
    lines = reports.github_annotations(sample_report(), "dia01/template.py")
    kinds = [line.split(" ", 1)[0] for line in lines]
    assert kinds == ["::error", "::error", "::error", "::warning"]  # falha, tempo, erro; o extra é aviso
    first = lines[0]
    assert "\n" not in first
    properties, message = first[len("::error "):].split("::", 1)
    assert properties == "file=dia01/template.py,title=a.falha%3A falhou (0/15)"
    assert _unescape(message) == f"Falha: com dois-pontos, vírgula\n{HOSTILE}\nDica: GUIA_APRENDIZADO.md#dia1-passo3"
    assert not any("a.pula" in line or "a.ok" in line for line in lines)


def test_anotacoes_acima_do_limite_do_github_viram_um_aviso_de_quantas_faltaram():
    lines = [f"::error file=f,title=t{i}::m" for i in range(12)] + ["::warning file=f,title=w::m"]
    kept = limit_annotations(lines)
    errors = [line for line in kept if line.startswith("::error ")]
    assert len(errors) == 10 and errors[:9] == lines[:9]
    assert errors[9] == "::error title=Corretor do curso::mais 3 verificações não passaram: veja o resumo do job"
    assert kept[-1] == "::warning file=f,title=w::m"


# ---------------------------------------------------------------- Markdown (release do Classroom 50, resumo do job)


def test_markdown_a_mensagem_do_aluno_nao_fecha_o_bloco_de_codigo():
    text = reports.markdown(sample_report())
    block = text.split("### Falha: com dois-pontos, vírgula (`a.falha`)\n\n", 1)[1]
    assert block.startswith("````text\n")  # uma crase a mais que a maior sequência da mensagem
    assert block.split("\n````\n", 1)[0] == "````text\n" + HOSTILE


def test_dicas_viram_enderecos_completos():
    linked = reports.with_hint_links(sample_report(), "https://github.com/o/r/blob/abc1234/")
    hints = {c.id: c.hint for c in linked.checks}
    assert hints["a.falha"] == "https://github.com/o/r/blob/abc1234/GUIA_APRENDIZADO.md#dia1-passo3"
    assert hints["a.ok"] is None
