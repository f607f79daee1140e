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
# TODO 1: objetivo: a configuração do ambiente e o login do Dia 2, prontos para este app.
#         Contrato: `settings` (no lugar do None abaixo) é lido uma vez, ao importar, e traz o modelo
#         padrão, o endereço e a chave do provedor; POST /login, POST /token e GET /me passam a existir.
#         Conceito: get_settings() (common.config) e um APIRouter pronto (auth_router, já importado)
#         incluído no app. Veja GUIA_APRENDIZADO.md#dia3-passo1
settings = None


# Passo 2 — modelos de requisição
# Limites do histórico: cada mensagem vai para o modelo, e um provedor pago cobra por caractere.
# Sem eles, 5 itens de 1 MiB viravam 5 milhões de caracteres numa requisição só.
MAX_HISTORY_ITEMS = 50  # aceitos no corpo (o desafio extra C manda só as 12 últimas ao modelo)
MAX_HISTORY_CONTENT = 8000  # por item: cabe uma resposta longa do modelo


class GenerateRequest(BaseModel):
    """Corpo de POST /api/generate."""

    # TODO 2: objetivo: o corpo que a rota aceita. Contrato: `prompt`, texto obrigatório de 1 a 4000
    #         caracteres; `model`, texto opcional (ausente ou null: vale o DEFAULT_MODEL). Fora disso, 422.
    #         Conceito: limites com Field e um campo opcional. Veja GUIA_APRENDIZADO.md#dia3-passo2


class HistoryItem(BaseModel):
    """Uma mensagem anterior da conversa."""

    # TODO 2: contrato: `role` aceita só "user" ou "assistant" (um "system" vindo do cliente é 422);
    #         `content` é texto de até MAX_HISTORY_CONTENT caracteres. Conceito: Literal.
    #         Veja GUIA_APRENDIZADO.md#dia3-passo2


class ChatRequest(BaseModel):
    """Corpo de POST /chat."""

    # TODO 2: contrato: `message` de 1 a 4000 caracteres; `stream`, booleano, falso se ausente;
    #         `history`, lista de HistoryItem, vazia se ausente, com no máximo MAX_HISTORY_ITEMS itens;
    #         `model` como no GenerateRequest. Conceito: limite no número de itens de uma lista.
    #         Veja GUIA_APRENDIZADO.md#dia3-passo2


class ChatReply(BaseModel):
    """Resposta de POST /chat sem stream."""

    response: str


# Passo 3 — o modelo (ChatOpenAI) e o stream de tokens
# Erros que a chamada ao LLM pode levantar: da API (openai) ou da rede (httpx). Usados no passo 7.
UPSTREAM_ERRORS = (openai.OpenAIError, httpx.HTTPError)


def build_llm(model: str | None) -> ChatOpenAI:
    """Um cliente por requisição: cada uma pode pedir um modelo diferente."""
    # TODO 3: objetivo: o cliente do modelo de linguagem. Contrato: o modelo é o do pedido ou, sem ele,
    #         o padrão da configuração; streaming ligado; endereço e chave do provedor vêm de `settings`,
    #         nunca escritos aqui (é por eles que o corretor liga o fake LLM dele). Conceito: ChatOpenAI
    #         (langchain_openai). Quando a função estiver pronta, apague o `raise` abaixo.
    #         Veja GUIA_APRENDIZADO.md#dia3-passo3
    raise NotImplementedError("TODO 3: implemente build_llm — veja GUIA_APRENDIZADO.md#dia3-passo3")


async def stream_llm(messages: list[BaseMessage], model: str | None) -> AsyncIterator[str]:
    """Devolve o texto do modelo pedaço por pedaço, assim que cada pedaço chega."""
    # TODO 3: objetivo: os tokens do modelo, um a um, assim que chegam. Contrato: um `yield` por pedaço
    #         com texto, na ordem; nenhum pedaço vazio; um pedaço só de espaço ou de quebra de linha é
    #         texto e passa. Conceito: gerador assíncrono sobre a versão assíncrona do stream do LangChain
    #         (a síncrona trava o event loop). Apague o `raise` quando terminar.
    #         Veja GUIA_APRENDIZADO.md#dia3-passo3 e GUIA_APRENDIZADO.md#dia3-chunks-vazios
    raise NotImplementedError("TODO 3: implemente stream_llm — veja GUIA_APRENDIZADO.md#dia3-passo3")


# Passo 4 — o formato SSE
def sse_event(data: str, event: str | None = None) -> str:
    """Formata um evento SSE. Cada linha de `data` vira uma linha `data:` própria."""
    # TODO 4: objetivo: um texto qualquer vira um evento SSE válido. Contrato: cada linha de `data` vira
    #         uma linha `data: ` (um espaço e a linha); \r\n, \r e \n contam como quebra de linha; com
    #         `event`, uma linha `event: ` vem antes; uma linha em branco fecha o evento. Exemplos:
    #         sse_event("a\nb") == "data: a\ndata: b\n\n" e sse_event("{}", event="error") ==
    #         "event: error\ndata: {}\n\n". Apague o `raise` quando terminar.
    #         Veja GUIA_APRENDIZADO.md#dia3-passo4
    raise NotImplementedError("TODO 4: implemente sse_event — veja GUIA_APRENDIZADO.md#dia3-passo4")


async def sse_stream(messages: list[BaseMessage], model: str | None) -> AsyncIterator[str]:
    """Um evento por token e, no fim, sempre `data: [DONE]`."""
    # TODO 4: objetivo: o corpo do stream. Contrato: um evento por token de stream_llm, na ordem, e, no
    #         fim, sempre o evento `[DONE]` (sem ele, o cliente não distingue o fim de uma conexão cortada).
    #         Apague o `raise` quando terminar. Veja GUIA_APRENDIZADO.md#dia3-passo4
    # TODO 7: contrato: uma falha do provedor no meio (só os UPSTREAM_ERRORS) vira um evento `error` com
    #         JSON {"detail": ...}, e o [DONE] ainda sai depois dele. Veja GUIA_APRENDIZADO.md#dia3-passo7
    raise NotImplementedError("TODO 4: implemente sse_stream — veja GUIA_APRENDIZADO.md#dia3-passo4")


# Passo 5 — POST /api/generate
# TODO 5: contrato: os cabeçalhos do stream são Cache-Control: no-cache (ninguém guarda a resposta) e
#         X-Accel-Buffering: no (o nginx repassa cada evento na hora). Veja GUIA_APRENDIZADO.md#dia3-passo5
SSE_HEADERS: dict[str, str] = {}
# Para o /docs: o que as rotas de stream respondem (o FastAPI não adivinha um text/event-stream).
SSE_DOCS = event_stream("Um evento por token, `event: error` se o LLM falhar e, no fim, `data: [DONE]`",
                        ["message", "error"])


def sse_response(messages: list[BaseMessage], model: str | None) -> StreamingResponse:
    """A resposta HTTP do stream: tipo text/event-stream e os cabeçalhos acima."""
    # TODO 5: objetivo: a resposta HTTP que transmite o sse_stream enquanto ele é gerado. Contrato: tipo
    #         text/event-stream e os SSE_HEADERS. Conceito: StreamingResponse. Apague o `raise` quando
    #         terminar. Veja GUIA_APRENDIZADO.md#dia3-passo5
    raise NotImplementedError("TODO 5: implemente sse_response — veja GUIA_APRENDIZADO.md#dia3-passo5")


# TODO 5: objetivo: a rota de geração. Contrato: o corpo é um GenerateRequest; exige login (sem token
#         válido, 401 antes de qualquer stream e sem chamar o LLM); sempre responde em stream, com o prompt
#         como a única mensagem do usuário e o modelo pedido. Conceito: corpo tipado e a dependência
#         CurrentUser nos parâmetros da rota. O decorador fica como está; o `raise` sai quando a rota
#         estiver pronta. Veja GUIA_APRENDIZADO.md#dia3-passo5
@app.post("/api/generate", response_class=EventStream, responses={200: SSE_DOCS})
async def generate() -> StreamingResponse:
    """Sempre em stream: cada token da resposta é um evento SSE."""
    raise HTTPException(
        status.HTTP_501_NOT_IMPLEMENTED, "TODO 5: implemente POST /api/generate — veja GUIA_APRENDIZADO.md#dia3-passo5"
    )


# Passo 6 — POST /chat
def build_messages(body: ChatRequest) -> list[BaseMessage]:
    """O histórico, na ordem, e a mensagem nova por último."""
    # TODO 6: objetivo: a conversa que vai para o modelo. Contrato: os itens do histórico na ordem em que
    #         vieram ("user" como mensagem do usuário, "assistant" como mensagem do modelo) e, por último,
    #         a mensagem nova. Conceito: as mensagens do LangChain (já importadas). Apague o `raise`
    #         quando terminar. Veja GUIA_APRENDIZADO.md#dia3-passo6
    raise NotImplementedError("TODO 6: implemente build_messages — veja GUIA_APRENDIZADO.md#dia3-passo6")


# TODO 6: objetivo: a conversa com histórico. Contrato: o corpo é um ChatRequest; exige login como o
#         /api/generate; com `stream` verdadeiro, o mesmo stream do /api/generate; senão, a resposta
#         inteira do modelo, {"response": "<texto>"}. Conceito: a versão assíncrona da chamada que devolve
#         a resposta inteira. O `raise` sai quando a rota estiver pronta. Veja GUIA_APRENDIZADO.md#dia3-passo6
# TODO 7: contrato: no modo JSON, uma falha do provedor (UPSTREAM_ERRORS) vira 502 com {"detail": ...}.
#         Veja GUIA_APRENDIZADO.md#dia3-passo7
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
    # TODO 7: contrato: uma frase em português que diz que o modelo falhou e sugere tentar de novo, sem o
    #         texto da exceção (ele pode trazer endereços e respostas do provedor: esse vai para o log); o
    #         nome do tipo do erro ajuda quem lê. Apague o `raise` quando terminar.
    #         Veja GUIA_APRENDIZADO.md#dia3-passo7
    raise NotImplementedError("TODO 7: implemente upstream_error_detail — veja GUIA_APRENDIZADO.md#dia3-passo7")


# Passo 8 — servir a página de chat
# A página (HTML, CSS e JS puros, sem build) fica em dia03/static/: a mesma para o template e a solução.
STATIC_DIR = REPO_ROOT / "dia03" / "static"
# TODO 8: objetivo: a página de chat no navegador. Contrato: os arquivos de STATIC_DIR saem em /static/...
#         (o index.html pede /static/app.js e /static/style.css). Conceito: montar no app um servidor de
#         arquivos estáticos (StaticFiles, já importado). Veja GUIA_APRENDIZADO.md#dia3-passo8


@app.get("/", include_in_schema=False)
async def index() -> FileResponse:
    """A página de chat, que conversa com /login e /chat."""
    # TODO 8: contrato: GET / devolve o arquivo index.html de STATIC_DIR. Conceito: FileResponse. O `raise`
    #         sai quando a rota estiver pronta. Veja GUIA_APRENDIZADO.md#dia3-passo8
    raise HTTPException(
        status.HTTP_501_NOT_IMPLEMENTED, "TODO 8: sirva a página de chat — veja GUIA_APRENDIZADO.md#dia3-passo8"
    )


# Desafios extras (opcionais): as rotas ficam em extras.py (veja GUIA_APRENDIZADO.md#dia3-extras).
# O import vem por último porque extras.py usa as peças deste arquivo, que a esta altura já existem.
import extras  # noqa: E402

app.include_router(extras.router)
