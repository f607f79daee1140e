"""Dia 3 — Streaming + LLM (solução de referência).

Uma API que transmite, token a token, a resposta de um modelo de linguagem usando
Server-Sent Events (SSE). O login é o do Dia 2, reaproveitado de `common.auth`.

Para rodar (dentro desta pasta), com o fake LLM ligado em outro terminal
(`python -m common.fake_llm`):

    uvicorn template:app --reload

Guia: GUIA_APRENDIZADO.md, seção "Dia 3". Os desafios extras (opcionais) ficam em extras.py.
"""

import json
import logging
from collections.abc import AsyncIterator
from typing import Literal

import httpx
import openai
from fastapi import FastAPI, HTTPException, status
from fastapi.responses import FileResponse, StreamingResponse
from fastapi.staticfiles import StaticFiles
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from langchain_openai import ChatOpenAI
from pydantic import BaseModel, Field

from common.api import CourseRoute, EventStream, error_response, event_stream
from common.auth import CurrentUser  # = Annotated[User, Depends(get_current_user)]
from common.auth import router as auth_router
from common.config import REPO_ROOT, get_settings
from common.docs import serve_docs_offline

logger = logging.getLogger(__name__)

app = FastAPI(title="Dia 3 — Streaming + LLM")
# A rota do curso (common/api.py, pronta): todo corpo malformado vira 422 (sem repetir o que o cliente
# mandou) e, nas rotas com login, sem token válido sai 401 antes de qualquer 422 (GUIA_APRENDIZADO.md#dia2-ordem).
app.router.route_class = CourseRoute
serve_docs_offline(app)  # /docs sem internet: o Swagger UI vem deste app (common/docs.py)


# Exemplo pronto: o corretor espera esta rota para saber que o servidor subiu.
@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


# Passo 1 — configuração e autenticação reaproveitada do common
# Lida uma vez, ao importar: URL e chave do provedor, DEFAULT_MODEL, SECRET_KEY...
settings = get_settings()
# /login, /token e /me prontos (os mesmos do Dia 2). Nas rotas, `user: CurrentUser` exige o token.
app.include_router(auth_router)


# Passo 2 — modelos de requisição
# Limites do histórico: cada mensagem vai para o modelo, e um provedor pago cobra por caractere.
# Sem eles, 5 itens de 1 MiB viravam 5 milhões de caracteres numa requisição só.
MAX_HISTORY_ITEMS = 50  # aceitos no corpo (o desafio extra C manda só as 12 últimas ao modelo)
MAX_HISTORY_CONTENT = 8000  # por item: cabe uma resposta longa do modelo


class GenerateRequest(BaseModel):
    """Corpo de POST /api/generate."""

    prompt: str = Field(min_length=1, max_length=4000)
    model: str | None = None  # None = usa o DEFAULT_MODEL


class HistoryItem(BaseModel):
    """Uma mensagem anterior da conversa."""

    role: Literal["user", "assistant"]
    content: str = Field(max_length=MAX_HISTORY_CONTENT)


class ChatRequest(BaseModel):
    """Corpo de POST /chat."""

    message: str = Field(min_length=1, max_length=4000)
    stream: bool = False
    history: list[HistoryItem] = Field(default=[], max_length=MAX_HISTORY_ITEMS)
    model: str | None = None
    agent: bool = False  # desafio extra J (extras.py): responder com o agente da calculadora


class ChatReply(BaseModel):
    """Resposta de POST /chat sem stream."""

    response: str


# Passo 3 — o modelo (ChatOpenAI) e o stream de tokens
# Erros que a chamada ao LLM pode levantar: da API (openai) ou da rede (httpx). Usados no passo 7.
UPSTREAM_ERRORS = (openai.OpenAIError, httpx.HTTPError)


def build_llm(model: str | None) -> ChatOpenAI:
    """Um cliente por requisição: cada uma pode pedir um modelo diferente."""
    return ChatOpenAI(
        model=model or settings.default_model,
        streaming=True,
        base_url=settings.openai_base_url,  # fake LLM, Ollama, Groq... (None = OpenAI)
        api_key=settings.openai_api_key,
    )


async def stream_llm(messages: list[BaseMessage], model: str | None) -> AsyncIterator[str]:
    """Devolve o texto do modelo pedaço por pedaço, assim que cada pedaço chega."""
    # astream é assíncrono: enquanto esperamos o próximo token, o servidor atende outras requisições.
    async for chunk in build_llm(model).astream(messages):
        # O primeiro e o último chunk costumam vir vazios: não viram eventos.
        # (.text é sempre str; .content pode ser uma lista em alguns provedores.)
        if chunk.text:
            yield chunk.text


# Passo 4 — o formato SSE
def sse_event(data: str, event: str | None = None) -> str:
    """Formata um evento SSE. Cada linha de `data` vira uma linha `data:` própria."""
    # Uma quebra de linha solta encerraria o campo; o cliente junta as linhas `data:`
    # com "\n" e recupera o texto exato. (\r e \r\n também quebram linha em SSE.)
    lines = data.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    head = f"event: {event}\n" if event else ""
    return head + "".join(f"data: {line}\n" for line in lines) + "\n"


async def sse_stream(messages: list[BaseMessage], model: str | None) -> AsyncIterator[str]:
    """Um evento por token e, no fim, sempre `data: [DONE]`."""
    try:
        async for token in stream_llm(messages, model):
            yield sse_event(token)
    except UPSTREAM_ERRORS as exc:
        # Passo 7: o status 200 já foi enviado, então o erro vira um evento.
        # (Só pegamos erros do LLM: o cancelamento por desconexão passa direto.)
        logger.warning("O LLM falhou durante o stream: %r", exc)
        yield sse_event(json.dumps({"detail": upstream_error_detail(exc)}, ensure_ascii=False), event="error")
    yield sse_event("[DONE]")


# Passo 5 — POST /api/generate
# no-cache: ninguém guarda o stream; X-Accel-Buffering: no: o nginx repassa cada evento na hora.
SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
# Para o /docs: o que as rotas de stream respondem (o FastAPI não adivinha um text/event-stream).
SSE_DOCS = event_stream("Um evento por token, `event: error` se o LLM falhar e, no fim, `data: [DONE]`",
                        ["message", "error"])


def sse_response(messages: list[BaseMessage], model: str | None) -> StreamingResponse:
    """A resposta HTTP do stream: tipo text/event-stream e os cabeçalhos acima."""
    return StreamingResponse(sse_stream(messages, model), media_type="text/event-stream", headers=SSE_HEADERS)


@app.post("/api/generate", response_class=EventStream, responses={200: SSE_DOCS})
async def generate(body: GenerateRequest, user: CurrentUser) -> StreamingResponse:
    """Sempre em stream: cada token da resposta é um evento SSE."""
    # CurrentUser é resolvido antes de tudo: sem token, 401 e nenhum stream começa.
    return sse_response([HumanMessage(body.prompt)], body.model)


# Passo 6 — POST /chat
MAX_HISTORY = 12  # desafio extra C: só as últimas 12 mensagens do histórico vão para o modelo


def build_messages(body: ChatRequest) -> list[BaseMessage]:
    """O histórico, na ordem, e a mensagem nova por último."""
    messages: list[BaseMessage] = [
        HumanMessage(item.content) if item.role == "user" else AIMessage(item.content)
        for item in body.history[-MAX_HISTORY:]
    ]
    messages.append(HumanMessage(body.message))
    return messages


# response_model=None: a rota devolve SSE ou JSON, conforme `stream` (as duas formas vão para o /docs).
CHAT_RESPONSES = {
    200: {**SSE_DOCS, "model": ChatReply, "description": '`stream=true`: SSE; senão, JSON {"response": ...}'},
    502: error_response("O modelo de linguagem falhou (modo JSON)"),
}


@app.post("/chat", response_model=None, responses=CHAT_RESPONSES)
async def chat(body: ChatRequest, user: CurrentUser) -> StreamingResponse | dict[str, str]:
    """Conversa com histórico: SSE se `stream` for true, senão a resposta inteira em JSON."""
    messages = build_messages(body)
    if body.agent:  # desafio extra J
        return await extras.agent_chat(messages, body)
    if body.stream:
        return sse_response(messages, body.model)
    try:
        reply = await build_llm(body.model).ainvoke(messages)
    except UPSTREAM_ERRORS as exc:
        # Passo 7: aqui nada foi enviado ainda, então dá para responder 502 (Bad Gateway).
        logger.warning("O LLM falhou: %r", exc)
        raise HTTPException(status.HTTP_502_BAD_GATEWAY, upstream_error_detail(exc)) from exc
    return {"response": reply.text}


# Passo 7 — erros do upstream
def upstream_error_detail(exc: Exception) -> str:
    """Mensagem para o cliente: diz o que houve sem expor detalhes internos."""
    return f"O modelo de linguagem falhou ({type(exc).__name__}). Tente novamente em instantes."


# Passo 8 — servir a página de chat
# A página (HTML, CSS e JS puros, sem build) fica em dia03/static/: a mesma para o template e a solução.
STATIC_DIR = REPO_ROOT / "dia03" / "static"
# /static/app.js e /static/style.css saem direto da pasta (index.html os pede por esse caminho).
app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")


@app.get("/", include_in_schema=False)
async def index() -> FileResponse:
    """A página de chat, que conversa com /login e /chat."""
    return FileResponse(STATIC_DIR / "index.html")


# Desafios extras (opcionais): as rotas ficam em extras.py (veja GUIA_APRENDIZADO.md#dia3-extras).
# O import vem por último porque extras.py usa as peças deste arquivo, que a esta altura já existem.
import extras  # noqa: E402

app.include_router(extras.router)
