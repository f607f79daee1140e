"""Chamadas de ferramenta (tool calls): o que faz um agente LangChain/LangGraph rodar offline."""

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from .markers import Script, strip_markers
from .schemas import ChatMessage, ChatRequest, Tool

# Trechos com dígitos, operadores, parênteses, espaços e pontos: "(12 + 30) * 2".
EXPRESSION_RE = re.compile(r"[\d\s.+\-*/()%]+")


@dataclass(frozen=True)
class ToolCall:
    call_id: str
    name: str
    arguments: str  # JSON, como a OpenAI envia


def tool_call_for(tool: Tool, request: ChatRequest, script: Script) -> ToolCall:
    """Chamada de `tool`: argumentos do marcador `tool_args` ou deduzidos do pedido."""
    args = script.tool_args if script.tool_args is not None else _guess_args(tool, request)
    return ToolCall(_call_id(request), tool.function.name, json.dumps(args, ensure_ascii=False))


def tool_result_text(results: list[ChatMessage]) -> str:
    """Resposta final em texto usando o conteúdo devolvido pela(s) ferramenta(s), sem mudar nada."""
    return f" O resultado é {', '.join(result.text() for result in results)}."


def find_expression(text: str) -> str | None:
    """A maior expressão aritmética do texto (precisa de um dígito e de um operador)."""
    candidates = [c.strip(" .") for c in EXPRESSION_RE.findall(text)]
    valid = [c for c in candidates if re.search(r"\d", c) and re.search(r"[+\-*/%]", c)]
    return max(valid, key=len) if valid else None


def _guess_args(tool: Tool, request: ChatRequest) -> dict[str, Any]:
    """Um único parâmetro texto → recebe a expressão do pedido (ou o texto todo)."""
    properties = tool.function.parameters.get("properties")
    if not isinstance(properties, dict) or len(properties) != 1:
        return {}
    (name, schema), = properties.items()
    if not isinstance(schema, dict) or schema.get("type") != "string":
        return {}
    text = strip_markers(request.last_user_text())
    return {name: find_expression(text) or text}


def _call_id(request: ChatRequest) -> str:
    """Id determinístico: a mesma conversa gera sempre o mesmo id de chamada."""
    history = json.dumps([m.for_log() for m in request.messages], sort_keys=True, default=str)
    return "call_" + hashlib.sha256(history.encode()).hexdigest()[:24]
