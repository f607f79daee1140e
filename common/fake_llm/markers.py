"""Marcadores `[[fake-llm chave=valor ...]]`: roteirizam uma requisição sem estado compartilhado.

O teste (ou o corretor) coloca o marcador em qualquer mensagem; o fake LLM lê e obedece.
Exemplo: `[[fake-llm nonce=abc n=8 delay_ms=5]]` → 8 tokens, o primeiro contendo "abc".
"""

import base64
import binascii
import json
import re
from dataclasses import dataclass, replace
from typing import Any

MARKER_RE = re.compile(r"\[\[fake-llm((?:\s+[^\s\]]+)*)\s*\]\]")

# Chaves aceitas e como converter o texto de cada uma.
INT_KEYS = {"n", "delay_ms", "first_delay_ms", "fail_after", "hang"}
# fail_on=<nome>: as falhas (fail, fail_after) valem só no servidor com esse nome (desafio fallback).
TEXT_KEYS = {"nonce", "fail", "fail_on"}
BASE64_KEYS = {"tokens", "tool_args"}


@dataclass(frozen=True)
class Script:
    """O que o marcador pede, já validado e com tipos."""

    nonce: str | None = None
    n: int | None = None
    delay_ms: int | None = None
    first_delay_ms: int = 0
    tokens: list[str] | None = None
    fail_before: bool = False
    fail_after: int | None = None
    hang: bool = False
    tool_args: dict[str, Any] | None = None
    fail_on: str | None = None

    # --- fail_on (desafio extra do fallback): o reserva atende o pedido que o principal derrubou.
    def for_server(self, name: str | None) -> "Script":
        """O roteiro visto pelo servidor `name`: sem as falhas se `fail_on` aponta para outro."""
        if self.fail_on is None or self.fail_on == name:
            return self
        return replace(self, fail_before=False, fail_after=None)
    # --- fim do fail_on


def make_marker(**fields: Any) -> str:
    """Monta o marcador; `tokens` (lista) e `tool_args` (dict) viram base64url de JSON."""
    parts = []
    for key, value in fields.items():
        if value is None:
            continue
        if key in BASE64_KEYS:
            value = _encode_json(value)
        elif isinstance(value, bool):
            value = int(value)
        if not str(value) or re.search(r"[\s\]]", str(value)):
            raise ValueError(f"marcador fake-llm: {key} não pode ser vazio nem ter espaços ou ']'")
        parts.append(f"{key}={value}")
    return "[[fake-llm " + " ".join(parts) + "]]"


def parse_marker(text: str) -> dict[str, Any] | None:
    """Lê o último marcador de `text` (ou None se não houver). Valor inválido → ValueError."""
    found = MARKER_RE.findall(text)
    if not found:
        return None
    return dict(_parse_pair(pair) for pair in found[-1].split())


def strip_markers(text: str) -> str:
    """O texto sem os marcadores: eles nunca aparecem nas respostas."""
    return MARKER_RE.sub("", text).strip()


def script_from(fields: dict[str, Any] | None) -> Script:
    """Converte o dicionário de `parse_marker` num Script (sem marcador → Script padrão)."""
    if not fields:
        return Script()
    fields = dict(fields)  # não altera o dicionário de quem chamou
    fail = fields.pop("fail", None)
    if fail not in (None, "before"):
        raise ValueError(f"marcador fake-llm: fail={fail!r} não existe; "
                         "use fail=before ou fail_after=<k>")
    hang = bool(fields.pop("hang", 0))
    return Script(**fields, fail_before=fail == "before", hang=hang)


def _parse_pair(pair: str) -> tuple[str, Any]:
    key, sep, raw = pair.partition("=")
    if not sep or not raw:
        raise ValueError(f"marcador fake-llm: esperado chave=valor, recebido {pair!r}")
    if key in INT_KEYS:
        return key, _parse_int(key, raw)
    if key in BASE64_KEYS:
        return key, _decode_json(key, raw)
    if key in TEXT_KEYS:
        return key, raw
    raise ValueError(f"marcador fake-llm: chave desconhecida {key!r}")


def _parse_int(key: str, raw: str) -> int:
    if not raw.isdigit():
        raise ValueError(f"marcador fake-llm: {key} deve ser um inteiro >= 0, recebido {raw!r}")
    return int(raw)


def _encode_json(value: Any) -> str:
    data = json.dumps(value, ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _decode_json(key: str, raw: str) -> Any:
    try:
        value = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"marcador fake-llm: {key} não é base64url de um JSON válido") from exc
    if key == "tokens" and not _is_str_list(value):
        raise ValueError("marcador fake-llm: tokens deve ser uma lista de textos")
    if key == "tool_args" and not isinstance(value, dict):
        raise ValueError("marcador fake-llm: tool_args deve ser um objeto JSON")
    if not is_sendable(value):
        raise ValueError(f"marcador fake-llm: {key} tem um surrogate isolado (como \\ud800), "
                         "que nenhum UTF-8 representa: não dá para transmitir")
    return value


def is_sendable(value: Any) -> bool:
    """O valor vira JSON em UTF-8? Um surrogate isolado ("\\ud800" num JSON) não vira: o stream quebraria."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _is_str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)
