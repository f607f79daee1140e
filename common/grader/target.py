"""O que as verificações enxergam do servidor corrigido (fixture `target`) e do fake LLM (`llm`)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field


def new_nonce() -> str:
    """Um nonce novo por pedido: uma resposta fixa no código nunca o contém."""
    return "n" + uuid.uuid4().hex[:12]


class LLMHandle:
    """Fake LLM que o corretor controla: roteiriza respostas (marcadores) e lê o log de pedidos."""

    def __init__(self, client=None, start: Callable[[], object] | None = None) -> None:
        self._client = client  # common.fake_llm.FakeLLMClient (ou FakeLLMServer)
        self._start = start  # ou: sobe o fake LLM no primeiro uso e devolve o cliente (dias sem LLM)
        self._lock = threading.Lock()

    @property
    def client(self):
        with self._lock:
            if self._client is None:
                self._client = self._start()
        return self._client

    @property
    def url(self) -> str:
        return self.client.url

    @property
    def base_url(self) -> str:
        return self.client.base_url

    def marker(self, **keys) -> tuple[str, str]:
        """Marcador `[[fake-llm ...]]` com um nonce único; devolve (texto_do_marcador, nonce)."""
        from common.fake_llm import make_marker

        nonce = keys.pop("nonce", None) or new_nonce()
        return make_marker(nonce=nonce, **keys), nonce

    def requests(self, nonce: str | None = None) -> list[dict]:
        return self.client.requests(nonce=nonce)

    def wait_for(self, nonce: str | None = None, predicate=None, timeout: float = 3.0):
        return self.client.wait_for(nonce=nonce, predicate=predicate, timeout=timeout)

    def clear(self) -> None:
        self.client.clear()


@dataclass
class Target:
    """O servidor sob correção.

    - `base_url`: endereço HTTP do servidor do aluno;
    - `secret_key`: a SECRET_KEY injetada (None no modo --url: o corretor não a conhece);
    - `llm` / `fallback_llm`: fake LLMs controlados pelo corretor (None se não houver);
    - `extras`: True com --extras;
    - `env`: variáveis que o corretor injetou no servidor (vazio no modo --url);
    - `stderr_tail()`: o fim da saída do servidor (o traceback, se ele caiu);
    - `alive()`: o processo do servidor ainda roda? (None no modo --url).
    """

    base_url: str
    secret_key: str | None = None
    llm: LLMHandle | None = None
    fallback_llm: LLMHandle | None = None
    extras: bool = False
    env: dict[str, str] = field(default_factory=dict)
    startup: str = "pronto"  # "pronto" | "saiu" | "tempo_esgotado" | "externo" (--url)
    _stderr_tail: Callable[[], str] = lambda: ""
    _alive: Callable[[], bool | None] = lambda: None

    def stderr_tail(self, max_chars: int = 3000) -> str:
        return self._stderr_tail()[-max_chars:]

    def alive(self) -> bool | None:
        return self._alive()
