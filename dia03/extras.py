"""Dia 3 — desafios extras (opcionais), para quem terminou o núcleo em template.py.

As funcionalidades de produção dos sistemas de que o curso nasceu. O contrato está no
dia03/README.md ("Desafios extras"); a estrutura é sua. O corretor só os verifica com
`python -m common.grader dia03 dia03 --extras`, e a nota deles sai à parte.

O template.py inclui estas rotas com `app.include_router(extras.router)`. Dois desafios mexem no
template.py, porque mudam o /chat do núcleo: o C (histórico limitado, no build_messages) e o J
(o campo `agent` do ChatRequest). Configuração nova (já em get_settings()): settings.heartbeat_seconds,
settings.stream_idle_timeout_seconds, settings.max_streams_per_user e settings.fallback_openai_base_url.
"""

from fastapi import APIRouter, HTTPException, status
from fastapi.responses import StreamingResponse

from common.api import CourseRoute, EventStream, error_response, event_stream
from common.auth import CurrentUser  # noqa: F401 - as rotas dos extras também exigem o token
# As peças do núcleo (template.py) que os extras reaproveitam. O import funciona porque o template.py
# importa este arquivo só no fim, quando elas já existem.
from template import (  # noqa: F401
    SSE_HEADERS, UPSTREAM_ERRORS, ChatRequest, build_llm, build_messages, settings, sse_event, upstream_error_detail,
)

# CourseRoute: o mesmo 401 antes do 422 das rotas do template.py (veja GUIA_APRENDIZADO.md#dia2-ordem).
router = APIRouter(tags=["desafios extras"], route_class=CourseRoute)


# Desafio extra A — eventos tipados (veja GUIA_APRENDIZADO.md#extra-eventos_tipados)
# DESAFIO EXTRA A: POST /api/stream/chat recebe o corpo do /chat mais `file_path` (opcional) e manda
#         eventos NOMEADOS com dados em JSON: start {"stream_id", "specialist"}, um token {"token"} por
#         token e, no fim, done {"stream_id", "response", "tokens", "duration_ms", "specialist",
#         "provider", "code_blocks"} (ou error {"detail"}, ou cancelled {"stream_id"}); depois, o stream fecha.
#         sse_event(json.dumps({"token": token}), event="token") já serve. Os code_blocks saem da resposta
#         COMPLETA: o conteúdo de cada bloco ```, sem as cercas e sem a quebra de linha final.
TYPED_EVENTS = event_stream("Eventos nomeados, com dados em JSON: start, um token por token e um fim",
                            ["start", "token", "done", "error", "cancelled"])


@router.post("/api/stream/chat", response_class=EventStream,
             responses={200: TYPED_EVENTS, 429: error_response("Streams demais abertos por este usuário")})
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
@router.post("/api/stream/cancel/{stream_id}", responses={
    403: error_response("O stream é de outro usuário"), 404: error_response("Stream desconhecido ou já encerrado"),
})
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
@router.get("/api/stream/status")
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
