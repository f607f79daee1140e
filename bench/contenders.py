"""Os contendores e o "laboratório": o fake LLM e todos os servidores medidos, cada um no seu processo."""

from __future__ import annotations

import secrets
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass

import httpx

from common.config import FAKE_API_KEY, REPO_ROOT
from common.launcher import ServerProcess

from . import litellm_proxy

MODEL = "gpt-4o-mini"
READY_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class Contender:
    key: str
    label: str
    target: str  # como o gerador de carga fala com ele: "sse" (nossa rota) ou "openai" (API da OpenAI)
    module: str | None = None  # módulo do app (bench.variants.*); None = não é um servidor nosso


CONTENDERS = (
    Contender("direto", "1. SDK openai direto no fake LLM (o limite)", "openai"),
    Contender("referencia", "2. Solução de referência (StreamingResponse)", "sse", "bench.variants.reference"),
    Contender("sse_starlette", "3. sse-starlette (EventSourceResponse)", "sse", "bench.variants.with_sse_starlette"),
    Contender("fastapi_sse", "4. fastapi.sse (EventSourceResponse)", "sse", "bench.variants.with_fastapi_sse"),
    Contender("bloqueante", "5. Bloqueante: llm.stream() síncrono em async def", "sse", "bench.variants.blocking"),
    Contender("litellm", "6. LiteLLM proxy na frente do fake LLM", "openai"),
    Contender("sdk_openai", "7. Referência sem LangChain (SDK openai na rota)", "sse", "bench.variants.openai_sdk"),
    Contender("llm_unico", "8. Referência com um ChatOpenAI reaproveitado", "sse", "bench.variants.cached_llm"),
    # Não é um servidor a mais: é a própria referência, pelo POST /chat sem streaming (resposta inteira).
    Contender("sem_streaming", "Referência sem streaming (POST /chat em JSON)", "json"),
)
BY_KEY = {c.key: c for c in CONTENDERS}


@dataclass
class Endpoint:
    """Onde e como o gerador de carga alcança um contendor."""

    url: str
    token: str | None = None  # Bearer da nossa rota, ou a chave da API (LiteLLM)
    pid: int | None = None  # processo do servidor (para RSS e CPU); None para o direto


class Lab:
    """Sobe o fake LLM e os servidores pedidos; `endpoints[key]` diz como falar com cada um."""

    def __init__(self, keys: list[str], delay_ms: int) -> None:
        self.keys = keys
        self.delay_ms = delay_ms
        self.endpoints: dict[str, Endpoint] = {}
        self.not_measured: dict[str, str] = {}  # contendor → motivo (pt-BR)
        self.upstream: ServerProcess | None = None
        self._stack = ExitStack()

    def __enter__(self) -> Lab:
        try:
            self._start()
        except BaseException:
            self._stack.close()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stack.close()

    def _start(self) -> None:
        env = {"FAKE_LLM_DELAY_MS": str(self.delay_ms)}
        self.upstream = self._launch(ServerProcess(app_dir=REPO_ROOT, module="bench.variants.upstream", env=env))
        base_url = self.upstream.url + "/v1"  # a porta já é conhecida: os servidores sobem junto com ele
        servers = {key: self._launch(self._server(key, base_url)) for key in self.keys if BY_KEY[key].module}
        proxy = self._launch_litellm(base_url) if "litellm" in self.keys else None
        waiting = {"fake LLM": self.upstream, **servers}
        with ThreadPoolExecutor(max_workers=len(waiting) + 1) as pool:
            litellm_ready = pool.submit(proxy.wait_ready) if proxy else None
            list(pool.map(lambda item: self._wait(item[1], item[0]), waiting.items()))
            if litellm_ready and (reason := litellm_ready.result()):
                self.not_measured["litellm"] = reason
            elif proxy:
                self.endpoints["litellm"] = Endpoint(proxy.base_url, token=proxy.master_key, pid=proxy.pid)
        for key, server in servers.items():
            self.endpoints[key] = Endpoint(server.url, _login(server.url), server.process.pid)
        if "sem_streaming" in self.keys and "referencia" in self.endpoints:
            self.endpoints["sem_streaming"] = self.endpoints["referencia"]
        if "direto" in self.keys:
            self.endpoints["direto"] = Endpoint(base_url)

    def _launch_litellm(self, base_url: str) -> litellm_proxy.LiteLLMProxy | None:
        proxy = litellm_proxy.LiteLLMProxy(base_url, MODEL)
        if reason := proxy.unavailable_reason():
            self.not_measured["litellm"] = reason
            return None
        return self._stack.enter_context(proxy)

    def _server(self, key: str, base_url: str) -> ServerProcess:
        env = {"OPENAI_BASE_URL": base_url, "OPENAI_API_KEY": FAKE_API_KEY, "DEFAULT_MODEL": MODEL,
               "SECRET_KEY": secrets.token_urlsafe(32)}
        return ServerProcess(app_dir=REPO_ROOT, module=BY_KEY[key].module, env=env, scrub_env=True)

    def _launch(self, server: ServerProcess) -> ServerProcess:
        return self._stack.enter_context(server)

    @staticmethod
    def _wait(server: ServerProcess, name: str) -> None:
        status = server.wait_ready(timeout=READY_TIMEOUT_S)
        if status != "pronto":
            raise RuntimeError(f"{name} não subiu ({status}):\n{server.stderr_tail()}")

    def measured(self) -> list[str]:
        """Os contendores que de fato estão de pé, na ordem pedida."""
        return [key for key in self.keys if key in self.endpoints]


def _login(url: str) -> str:
    response = httpx.post(f"{url}/login", json={"username": "aluno", "password": "aluno123"}, timeout=30)
    response.raise_for_status()
    return response.json()["access_token"]
