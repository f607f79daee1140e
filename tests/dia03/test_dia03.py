"""Verificações do Dia 3 — streaming de tokens de um LLM com Server-Sent Events.

Cada verificação roteiriza o fake LLM do corretor com um marcador e um nonce novo
(`llm.marker(...)`) e compara o que chegou pelo stream com o que o fake LLM registrou
ter enviado (o campo `reply` do log). Uma resposta fixa no código nunca passa.

Liberal no estilo, rígido no comportamento:
- aceitamos quadros escritos à mão, `fastapi.sse` (dados em JSON), sse-starlette (CRLF),
  `[DONE]` cru ou em JSON, `no-cache` ou `no-store`, pings em comentário, um agente
  (uma rodada de ferramenta antes do texto) ou o modelo puro;
- as medidas de tempo são feitas do lado do fake LLM (quando ele recebeu, mandou o
  primeiro token e terminou), com margens folgadas para uma máquina de 2 núcleos carregada.

Cada defeito é cobrado na sua verificação: quem acumula a resposta e manda tudo no fim
falha só `generate_incremental` (não `nao_bloqueia` nem `desconexao`); quem esquece o
`[DONE]` falha `generate_sse`, e as outras (`chat_stream`, `erro_upstream`) não o cobram de novo;
quem não tem login falha `generate_auth`, e as outras usam um token fabricado pelo corretor.
"""

from __future__ import annotations

import base64
import json
import time
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from jose import jwt

from common.fake_llm import make_marker
from common.grader.checks import (
    CheckFailure, check, describe_response, expect, expect_equal, expect_status, login, shown_list,
)
from common.grader.helpers import mint_token
from common.grader.httpclient import new_client
from common.grader.sse import Background, SSEResult, open_sse
from common.grader.target import new_nonce

FAST = 5  # ms entre tokens quando o ritmo não importa
# Aspectos de dia03.generate_sse: as outras verificações de stream só os cobram se funcionam lá.
DONE = "o `data: [DONE]` no fim do stream"
JOINED_TEXT = "o texto dos eventos igual ao que o LLM mandou"
HINT_DONE = "Depois do último token, envie `data: [DONE]` e feche o stream."
CORTE = (
    "O servidor cortou a conexão no meio do stream. Erros depois do status 200 viram um "
    "evento `event: error` seguido de `data: [DONE]`; o stream sempre termina direito."
)


# ---------------------------------------------------------------- ajudantes


@pytest.fixture(scope="module")
def login_result(target) -> str | CheckFailure:
    """Um login (aluno) para o dia todo: o argon2 é lento de propósito. Devolve o token ou a falha."""
    with new_client(target.base_url) as client:
        try:
            return login(client, "aluno", "aluno123")
        except CheckFailure as failure:
            return CheckFailure(f"{failure}\nNo Dia 3 o login vem pronto do common: faça o Passo 1 "
                                "(app.include_router(auth_router)).", anchor="dia3-passo1")


@pytest.fixture
def token(login_result, target) -> str:
    """O token do aluno. Sem login (cobrado só em generate_auth), um token fabricado pelo corretor."""
    if not isinstance(login_result, CheckFailure):
        return login_result
    if target.secret_key is None:
        pytest.skip("pulado: depende de POST /login (conferido em dia03.generate_auth), que não funcionou")
    return mint_token(target.secret_key)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def plain_script(llm) -> tuple[str, str]:
    """Resposta roteirizada sem espaços no início nem quebras de linha (essas ficam com quebras_de_linha)."""
    nonce = new_nonce()
    return llm.marker(nonce=nonce, tokens=[nonce, ":", "resposta", "-", "em", "-", "tokens", "."], delay_ms=FAST)


def ask(marker: str) -> str:
    """Um pedido ao LLM com o marcador que roteiriza a resposta do fake LLM."""
    return f"Pergunta do corretor automático. {marker}"


def offline_marker(target, **script) -> tuple[str, str]:
    """Marcador com nonce novo mesmo sem fake LLM (verificações que só precisam saber se o LLM foi chamado)."""
    if target.llm is not None:
        return target.llm.marker(**script)
    nonce = new_nonce()
    return make_marker(nonce=nonce, **script), nonce


def llm_calls(target, nonce: str) -> list[dict]:
    return target.llm.requests(nonce) if target.llm is not None else []


def read_stream(client: httpx.Client, path: str, body: dict, token: str, max_seconds: float = 5.0) -> SSEResult:
    """POST em streaming: exige 200 + text/event-stream e lê até o [DONE] (ou até o servidor fechar)."""
    with open_sse(client, "POST", path, json=body, headers=bearer(token)) as stream:
        stream.require_event_stream(
            help=f"{path} deve responder em streaming: StreamingResponse(..., media_type=\"text/event-stream\")."
        )
        try:
            return stream.read_all(max_seconds)
        except (httpx.RemoteProtocolError, httpx.NetworkError) as exc:
            raise CheckFailure(f"esperado: o stream terminar normalmente; recebido: {type(exc).__name__}\n{CORTE}") from exc


def generate(client: httpx.Client, token: str, marker: str, max_seconds: float = 5.0) -> SSEResult:
    return read_stream(client, "/api/generate", {"prompt": ask(marker)}, token, max_seconds)


def upstream_log(llm, nonce: str, timeout: float = 3.0) -> list[dict]:
    """As requisições ao fake LLM com este nonce, esperando (até `timeout`) todas terminarem."""
    deadline = time.monotonic() + timeout
    while True:
        entries = llm.requests(nonce)
        if entries and all(entry["status"] != "running" for entry in entries):
            return entries
        if time.monotonic() >= deadline:
            return entries
        time.sleep(0.02)


def expect_llm_called(entries: list[dict], where: str) -> None:
    expect(entries, f"{where} chamar o LLM (o fake LLM do corretor)", "nenhuma requisição chegou ao fake LLM",
           help="Use ChatOpenAI com base_url=settings.openai_base_url: o corretor aponta OPENAI_BASE_URL para o fake LLM.")


def scripted_reply(entries: list[dict]) -> str:
    """O texto que o fake LLM mandou. Com um agente há uma rodada de ferramenta (sem texto) antes."""
    return "".join(entry["reply"] for entry in entries)


def text_entry(entries: list[dict]) -> dict:
    """A requisição que gerou o texto (a última com resposta; num agente, a depois da ferramenta)."""
    with_text = [entry for entry in entries if entry["reply"]]
    return with_text[-1] if with_text else entries[-1]


def expect_text(got: str, expected: str, what: str, help: str | None = None) -> None:
    expect(got == expected, f"{what} igual ao que o LLM mandou: {expected!r}", repr(got), help=help)


def wall_clock(monotonic_at: float) -> float:
    """Converte um time.monotonic() deste processo para time.time() (o relógio do log do fake LLM)."""
    return monotonic_at + (time.time() - time.monotonic())


def describe_events(result: SSEResult, limit: int = 12) -> str:
    shown = (f"{e.event}:{e.data!r}" if e.event != "message" else repr(e.data) for e in result.events)
    return f"eventos {shown_list(shown, limit)}" if result.events else "nenhum evento"


def forged_token() -> str:
    """Um JWT bem formado, mas assinado com outra chave: precisa dar 401."""
    claims = {"sub": "aluno", "exp": datetime.now(timezone.utc) + timedelta(minutes=5)}
    return jwt.encode(claims, "chave-que-nao-e-a-do-servidor", algorithm="HS256")


def malformed_tokens(good: str) -> dict[str, str]:
    """O token do login estragado de jeitos que a biblioteca de JWT sozinha não recusa (ou recusa com 500)."""
    _, payload, signature = (good.split(".") + ["", ""])[:3]
    nested = base64.urlsafe_b64encode(b"[" * 2000).rstrip(b"=").decode()
    return {
        'com o token do login e "!!" no fim': f"{good}!!",
        "com o cabeçalho do token trocado por [[[[... (2000 níveis de JSON)": f"{nested}.{payload}.{signature}",
    }


def gaps(arrivals: list[float], at_least: float) -> int:
    """Quantos intervalos entre chegadas seguidas são de pelo menos `at_least` segundos."""
    return sum(1 for a, b in zip(arrivals, arrivals[1:]) if b - a >= at_least)


# ---------------------------------------------------------------- verificações


@check("dia03.servidor_sobe", points=5, hint="dia3-problemas")
def test_servidor_sobe(api):
    """O servidor sobe e GET /health responde {"status": "ok"}"""
    response = api.get("/health")
    expect_status(response, 200, help="O /health já vem pronto no template: não o remova.")
    expect_equal(response.json(), {"status": "ok"}, what="corpo de GET /health")


@check("dia03.generate_auth", points=5, hint="dia3-passo5")
def test_generate_auth(api, target, login_result):
    """POST /api/generate exige token: 401 sem token ou com token inválido, antes de qualquer stream"""
    if isinstance(login_result, CheckFailure):
        raise login_result
    marker, nonce = offline_marker(target, n=2, delay_ms=FAST)
    body = {"prompt": ask(marker)}
    cases = {
        "sem o cabeçalho Authorization": ({}, body),
        "sem token e com corpo inválido ({})": ({}, {}),
        "com um token que não é JWT": (bearer("isto-nao-e-um-jwt"), body),
        "com um JWT assinado com outra chave": (bearer(forged_token()), body),
        "com o esquema Basic em vez de Bearer": ({"Authorization": "Basic YWx1bm86YWx1bm8xMjM="}, body),
    }
    malformed = {description: (bearer(token), body) for description, token in malformed_tokens(login_result).items()}
    for description, (headers, payload) in (cases | malformed).items():
        response = api.post("/api/generate", json=payload, headers=headers)
        expect(
            response.status_code == 401 and "text/event-stream" not in response.headers.get("content-type", ""),
            f"401 (sem stream) {description}",
            describe_response(response),
            help="Use o `CurrentUser` do common.auth: ele confere a forma do token e captura o RecursionError de "
            "um cabeçalho aninhado (se escreveu a sua própria verificação, veja o Passo 4 do Dia 2)."
            if description in malformed
            else "Declare `user: CurrentUser` na rota: a dependência roda antes do corpo e responde 401.",
        )
    calls = llm_calls(target, nonce)
    expect(not calls, "nenhuma chamada ao LLM sem um token válido", f"{len(calls)} chamada(s) ao fake LLM")
    with open_sse(api, "POST", "/api/generate", json=body, headers=bearer(login_result)) as stream:
        expect(stream.response.status_code not in (401, 403), "o token do login (aluno) ser aceito",
               f"status {stream.response.status_code}")
        stream.read_some(min_tokens=1, max_seconds=3)


@check("dia03.generate_sse", points=10, hint="dia3-passo5")
def test_generate_sse(api, llm, token, target, facets):
    """POST /api/generate transmite a resposta do LLM em SSE, com o modelo pedido, e termina com [DONE]"""
    marker, nonce = plain_script(llm)
    result = generate(api, token, marker)
    entries = upstream_log(llm, nonce)
    expect_llm_called(entries, "POST /api/generate")
    expected = scripted_reply(entries)
    facets.record(DONE, result.done)
    facets.record(JOINED_TEXT, result.text == expected)
    expect(nonce in expected, f"a resposta roteirizada (com o nonce {nonce})", expected,
           help="Mande o prompt do usuário ao LLM sem alterar o texto.")
    expect(not result.errors, "nenhum evento de erro", [e.data for e in result.errors])
    expect_text(result.text, expected, "o texto dos eventos, juntado,",
                help="Cada token é um evento `data: <token>`; o cliente junta os dados na ordem.")
    expect(result.done, "o último evento ser `data: [DONE]`", describe_events(result), help=HINT_DONE,
           anchor="dia3-passo4")
    expect_models(api, llm, token, target)


def expect_models(api: httpx.Client, llm, token: str, target) -> None:
    """O modelo do pedido vai ao LLM; sem ele, o DEFAULT_MODEL do ambiente."""
    default = target.env.get("DEFAULT_MODEL")
    cases = [("modelo-pedido-" + new_nonce(), True)] + ([(default, False)] if default else [])
    for model, in_body in cases:
        marker, nonce = llm.marker(n=2, delay_ms=FAST)
        body = {"prompt": ask(marker), **({"model": model} if in_body else {})}
        with open_sse(api, "POST", "/api/generate", json=body, headers=bearer(token)) as stream:
            stream.read_some(min_tokens=2, max_seconds=3)
        got = [entry["model"] for entry in upstream_log(llm, nonce)]
        where = f'com "model": "{model}"' if in_body else "sem \"model\" (vale o DEFAULT_MODEL do ambiente)"
        expect(got and all(name == model for name in got), f"o LLM chamado com o modelo {model!r} ({where})",
               f"modelo(s) {got}",
               help="ChatOpenAI(model=body.model or settings.default_model, ...): o pedido escolhe o modelo.",
               anchor="dia3-passo3")


@check("dia03.cabecalhos", points=5, hint="dia3-buffering")
def test_cabecalhos(api, llm, token):
    """O stream de /api/generate usa text/event-stream, Cache-Control no-cache e X-Accel-Buffering: no"""
    marker, _ = llm.marker(n=2, delay_ms=FAST)
    with open_sse(api, "POST", "/api/generate", json={"prompt": ask(marker)}, headers=bearer(token)) as stream:
        stream.require_event_stream()
        headers = stream.response.headers
        stream.read_some(min_tokens=2, max_seconds=3)
    cache = {part.strip().lower() for part in headers.get("cache-control", "").split(",")}
    expect(cache & {"no-cache", "no-store"}, "Cache-Control com no-cache (ou no-store)",
           headers.get("cache-control", "(ausente)"),
           help="Um cache no caminho guardaria o stream: mande Cache-Control: no-cache.")
    expect(headers.get("x-accel-buffering", "").strip().lower() == "no", "X-Accel-Buffering: no",
           headers.get("x-accel-buffering", "(ausente)"),
           help="Sem esse cabeçalho o nginx junta o stream num buffer e o usuário vê tudo de uma vez.")


@check("dia03.generate_incremental", points=15, hint="dia3-buffering", timeout=15)
def test_generate_incremental(api, llm, token):
    """Os tokens chegam um a um, enquanto o LLM ainda gera (sem juntar a resposta antes)"""
    count, delay_ms = 10, 120  # o LLM leva ~1,1 s entre o primeiro e o último token
    marker, nonce = llm.marker(n=count, delay_ms=delay_ms)
    result = generate(api, token, marker)
    entries = upstream_log(llm, nonce)
    expect_llm_called(entries, "POST /api/generate")
    upstream = text_entry(entries)
    arrivals = [wall_clock(e.at) for e in result.tokens if e.data]
    expect(len(arrivals) >= count // 2, f"pelo menos {count // 2} eventos de token",
           f"{len(arrivals)} evento(s) com texto", help="Mande um evento por token, assim que ele chega.")
    started, ended = upstream["first_token_at"], upstream["ended_at"] or time.time()
    expect(started is not None, "o LLM mandar tokens", f"status {upstream['status']!r} sem tokens")
    span = ended - started  # quanto tempo o LLM levou mandando tokens
    # Um servidor que junta tudo só manda o 1º evento depois de o LLM terminar: muito além da metade.
    expect(
        arrivals[0] <= ended - span / 2,
        f"o primeiro token chegar antes da metade da geração (até {span / 2:.2f} s depois do 1º token do LLM)",
        f"chegou {arrivals[0] - started:.2f} s depois; o LLM terminou em {span:.2f} s",
        help="O servidor está juntando a resposta antes de enviar (buffering). Faça `yield` de cada "
        "token assim que o `astream` o entrega, sem acumular numa lista nem usar `ainvoke`.",
    )
    spread = arrivals[-1] - arrivals[0]
    expect(
        spread >= span / 2 and gaps(arrivals, delay_ms / 3000) >= 3,
        f"tokens espalhados no tempo, como o LLM os gerou (≥ {span / 2:.2f} s entre o primeiro e o último)",
        f"{spread:.2f} s entre o primeiro e o último, {gaps(arrivals, delay_ms / 3000)} pausa(s) entre eventos",
        help="Os tokens chegaram em rajadas: algo entre o LLM e a resposta está acumulando texto.",
    )


@check("dia03.quebras_de_linha", points=10, hint="dia3-sse")
def test_quebras_de_linha(api, llm, token):
    """Tokens com \\n, \\n\\n e espaços no início chegam idênticos, sem eventos vazios"""
    nonce = new_nonce()
    tokens = [f" {nonce}", ":", "\n", "-", " item", "\n\n", "```python", "\n", "    ", "return", " 1",
              "\n", "```", " a\nb", "  dois espaços", "fim\n"]
    marker, _ = llm.marker(nonce=nonce, tokens=tokens, delay_ms=FAST)
    result = generate(api, token, marker)
    entries = upstream_log(llm, nonce)
    expect_llm_called(entries, "POST /api/generate")
    expected = scripted_reply(entries)
    if result.text == "".join(token for token in tokens if token.strip()):  # os tokens só de espaço sumiram
        expect(False, f"o texto reconstruído, byte a byte: {expected!r}", repr(result.text),
               help="Os tokens feitos só de espaços e quebras de linha sumiram: `if chunk.text.strip():` joga fora "
               "texto de verdade. Pule só o chunk vazio: `if chunk.text:`.", anchor="dia3-chunks-vazios")
    expect_text(result.text, expected, "o texto reconstruído, byte a byte,",
                help="Um token com quebra de linha vira várias linhas `data:` (uma por linha do token); "
                "`f\"data: {token}\\n\\n\"` corta o evento na primeira quebra.")
    empty = [e for e in result.tokens if e.data == ""]
    expect(not empty, "nenhum evento com data vazio", f"{len(empty)} evento(s) vazio(s); {describe_events(result)}",
           help="O astream entrega chunks vazios (o primeiro e o último): pule-os com `if chunk.text:`.",
           anchor="dia3-chunks-vazios")


@check("dia03.validacao", points=5, hint="dia3-passo2")
def test_validacao(api, target, token):
    """Corpos inválidos em /api/generate e /chat dão 422, sem chamar o LLM"""
    marker, nonce = offline_marker(target, n=2, delay_ms=FAST)
    too_long = ask(marker).ljust(4001, "x")
    cases = [
        ("/api/generate", "sem o campo prompt", {}),
        ("/api/generate", "prompt vazio", {"prompt": ""}),
        ("/api/generate", "prompt com 4001 caracteres", {"prompt": too_long}),
        ("/api/generate", "prompt que não é texto", {"prompt": 123}),
        ("/chat", "message vazia", {"message": ""}),
        ("/chat", "message com 4001 caracteres", {"message": too_long}),
        ("/chat", 'histórico com role "system"', {"message": ask(marker), "history": [{"role": "system", "content": "x"}]}),
        ("/chat", "histórico que não é lista", {"message": ask(marker), "history": "oi"}),
        ("/chat", 'stream que não é booleano ("talvez")', {"message": ask(marker), "stream": "talvez"}),
    ]
    for path, description, body in cases:
        response = api.post(path, json=body, headers=bearer(token))
        expect(response.status_code == 422, f"422 em {path} com {description}", describe_response(response),
               help="Declare limites no modelo Pydantic (Field(min_length=1, max_length=4000), Literal[...]).")
    not_json = api.post("/api/generate", content=b"isto nao e json",
                        headers={**bearer(token), "Content-Type": "application/json"})
    expect_status(not_json, 422, help="Um corpo que não é JSON também é 422.")
    calls = llm_calls(target, nonce)
    expect(not calls, "nenhuma chamada ao LLM com corpo inválido", f"{len(calls)} chamada(s) ao fake LLM")


@check("dia03.chat_json", points=10, hint="dia3-passo6")
def test_chat_json(api, llm, token):
    """POST /chat sem stream responde {"response": ...} com a resposta do LLM"""
    marker, nonce = llm.marker(n=6, delay_ms=FAST)
    response = api.post("/chat", json={"message": ask(marker)}, headers=bearer(token))
    expect_status(response, 200)
    entries = upstream_log(llm, nonce)
    expect_llm_called(entries, "POST /chat")
    body = response.json()
    expect(isinstance(body, dict) and isinstance(body.get("response"), str), 'JSON {"response": "<texto>"}',
           describe_response(response))
    expect_text(body["response"], scripted_reply(entries), '"response"',
                help="Com stream=false, use `await llm.ainvoke(messages)` e devolva o texto da resposta.")


@check("dia03.chat_stream", points=10, after=["dia03.generate_sse"], hint="dia3-passo6")
def test_chat_stream(api, llm, token, facets):
    """POST /chat com stream=true transmite a resposta em SSE e termina com [DONE]"""
    marker, nonce = plain_script(llm)
    result = read_stream(api, "/chat", {"message": ask(marker), "stream": True}, token)
    entries = upstream_log(llm, nonce)
    expect_llm_called(entries, "POST /chat")
    if facets.works(JOINED_TEXT, owner="dia03.generate_sse"):
        expect_text(result.text, scripted_reply(entries), "o texto dos eventos, juntado,")
    if facets.works(DONE, owner="dia03.generate_sse"):
        expect(result.done, "o último evento ser `data: [DONE]`", describe_events(result), help=HINT_DONE,
               anchor="dia3-passo4")


def history_case(llm, stream: bool) -> tuple[dict, str, list[tuple[str, str]]]:
    """Um corpo de /chat com histórico; devolve (corpo, nonce, mensagens que o LLM deve receber)."""
    marker, nonce = llm.marker(n=3, delay_ms=FAST)
    history = [
        {"role": "user", "content": f"Meu nome é Ana ({nonce}-1)."},
        {"role": "assistant", "content": f"Prazer, Ana! ({nonce}-2)"},
        {"role": "user", "content": f"Qual é o meu nome? ({nonce}-3)"},
    ]
    body = {"message": ask(marker), "stream": stream, "history": history}
    expected = [(item["role"], item["content"]) for item in history] + [("user", body["message"])]
    return body, nonce, expected


def conversation(entry: dict) -> list[tuple[str, str]]:
    """As mensagens que o LLM recebeu, sem as de sistema (o servidor pode acrescentar as suas)."""
    def text(content) -> str:
        if isinstance(content, list):  # conteúdo em partes: [{"type": "text", "text": ...}]
            return "".join(part.get("text", "") for part in content if isinstance(part, dict))
        return content or ""

    return [(m["role"], text(m.get("content"))) for m in entry["messages"] if m["role"] not in ("system", "developer")]


@check("dia03.chat_historico", points=5, after=["dia03.chat_json", "dia03.chat_stream"], hint="dia3-passo6")
def test_chat_historico(api, llm, token):
    """/chat repassa o histórico ao LLM, na ordem, antes da mensagem nova"""
    for stream in (False, True):
        body, nonce, expected = history_case(llm, stream)
        if stream:  # aqui só importa o que o LLM recebeu: o stream é lido sem conferir o formato
            with open_sse(api, "POST", "/chat", json=body, headers=bearer(token)) as response:
                response.read_some(min_tokens=3, max_seconds=5)
        else:
            api.post("/chat", json=body, headers=bearer(token))
        entries = upstream_log(llm, nonce)
        expect_llm_called(entries, "POST /chat")
        mode = "com stream=true" if stream else "sem stream"
        expect(conversation(entries[0]) == expected,
               f"{mode}: o LLM receber {expected}", conversation(entries[0]),
               help="Converta cada item do histórico (user → HumanMessage, assistant → AIMessage), "
               "na ordem, e ponha a mensagem nova por último.")


@check("dia03.erro_upstream", points=5, after=["dia03.generate_sse"], hint="dia3-erros")
def test_erro_upstream(api, llm, token, facets):
    """Falha do LLM: `event: error` e [DONE] no stream; 502 no modo JSON"""
    marker, _ = llm.marker(n=6, delay_ms=FAST, fail_after=2)
    result = generate(api, token, marker)
    expect(result.errors, "um evento `event: error` quando o LLM falha no meio do stream", describe_events(result),
           help="Envolva o laço do stream com try/except: o erro vira `event: error` + JSON {\"detail\": ...}.")
    try:
        detail = json.loads(result.errors[0].data).get("detail")
    except (ValueError, AttributeError):
        detail = None
    expect(isinstance(detail, str) and detail.strip(), 'dados do erro em JSON: {"detail": "<mensagem>"}',
           result.errors[0].data)
    if facets.works(DONE, owner="dia03.generate_sse"):
        expect(result.done, "`data: [DONE]` depois do evento de erro", describe_events(result),
               help="Mesmo com erro, o stream termina com `data: [DONE]`.")

    marker, _ = llm.marker(fail="before")
    response = api.post("/chat", json={"message": ask(marker)}, headers=bearer(token))
    expect_status(response, 502, help="No modo JSON nada foi enviado ainda: responda 502 (Bad Gateway) com HTTPException.")
    try:
        body = response.json()
    except ValueError:
        body = None
    expect(isinstance(body, dict) and "detail" in body, 'JSON {"detail": ...} no 502', describe_response(response))


@check("dia03.nao_bloqueia", points=10, hint="dia3-event-loop", timeout=20)
def test_nao_bloqueia(api, llm, token, target):
    """Dois streams andam ao mesmo tempo e /health responde durante um stream"""
    # ~1 s de tokens em cada stream: folga para medir a sobreposição e o /health no meio.
    first, first_nonce = llm.marker(n=10, delay_ms=100)
    second, second_nonce = llm.marker(n=10, delay_ms=100)
    with new_client(target.base_url) as other, new_client(target.base_url, timeout=5.0) as prober:
        streams = [Background(generate, api, token, first), Background(generate, other, token, second)]
        health_sent, health_answered = probe_health_during(llm, prober, first_nonce)
        for stream in streams:
            stream.result(timeout=15)
    runs = [upstream_log(llm, nonce) for nonce in (first_nonce, second_nonce)]
    for entries in runs:
        expect_llm_called(entries, "cada stream de POST /api/generate")
    (start_a, end_a), (start_b, end_b) = [(e[0]["received_at"], e[-1]["ended_at"] or time.time()) for e in runs]
    overlap = min(end_a, end_b) - max(start_a, start_b)
    shortest = min(end_a - start_a, end_b - start_b)
    expect(
        overlap >= shortest / 2,
        f"as duas chamadas ao LLM ao mesmo tempo (sobreposição ≥ {shortest / 2:.2f} s)",
        f"sobreposição de {overlap:.2f} s: a segunda começou {start_b - start_a:+.2f} s depois da primeira, "
        f"que durou {end_a - start_a:.2f} s",
        help="Algo bloqueia o event loop: dentro de `async def`, use `astream`/`ainvoke` (nunca `stream`/`invoke`) "
        "e nada de time.sleep ou requests.",
    )
    remaining = end_a - health_sent  # quanto faltava para o stream acabar quando /health foi pedido
    latency = health_answered - health_sent
    expect(
        health_answered < end_a and latency <= remaining / 2,
        f"/health responder rápido durante um stream (em até {remaining / 2:.2f} s, antes de o stream acabar)",
        f"respondeu em {latency:.2f} s; o stream acabou {remaining:.2f} s depois do pedido",
        help="O event loop estava ocupado com o stream: troque chamadas síncronas por `await` / `async for`.",
    )


def probe_health_during(llm, client: httpx.Client, nonce: str) -> tuple[float, float]:
    """Pede /health quando o LLM já está mandando tokens do stream `nonce`; devolve (pedido, resposta)."""
    try:
        llm.wait_for(nonce=nonce, predicate=lambda e: e["tokens_sent"] >= 1, timeout=5)
    except TimeoutError:
        raise CheckFailure("esperado: o stream de POST /api/generate chamar o LLM; recebido: nenhum token em 5 s")
    sent = time.time()
    try:
        # Qualquer resposta serve: aqui importa o tempo (o status do /health é de dia03.servidor_sobe).
        client.get("/health")
    except httpx.TimeoutException:
        raise CheckFailure(
            "esperado: GET /health responder durante um stream; recebido: nada em 5 s\n"
            "O event loop está bloqueado: dentro de `async def`, use `astream` (nunca `stream`)."
        ) from None
    return sent, time.time()


@check("dia03.desconexao", points=5, hint="dia3-desconexao", timeout=15)
def test_desconexao(api, llm, token):
    """Quando o cliente desconecta, o servidor cancela a chamada ao LLM (em até 2 s)"""
    marker, nonce = llm.marker(n=40, delay_ms=100)  # 4 s de resposta: ainda estará gerando quando sairmos
    body = {"prompt": ask(marker)}
    # Lê os primeiros tokens (ou espera 1 s, se o servidor acumula a resposta) e vai embora:
    # sair do `with` (ou parar de ler no meio) fecha a conexão.
    with open_sse(api, "POST", "/api/generate", json=body, headers=bearer(token),
                  timeout=httpx.Timeout(5.0, read=1.0)) as stream:
        stream.require_event_stream()
        stream.read_some(min_tokens=2, max_seconds=1.5)
    left_at = time.time()
    entries = upstream_log(llm, nonce, timeout=2.5)
    expect_llm_called(entries, "POST /api/generate")
    last = entries[-1]
    if last["status"] == "running":
        got = f"o LLM continuava gerando {time.time() - left_at:.1f} s depois ({last['tokens_sent']} tokens enviados)"
    else:
        got = f"status {last['status']!r} {last['ended_at'] - left_at:+.2f} s depois, com {last['tokens_sent']} tokens"
    expect(
        last["status"] == "client_closed" and last["ended_at"] - left_at <= 2.0,
        "a chamada ao LLM cancelada em até 2 s depois que o cliente saiu",
        got,
        help="O servidor continuou consumindo o LLM sem ninguém para ler. Deixe o gerador do StreamingResponse "
        "chamar o `astream` (o Starlette cancela o gerador quando o cliente sai); não use uma tarefa de fundo "
        "que ignora a saída, nem `llm.stream()` síncrono. Um agente LangGraph precisa rodar numa tarefa "
        "própria, cancelada no `finally` do gerador.",
    )
