"""Decide a resposta de uma requisição: chamada de ferramenta ou texto (em tokens)."""

from dataclasses import dataclass

from .markers import Script, parse_marker, script_from, strip_markers
from .replies import default_reply, filler_tokens, tokenize
from .schemas import ChatMessage, ChatRequest
from .tools import ToolCall, tool_call_for, tool_result_text


@dataclass(frozen=True)
class Plan:
    script: Script
    tokens: list[str]
    tool_call: ToolCall | None = None


def plan_reply(request: ChatRequest, server_name: str | None = None) -> Plan:
    """Ferramenta oferecida e sem resultado após a última pergunta → tool call; senão, texto.

    `server_name`: o nome deste fake LLM; um `fail_on=<outro nome>` no marcador não falha aqui.
    """
    script = find_script(request.messages).for_server(server_name)
    tool = request.chosen_tool()
    if tool and not request.pending_tool_results():
        return Plan(script, [], tool_call_for(tool, request, script))
    return Plan(script, _text_tokens(request, script))


def find_script(messages: list[ChatMessage]) -> Script:
    """O último marcador vale: procura da última mensagem para a primeira."""
    for message in reversed(messages):
        if (fields := parse_marker(message.text())) is not None:
            return script_from(fields)
    return Script()


def _text_tokens(request: ChatRequest, script: Script) -> list[str]:
    if script.tokens is not None:
        return script.tokens
    if script.n is not None:
        return filler_tokens(script.n, script.nonce)
    tokens = tokenize(_reply_text(request))
    return _with_nonce(tokens, script.nonce)


def _reply_text(request: ChatRequest) -> str:
    if results := request.pending_tool_results():
        return tool_result_text(results)
    return default_reply(strip_markers(request.last_user_text()))


def _with_nonce(tokens: list[str], nonce: str | None) -> list[str]:
    """O nonce vira o primeiro token (a resposta nunca passa sem ele)."""
    if not nonce:
        return tokens
    if tokens and not tokens[0].startswith(" "):
        tokens = [" " + tokens[0], *tokens[1:]]
    return [nonce, *tokens]
