"""Dia 3 — desafios extras (opcionais), para quem terminou o núcleo em template.py.

As funcionalidades de produção dos sistemas de que o curso nasceu. Nível de andaime 1: cada bloco abaixo
traz só o contrato (o mesmo do dia03/README.md, "Desafios extras"); a estrutura é sua. Cada desafio tem
uma seção no guia, na ordem destes blocos, que lista os imports e as peças que ele usa
(GUIA_APRENDIZADO.md#dia3-extras). O corretor só os verifica com
`python3 -m common.grader dia03 dia03 --extras` (no Windows, `python -m ...`), e a nota deles sai à parte.

O template.py inclui estas rotas com `app.include_router(extras.router)`. Dois desafios mexem no
template.py, porque mudam o /chat do núcleo: o C (histórico limitado) e o J (o agente).
Configuração nova (já em get_settings()): settings.heartbeat_seconds, settings.stream_idle_timeout_seconds,
settings.max_streams_per_user e settings.fallback_openai_base_url.
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
# DESAFIO EXTRA A: POST /api/stream/chat (com login) recebe o corpo do /chat mais `file_path` (texto
#         opcional) e transmite eventos NOMEADOS, cada um com dados em JSON, nesta ordem:
#         start {"stream_id", "specialist"} antes de chamar o LLM; um token {"token"} por token do modelo;
#         e um fim: done {"stream_id", "response", "tokens", "duration_ms", "specialist", "provider",
#         "code_blocks"} (ou error {"detail"}, ou cancelled {"stream_id"}). Depois do fim, o stream fecha.
#         `response` é a junção dos tokens enviados; `tokens`, quantos eventos token saíram; `duration_ms`,
#         a duração em milissegundos; `provider`, "principal" (o desafio G traz o "reserva");
#         `code_blocks`, o conteúdo de cada bloco cercado por ``` da resposta completa, na ordem, sem as
#         cercas e sem a quebra de linha final. Até o B, `specialist` é "geral".
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
# DESAFIO EXTRA B: a extensão de `file_path`, sem diferenciar maiúsculas, escolhe o especialista: .py →
#         python; .js, .jsx, .ts, .tsx → javascript; .sql → sql; outra extensão, ou nenhum arquivo → geral.
#         O especialista vai no start e no done; cada um tem o seu prompt de sistema, enviado ao LLM antes
#         da conversa e montado uma vez só (não a cada pedido); um especialista desconhecido cai no geral.
#         O arquivo nunca é aberto: `file_path` é só texto vindo do cliente.


# Desafio extra C — histórico limitado (veja GUIA_APRENDIZADO.md#extra-historico)
# DESAFIO EXTRA C (no template.py): com mais de 12 mensagens em `history`, só as 12 últimas vão para o
#         LLM, na ordem, e a mensagem nova depois delas; vale no /chat E no /api/stream/chat. Um histórico
#         longo não é erro (os limites do Passo 2 continuam valendo para o corpo).


# Desafio extra D — cancelamento (veja GUIA_APRENDIZADO.md#extra-cancelamento)
# DESAFIO EXTRA D: POST /api/stream/cancel/{stream_id} (com login): 200 {"cancelled": true} para o dono do
#         stream, que então manda o evento `cancelled` e fecha; a chamada ao LLM é cancelada também, mesmo
#         que ele esteja calado. 403 para o stream de outro usuário; 404 para um id desconhecido, para um
#         stream que já terminou e para um segundo cancelamento.
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
# DESAFIO EXTRA E: GET /api/stream/status (com login) → {"active_streams", "total_streams",
#         "avg_duration_ms", "total_tokens", "errors"}: os streams de /api/stream/chat abertos agora e os
#         números dos que já terminaram. Todo stream que termina conta uma vez, termine como terminar (done,
#         error, cancelado, cliente que saiu); `errors` conta os que terminaram em error.
@router.get("/api/stream/status")
async def stream_status() -> dict[str, int | float]:
    """Streams ativos agora e os números dos que já terminaram (todo fim conta)."""
    raise HTTPException(
        status.HTTP_501_NOT_IMPLEMENTED,
        "DESAFIO EXTRA E: implemente GET /api/stream/status — veja GUIA_APRENDIZADO.md#extra-status",
    )


# Desafio extra F — limite de streams por usuário (veja GUIA_APRENDIZADO.md#extra-limite)
# DESAFIO EXTRA F: com settings.max_streams_per_user streams abertos, o próximo do mesmo usuário em
#         /api/stream/chat recebe 429, com um detail em português, antes de qualquer stream e sem chamar o
#         LLM. O limite é por usuário; a vaga volta quando um stream termina, termine como terminar. As
#         rotas do núcleo continuam sem limite.


# Desafio extra G — provedor reserva (veja GUIA_APRENDIZADO.md#extra-fallback)
# DESAFIO EXTRA G: com settings.fallback_openai_base_url, uma falha do LLM principal ANTES do primeiro
#         token repete o mesmo pedido no reserva, e o done diz "provider": "reserva"; sem falha, "principal".
#         Uma falha DEPOIS do primeiro token não é repetida: vira o evento error.


# Desafios extras H e I — heartbeat e inatividade
# (veja GUIA_APRENDIZADO.md#extra-heartbeat e GUIA_APRENDIZADO.md#extra-inatividade)
# DESAFIO EXTRA H: enquanto nenhum token chega, um comentário SSE (": ping" e a linha em branco) a cada
#         settings.heartbeat_seconds; o silêncio do LLM não pode derrubar a leitura dele: quando os tokens
#         voltam, o stream segue até o done.
# DESAFIO EXTRA I: settings.stream_idle_timeout_seconds sem nenhum token do LLM (contados desde o último
#         token; ping não é token) → o stream termina com o evento error, e a chamada ao LLM é cancelada.
#         Um stream lento, mas sem pausas longas, termina normalmente.


# Desafio extra J — agente com calculadora (veja GUIA_APRENDIZADO.md#extra-agente)
# DESAFIO EXTRA J (no template.py e aqui): POST /chat com "agent": true roda um agente do LangChain com a
#         ferramenta calculadora(expressao: str), que calcula aritmética SEM eval do texto do usuário. O
#         contrato do /chat continua (JSON ou, com "stream": true, o SSE do núcleo com [DONE]); a resposta
#         traz o resultado exato (um inteiro como dígitos puros: 42, não 42.0); no stream, só o texto do
#         modelo (nem a mensagem da ferramenta, nem eventos vazios). Uma expressão que não é aritmética é
#         recusada com uma mensagem, nunca com 500.
