"""Dia 3 — Streaming + LLM (template: complete os TODOs na ordem).

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
# TODO 1: leia a configuração com get_settings() e guarde em `settings`;
#         inclua no app as rotas de login do common: app.include_router(auth_router).
settings = None


# Passo 2 — modelos de requisição
# Limites do histórico: cada mensagem vai para o modelo, e um provedor pago cobra por caractere.
# Sem eles, 5 itens de 1 MiB viravam 5 milhões de caracteres numa requisição só.
MAX_HISTORY_ITEMS = 50  # aceitos no corpo (o desafio extra C manda só as 12 últimas ao modelo)
MAX_HISTORY_CONTENT = 8000  # por item: cabe uma resposta longa do modelo


class GenerateRequest(BaseModel):
    """Corpo de POST /api/generate."""

    # TODO 2: prompt (texto de 1 a 4000 caracteres: Field(min_length=..., max_length=...))
    #         e model (str | None, padrão None = usa o DEFAULT_MODEL).


class HistoryItem(BaseModel):
    """Uma mensagem anterior da conversa."""

    # TODO 2: role (só "user" ou "assistant": use Literal) e content (str de até MAX_HISTORY_CONTENT
    #         caracteres, com Field).


class ChatRequest(BaseModel):
    """Corpo de POST /chat."""

    # TODO 2: message (1 a 4000 caracteres), stream (bool, padrão False), history (list[HistoryItem],
    #         padrão [], no máximo MAX_HISTORY_ITEMS itens: Field(default=[], max_length=...)) e
    #         model (str | None, padrão None).


class ChatReply(BaseModel):
    """Resposta de POST /chat sem stream."""

    response: str


# Passo 3 — o modelo (ChatOpenAI) e o stream de tokens
# Erros que a chamada ao LLM pode levantar: da API (openai) ou da rede (httpx). Usados no passo 7.
UPSTREAM_ERRORS = (openai.OpenAIError, httpx.HTTPError)


def build_llm(model: str | None) -> ChatOpenAI:
    """Um cliente por requisição: cada uma pode pedir um modelo diferente."""
    # TODO 3: devolva ChatOpenAI(model=<model ou settings.default_model>, streaming=True,
    #         base_url=settings.openai_base_url, api_key=settings.openai_api_key).
    raise NotImplementedError("TODO 3: implemente build_llm — veja GUIA_APRENDIZADO.md#dia3-passo3")


async def stream_llm(messages: list[BaseMessage], model: str | None) -> AsyncIterator[str]:
    """Devolve o texto do modelo pedaço por pedaço, assim que cada pedaço chega."""
    # TODO 3: percorra `build_llm(model).astream(messages)` com `async for` e faça
    #         `yield chunk.text` — mas só quando o texto não for vazio.
    raise NotImplementedError("TODO 3: implemente stream_llm — veja GUIA_APRENDIZADO.md#dia3-passo3")


# Passo 4 — o formato SSE
def sse_event(data: str, event: str | None = None) -> str:
    """Formata um evento SSE. Cada linha de `data` vira uma linha `data:` própria."""
    # TODO 4: quebre `data` nas quebras de linha (\r\n, \r e \n) e escreva uma linha "data: <linha>\n"
    #         para cada pedaço; antes, "event: <nome>\n" se `event` vier; no fim, uma linha vazia ("\n").
    #         Ex.: sse_event("a\nb") == "data: a\ndata: b\n\n"
    raise NotImplementedError("TODO 4: implemente sse_event — veja GUIA_APRENDIZADO.md#dia3-passo4")


async def sse_stream(messages: list[BaseMessage], model: str | None) -> AsyncIterator[str]:
    """Um evento por token e, no fim, sempre `data: [DONE]`."""
    # TODO 4: para cada token de stream_llm(messages, model), `yield sse_event(token)`;
    #         depois do laço, `yield sse_event("[DONE]")`.
    # TODO 7: envolva o laço com `try/except UPSTREAM_ERRORS`: o erro vira
    #         sse_event(json.dumps({"detail": ...}), event="error") e o [DONE] continua no fim.
    raise NotImplementedError("TODO 4: implemente sse_stream — veja GUIA_APRENDIZADO.md#dia3-passo4")


# Passo 5 — POST /api/generate
# TODO 5: SSE_HEADERS com "Cache-Control": "no-cache" e "X-Accel-Buffering": "no".
SSE_HEADERS: dict[str, str] = {}
# Para o /docs: o que as rotas de stream respondem (o FastAPI não adivinha um text/event-stream).
SSE_DOCS = event_stream("Um evento por token, `event: error` se o LLM falhar e, no fim, `data: [DONE]`",
                        ["message", "error"])



def sse_response(messages: list[BaseMessage], model: str | None) -> StreamingResponse:
    """A resposta HTTP do stream: tipo text/event-stream e os cabeçalhos acima."""
    # TODO 5: StreamingResponse(sse_stream(...), media_type="text/event-stream", headers=SSE_HEADERS)
    raise NotImplementedError("TODO 5: implemente sse_response — veja GUIA_APRENDIZADO.md#dia3-passo5")


# TODO 5: a rota recebe `body: GenerateRequest` e `user: CurrentUser` e devolve
#         sse_response([HumanMessage(body.prompt)], body.model).
@app.post("/api/generate", response_class=EventStream, responses={200: SSE_DOCS})
async def generate() -> StreamingResponse:
    """Sempre em stream: cada token da resposta é um evento SSE."""
    raise HTTPException(
        status.HTTP_501_NOT_IMPLEMENTED, "TODO 5: implemente POST /api/generate — veja GUIA_APRENDIZADO.md#dia3-passo5"
    )


# Passo 6 — POST /chat
def build_messages(body: ChatRequest) -> list[BaseMessage]:
    """O histórico, na ordem, e a mensagem nova por último."""
    # TODO 6: "user" vira HumanMessage, "assistant" vira AIMessage; a mensagem nova é um HumanMessage no fim.
    raise NotImplementedError("TODO 6: implemente build_messages — veja GUIA_APRENDIZADO.md#dia3-passo6")


# TODO 6: a rota recebe `body: ChatRequest` e `user: CurrentUser`; com body.stream, devolve
#         sse_response(...); senão, `await build_llm(body.model).ainvoke(messages)` e {"response": reply.text}.
# TODO 7: se o ainvoke levantar um dos UPSTREAM_ERRORS, responda 502 com HTTPException.
# response_model=None: a rota devolve SSE ou JSON, conforme `stream` (as duas formas vão para o /docs).
CHAT_RESPONSES = {
    200: {**SSE_DOCS, "model": ChatReply, "description": '`stream=true`: SSE; senão, JSON {"response": ...}'},
    502: error_response("O modelo de linguagem falhou (modo JSON)"),
}


@app.post("/chat", response_model=None, responses=CHAT_RESPONSES)
async def chat() -> StreamingResponse | dict[str, str]:
    """Conversa com histórico: SSE se `stream` for true, senão a resposta inteira em JSON."""
    raise HTTPException(
        status.HTTP_501_NOT_IMPLEMENTED, "TODO 6: implemente POST /chat — veja GUIA_APRENDIZADO.md#dia3-passo6"
    )


# Passo 7 — erros do upstream
def upstream_error_detail(exc: Exception) -> str:
    """Mensagem para o cliente: diz o que houve sem expor detalhes internos."""
    # TODO 7: uma frase em português; o nome do erro (type(exc).__name__) ajuda quem lê.
    raise NotImplementedError("TODO 7: implemente upstream_error_detail — veja GUIA_APRENDIZADO.md#dia3-passo7")


# Passo 8 — servir a página de chat
# A página (HTML, CSS e JS puros, sem build) fica em dia03/static/: a mesma para o template e a solução.
STATIC_DIR = REPO_ROOT / "dia03" / "static"
# TODO 8: sirva os arquivos da pasta em /static (index.html pede /static/app.js e /static/style.css):
#         app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")


@app.get("/", include_in_schema=False)
async def index() -> FileResponse:
    """A página de chat, que conversa com /login e /chat."""
    # TODO 8: devolva FileResponse(STATIC_DIR / "index.html").
    raise HTTPException(
        status.HTTP_501_NOT_IMPLEMENTED, "TODO 8: sirva a página de chat — veja GUIA_APRENDIZADO.md#dia3-passo8"
    )


# Desafios extras (opcionais): as rotas ficam em extras.py (veja GUIA_APRENDIZADO.md#dia3-extras).
# O import vem por último porque extras.py usa as peças deste arquivo, que a esta altura já existem.
import extras  # noqa: E402

app.include_router(extras.router)
