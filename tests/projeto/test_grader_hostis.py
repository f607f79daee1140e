"""Entregas hostis (tests/projeto/corpus/hostis): o corretor termina dentro do seu limite, explica o
que houve e não deixa processo nenhum para trás. Nenhuma chave do professor chega ao aluno.

Todas são corrigidas de uma vez (3 em paralelo), cada uma com `python -m common.grader`, com chaves
falsas "do professor" no ambiente e TMPDIR numa pasta do teste (onde as entregas contam o que viram).
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest

from tests.projeto.corpus import HOSTILE_DIR
from tests.projeto.grader_runs import (
    REPO_ROOT,
    GraderRun,
    grader_command,
    grader_env,
    leftovers,
    processes_with_run_id,
    run_grader,
)

RUN_TIMEOUT = 60  # limite da correção inteira (--run-timeout) em cada entrega hostil
MARGIN = 15  # folga para o corretor encerrar tudo depois do limite, numa máquina carregada
MAX_MESSAGE_CHARS = 5000
INSTRUCTOR_ENV = {
    "OPENAI_API_KEY": "sk-professor-" + secrets.token_hex(8),
    "ANTHROPIC_API_KEY": "sk-ant-professor-" + secrets.token_hex(8),
    "LANGSMITH_API_KEY": "lsv2-professor-" + secrets.token_hex(8),
    "AWS_SECRET_ACCESS_KEY": "aws-professor-" + secrets.token_hex(8),
    "OPENAI_BASE_URL": "https://api.openai.com/v1-do-professor",
}


@dataclass(frozen=True)
class Case:
    day: str
    startup_timeout: float = 20.0  # quem nunca fica pronto usa um limite curto (deixa o teste rápido)


CASES = {
    "sintaxe": Case("dia01"),
    "import_falha": Case("dia01"),
    "loop_no_import": Case("dia01", startup_timeout=4),
    "nunca_escuta": Case("dia01", startup_timeout=4),
    "trava_tudo": Case("dia01", startup_timeout=4),
    "health_sem_fim": Case("dia01", startup_timeout=4),
    "stream_sem_fim": Case("dia03"),
    "resposta_50mb": Case("dia01"),
    "inunda_stdout": Case("dia01"),
    "daemoniza": Case("dia01"),
    "le_ambiente": Case("dia01"),
}


@dataclass
class Outcome:
    run: GraderRun
    report: dict
    left: list[str]
    tmpdir: Path

    def check(self, check_id: str) -> dict:
        return next(c for c in self.report["checks"] if c["id"] == check_id)

    def seen(self, name: str) -> dict:
        """O que a entrega hostil contou ao teste (escrito em TMPDIR)."""
        return json.loads((self.tmpdir / f"hostil-{name}.json").read_text(encoding="utf-8"))


def _grade(name: str, root: Path) -> Outcome:
    case = CASES[name]
    tmpdir = root / name
    tmpdir.mkdir()
    report_path = tmpdir / "relatorio.json"
    env = {**INSTRUCTOR_ENV, "TMPDIR": str(tmpdir), "TEMP": str(tmpdir), "TMP": str(tmpdir)}
    run = run_grader(case.day, HOSTILE_DIR / name, "--json", report_path, "--startup-timeout",
                     case.startup_timeout, "--run-timeout", RUN_TIMEOUT, env=env, timeout=RUN_TIMEOUT + 60)
    report = json.loads(report_path.read_text(encoding="utf-8")) if report_path.is_file() else {}
    return Outcome(run, report, leftovers(run.run_id), tmpdir)


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict[str, Outcome]:
    root = tmp_path_factory.mktemp("hostis")
    with ThreadPoolExecutor(max_workers=3) as pool:
        return dict(zip(CASES, pool.map(lambda name: _grade(name, root), CASES)))


@pytest.mark.parametrize("name", CASES)
def test_corretor_termina_relata_e_nao_deixa_processos(graded, name):
    outcome = graded[name]
    context = f"{name}:\nstdout:\n{outcome.run.stdout[-3000:]}\nstderr:\n{outcome.run.stderr[-3000:]}"
    assert outcome.run.returncode == 1, context  # correu até o fim e reprovou (nem 0, nem erro do corretor)
    assert outcome.run.elapsed < RUN_TIMEOUT + MARGIN, context
    assert outcome.report["checks"], context
    assert not outcome.left, f"{name}: processos sobraram: {outcome.left}"
    for check in outcome.report["checks"]:
        # Tudo o que a entrega faz é culpa dela (fail/timeout), nunca "erro da verificação".
        assert check["status"] != "error", f"{name}: {check}"
        assert len(check["message"] or "") < MAX_MESSAGE_CHARS, f"{name}: mensagem enorme em {check['id']}"
    assert "Nota:" in outcome.run.stdout, context


STARTUP_FAILURES = {
    "sintaxe": "SyntaxError",
    "import_falha": "falha proposital no import da entrega hostil",
    "loop_no_import": "não respondeu GET /health dentro do tempo de subida",
    "nunca_escuta": "não respondeu GET /health dentro do tempo de subida",
    "trava_tudo": "não respondeu GET /health dentro do tempo de subida",
    "health_sem_fim": "resposta grande demais",
}


@pytest.mark.parametrize("name", STARTUP_FAILURES)
def test_servidor_que_nao_sobe_mostra_o_motivo_e_pula_o_resto(graded, name):
    outcome = graded[name]
    first = outcome.check("dia01.servidor_sobe")
    assert first["status"] in {"fail", "timeout"}
    assert STARTUP_FAILURES[name] in first["message"], first["message"]
    for check in outcome.report["checks"][1:]:
        assert check["status"] == "skip" and "depende de dia01.servidor_sobe" in check["message"], check


def test_stream_sem_fim_reprova_sem_travar(graded):
    outcome = graded["stream_sem_fim"]
    assert outcome.check("dia03.servidor_sobe")["status"] == "pass"
    assert outcome.check("dia03.generate_sse")["status"] in {"fail", "timeout"}


def test_resposta_de_50mb_e_cortada(graded):
    messages = [c["message"] or "" for c in graded["resposta_50mb"].report["checks"]]
    assert any("grande demais" in m for m in messages), messages


def test_inundacao_de_stdout_nao_derruba_o_corretor(graded):
    outcome = graded["inunda_stdout"]
    assert outcome.check("dia01.servidor_sobe")["status"] == "pass"
    assert len(outcome.run.stdout) < 50_000  # a saída do aluno não vaza para o relatório


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork duplo + setsid só existe em POSIX")
def test_filho_daemonizado_morre_junto(graded):
    pid = graded["daemoniza"].seen("daemoniza")["pid"]
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE


def test_nenhuma_chave_do_professor_chega_ao_aluno(graded):
    outcome = graded["le_ambiente"]
    seen = outcome.seen("le_ambiente")
    everything = json.dumps(seen) + json.dumps(outcome.report)
    for name, value in INSTRUCTOR_ENV.items():
        assert value not in everything, f"{name} do professor vazou para a entrega"
    for environment in (seen["environ"], seen["child_environ"]):
        assert environment["OPENAI_API_KEY"] == "sk-corretor-chave-falsa"
        assert environment["OPENAI_BASE_URL"].startswith("http://127.0.0.1:")
        assert not {"ANTHROPIC_API_KEY", "LANGSMITH_API_KEY", "AWS_SECRET_ACCESS_KEY"} & set(environment)


@pytest.mark.skipif(os.name == "nt", reason="SIGTERM de verdade só em POSIX")
def test_corretor_morto_com_sigterm_derruba_o_servidor_do_aluno():
    """Um `timeout` ou um CI cancelado manda SIGTERM: o corretor limpa antes de sair."""
    run_id = uuid.uuid4().hex
    grader = subprocess.Popen(grader_command("dia01", HOSTILE_DIR / "trava_tudo", "--startup-timeout", 30),
                              cwd=REPO_ROOT, env=grader_env(run_id), stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while not processes_with_run_id(run_id) and time.monotonic() < deadline:
        time.sleep(0.05)  # espera o servidor do aluno existir (sondagem com prazo)
    assert processes_with_run_id(run_id), "o servidor do aluno nem chegou a subir"
    grader.send_signal(signal.SIGTERM)
    _, stderr = grader.communicate(timeout=20)
    assert "interrompido" in stderr
    assert not leftovers(run_id)
