"""Cliente do endpoint de admin de um fake LLM que já está rodando (testes e corretor)."""

import time
from collections.abc import Callable
from typing import Any

import httpx

Entry = dict[str, Any]
POLL_S = 0.02


class FakeLLMClient:
    """Lê e limpa o log de um fake LLM em `url` (ex.: "http://127.0.0.1:8001")."""

    def __init__(self, url: str | None = None) -> None:
        self.url = _root_url(url) if url else None
        self._http: httpx.Client | None = None

    @property
    def base_url(self) -> str:
        """Endereço para o ChatOpenAI (`base_url=` ou OPENAI_BASE_URL)."""
        return f"{self._require_url()}/v1"

    def requests(self, nonce: str | None = None) -> list[Entry]:
        """Entradas do log em ordem de chegada (só as do nonce, se dado)."""
        params = {"nonce": nonce} if nonce is not None else None
        response = self._client().get("/admin/requests", params=params)
        response.raise_for_status()
        return response.json()["requests"]

    def wait_for(self, nonce: str | None = None, predicate: Callable[[Entry], bool] | None = None,
                 timeout: float = 3.0) -> Entry:
        """Primeira entrada (do nonce) que satisfaz `predicate`; TimeoutError se não vier a tempo."""
        deadline = time.monotonic() + timeout
        while True:
            entries = self.requests(nonce)
            if match := next((e for e in entries if predicate is None or predicate(e)), None):
                return match
            if time.monotonic() >= deadline:
                raise TimeoutError(_timeout_message(nonce, timeout, entries))
            time.sleep(POLL_S)

    def clear(self) -> None:
        """Apaga o log inteiro."""
        self._client().delete("/admin/requests").raise_for_status()

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None

    def __enter__(self) -> "FakeLLMClient":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _client(self) -> httpx.Client:
        if self._http is None:
            self._http = httpx.Client(base_url=self._require_url(), timeout=5.0)
        return self._http

    def _require_url(self) -> str:
        if self.url is None:
            raise RuntimeError("O fake LLM ainda não foi iniciado: chame start() ou use `with`.")
        return self.url


def _root_url(url: str) -> str:
    """Aceita a URL com ou sem /v1 no fim."""
    url = url.rstrip("/")
    return url.removesuffix("/v1")


def _timeout_message(nonce: str | None, timeout: float, entries: list[Entry]) -> str:
    which = f"com nonce={nonce!r}" if nonce is not None else "no log"
    seen = [f"#{e['id']} {e['status']} ({e['tokens_sent']} tokens)" for e in entries] or ["nenhuma"]
    return (f"fake LLM: nenhuma requisição {which} ficou como esperado em {timeout:g} s; "
            f"vistas: {', '.join(seen)}.")
