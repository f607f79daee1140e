"""Dia 3 — desafios extras (solução de referência): as funcionalidades de produção, em cima do núcleo.

O template.py inclui estas rotas com `app.include_router(extras.router)`; cada desafio é um bloco
comentado, na ordem do guia (GUIA_APRENDIZADO.md#dia3-extras). O desafio C (histórico limitado) mora
no build_messages do template.py, porque muda o /chat do núcleo; o J acrescenta `agent` ao ChatRequest.

O coração é POST /api/stream/chat: uma tarefa "produtora" lê o LLM e põe os tokens numa fila;
o gerador SSE espera a fila com prazo. Assim o prazo (heartbeat, inatividade) e o cancelamento
nunca interrompem a leitura do LLM no meio: só quem decide encerrar cancela a tarefa produtora.
"""

import ast
import asyncio
import functools
import json
import logging
import operator
import re
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import PurePath

from fastapi import APIRouter, HTTPException, status
from fastapi.responses import StreamingResponse
from langchain.agents import create_agent
from langchain_core.messages import AIMessageChunk, BaseMessage, SystemMessage
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI
from pydantic import Field
from starlette.background import BackgroundTask

from common.api import CourseRoute, EventStream, error_response, event_stream
from common.auth import CurrentUser
# As peças do núcleo (template.py): o formato SSE, o histórico, os erros do LLM e a configuração.
from template import (
    SSE_HEADERS, UPSTREAM_ERRORS, ChatRequest, build_llm, build_messages, settings, sse_event, upstream_error_detail,
)

logger = logging.getLogger(__name__)

# CourseRoute: o mesmo 401 antes do 422 das rotas do template.py (veja GUIA_APRENDIZADO.md#dia2-ordem).
router = APIRouter(tags=["desafios extras"], route_class=CourseRoute)


# Desafio extra A — eventos tipados (veja GUIA_APRENDIZADO.md#extra-eventos_tipados)
class StreamChatRequest(ChatRequest):
    """Corpo de POST /api/stream/chat: o do /chat e, opcional, o arquivo em que o usuário está."""

    file_path: str | None = Field(default=None, max_length=1000)


TYPED_EVENTS = event_stream("Eventos nomeados, com dados em JSON: start, um token por token e um fim",
                            ["start", "token", "done", "error", "cancelled"])


@router.post("/api/stream/chat", response_class=EventStream,
             responses={200: TYPED_EVENTS, 429: error_response("Streams demais abertos por este usuário")})
async def stream_chat(body: StreamChatRequest, user: CurrentUser) -> StreamingResponse:
    """Stream com eventos nomeados (start, token, done, error, cancelled) e dados em JSON."""
    stream = open_stream(user.username, choose_specialist(body.file_path))  # o 429 sai aqui (extra F)
    messages = [SystemMessage(system_prompt(stream.specialist)), *build_messages(body)]
    # A BackgroundTask roda quando a resposta acaba, de qualquer jeito: libera a vaga mesmo se o
    # cliente desistir antes de o gerador começar (aí o `finally` do gerador nunca roda).
    return StreamingResponse(
        typed_stream(stream, messages, body), media_type="text/event-stream", headers=SSE_HEADERS,
        background=BackgroundTask(close_stream, stream, "disconnected"),
    )


def typed_event(event: str, **data: object) -> str:
    """Um evento nomeado com dados em JSON, ex.: `event: token` + `data: {"token": "Olá"}`."""
    # No JSON, a quebra de linha de um token vira "\n" escapado: cada evento tem uma linha `data:`.
    return sse_event(json.dumps(data, ensure_ascii=False), event=event)


# Um bloco cercado: ``` e a linguagem (opcional) na primeira linha, o conteúdo, e ``` de novo.
CODE_BLOCK_RE = re.compile(r"```[^`\n]*\n(.*?)```", re.DOTALL)


def extract_code_blocks(text: str) -> list[str]:
    """Os blocos de código da resposta COMPLETA, na ordem, sem as cercas e sem a quebra final."""
    # Só no fim: token a token, a cerca, a linguagem e o código chegam em pedaços separados.
    return [block.removesuffix("\n") for block in CODE_BLOCK_RE.findall(text)]


# Desafio extra B — especialista pela extensão do arquivo (veja GUIA_APRENDIZADO.md#extra-especialista)
SPECIALIST_BY_EXTENSION = {
    ".py": "python", ".js": "javascript", ".jsx": "javascript", ".ts": "javascript", ".tsx": "javascript",
    ".sql": "sql",
}
SPECIALIST_FOCUS = {
    "python": "Python: código idiomático (PEP 8), anotações de tipo e a biblioteca padrão antes de pacotes.",
    "javascript": "JavaScript e TypeScript: módulos ES, async/await e tipos do TypeScript quando couber.",
    "sql": "SQL: consultas legíveis, parâmetros em vez de texto concatenado e índices que ajudem a consulta.",
    "geral": "programação em geral: explique o raciocínio e mostre exemplos curtos.",
}


def choose_specialist(file_path: str | None) -> str:
    """A extensão escolhe o especialista (.PY também é python); outra extensão ou nenhuma → geral."""
    # PurePath só lê o texto do caminho: o arquivo nunca é aberto (o caminho vem do cliente).
    extension = PurePath(file_path).suffix.lower() if file_path else ""
    return SPECIALIST_BY_EXTENSION.get(extension, "geral")


@functools.cache  # montado uma vez por especialista; as próximas chamadas devolvem o mesmo texto
def system_prompt(specialist: str) -> str:
    """O prompt de sistema do especialista; um especialista desconhecido cai no geral."""
    focus = SPECIALIST_FOCUS.get(specialist, SPECIALIST_FOCUS["geral"])
    return f"Você é um assistente de programação que responde em português do Brasil. Especialidade: {focus}"


# Desafio extra D — cancelamento: o registro dos streams ativos (veja GUIA_APRENDIZADO.md#extra-cancelamento)
# O que a tarefa produtora põe na fila: (TOKEN, texto), (END, provedor) ou (FAILED, mensagem).
# O cancelamento põe (CANCELLED, None) só para acordar o gerador, que pode estar esperando em silêncio.
TOKEN, END, FAILED, CANCELLED = "token", "end", "failed", "cancelled"


@dataclass
class ActiveStream:
    """Um stream de /api/stream/chat em andamento."""

    owner: str
    specialist: str
    id: str = field(default_factory=lambda: uuid.uuid4().hex)  # impossível de adivinhar
    started_at: float = field(default_factory=time.monotonic)  # monotônico: o relógio de parede pula
    last_token_at: float = field(default_factory=time.monotonic)
    tokens: list[str] = field(default_factory=list)
    queue: asyncio.Queue = field(default_factory=asyncio.Queue)
    producer: asyncio.Task | None = None  # a tarefa que lê o LLM (extra G)
    cancelled: bool = False
    closed: bool = False

    def cancel(self) -> None:
        """Cancela a chamada ao LLM agora, e não só a resposta; o gerador manda `cancelled`."""
        self.cancelled = True
        if self.producer is not None:
            self.producer.cancel()  # o cancelamento atravessa o astream e fecha a conexão com o provedor
        self.queue.put_nowait((CANCELLED, None))


active_streams: dict[str, ActiveStream] = {}


@router.post("/api/stream/cancel/{stream_id}", responses={
    403: error_response("O stream é de outro usuário"), 404: error_response("Stream desconhecido ou já encerrado"),
})
async def cancel_stream(stream_id: str, user: CurrentUser) -> dict[str, bool]:
    """Cancela um stream seu: ele manda o evento `cancelled` e fecha."""
    stream = active_streams.get(stream_id)
    if stream is None or stream.cancelled:  # desconhecido, já encerrado ou já cancelado
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Stream não encontrado ou já encerrado.")
    if stream.owner != user.username:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Só quem abriu o stream pode cancelá-lo.")
    stream.cancel()
    return {"cancelled": True}


# Desafio extra E — status (veja GUIA_APRENDIZADO.md#extra-status)
@dataclass
class StreamStats:
    """Totais dos streams encerrados. Guardamos somas: a média sai delas na hora da consulta."""

    total_streams: int = 0
    total_duration_ms: float = 0.0
    total_tokens: int = 0
    errors: int = 0


stats = StreamStats()


@router.get("/api/stream/status")
async def stream_status(user: CurrentUser) -> dict[str, int | float]:
    """Streams ativos agora e os números dos que já terminaram (todo fim conta)."""
    average = stats.total_duration_ms / stats.total_streams if stats.total_streams else 0.0
    return {
        "active_streams": len(active_streams), "total_streams": stats.total_streams,
        "avg_duration_ms": round(average, 1), "total_tokens": stats.total_tokens, "errors": stats.errors,
    }


def close_stream(stream: ActiveStream, outcome: str) -> None:
    """Encerra o stream UMA vez, termine ele como terminar: cancela o LLM, libera a vaga e conta."""
    if stream.closed:  # o gerador já fechou; a BackgroundTask da resposta chega depois e não conta de novo
        return
    stream.closed = True
    if stream.producer is not None:
        stream.producer.cancel()  # desconexão, inatividade ou erro: a chamada ao LLM não segue sozinha
    active_streams.pop(stream.id, None)
    # Nenhum await daqui até o fim: no asyncio, nenhuma outra tarefa roda no meio destas somas.
    stats.total_streams += 1
    stats.total_duration_ms += (time.monotonic() - stream.started_at) * 1000
    stats.total_tokens += len(stream.tokens)
    stats.errors += outcome == "error"


# Desafio extra F — limite de streams por usuário (veja GUIA_APRENDIZADO.md#extra-limite)
def open_stream(owner: str, specialist: str) -> ActiveStream:
    """Confere o limite e reserva a vaga no mesmo passo, sem await no meio; acima do limite, 429."""
    open_now = sum(1 for stream in active_streams.values() if stream.owner == owner)
    if open_now >= settings.max_streams_per_user:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            f"Você já tem {open_now} streams abertos (o limite é {settings.max_streams_per_user}). "
            "Espere um terminar ou cancele um deles.",
        )
    stream = ActiveStream(owner, specialist)
    active_streams[stream.id] = stream
    return stream


# Desafio extra G — provedor reserva (veja GUIA_APRENDIZADO.md#extra-fallback)
def upstream_providers() -> list[tuple[str, str | None]]:
    """(nome, base_url) na ordem de tentativa: o principal e, se configurado, o reserva."""
    providers = [("principal", settings.openai_base_url)]
    if settings.fallback_openai_base_url:
        providers.append(("reserva", settings.fallback_openai_base_url))
    return providers


def provider_llm(model: str | None, base_url: str | None) -> ChatOpenAI:
    """O ChatOpenAI do passo 3, apontado para o provedor escolhido."""
    return ChatOpenAI(
        model=model or settings.default_model, streaming=True, base_url=base_url, api_key=settings.openai_api_key
    )


def model_chunks(llm: ChatOpenAI, messages: list[BaseMessage], agent: bool) -> AsyncIterator[AIMessageChunk]:
    """Os pedaços da resposta: do modelo direto ou, com "agent": true, do modelo dentro do agente."""
    return agent_chunks(llm, messages) if agent else llm.astream(messages)


async def produce(stream: ActiveStream, messages: list[BaseMessage], body: StreamChatRequest) -> None:
    """A tarefa produtora: lê o LLM e põe cada token na fila; se o principal falha cedo, tenta o reserva."""
    providers = upstream_providers()
    for position, (provider, base_url) in enumerate(providers):
        got_token = False
        try:
            async for chunk in model_chunks(provider_llm(body.model, base_url), messages, body.agent):
                if chunk.text:  # chunks vazios não viram tokens
                    got_token = True
                    stream.queue.put_nowait((TOKEN, chunk.text))
            stream.queue.put_nowait((END, provider))
            return
        except UPSTREAM_ERRORS as exc:
            # Depois do 1º token não há volta: o usuário já viu parte de uma resposta, e repetir no
            # reserva misturaria duas. Sem (mais) reserva, idem: a falha vira o evento `error`.
            if got_token or position == len(providers) - 1:
                logger.warning("O LLM (%s) falhou durante o stream: %r", provider, exc)
                stream.queue.put_nowait((FAILED, upstream_error_detail(exc)))
                return
            logger.warning("O LLM %s falhou antes do primeiro token (%r); tentando o próximo.", provider, exc)
        except Exception:  # um erro inesperado também encerra o stream, em vez de esperar a inatividade
            logger.exception("Erro inesperado lendo o LLM")
            stream.queue.put_nowait((FAILED, "Erro interno ao gerar a resposta. Tente novamente."))
            return


# Desafios extras H e I — heartbeat e inatividade
# (veja GUIA_APRENDIZADO.md#extra-heartbeat e GUIA_APRENDIZADO.md#extra-inatividade)
PING = ": ping\n\n"  # um comentário SSE: o cliente ignora, e os proxies veem que a conexão está viva


async def next_item(stream: ActiveStream) -> tuple[str, str | None] | None:
    """O próximo item da fila, ou None se nada chegou em HEARTBEAT_SECONDS (ou no prazo de inatividade)."""
    idle_left = stream.last_token_at + settings.stream_idle_timeout_seconds - time.monotonic()
    try:
        # O prazo cancela só esta espera na fila; a leitura do LLM continua intacta na tarefa produtora.
        # (Um prazo direto no astream cancelaria a própria chamada ao LLM no primeiro ping.)
        async with asyncio.timeout(max(0.0, min(settings.heartbeat_seconds, idle_left))):
            return await stream.queue.get()
    except TimeoutError:
        return None


def is_idle(stream: ActiveStream) -> bool:
    """Tempo demais desde o último token (não desde o início; e ping não é token)."""
    return time.monotonic() - stream.last_token_at >= settings.stream_idle_timeout_seconds


async def typed_stream(
    stream: ActiveStream, messages: list[BaseMessage], body: StreamChatRequest
) -> AsyncIterator[str]:
    """start, um `token` por token (com pings no silêncio) e um fim: done, error ou cancelled."""
    outcome = "disconnected"  # se o cliente sair no meio, nenhum dos fins abaixo acontece
    try:
        yield typed_event("start", stream_id=stream.id, specialist=stream.specialist)
        stream.producer = asyncio.create_task(produce(stream, messages, body))
        while True:
            item = await next_item(stream)
            if stream.cancelled:  # vale mesmo que ainda haja tokens na fila
                item = (CANCELLED, None)
            elif item is None and not is_idle(stream):
                yield PING
                continue
            elif item is None:
                idle = settings.stream_idle_timeout_seconds
                item = (FAILED, f"O modelo ficou {idle:g} s sem mandar nada; o stream foi encerrado.")
            kind, value = item
            if kind != TOKEN:
                outcome, event = final_event(stream, kind, value)
                yield event
                return
            stream.last_token_at = time.monotonic()
            stream.tokens.append(value)
            yield typed_event("token", token=value)
    finally:
        # Só o finally vê todos os fins (inclusive o cliente que sumiu): a limpeza e a contagem ficam aqui.
        close_stream(stream, outcome)


def final_event(stream: ActiveStream, kind: str, value: str | None) -> tuple[str, str]:
    """(desfecho para as estatísticas, evento que encerra o stream): done, cancelled ou error."""
    if kind == END:
        return "done", typed_event("done", **done_data(stream, provider=value))
    if kind == CANCELLED:
        return "cancelled", typed_event("cancelled", stream_id=stream.id)
    return "error", typed_event("error", detail=value)


def done_data(stream: ActiveStream, provider: str) -> dict[str, object]:
    """Os dados do evento `done`: a resposta completa e o resumo do stream."""
    response = "".join(stream.tokens)
    return {
        "stream_id": stream.id, "response": response, "tokens": len(stream.tokens),
        "duration_ms": round((time.monotonic() - stream.started_at) * 1000), "specialist": stream.specialist,
        "provider": provider, "code_blocks": extract_code_blocks(response),
    }


# Desafio extra J — agente com calculadora (veja GUIA_APRENDIZADO.md#extra-agente)
# Só números e estes operadores. Sem ** de propósito: 9**9**9 é "só aritmética", mas trava o servidor.
OPERATORS = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod, ast.USub: operator.neg, ast.UAdd: operator.pos,
}
MAX_EXPRESSION_CHARS = 200


def evaluate(node: ast.AST) -> int | float:
    """Percorre a árvore sintática da expressão: nada de eval, que executaria qualquer Python."""
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return node.value
    if isinstance(node, ast.BinOp) and type(node.op) in OPERATORS:
        return OPERATORS[type(node.op)](evaluate(node.left), evaluate(node.right))
    if isinstance(node, ast.UnaryOp) and type(node.op) in OPERATORS:
        return OPERATORS[type(node.op)](evaluate(node.operand))
    raise ValueError("use só números, parênteses e + - * / // %")


def format_number(value: int | float) -> str:
    """6 / 2 dá 3.0 em Python; para quem lê, o resultado é 3."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value) if isinstance(value, int) else f"{value:.10g}"


@tool
def calculadora(expressao: str) -> str:
    """Calcula uma expressão aritmética com números, parênteses e + - * / // %. Exemplo: "(12 + 30) * 2"."""
    # Erros viram texto para o modelo explicar ao usuário, e não exceções que derrubariam a rota.
    if len(expressao) > MAX_EXPRESSION_CHARS:
        return f"Não consegui calcular: a expressão passa de {MAX_EXPRESSION_CHARS} caracteres."
    try:
        return format_number(evaluate(ast.parse(expressao, mode="eval").body))
    except ZeroDivisionError:
        return "Não consegui calcular: divisão por zero."
    except SyntaxError:
        return f"Não consegui calcular: {expressao!r} não é uma expressão válida."
    except ValueError as exc:
        return f"Não consegui calcular {expressao!r}: {exc}."


def calculator_agent(llm: ChatOpenAI):
    """Um agente (LangGraph, via create_agent) que pode chamar a calculadora antes de responder."""
    return create_agent(llm, tools=[calculadora])


async def agent_chunks(llm: ChatOpenAI, messages: list[BaseMessage]) -> AsyncIterator[AIMessageChunk]:
    """Só os pedaços de TEXTO do modelo dentro do agente.

    O stream do agente também traz a mensagem da ferramenta (o resultado cru, um ToolMessage) e os
    pedaços da chamada de ferramenta (argumentos em JSON, sem texto): nada disso é resposta ao usuário.
    """
    # O agente roda numa tarefa própria, ligada a este gerador por uma fila. Consumido direto dentro
    # do StreamingResponse, o cancelamento do anyio (cliente saiu) interrompe a limpeza do LangGraph
    # e a chamada ao LLM continua viva; cancelar uma tarefa asyncio comum fecha a chamada de verdade.
    queue: asyncio.Queue[AIMessageChunk | BaseException | None] = asyncio.Queue()
    task = asyncio.create_task(pump_agent(llm, messages, queue))
    try:
        while (item := await queue.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        task.cancel()


async def pump_agent(llm: ChatOpenAI, messages: list[BaseMessage], queue: asyncio.Queue) -> None:
    """Lê o stream do agente e põe na fila só os pedaços de texto do modelo; None marca o fim."""
    try:
        stream = calculator_agent(llm).astream({"messages": messages}, stream_mode="messages")
        async for chunk, _metadata in stream:
            if isinstance(chunk, AIMessageChunk) and chunk.text:
                queue.put_nowait(chunk)
    except Exception as exc:  # repassado a quem lê a fila, que decide (event: error, reserva...)
        queue.put_nowait(exc)
        return
    queue.put_nowait(None)


async def agent_sse_stream(llm: ChatOpenAI, messages: list[BaseMessage]) -> AsyncIterator[str]:
    """O SSE do passo 4 com o agente: um evento por pedaço de texto do modelo e [DONE] no fim."""
    try:
        async for chunk in agent_chunks(llm, messages):
            yield sse_event(chunk.text)
    except UPSTREAM_ERRORS as exc:
        logger.warning("O agente falhou durante o stream: %r", exc)
        yield sse_event(json.dumps({"detail": upstream_error_detail(exc)}, ensure_ascii=False), event="error")
    yield sse_event("[DONE]")  # o mesmo fim do passo 4


async def agent_chat(messages: list[BaseMessage], body: ChatRequest) -> StreamingResponse | dict[str, str]:
    """POST /chat com "agent": true: o mesmo contrato do /chat, com o agente no lugar do modelo."""
    llm = build_llm(body.model)
    if body.stream:
        return StreamingResponse(agent_sse_stream(llm, messages), media_type="text/event-stream", headers=SSE_HEADERS)
    try:
        state = await calculator_agent(llm).ainvoke({"messages": messages})
    except UPSTREAM_ERRORS as exc:
        logger.warning("O agente falhou: %r", exc)
        raise HTTPException(status.HTTP_502_BAD_GATEWAY, upstream_error_detail(exc)) from exc
    return {"response": state["messages"][-1].text}
