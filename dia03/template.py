"""Dia 3 — Streaming + LLM (template: complete os TODOs na ordem).

Uma API que transmite, token a token, a resposta de um modelo de linguagem usando
Server-Sent Events (SSE). O login é o do Dia 2, reaproveitado de `common.auth`.

Para rodar (dentro desta pasta), com o fake LLM ligado em outro terminal
(`python -m common.fake_llm`):

    uvicorn template:app --reload

Guia: GUIA_APRENDIZADO.md, seção "Dia 3".
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

from common.auth import CurrentUser  # = Annotated[User, Depends(get_current_user)]
from common.auth import router as auth_router
from common.config import REPO_ROOT, get_settings

logger = logging.getLogger(__name__)

app = FastAPI(title="Dia 3 — Streaming + LLM")


# Exemplo pronto: o corretor espera esta rota para saber que o servidor subiu.
@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


# Passo 1 — configuração e autenticação reaproveitada do common
# TODO 1: leia a configuração com get_settings() e guarde em `settings`;
#         inclua no app as rotas de login do common: app.include_router(auth_router).
settings = None


# Passo 2 — modelos de requisição
class GenerateRequest(BaseModel):
    """Corpo de POST /api/generate."""

    # TODO 2: prompt (texto de 1 a 4000 caracteres: Field(min_length=..., max_length=...))
    #         e model (str | None, padrão None = usa o DEFAULT_MODEL).


class HistoryItem(BaseModel):
    """Uma mensagem anterior da conversa."""

    # TODO 2: role (só "user" ou "assistant": use Literal) e content (str).


class ChatRequest(BaseModel):
    """Corpo de POST /chat."""

    # TODO 2: message (1 a 4000 caracteres), stream (bool, padrão False),
    #         history (list[HistoryItem], padrão []) e model (str | None, padrão None).


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


def sse_response(messages: list[BaseMessage], model: str | None) -> StreamingResponse:
    """A resposta HTTP do stream: tipo text/event-stream e os cabeçalhos acima."""
    # TODO 5: StreamingResponse(sse_stream(...), media_type="text/event-stream", headers=SSE_HEADERS)
    raise NotImplementedError("TODO 5: implemente sse_response — veja GUIA_APRENDIZADO.md#dia3-passo5")


# TODO 5: a rota recebe `body: GenerateRequest` e `user: CurrentUser` e devolve
#         sse_response([HumanMessage(body.prompt)], body.model).
@app.post("/api/generate")
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
# response_model=None: a rota devolve SSE ou JSON, conforme `stream`.
@app.post("/chat", response_model=None)
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


# ---------------------------------------------------------------------------
# Desafios extras (opcionais) — veja GUIA_APRENDIZADO.md#dia3-extras
# ---------------------------------------------------------------------------
# Opcionais, para quem terminou o núcleo: as funcionalidades de produção dos sistemas de que o curso
# nasceu. O contrato está no dia03/README.md ("Desafios extras"); a estrutura é sua. O corretor só os
# verifica com `python -m common.grader dia03 dia03 --extras`, e a nota deles sai à parte.
# Configuração nova (já em get_settings()): settings.heartbeat_seconds, settings.stream_idle_timeout_seconds,
# settings.max_streams_per_user e settings.fallback_openai_base_url.


# Desafio extra A — eventos tipados (veja GUIA_APRENDIZADO.md#extra-eventos_tipados)
# DESAFIO EXTRA A: POST /api/stream/chat recebe o corpo do /chat mais `file_path` (opcional) e manda
#         eventos NOMEADOS com dados em JSON: start {"stream_id", "specialist"}, um token {"token"} por
#         token e, no fim, done {"stream_id", "response", "tokens", "duration_ms", "specialist",
#         "provider", "code_blocks"} (ou error {"detail"}, ou cancelled {"stream_id"}); depois, o stream fecha.
#         sse_event(json.dumps({"token": token}), event="token") já serve. Os code_blocks saem da resposta
#         COMPLETA: o conteúdo de cada bloco ```, sem as cercas e sem a quebra de linha final.
@app.post("/api/stream/chat")
async def stream_chat() -> StreamingResponse:
    """Stream com eventos nomeados (start, token, done, error, cancelled) e dados em JSON."""
    raise HTTPException(
        status.HTTP_501_NOT_IMPLEMENTED,
        "DESAFIO EXTRA A: implemente POST /api/stream/chat — veja GUIA_APRENDIZADO.md#extra-eventos_tipados",
    )


# Desafio extra B — especialista pela extensão do arquivo (veja GUIA_APRENDIZADO.md#extra-especialista)
# DESAFIO EXTRA B: a extensão de `file_path` escolhe o especialista, sem diferenciar maiúsculas: .py → python;
#         .js, .jsx, .ts, .tsx → javascript; .sql → sql; outra extensão, ou nenhum arquivo → geral.
#         Cada especialista tem o seu prompt de sistema (um SystemMessage antes do histórico), montado uma
#         vez só (@functools.cache); um especialista desconhecido cai no geral. Nunca abra o arquivo!


# Desafio extra C — histórico limitado (veja GUIA_APRENDIZADO.md#extra-historico)
# DESAFIO EXTRA C: só as últimas 12 mensagens de `history` vão para o modelo, no /chat E no
#         /api/stream/chat. Corte dentro do build_messages (passo 6), que as duas rotas usam.


# Desafio extra D — cancelamento: o registro dos streams ativos (veja GUIA_APRENDIZADO.md#extra-cancelamento)
# DESAFIO EXTRA D: guarde cada stream aberto num dicionário (id → dono, tarefa que lê o LLM...).
#         200 {"cancelled": true} para o dono (o stream manda `cancelled` e fecha); 403 para outro
#         usuário; 404 para um id desconhecido, encerrado ou já cancelado. Cancele a CHAMADA ao LLM,
#         não só a resposta: uma tarefa produtora (asyncio.create_task) que lê o astream para uma
#         asyncio.Queue facilita, porque cancelar a tarefa fecha a conexão com o provedor.
@app.post("/api/stream/cancel/{stream_id}")
async def cancel_stream() -> dict[str, bool]:
    """Cancela um stream seu: ele manda o evento `cancelled` e fecha."""
    raise HTTPException(
        status.HTTP_501_NOT_IMPLEMENTED,
        "DESAFIO EXTRA D: implemente POST /api/stream/cancel/{stream_id} — "
        "veja GUIA_APRENDIZADO.md#extra-cancelamento",
    )


# Desafio extra E — status (veja GUIA_APRENDIZADO.md#extra-status)
# DESAFIO EXTRA E: {"active_streams", "total_streams", "avg_duration_ms", "total_tokens", "errors"}.
#         Todo stream que termina conta uma vez, termine como terminar (done, error, cancelado, cliente
#         que saiu): o lugar é o `finally` do gerador. Guarde somas; a média sai delas na consulta.
@app.get("/api/stream/status")
async def stream_status() -> dict[str, int | float]:
    """Streams ativos agora e os números dos que já terminaram (todo fim conta)."""
    raise HTTPException(
        status.HTTP_501_NOT_IMPLEMENTED,
        "DESAFIO EXTRA E: implemente GET /api/stream/status — veja GUIA_APRENDIZADO.md#extra-status",
    )


# Desafio extra F — limite de streams por usuário (veja GUIA_APRENDIZADO.md#extra-limite)
# DESAFIO EXTRA F: com settings.max_streams_per_user streams abertos, o próximo do mesmo usuário em
#         /api/stream/chat recebe 429 (detail em português) ANTES de o stream começar: confira e reserve
#         a vaga na rota, sem await no meio, e devolva a vaga quando o stream acabar. O núcleo fica sem limite.


# Desafio extra G — provedor reserva (veja GUIA_APRENDIZADO.md#extra-fallback)
# DESAFIO EXTRA G: se o LLM principal falhar ANTES do primeiro token e settings.fallback_openai_base_url
#         existir, repita o mesmo pedido lá; o done diz "provider": "principal" ou "reserva". Uma falha
#         depois do primeiro token não é repetida: vira o evento error.


# Desafios extras H e I — heartbeat e inatividade
# (veja GUIA_APRENDIZADO.md#extra-heartbeat e GUIA_APRENDIZADO.md#extra-inatividade)
# DESAFIO EXTRA H: enquanto nenhum token chega, mande o comentário ": ping\n\n" a cada
#         settings.heartbeat_seconds. Cuidado: um asyncio.wait_for direto no próximo token do astream
#         CANCELA a chamada ao LLM no primeiro ping; espere numa fila (asyncio.Queue) em vez disso.
# DESAFIO EXTRA I: settings.stream_idle_timeout_seconds sem nenhum token (desde o ÚLTIMO token; ping não
#         conta) → o stream termina com o evento error, e a chamada ao LLM é cancelada.


# Desafio extra J — agente com calculadora (veja GUIA_APRENDIZADO.md#extra-agente)
# DESAFIO EXTRA J: acrescente `agent: bool = False` ao ChatRequest; com "agent": true, o /chat roda
#         create_agent(llm, tools=[calculadora]) (de langchain.agents), e calculadora(expressao: str)
#         calcula com o módulo ast, SEM eval. A resposta traz o resultado (inteiro sem ".0"). Em stream,
#         só o texto do modelo: com stream_mode="messages", pule a mensagem da ferramenta e os pedaços vazios.
