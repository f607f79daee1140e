"""`python -m common.run` (o `make run`) como o aluno usa: um processo de verdade, portas de verdade.

Sobe o comando em portas livres, transmite uma resposta pelo socket (como o `curl -N`),
encerra com Ctrl-C (SIGINT) ou `kill` (SIGTERM) e confere que nada ficou rodando.
"""

import os
import signal
import subprocess
import sys
import time

import httpx
import psutil
import pytest
from httpx_sse import connect_sse

from common.config import REPO_ROOT
from common.fake_llm import FakeLLMClient, FakeLLMServer, make_marker
from common.launcher import OutputTail, free_port

pytestmark = pytest.mark.skipif(os.name == "nt", reason="envia SIGINT/SIGTERM como um terminal POSIX")

START_TIMEOUT_S = 40.0  # importar LangChain numa máquina carregada leva alguns segundos
READY_TEXT = "Ctrl-C encerra tudo."


class RunCommand:
    """`python -m common.run ...` num grupo de processos próprio, com a saída guardada."""

    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "common.run", *args],
            cwd=REPO_ROOT,
            env={**os.environ, "COURSE_SKIP_DOTENV": "1", "SECRET_KEY": "segredo-do-teste",
                 "PYTHONUNBUFFERED": "1", **(env or {})},
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.output = OutputTail(self.process.stdout)

    def wait_for_instructions(self) -> str:
        """Espera (com prazo) as instruções aparecerem: só são impressas com tudo no ar."""
        deadline = time.monotonic() + START_TIMEOUT_S
        while READY_TEXT not in self.output.text(20_000):
            assert self.process.poll() is None, f"common.run saiu antes da hora:\n{self.output.text()}"
            assert time.monotonic() < deadline, f"common.run não ficou pronto:\n{self.output.text()}"
            time.sleep(0.05)
        return self.output.text(20_000)

    def stop(self, sig: signal.Signals) -> int:
        self.process.send_signal(sig)
        return self.process.wait(timeout=15)

    def kill_leftovers(self) -> None:
        """Rede de segurança: se um teste falhar no meio, não deixa processo para trás."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)


@pytest.fixture
def run_command():
    started: list[RunCommand] = []

    def start(*args: str, env: dict[str, str] | None = None) -> RunCommand:
        started.append(RunCommand(*args, env=env))
        return started[-1]

    yield start
    for command in started:
        command.kill_leftovers()


def login(api: str) -> str:
    response = httpx.post(f"{api}/login", json={"username": "aluno", "password": "aluno123"}, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def stream_text(api: str, token: str, prompt: str) -> str:
    """O que o `curl -N` mostraria, já remontado: os dados dos eventos até o [DONE]."""
    with httpx.Client(timeout=15) as client:
        with connect_sse(client, "POST", f"{api}/api/generate", json={"prompt": prompt},
                         headers={"Authorization": f"Bearer {token}"}) as source:
            events = [sse.data for sse in source.iter_sse()]
    assert events[-1] == "[DONE]", events[-3:]
    pieces = events[:-1]
    assert pieces and all(pieces)
    return "".join(pieces)


def listening(port: int) -> bool:
    try:
        httpx.get(f"http://127.0.0.1:{port}/health", timeout=1)
        return True
    except httpx.TransportError:
        return False


def group_members(pgid: int) -> list[psutil.Process]:
    """Processos que ainda restam no grupo do comando (o grupo nasceu com ele: start_new_session)."""
    members = []
    for proc in psutil.process_iter():
        try:
            if os.getpgid(proc.pid) == pgid and proc.status() != psutil.STATUS_ZOMBIE:
                members.append(proc)
        except (psutil.Error, ProcessLookupError):
            continue
    return members


def test_make_run_sobe_fake_llm_e_solucao_e_ctrl_c_encerra_tudo(run_command):
    api_port, llm_port = free_port(), free_port()
    command = run_command("--port", str(api_port), "--llm-port", str(llm_port))
    output = command.wait_for_instructions()
    api = f"http://127.0.0.1:{api_port}"
    # As instruções em português, com as portas escolhidas.
    for expected in (f"curl -N -X POST {api}/api/generate", f"{api}/login", f"{api}/", "aluno123",
                     f'python -m common.client --url {api} "Explique SSE em 3 bullets"',
                     f"http://127.0.0.1:{llm_port}/v1"):
        assert expected in output

    text = stream_text(api, login(api), "Explique SSE em 3 bullets")
    assert sum(line.startswith("- ") for line in text.splitlines()) == 3, text
    with FakeLLMClient(f"http://127.0.0.1:{llm_port}") as llm:  # foi o fake LLM do run que respondeu
        assert [e["messages"][-1]["content"] for e in llm.requests()] == ["Explique SSE em 3 bullets"]
        assert llm.requests()[0]["reply"] == text

    assert command.stop(signal.SIGINT) == 0  # o Ctrl-C
    assert "Servidores encerrados" in command.output.text()
    assert not listening(api_port) and not listening(llm_port)
    assert group_members(command.process.pid) == []


def test_make_run_real_usa_o_provedor_do_ambiente_e_sigterm_encerra(run_command):
    api_port, unused_llm_port = free_port(), free_port()
    with FakeLLMServer(delay_ms=5) as provider:  # faz o papel do "provedor de verdade"
        tag = "run-real"
        command = run_command("--real", "--port", str(api_port), "--llm-port", str(unused_llm_port),
                              env={"OPENAI_BASE_URL": provider.base_url, "OPENAI_API_KEY": "chave-do-provedor"})
        output = command.wait_for_instructions()
        assert f"LLM ....... {provider.base_url} (OPENAI_BASE_URL)" in output
        assert not listening(unused_llm_port), "--real não deveria subir o fake LLM"

        api = f"http://127.0.0.1:{api_port}"
        text = stream_text(api, login(api), "Oi " + make_marker(nonce=tag, n=5))
        assert tag in text and provider.requests(nonce=tag)[0]["reply"] == text

        assert command.stop(signal.SIGTERM) == 0  # o `kill` comum
        assert not listening(api_port)
        assert group_members(command.process.pid) == []
