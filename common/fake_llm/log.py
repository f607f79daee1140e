"""Registro das requisições recebidas, lido pelo endpoint de admin (observabilidade).

Cada entrada é atualizada ao vivo: a resposta cresce token a token e o status muda no fim.
Um `threading.Lock` protege tudo, então o log pode ser lido de outra thread (testes) com segurança.
"""

import copy
import threading
import time
from typing import Any

MAX_ENTRIES = 1000  # um fake LLM ligado o dia todo não cresce sem limite


class RequestLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[int, dict[str, Any]] = {}
        self._next_id = 1

    def add(self, **fields: Any) -> int:
        """Nova entrada `running`; devolve o id."""
        with self._lock:
            entry_id = self._next_id
            self._next_id += 1
            self._entries[entry_id] = _new_entry(entry_id, fields)
            if len(self._entries) > MAX_ENTRIES:
                del self._entries[next(iter(self._entries))]
        return entry_id

    def add_token(self, entry_id: int, token: str) -> None:
        """Um token saiu para o cliente: a resposta registrada cresce."""
        with self._lock:
            if entry := self._entries.get(entry_id):
                entry["reply"] += token
                entry["tokens_sent"] += 1
                entry["first_token_at"] = entry["first_token_at"] or time.time()

    def set_reply(self, entry_id: int, reply: str, tokens: int) -> None:
        """Resposta inteira de uma vez (modo sem streaming)."""
        with self._lock:
            if entry := self._entries.get(entry_id):
                entry.update(reply=reply, tokens_sent=tokens, first_token_at=time.time())

    def finish(self, entry_id: int, status: str) -> None:
        """Fecha a entrada com o status final; só o primeiro fim conta."""
        with self._lock:
            entry = self._entries.get(entry_id)
            if entry and entry["status"] == "running":
                entry.update(status=status, ended_at=time.time(),
                             client_closed=status == "client_closed")

    def snapshot(self, nonce: str | None = None) -> list[dict[str, Any]]:
        """Cópia das entradas em ordem de chegada (filtradas pelo nonce, se dado)."""
        with self._lock:
            entries = [e for e in self._entries.values() if nonce is None or e["nonce"] == nonce]
            return copy.deepcopy(entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def _new_entry(entry_id: int, fields: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": entry_id, **fields, "reply": "", "tokens_sent": 0, "status": "running",
        "client_closed": False, "received_at": time.time(), "first_token_at": None,
        "ended_at": None,
    }
