"""O cliente de terminal (`python -m common.client`) como subprocesso, contra servidores de verdade.

A saída do processo filho é lida aos pedaços, com a hora de chegada de cada pedaço
(time.time(), o mesmo relógio do log do fake LLM, que roda neste processo): assim dá para
provar que o texto aparece ANTES de o modelo terminar, e não tudo junto no fim.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from uuid import uuid4

import pytest

from common.config import REPO_ROOT
from common.fake_llm import make_marker
from common.launcher import ServerProcess, free_port

APPS_DIR = REPO_ROOT / "tests" / "projeto" / "apps"
# Sem PYTHONUNBUFFERED: é o flush do próprio cliente que tem de fazer a saída andar.
CHILD_ENV = {key: value for key, value in os.environ.items() if key != "PYTHONUNBUFFERED"}
CHILD_ENV["PYTHONIOENCODING"] = "utf-8"


@dataclass
class ClientRun:
    """Um `python -m common.client` rodando; `chunks` = [(time.time(), bytes)] do stdout."""

    process: subprocess.Popen
    chunks: list[tuple[float, bytes]] = field(default_factory=list)
    stderr: str = ""

    def __post_init__(self) -> None:
        self._readers = [threading.Thread(target=self._read_stdout), threading.Thread(target=self._read_stderr)]
        for reader in self._readers:
            reader.start()

    def _read_stdout(self) -> None:
        fd = self.process.stdout.fileno()
        while chunk := os.read(fd, 4096):
            self.chunks.append((time.time(), chunk))

    def _read_stderr(self) -> None:
        self.stderr = self.process.stderr.read().decode("utf-8")

    @property
    def stdout(self) -> str:
        return b"".join(chunk for _, chunk in self.chunks).decode("utf-8")

    def wait_output(self, timeout: float = 10) -> None:
        """Espera (com prazo) o primeiro pedaço de saída."""
        deadline = time.monotonic() + timeout
        while not self.chunks:
            assert time.monotonic() < deadline, f"nenhuma saída em {timeout} s; stderr: {self.stderr}"
            assert self.process.poll() is None, f"o cliente saiu antes de escrever: {self.stderr}"
            time.sleep(0.01)

    def finish(self, timeout: float = 20) -> int:
        code = self.process.wait(timeout=timeout)
        for reader in self._readers:
            reader.join(timeout=5)
        self.process.stdout.close()
        self.process.stderr.close()
        return code


def start_client(url: str, *args: str) -> ClientRun:
    command = [sys.executable, "-m", "common.client", "--url", url, *args]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=CHILD_ENV)
    return ClientRun(process)


def run_client(url: str, *args: str) -> tuple[int, ClientRun]:
    run = start_client(url, *args)
    return run.finish(), run


def nonce() -> str:
    return uuid4().hex[:10]


@pytest.fixture(scope="module", autouse=True)
def broken_server_process():
    """tests/projeto/apps/stream_defeituoso.py, ligado no início do módulo (sobe enquanto outros testes rodam)."""
    with ServerProcess(app_dir=APPS_DIR, module="stream_defeituoso", scrub_env=True) as server:
        yield server


@pytest.fixture
def broken_server(broken_server_process):
    """O servidor defeituoso, já pronto: sem [DONE], caindo no meio, ou 429."""
    assert broken_server_process.wait_ready(timeout=20) == "pronto", broken_server_process.stderr_tail()
    return broken_server_process


# --- Caminho feliz ------------------------------------------------------------------------------


def test_tokens_aparecem_antes_do_fim_e_o_texto_e_exato(dia03_server, dia03_llm):
    tag = nonce()
    tokens = [f"Olá {tag}", ",", " turma", "!\n", "- um", "\n", "- dois", "\n\n", "Fim", " ✓"]
    delay_ms = 100
    code, run = run_client(dia03_server.url, "Liste " + make_marker(tokens=tokens, delay_ms=delay_ms, nonce=tag))
    assert code == 0, run.stderr
    assert run.stdout == "".join(tokens) + "\n", "o texto sai exato; no fim, uma quebra de linha para o terminal"
    assert run.stderr == ""

    entry = dia03_llm.wait_for(nonce=tag, predicate=lambda e: e["status"] == "completed")
    first_output = run.chunks[0][0]
    scripted = delay_ms * (len(tokens) - 1) / 1000
    assert first_output < entry["ended_at"] - 0.5 * scripted, (
        f"a primeira saída chegou {entry['ended_at'] - first_output:.2f} s antes do fim do modelo; "
        f"o roteiro dura {scripted:.2f} s: o cliente deveria escrever cada token na hora (flush)"
    )
    assert len(run.chunks) >= 4, f"a saída deveria chegar em vários pedaços, não em {len(run.chunks)}"


def test_endpoint_generate(dia03_server, dia03_llm):
    tag = nonce()
    code, run = run_client(dia03_server.url, "--endpoint", "generate", "Oi " + make_marker(n=6, nonce=tag))
    assert code == 0, run.stderr
    entry = dia03_llm.wait_for(nonce=tag, predicate=lambda e: e["status"] == "completed")
    assert run.stdout == entry["reply"] + "\n" and tag in run.stdout


def test_sem_stream_devolve_o_json_inteiro(dia03_server, dia03_llm):
    tag = nonce()
    code, run = run_client(dia03_server.url, "--no-stream", "Oi " + make_marker(n=5, nonce=tag))
    assert code == 0, run.stderr
    entry = dia03_llm.wait_for(nonce=tag, predicate=lambda e: e["status"] == "completed")
    assert run.stdout == entry["reply"] + "\n" and tag in run.stdout


# --- Erros: código de saída e mensagem em pt-BR no stderr -----------------------------------------


def test_servidor_fora_do_ar():
    code, run = run_client(f"http://127.0.0.1:{free_port()}", "Oi")
    assert code == 3
    assert "não foi possível conectar" in run.stderr and run.stdout == ""


def test_senha_errada_401(dia03_server):
    code, run = run_client(dia03_server.url, "--password", "errada", "Oi")
    assert code == 4
    assert run.stderr == "erro: login recusado: usuário ou senha incorretos para 'admin'.\n"


def test_evento_de_erro_do_modelo(dia03_server, dia03_llm):
    tag = nonce()
    code, run = run_client(dia03_server.url, "Oi " + make_marker(n=8, fail_after=3, nonce=tag))
    assert code == 1
    assert "erro: o modelo falhou no meio da resposta" in run.stderr
    entry = dia03_llm.wait_for(nonce=tag, predicate=lambda e: e["status"] == "failed")
    assert run.stdout == entry["reply"] + "\n", "o que chegou antes do erro fica na tela"


def test_stream_sem_done(broken_server):
    code, run = run_client(broken_server.url, "Oi")
    assert code == 5
    assert run.stdout == "Olá mundo\n"
    assert "o [DONE] não chegou" in run.stderr


def test_conexao_cai_no_meio(broken_server):
    code, run = run_client(broken_server.url, "cortar")
    assert code == 5
    assert run.stdout == "Olá mundo\n"
    assert "a conexão caiu antes do fim" in run.stderr


def test_erro_http_mostra_status_e_detalhe(broken_server):
    code, run = run_client(broken_server.url, "limite")
    assert code == 1
    assert run.stderr == "erro: POST /chat: o servidor respondeu 429. Streams demais ao mesmo tempo.\n"
    assert run.stdout == ""


def test_saida_fechada_no_meio_nao_mostra_traceback(dia03_server, dia03_llm):
    """`python -m common.client ... | head -c 5`: quem lê vai embora e o cliente sai em silêncio."""
    tag = nonce()
    command = [sys.executable, "-m", "common.client", "--url", dia03_server.url, "Oi " + make_marker(n=30, delay_ms=20, nonce=tag)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=CHILD_ENV)
    process.stdout.read(5)
    process.stdout.close()  # como o `head` faz
    _, stderr = process.communicate(timeout=20)
    assert process.returncode == 0 and b"Traceback" not in stderr, stderr.decode(errors="replace")
    dia03_llm.wait_for(nonce=tag, predicate=lambda e: e["status"] != "running", timeout=5)


def test_uso_errado_explica_em_portugues():
    code, run = run_client("http://127.0.0.1:9", "--no-stream", "--endpoint", "generate", "Oi")
    assert code == 2
    assert "erro: --no-stream só vale com --endpoint chat" in run.stderr


@pytest.mark.skipif(os.name == "nt", reason="SIGINT para um processo filho é coisa de POSIX")
def test_ctrl_c_fecha_o_stream_e_o_servidor_cancela_o_llm(dia03_server, dia03_llm):
    tag = nonce()
    run = start_client(dia03_server.url, "Texto longo " + make_marker(n=400, delay_ms=40, nonce=tag))
    run.wait_output()
    run.process.send_signal(signal.SIGINT)
    assert run.finish() == 130
    assert "interrompido (Ctrl-C)" in run.stderr and "Traceback" not in run.stderr
    entry = dia03_llm.wait_for(nonce=tag, predicate=lambda e: e["status"] != "running", timeout=3)
    assert entry["status"] == "client_closed"
