"""Formato exato da API da OpenAI: chunks de streaming, objeto chat.completion e erros."""

import json
import time
from dataclasses import dataclass, field
from typing import Any

from .tools import ToolCall


@dataclass(frozen=True)
class Meta:
    """Campos repetidos em todo chunk da mesma resposta."""

    id: str
    model: str
    include_usage: bool = False
    created: int = field(default_factory=lambda: int(time.time()))


def sse(data: dict[str, Any] | str) -> str:
    """Um evento SSE `data: ...` (JSON compacto numa linha só, como a OpenAI)."""
    if not isinstance(data, str):
        data = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"data: {data}\n\n"


def chunk(meta: Meta, delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
    body = {
        "id": meta.id, "object": "chat.completion.chunk", "created": meta.created,
        "model": meta.model,
        "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}],
    }
    if meta.include_usage:
        body["usage"] = None  # a OpenAI manda usage=null em todo chunk e o total no último
    return body


def usage_chunk(meta: Meta, usage: dict[str, int]) -> dict[str, Any]:
    return {"id": meta.id, "object": "chat.completion.chunk", "created": meta.created,
            "model": meta.model, "choices": [], "usage": usage}


def tool_call_deltas(call: ToolCall) -> list[dict[str, Any]]:
    """Cabeçalho (id + nome) e depois os argumentos em 2+ pedaços de texto JSON."""
    head = {"index": 0, "id": call.call_id, "type": "function",
            "function": {"name": call.name, "arguments": ""}}
    pieces = [{"index": 0, "function": {"arguments": piece}}
              for piece in split_arguments(call.arguments)]
    return [{"tool_calls": [item]} for item in [head, *pieces]]


def split_arguments(arguments: str) -> list[str]:
    """Quebra o JSON em pedaços (pelo menos 2), como a OpenAI faz no streaming."""
    size = max(1, min(8, len(arguments) // 2))
    return [arguments[i:i + size] for i in range(0, len(arguments), size)]


def completion(meta: Meta, message: dict[str, Any], finish_reason: str,
               usage: dict[str, int]) -> dict[str, Any]:
    """O objeto `chat.completion` do modo sem streaming."""
    return {
        "id": meta.id, "object": "chat.completion", "created": meta.created, "model": meta.model,
        "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish_reason}],
        "usage": usage,
    }


def tool_call_message(call: ToolCall) -> dict[str, Any]:
    return {"role": "assistant", "content": None, "refusal": None, "tool_calls": [
        {"id": call.call_id, "type": "function",
         "function": {"name": call.name, "arguments": call.arguments}}]}


def usage(prompt_tokens: int, completion_tokens: int) -> dict[str, int]:
    return {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens}
