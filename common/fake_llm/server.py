"""FakeLLMServer: o fake LLM num uvicorn em thread de fundo, numa porta livre do loopback."""

import os
import socket
import threading
import time

import uvicorn

from .app import DEFAULT_NAME, create_app
from .client import FakeLLMClient

START_TIMEOUT_S = 10.0


def bind_socket(host: str, port: int) -> socket.socket:
    """Abre a porta antes do uvicorn: com port=0 o sistema escolhe uma livre e já sabemos qual."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def bind_unix_socket(path: str) -> socket.socket:
    """Um Unix socket além da porta: o corretor o monta (só-leitura) dentro do sandbox do aluno."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.bind(path)
        os.chmod(path, 0o666)  # fica numa pasta privada do corretor; lá dentro o aluno é outro usuário
    except OSError:
        sock.close()
        raise
    return sock


def build_server(delay_ms: int | None, log_level: str = "warning", name: str = DEFAULT_NAME) -> uvicorn.Server:
    config = uvicorn.Config(create_app(delay_ms, name), log_level=log_level, lifespan="off",
                            timeout_graceful_shutdown=1)  # streams em `hang` não travam o desligamento
    return uvicorn.Server(config)


class FakeLLMServer(FakeLLMClient):
    """Uso: `with FakeLLMServer(delay_ms=5) as llm:` → `llm.base_url` para o ChatOpenAI."""

    def __init__(self, port: int = 0, delay_ms: int | None = None, host: str = "127.0.0.1",
                 name: str = DEFAULT_NAME, uds: str | None = None) -> None:
        super().__init__()
        self.host, self.port, self.delay_ms = host, port, delay_ms
        self.uds = uds  # um Unix socket a mais (opcional), servido junto com a porta
        self.name = name  # "principal" ou "reserva": o marcador fail_on=<nome> falha só neste
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> "FakeLLMServer":
        sockets = [bind_socket(self.host, self.port)]
        self.port = sockets[0].getsockname()[1]
        if self.uds:
            sockets.append(bind_unix_socket(self.uds))
        self.url = f"http://{self.host}:{self.port}"
        self._server = build_server(self.delay_ms, name=self.name)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": sockets},
                                        name=f"fake-llm-{self.port}", daemon=True)
        self._thread.start()
        self._wait_started()
        return self

    def stop(self) -> None:
        self.close()
        if self._server is None or self._thread is None:
            return
        self._server.should_exit = True
        self._thread.join(timeout=5)
        if self._thread.is_alive():
            self._server.force_exit = True
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> "FakeLLMServer":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _wait_started(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"O fake LLM não subiu em {self.url}; veja o erro acima.")
            time.sleep(0.01)
