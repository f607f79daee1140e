"""O corretor como ferramenta: códigos de saída, formatos dos relatórios, modo --url, limites de
tempo, modo turma e o pacote do Gradescope.

As rodadas de verdade usam a solução do Dia 1 (a mais rápida de subir) mais verificações "ocultas"
escritas aqui (--checks), que produzem de propósito cada situação: passa, falha, pula, tempo, erro.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from common.fake_llm import FakeLLMServer
from common.grader import report as reports
from common.grader.checks import CheckFailure, check, expect, expect_equal, shorten
from common.grader.cli import main
from common.grader.gradescope import build_zip, find_submission, run_in_container
from common.grader.launcher import MAX_FILE_BYTES, copy_submission
from common.grader.results import CheckResult, Report
from common.grader.sandbox import MODE_VARIABLE, probe
from tests.projeto.grader_runs import REPO_ROOT, leftovers, run_grader

DIA01_IDS = ["dia01.servidor_sobe", "dia01.criar_prompt", "dia01.validacao", "dia01.listar", "dia01.filtros",
             "dia01.paginacao", "dia01.buscar_por_id", "dia01.atualizar", "dia01.remover"]
REPORT_KEYS = {"day", "submission", "score", "max_score", "extras_score", "extras_max_score", "duration_s", "checks",
               "sandbox", "warnings"}  # como o servidor rodou ("bwrap", "user", "none") e os avisos (ex.: sem sandbox)
CHECK_KEYS = {"id", "title", "status", "points", "max_points", "extra", "message", "hint"}

# Uma verificação de cada tipo de resultado. `depois` vem antes no arquivo, mas `antes` depende dela.
HIDDEN_MAIN = '''
import time
from common.grader.checks import check, expect, expect_status

@check("oculta.antes", points=1, depends=["oculta.depois"])
def test_antes(api):
    """Roda depois da sua dependência, mesmo declarada antes"""

@check("oculta.depois", points=1)
def test_depois(api):
    """Dependência declarada depois no arquivo"""

@check("oculta.falha", points=2, hint="dia1-passo3")
def test_falha(api):
    """Uma verificação que falha"""
    expect_status(api.get("/rota-que-nao-existe"), 200, help="Ajuda para o aluno.")

@check("oculta.dependente", points=3, depends=["oculta.falha"])
def test_dependente(api):
    """Depende da que falha"""

@check("oculta.demora", points=1, timeout=0.5, hint="dia1-problemas")
def test_demora(api):
    """Passa do próprio tempo limite"""
    time.sleep(3)  # simula uma verificação presa

@check("oculta.erro", points=1)
def test_erro(api):
    """Tem um erro de programação"""
    {}["chave"]

@check("oculta.controle", points=1)
def test_controle(secret_key, llm):
    """Usa a SECRET_KEY e o fake LLM do corretor"""
    expect(len(secret_key) >= 32, "SECRET_KEY aleatória longa", secret_key)
    expect(llm.requests(nonce="nenhum") == [], "log vazio para um nonce novo", llm.requests(nonce="nenhum"))

@check("oculta.extra_ok", points=4, extra=True)
def test_extra_ok(api):
    """Um desafio extra que passa"""
    expect_status(api.get("/health"), 200)
'''

HIDDEN_URL = '''
from common.grader.checks import check, expect_status

@check("oculta.segredo", points=1)
def test_segredo(secret_key):
    """Precisa da SECRET_KEY"""

@check("oculta.llm", points=1)
def test_llm(llm):
    """Precisa do fake LLM"""
    marker, nonce = llm.marker(n=2)
    assert nonce in marker and llm.requests(nonce=nonce) == []

@check("oculta.base", points=1)
def test_base(api):
    """A dependência de oculta.depende (o --only a traz junto)"""

@check("oculta.depende", points=1, depends=["oculta.base"])
def test_depende(api):
    """Depende de oculta.base"""

@check("oculta.extra_falha", points=4, extra=True)
def test_extra_falha(api):
    """Um desafio extra que falha (não muda o código de saída)"""
    expect_status(api.get("/nao-existe"), 200)
'''

HIDDEN_BOUND = '''
import time
from common.grader.checks import check

@check("oculta.rapida", points=1)
def test_rapida(api):
    """Termina antes do limite"""

@check("oculta.presa", points=1, timeout=60)
def test_presa(api):
    """Fica presa até o limite da correção inteira"""
    time.sleep(30)

@check("oculta.seguinte", points=1)
def test_seguinte(api):
    """Viria depois do limite"""
'''

HIDDEN_STUCK_FIXTURE = '''
import time
import pytest
from common.grader.checks import check

@pytest.fixture
def presa():
    time.sleep(30)  # trava fora da verificação: só o limite total a segura

@check("oculta.fixture_presa", points=1)
def test_fixture_presa(presa):
    """Uma fixture que nunca termina"""
'''

HIDDEN_BAD = '''
from common.grader.checks import check

def test_sem_marca():
    pass

@check("oculta.repetida", points=1)
def test_um():
    """Um"""

@check("oculta.repetida", points=1, depends=["oculta.fantasma"])
def test_dois():
    """Dois"""
'''


# Um conftest do professor pode reordenar as verificações: aqui as ocultas vão para o começo
# (assim o teste do limite total não depende de quanto as do Dia 1 demoram numa máquina carregada).
HIDDEN_FIRST_CONFTEST = '''
def pytest_collection_modifyitems(items):
    items.sort(key=lambda item: "/dia01/" in item.nodeid)
'''


def _checks_dir(root: Path, name: str, source: str, conftest: str = "") -> Path:
    folder = root / name
    folder.mkdir()
    (folder / f"test_{name}.py").write_text(source, encoding="utf-8")
    if conftest:
        (folder / "conftest.py").write_text(conftest, encoding="utf-8")
    return folder


def _statuses(report: dict) -> dict[str, str]:
    return {c["id"]: c["status"] for c in report["checks"]}


def _check(report: dict, check_id: str) -> dict:
    return next(c for c in report["checks"] if c["id"] == check_id)


# ---------------------------------------------------------------- API de quem escreve verificações


def test_expect_diz_o_esperado_e_o_recebido_truncado():
    with pytest.raises(CheckFailure) as failure:
        expect(False, "status 201", "x" * 1000, help="Veja o passo 3.")
    message = str(failure.value)
    assert message.startswith("esperado: status 201; recebido: xxx")
    assert "(+700 caracteres)" in message and message.endswith("\nVeja o passo 3.")
    assert isinstance(failure.value, AssertionError)
    expect(True, "nada", "nada")  # condição verdadeira não levanta


def test_expect_equal_nomeia_o_valor():
    with pytest.raises(CheckFailure, match=r"corpo: esperado \{'a': 1\}; recebido \[\]"):
        expect_equal([], {"a": 1}, what="corpo")
    assert shorten("curto") == "curto" and shorten(12) == "12"


@pytest.mark.parametrize("bad", [
    {"id": "com espaço", "points": 1},
    {"id": "x.y", "points": -1},
    {"id": "x.y", "points": 1, "depends": "x.z"},
    {"id": "x.y", "points": 1, "hint": "GUIA_APRENDIZADO.md#dia1"},
])
def test_check_recusa_marcas_mal_formadas(bad):
    with pytest.raises((ValueError, TypeError)):
        check(**bad)


# ---------------------------------------------------------------- cópia da entrega


def test_copia_da_entrega_deixa_de_fora_ambientes_segredos_e_arquivos_enormes(tmp_path):
    source, dest = tmp_path / "entrega", tmp_path / "copia"
    for name in (".venv/lib/x.py", "__pycache__/t.pyc", "static/index.html", "template.py", ".env"):
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_text("x", encoding="utf-8")
    (source / "enorme.bin").write_bytes(b"0" * (MAX_FILE_BYTES + 1))
    copy_submission(source, dest)
    copied = {p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file()}
    assert copied == {"template.py", "static/index.html"}


# ---------------------------------------------------------------- relatório no terminal


def _tiny_report() -> Report:
    return Report("dia01", "x", [
        CheckResult("a.ok", "Passa", "pass", 10),
        CheckResult("a.falha", "Falha", "fail", 5, message="esperado: 1; recebido: 2", hint="GUIA_APRENDIZADO.md#dia1-passo1"),
        CheckResult("a.extra", "Extra", "pass", 3, extra=True),
    ], 1.0)


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_relatorio_legivel_sem_cor_e_colorido_so_em_terminal(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    plain = reports.terminal(_tiny_report(), io.StringIO())
    assert "\x1b[" not in plain
    assert "PASSOU    10/10  Passa  [a.ok]" in plain
    assert "Dica: GUIA_APRENDIZADO.md#dia1-passo1" in plain
    assert "Nota: 10/15 (1 falhou)" in plain and "Extras: 3/3" in plain
    assert "\x1b[" in reports.terminal(_tiny_report(), _Tty())
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in reports.terminal(_tiny_report(), _Tty())


# ---------------------------------------------------------------- erros de uso: código 2


@pytest.mark.parametrize("argv", [
    [],
    ["dia09", "solutions/dia01"],
    ["dia01"],
    ["dia01", "--class", "turma"],
    ["dia01", "--class", "turma", "--out", "notas", "--url", "http://127.0.0.1:9"],
    ["dia01", "solutions/dia01", "--llm-url", "http://127.0.0.1:9"],
    ["dia01", "solutions/dia01", "--jobs", "2"],
    ["dia01", "solutions/dia01", "--run-timeout", "0"],
    ["dia01", "solutions/dia01", "--opcao-que-nao-existe"],
    ["dia01", "--class", "turma", "--out", "notas", "--only", "dia01.criar_prompt"],
])
def test_erro_de_uso_sai_com_2_e_explica_em_portugues(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert "python -m common.grader: erro:" in capsys.readouterr().err


def test_entrega_inexistente_ou_sem_template_sai_com_2(tmp_path, capsys):
    assert main(["dia01", str(tmp_path / "nao-existe")]) == 2
    assert "não existe" in capsys.readouterr().err
    assert main(["dia01", str(tmp_path)]) == 2
    assert "não tem template.py" in capsys.readouterr().err


# ---------------------------------------------------------------- uma correção completa


@pytest.fixture(scope="module")
def main_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("corretor_cli")
    hidden = _checks_dir(root, "ocultas", HIDDEN_MAIN)
    paths = {kind: root / name for kind, name in
             (("json", "r.json"), ("gradescope", "results.json"), ("junit", "junit.xml"))}
    run = run_grader("dia01", REPO_ROOT / "solutions" / "dia01", "--checks", hidden, "--extras",
                     "--json", paths["json"], "--gradescope", paths["gradescope"], "--junit", paths["junit"])
    return run, paths


def test_correcao_completa_escreve_o_json_do_contrato(main_run):
    run, paths = main_run
    assert run.returncode == 1, run.stdout + run.stderr
    report = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert set(report) == REPORT_KEYS
    assert all(set(c) == CHECK_KEYS for c in report["checks"])
    assert report["day"] == "dia01" and report["submission"].endswith("dia01")
    assert _statuses(report) == {
        **dict.fromkeys(DIA01_IDS, "pass"),
        "oculta.depois": "pass", "oculta.antes": "pass", "oculta.falha": "fail", "oculta.dependente": "skip",
        "oculta.demora": "timeout", "oculta.erro": "error", "oculta.controle": "pass", "oculta.extra_ok": "pass",
    }
    ids = [c["id"] for c in report["checks"]]
    assert ids.index("oculta.depois") < ids.index("oculta.antes")  # dependência roda primeiro
    assert (report["score"], report["max_score"]) == (100 + 3, 100 + 10)
    assert (report["extras_score"], report["extras_max_score"]) == (4, 4)


def test_mensagens_de_cada_resultado(main_run):
    report = json.loads(main_run[1]["json"].read_text(encoding="utf-8"))
    failed = _check(report, "oculta.falha")
    assert failed["message"].startswith("esperado: status 200; recebido: status 404")
    assert "GET /rota-que-nao-existe" in failed["message"] and "Ajuda para o aluno." in failed["message"]
    assert failed["hint"] == "GUIA_APRENDIZADO.md#dia1-passo3" and failed["points"] == 0
    assert _check(report, "oculta.dependente")["message"] == "pulado: depende de oculta.falha, que falhou"
    assert "passou de 0.5 s" in _check(report, "oculta.demora")["message"]
    assert "KeyError" in _check(report, "oculta.erro")["message"]
    assert _check(report, "dia01.servidor_sobe")["message"] is None


def test_relatorio_do_terminal(main_run):
    out = main_run[0].stdout
    assert "\x1b[" not in out  # saída capturada: sem cor
    assert "FALHOU      0/2  Uma verificação que falha  [oculta.falha]" in out
    assert "Dica: GUIA_APRENDIZADO.md#dia1-passo3" in out
    assert "PULADA" in out and "TEMPO" in out and "ERRO" in out
    assert "Nota: 103/110" in out and "Extras: 4/4" in out


def test_results_json_do_gradescope(main_run):
    results = json.loads(main_run[1]["gradescope"].read_text(encoding="utf-8"))
    assert results["score"] == 103
    tests = {t["name"].split(" — ")[0].removeprefix("[extra] "): t for t in results["tests"]}
    assert set(tests) == set(DIA01_IDS) | {"oculta.antes", "oculta.depois", "oculta.falha", "oculta.dependente",
                                          "oculta.demora", "oculta.erro", "oculta.controle", "oculta.extra_ok"}
    for test in results["tests"]:
        assert set(test) == {"name", "score", "max_score", "status", "output", "visibility"}
        assert test["status"] in {"passed", "failed"} and test["visibility"] == "visible"
    assert tests["oculta.falha"]["name"] == "oculta.falha — Uma verificação que falha"
    assert tests["oculta.falha"]["status"] == "failed" and "Dica:" in tests["oculta.falha"]["output"]
    assert tests["oculta.extra_ok"]["max_score"] == 0  # extras aparecem, mas fora da nota


def test_junit_xml(main_run):
    suite = ET.parse(main_run[1]["junit"]).getroot()
    assert suite.tag == "testsuite" and suite.get("tests") == "17"
    assert (suite.get("failures"), suite.get("errors"), suite.get("skipped")) == ("2", "1", "1")
    case = next(c for c in suite.iter("testcase") if c.get("name") == "oculta.falha")
    assert "esperado: status 200" in case.find("failure").text


def test_nenhum_processo_sobra(main_run):
    assert leftovers(main_run[0].run_id) == []


# ---------------------------------------------------------------- modo --url e limite total


@pytest.fixture(scope="module")
def url_checks(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("corretor_url")
    folders = {name: _checks_dir(root, name, source) for name, source in (("url", HIDDEN_URL), ("autoria", HIDDEN_BAD))}
    for name, source in (("limite", HIDDEN_BOUND), ("fixture", HIDDEN_STUCK_FIXTURE)):
        folders[name] = _checks_dir(root, name, source, HIDDEN_FIRST_CONFTEST)
    return folders


def test_modo_url_pula_o_que_o_corretor_nao_controla(dia01_url, url_checks, tmp_path):
    out = tmp_path / "r.json"
    # A forma do contrato: DIA ENTREGA --url URL (a entrega não é subida; o alvo é a URL).
    run = run_grader("dia01", "dia01", "--url", dia01_url, "--checks", url_checks["url"], "--extras", "--json", out)
    assert run.returncode == 0, run.stdout + run.stderr  # pulos por falta de controle e extras não reprovam
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["submission"] == dia01_url
    assert all(_check(report, i)["status"] == "pass" for i in DIA01_IDS)
    secret = _check(report, "oculta.segredo")
    assert secret["status"] == "skip" and "SECRET_KEY" in secret["message"] and "--url" in secret["message"]
    llm = _check(report, "oculta.llm")
    assert llm["status"] == "skip" and "--llm-url" in llm["message"]
    assert _check(report, "oculta.extra_falha")["status"] == "fail" and report["extras_score"] == 0


def test_modo_url_com_llm_url_roteiriza_o_fake_llm(dia01_url, url_checks, tmp_path):
    out = tmp_path / "r.json"
    with FakeLLMServer() as llm:
        run = run_grader("dia01", "--url", dia01_url, "--llm-url", llm.base_url, "--checks", url_checks["url"],
                         "--json", out)
    report = json.loads(out.read_text(encoding="utf-8"))
    assert _check(report, "oculta.llm")["status"] == "pass", run.stdout
    assert _check(report, "oculta.segredo")["status"] == "skip"


def test_only_roda_as_pedidas_as_dependencias_e_a_que_sobe_o_servidor(dia01_url, url_checks, tmp_path):
    out = tmp_path / "r.json"
    run = run_grader("dia01", "--url", dia01_url, "--checks", url_checks["url"], "--only", "dia01.criar_prompt",
                     "--only", "dia01.busc", "--only", "oculta.depende", "--json", out)
    assert run.returncode == 0, run.stdout + run.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    assert sorted(c["id"] for c in report["checks"]) == sorted(
        ["dia01.servidor_sobe", "dia01.criar_prompt", "dia01.buscar_por_id", "oculta.base", "oculta.depende"])
    assert all(c["status"] == "pass" for c in report["checks"]), report["checks"]
    assert any("--only" in w and "parcial" in w for w in report["warnings"]), report["warnings"]
    assert "correção parcial (--only" in run.stdout


def test_only_sem_verificacao_que_combine_sai_com_2_e_lista_as_que_existem(dia01_url, capsys):
    assert main(["dia01", "--url", dia01_url, "--only", "dia01.nao_existe"]) == 2
    err = capsys.readouterr().err
    assert "'dia01.nao_existe'" in err and "dia01.criar_prompt" in err


def test_limite_total_ainda_grava_o_que_terminou(dia01_url, url_checks, tmp_path):
    out, bound = tmp_path / "r.json", 5
    run = run_grader("dia01", "--url", dia01_url, "--checks", url_checks["limite"], "--run-timeout", bound,
                     "--json", out)
    assert run.returncode == 1
    assert run.elapsed < bound + 10, f"o limite total não foi respeitado: {run.elapsed:.1f} s"
    report = json.loads(out.read_text(encoding="utf-8"))
    assert [c["id"] for c in report["checks"]] == ["oculta.rapida", "oculta.presa", "oculta.seguinte", *DIA01_IDS]
    assert _check(report, "oculta.rapida")["status"] == "pass"  # o que terminou antes do limite fica
    stuck = _check(report, "oculta.presa")
    assert stuck["status"] == "timeout" and stuck["message"].startswith(f"interrompida: o tempo total da correção ({bound} s)")
    for check_ in report["checks"][2:]:
        assert check_["status"] == "timeout" and check_["message"].startswith("não executada"), check_


def test_limite_total_vale_ate_para_uma_fixture_travada(dia01_url, url_checks, tmp_path):
    out, bound = tmp_path / "r.json", 6
    run = run_grader("dia01", "--url", dia01_url, "--checks", url_checks["fixture"], "--run-timeout", bound,
                     "--json", out)
    assert run.returncode == 1
    assert run.elapsed < bound + 10, f"o limite total não foi respeitado: {run.elapsed:.1f} s"
    assert "Nota: 0/101" in run.stdout  # o relatório do terminal sai mesmo com o pytest abandonado
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["checks"][0]["id"] == "oculta.fixture_presa"
    assert report["checks"][0]["message"].startswith("interrompida: o tempo total da correção (6 s)")
    for check_ in report["checks"][1:]:
        assert check_["status"] == "timeout" and check_["message"].startswith("não executada"), check_


def test_verificacoes_mal_escritas_sao_erro_do_corretor(dia01_url, url_checks):
    run = run_grader("dia01", "--url", dia01_url, "--checks", url_checks["autoria"])
    assert run.returncode == 2
    for problem in ("sem @check", "id repetido oculta.repetida", "depende de oculta.fantasma, que não existe"):
        assert problem in run.stderr


# ---------------------------------------------------------------- modo turma


@pytest.fixture(scope="module")
def class_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("turma")
    turma, out = root / "turma", root / "notas"
    for index in range(4):
        shutil.copytree(REPO_ROOT / "solutions" / "dia01", turma / f"aluno{index}",
                        ignore=shutil.ignore_patterns("__pycache__"))
    (turma / "quebrado").mkdir()
    (turma / "quebrado" / "template.py").write_text("def (\n", encoding="utf-8")
    run = run_grader("dia01", "--class", turma, "--out", out, "--jobs", 2)
    return run, out


def test_modo_turma_corrige_todos_com_a_mesma_nota(class_run):
    run, out = class_run
    assert run.returncode == 0, run.stdout + run.stderr
    with (out / "notas.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["aluno"] for r in rows] == ["aluno0", "aluno1", "aluno2", "aluno3", "quebrado"]
    assert [r["nota"] for r in rows] == ["100", "100", "100", "100", "0"]  # a ruim não para a turma
    assert list(rows[0])[:5] == ["aluno", "nota", "nota_maxima", "extras", "extras_maximo"]
    assert all(rows[0][i] != "" for i in DIA01_IDS) and rows[0]["dia01.criar_prompt"] == "15"


def test_modo_turma_mostra_progresso_e_escreve_feedback_e_resumo(class_run):
    run, out = class_run
    assert "Corrigindo 5 entregas de dia01 (2 em paralelo)" in run.stdout
    progress = [line for line in run.stdout.splitlines() if line.startswith("[")]
    assert len(progress) == 5 and progress[-1].startswith("[####################]   5/5 100%")
    feedback = (out / "feedback" / "quebrado.md").read_text(encoding="utf-8")
    assert "**Nota: 0/100**" in feedback and "SyntaxError" in feedback
    assert "**Nota: 100/100**" in (out / "feedback" / "aluno0.md").read_text(encoding="utf-8")
    summary = (out / "resumo.md").read_text(encoding="utf-8")
    assert "| `dia01.servidor_sobe` |" in summary and "| 4/5 | 80% |" in summary


# ---------------------------------------------------------------- Gradescope


def test_run_autograder_numa_pasta_como_a_do_gradescope(tmp_path):
    if shutil.which("bash") is None:
        pytest.skip("run_autograder é um script bash (o Gradescope roda Linux)")
    bundle = build_zip("dia01", tmp_path / "gradescope-dia01.zip")
    root = tmp_path / "autograder"
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(root / "source")
        assert {"setup.sh", "run_autograder", "tests/dia01/test_dia01.py"} <= set(archive.namelist())
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    # O aluno enviou a pasta do dia inteira: o template está numa subpasta.
    (root / "submission" / "dia01").mkdir(parents=True)
    shutil.copy(REPO_ROOT / "solutions" / "dia01" / "template.py", root / "submission" / "dia01" / "template.py")
    (root / "results").mkdir()
    env = {"PATH": "/usr/bin:/bin", "AUTOGRADER_ROOT": str(root), "AUTOGRADER_PYTHON": sys.executable}
    if probe().bwrap is None:  # o Gradescope exige isolamento; numa máquina sem bwrap, o teste aceita menos
        env[MODE_VARIABLE] = "auto"
    done = subprocess.run(["bash", str(root / "run_autograder")], capture_output=True, text=True, timeout=120, env=env)
    results = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    assert results["score"] == 100, done.stdout + done.stderr
    assert len(results["tests"]) == len(DIA01_IDS)


def test_entrega_vazia_no_gradescope_ainda_gera_results_json(tmp_path):
    (tmp_path / "submission").mkdir()
    (tmp_path / "submission" / "LEIAME.txt").write_text("esqueci o código", encoding="utf-8")
    assert find_submission(tmp_path / "submission") is None
    assert run_in_container("dia01", tmp_path) == 0
    results = json.loads((tmp_path / "results" / "results.json").read_text(encoding="utf-8"))
    assert results["score"] == 0 and "template.py" in results["output"]
