"""Verificações dos desafios extras do Dia 3 (só rodam com `--extras`; nota à parte do núcleo).

O contrato está no dia03/README.md ("Desafios extras") e no GUIA_APRENDIZADO.md#dia3-extras.
Como no núcleo, cada verificação roteiriza o fake LLM do corretor com um marcador e um nonce
novo, e confere o que chegou pelo stream contra o que o fake LLM registrou (o campo `reply`).

Liberal no estilo, rígido no comportamento:
- eventos nomeados com dados em JSON, escritos à mão, com `fastapi.sse` ou com sse-starlette;
  campos a mais nos dados são aceitos; um `[DONE]` depois do evento final é tolerado;
- qualquer comentário SSE conta como ping;
- os tempos (heartbeat, inatividade) vêm do ambiente que o corretor injeta (launcher.EXTRAS_ENV),
  com margens folgadas para uma máquina de 2 núcleos carregada.

Streams que a verificação precisa derrubar são lidos na thread da própria verificação (sair do
`with` fecha a conexão na hora); só streams que terminam sozinhos rodam em threads de apoio.
"""

from __future__ import annotations

import codecs
import json
import random
import re
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field

import httpx
import pytest
from httpx_sse._decoders import SSELineDecoder

from common.grader.checks import CheckFailure, check, describe_response, expect, expect_status, shown_list
from common.grader.helpers import not_attempted, token_for
from common.grader.httpclient import new_client
from common.grader.sse import Background, SSEStream, StreamTooLong, open_sse
from common.grader.target import new_nonce

FAST = 5  # ms entre tokens quando o ritmo não importa
STREAM_CHAT = "/api/stream/chat"
EVENT_NAMES = {"start", "token", "done", "error", "cancelled"}
ENDINGS = {"done", "error", "cancelled"}
READ_TIMEOUT = httpx.Timeout(10.0, connect=5.0, read=5.0)


# ---------------------------------------------------------------- ajudantes


TYPED = "o stream tipado (start, token e um evento final)"  # aspecto de dia03.extra.eventos_tipados


@pytest.fixture(scope="module")
def token(target) -> str:
    """Um login (aluno) para todos os extras: o argon2 é lento de propósito."""
    return token_for(target, ("aluno", "aluno123"))


@pytest.fixture(scope="module")
def admin_token(target) -> str:
    return token_for(target, ("admin", "admin123"))


@pytest.fixture(scope="module")
def stream_route(target, token) -> httpx.Response:
    """Um POST /api/stream/chat com corpo vazio: 422 se a rota existe, 404/501 se o aluno não a fez."""
    with new_client(target.base_url) as client:
        return client.post(STREAM_CHAT, json={}, headers=bearer(token))


def typed_extra(facets, stream_route: httpx.Response) -> None:
    """Um extra em cima de /api/stream/chat: não tentado sem a rota; pulado se o stream tipado não funciona."""
    not_attempted(stream_route, f"POST {STREAM_CHAT}")
    facets.require(TYPED, owner="dia03.extra.eventos_tipados")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def ask(marker: str) -> str:
    return f"Pergunta do corretor automático. {marker}"


def injected(target, name: str, default: str | None = None) -> float:
    """Um valor que o corretor injetou no servidor (ex.: HEARTBEAT_SECONDS); sem ele, pula."""
    raw = target.env.get(name, default)
    if raw is None:
        pytest.skip(f"pulado: {name} só é conhecido quando o corretor sobe o servidor (não no modo --url)")
    return float(raw)


def finished(llm, nonce: str, count: int = 1, timeout: float = 3.0) -> list[dict]:
    """As requisições ao fake LLM com este nonce, esperando (até `timeout`) `count` delas terminarem."""
    deadline = time.monotonic() + timeout
    while True:
        entries = llm.requests(nonce)
        if len(entries) >= count and all(entry["status"] != "running" for entry in entries):
            return entries
        if time.monotonic() >= deadline:
            return entries
        time.sleep(0.02)


def system_text(entry: dict) -> str:
    """O texto das mensagens de sistema que o LLM recebeu (o prompt do especialista)."""
    return "\n".join(message_text(m) for m in entry["messages"] if m["role"] in ("system", "developer"))


def message_text(message: dict) -> str:
    content = message.get("content")
    if isinstance(content, list):  # conteúdo em partes: [{"type": "text", "text": ...}]
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return content or ""


def conversation(entry: dict) -> list[tuple[str, str]]:
    """As mensagens que o LLM recebeu, sem as de sistema."""
    return [(m["role"], message_text(m)) for m in entry["messages"] if m["role"] not in ("system", "developer")]


# ------------------------------------------------ leitura dos eventos tipados


class PingTap:
    """Envolve a resposta httpx e anota a chegada de cada comentário SSE (`: ping`) que passa.

    O leitor de eventos (common.grader.sse) descarta comentários, como manda a especificação;
    aqui só observamos os mesmos bytes no caminho, sem interpretar o resto.
    """

    def __init__(self, response: httpx.Response) -> None:
        self._response = response
        self._text = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._lines = SSELineDecoder()
        self.pings: list[float] = []

    def __getattr__(self, name: str):
        return getattr(self._response, name)

    def iter_bytes(self) -> Iterator[bytes]:
        for chunk in self._response.iter_bytes():
            now = time.monotonic()
            self.pings += [now for line in self._lines.decode(self._text.decode(chunk)) if line.startswith(":")]
            yield chunk


@dataclass(frozen=True)
class Typed:
    """Um evento de /api/stream/chat: nome, dados (o objeto JSON, ou None) e hora de chegada."""

    event: str
    data: dict | None
    raw: str
    at: float

    def get(self, key: str):
        return self.data.get(key) if self.data else None

    def __str__(self) -> str:
        return f"{self.event}:{self.raw[:80]}"


@dataclass
class TypedStream:
    """Um POST /api/stream/chat aberto: lê os eventos nomeados conforme chegam."""

    sse: SSEStream
    tap: PingTap
    max_seconds: float
    received: list[Typed] = field(default_factory=list)
    closed: bool = False  # o servidor fechou o stream

    def __post_init__(self) -> None:
        self._events = self.sse.events(self.max_seconds)

    @property
    def response(self) -> httpx.Response:
        return self.sse.response

    def next_event(self) -> Typed | None:
        """O próximo evento (o `[DONE]`, tolerado, é pulado); None quando o servidor fecha."""
        try:
            for event in self._events:
                if event.event == "message" and event.data == "[DONE]":
                    continue
                typed = Typed(event.event, _json_object(event.data), event.data, event.at)
                self.received.append(typed)
                return typed
        except StreamTooLong:
            raise CheckFailure(
                f"esperado: o stream de {STREAM_CHAT} fechar depois do evento final (done, error ou cancelled), "
                f"em até {self.max_seconds:g} s; recebido: ainda aberto, com {described(self.received)}"
            ) from None
        self.closed = True
        return None

    def read_to_end(self) -> list[Typed]:
        while self.next_event() is not None:
            pass
        return self.received

    def wait_event(self, name: str) -> Typed:
        """Lê até o evento `name`; falha se o stream acabar (ou outro fim chegar) antes."""
        while (event := self.next_event()) is not None:
            if event.event == name:
                return event
            if event.event in ENDINGS:
                break
        raise CheckFailure(f"esperado: um evento `{name}`; recebido: {described(self.received)}")


def _json_object(data: str) -> dict | None:
    try:
        value = json.loads(data)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def described(events: list[Typed], limit: int = 8) -> str:
    return f"eventos {shown_list(events, limit)}" if events else "nenhum evento"


@contextmanager
def open_typed(client: httpx.Client, body: dict, token: str, max_seconds: float = 8.0,
               require_stream: bool = True) -> Iterator[TypedStream]:
    """Abre POST /api/stream/chat; com require_stream, exige 200 + text/event-stream."""
    with open_sse(client, "POST", STREAM_CHAT, json=body, headers=bearer(token), timeout=READ_TIMEOUT) as raw:
        if require_stream:
            raw.require_event_stream(help=f"{STREAM_CHAT} responde em streaming, com eventos nomeados (`event: token`).")
        tap = PingTap(raw.response)
        yield TypedStream(SSEStream(tap, max_bytes=raw.max_bytes), tap, max_seconds)


def stream_chat(client: httpx.Client, body: dict, token: str, max_seconds: float = 8.0) -> TypedStream:
    """Um stream inteiro, lido até o servidor fechar."""
    with open_typed(client, body, token, max_seconds) as stream:
        stream.read_to_end()
    return stream


def expect_well_typed(stream: TypedStream) -> tuple[Typed, Typed]:
    """Nomes conhecidos, dados em JSON, `start` primeiro, um só fim e por último; devolve (start, fim)."""
    events = stream.received
    unknown = [str(e) for e in events if e.event not in EVENT_NAMES]
    expect(not unknown, "só eventos nomeados start, token, done, error ou cancelled", shown_list(unknown),
           help="Dê nome a cada evento (`event: token`); o texto vai em JSON: `data: {\"token\": \"...\"}`.")
    not_json = [str(e) for e in events if e.data is None]
    expect(not not_json, "dados de todo evento em JSON (um objeto)", shown_list(not_json),
           help="Use json.dumps({...}) nos dados de cada evento.")
    expect(events and events[0].event == "start", "o primeiro evento ser `start`", described(events))
    start = events[0]
    expect(isinstance(start.get("stream_id"), str) and start.get("stream_id") and isinstance(start.get("specialist"), str),
           'start com {"stream_id": "<texto>", "specialist": "<texto>"}', start.raw)
    endings = [e for e in events if e.event in ENDINGS]
    expect(len(endings) == 1 and events[-1] is endings[0],
           "exatamente um evento final (done, error ou cancelled), e nada depois dele", described(events),
           help="Depois do done, do error ou do cancelled, o gerador retorna e o stream fecha.")
    return start, endings[0]


def tokens_of(stream: TypedStream) -> list[str]:
    tokens = [e.get("token") for e in stream.received if e.event == "token"]
    expect(all(isinstance(t, str) for t in tokens), 'todo evento token com {"token": "<texto>"}',
           shown_list(e for e in stream.received if e.event == "token" and not isinstance(e.get("token"), str)))
    return tokens


def expect_ending(ending: Typed, name: str, stream: TypedStream, help: str | None = None) -> None:
    expect(ending.event == name, f"o stream terminar com `{name}`", described(stream.received), help=help)


def side_stream(target, body: dict, token: str, max_seconds: float = 8.0) -> TypedStream:
    """Um stream completo num cliente próprio (para rodar em paralelo com a verificação)."""
    with new_client(target.base_url) as client:
        return stream_chat(client, body, token, max_seconds)


# ---------------------------------------------------------------- verificações

CODE_TOKENS = [
    " Veja", " o", " código", ":\n\n", "```python", "\n", "def dobro(x):\n", "    return 2 * x", "\n", "```",
    "\n\nE", " em", " SQL", ":\n", "```", "sql\nSELECT", " 1;\n", "```", "\n\nSem", " linguagem", ":\n",
    "```\n", "x = 1\n", "```", "\n\nFim", ".",
]
CODE_BLOCKS = ["def dobro(x):\n    return 2 * x", "SELECT 1;", "x = 1"]


@check("dia03.extra.eventos_tipados", points=10, after=["dia03.generate_auth"], hint="extra-eventos_tipados",
       timeout=15, extra=True)
def test_eventos_tipados(api, llm, token, facets, stream_route):
    """/api/stream/chat manda eventos nomeados em JSON: start, token... e done com a resposta e os blocos de código"""
    not_attempted(stream_route, f"POST {STREAM_CHAT}")
    nonce = new_nonce()
    marker, _ = llm.marker(nonce=nonce, tokens=[f"{nonce}:", *CODE_TOKENS], delay_ms=20)
    facets.record(TYPED, False)  # vira True quando start, tokens e done estiverem certos
    stream = stream_chat(api, {"message": ask(marker)}, token)
    entries = finished(llm, nonce)
    expect(entries, f"{STREAM_CHAT} chamar o LLM (o fake LLM do corretor)", "nenhuma requisição chegou ao fake LLM")
    reply, upstream = entries[-1]["reply"], entries[-1]
    start, ending = expect_well_typed(stream)
    tokens = tokens_of(stream)
    expect("".join(tokens) == reply, f"os tokens, juntados, iguais ao que o LLM mandou: {reply!r}", repr("".join(tokens)))
    expect_ending(ending, "done", stream)
    facets.record(TYPED, True)  # o resto (duração, blocos de código...) é só desta verificação
    done = ending.data
    expect(done.get("stream_id") == start.get("stream_id"), "o mesmo stream_id no start e no done",
           f"{start.get('stream_id')!r} e {done.get('stream_id')!r}")
    expect(done.get("response") == reply, f'"response" do done igual à resposta completa: {reply!r}',
           repr(done.get("response")))
    expect(done.get("tokens") == len(tokens), f'"tokens" do done igual ao número de eventos token ({len(tokens)})',
           repr(done.get("tokens")))
    upstream_ms = (upstream["ended_at"] - upstream["received_at"]) * 1000
    elapsed_ms = (time.monotonic() - stream.sse.started_at) * 1000
    duration = done.get("duration_ms")
    expect(isinstance(duration, int | float) and not isinstance(duration, bool)
           and upstream_ms / 2 <= duration <= elapsed_ms + 1000,
           f'"duration_ms" em milissegundos (o LLM levou {upstream_ms:.0f} ms)', repr(duration),
           help="Meça com time.monotonic() do início ao fim do stream e multiplique por 1000.")
    expect(done.get("specialist") == start.get("specialist"), "o mesmo specialist no start e no done",
           f"{start.get('specialist')!r} e {done.get('specialist')!r}")
    expect(done.get("provider") == "principal", '"provider": "principal" (o LLM principal respondeu)',
           repr(done.get("provider")))
    expect(done.get("code_blocks") == CODE_BLOCKS, f'"code_blocks" {CODE_BLOCKS!r}', repr(done.get("code_blocks")),
           help="Extraia os blocos da resposta completa, no fim: o conteúdo entre as cercas ```, sem a linha "
           "da cerca (com a linguagem) e sem a quebra de linha final.")


@check("dia03.extra.heartbeat", points=10, after=["dia03.extra.eventos_tipados"], hint="extra-heartbeat",
       timeout=15, extra=True)
def test_heartbeat(api, llm, token, target, facets, stream_route):
    """Com o LLM em silêncio, o stream manda um comentário `: ping` a cada HEARTBEAT_SECONDS e depois segue"""
    typed_extra(facets, stream_route)
    heartbeat = injected(target, "HEARTBEAT_SECONDS")
    silence = 3 * heartbeat  # o fake LLM espera isto antes do primeiro token
    marker, nonce = llm.marker(n=4, delay_ms=FAST, first_delay_ms=round(silence * 1000))
    stream = stream_chat(api, {"message": ask(marker)}, token)
    _, ending = expect_well_typed(stream)
    first_token = next((e for e in stream.received if e.event == "token"), None)
    expect(first_token, "eventos token depois do silêncio", described(stream.received),
           help="O heartbeat não pode derrubar a leitura do LLM: um asyncio.wait_for direto no próximo token "
           "cancela a chamada no primeiro ping.")
    pings = [at for at in stream.tap.pings if stream.received[0].at <= at <= first_token.at]
    expect(len(pings) >= 2,
           f"pelo menos 2 comentários `: ping` nos {silence:g} s de silêncio antes do 1º token "
           f"(HEARTBEAT_SECONDS={heartbeat:g})", f"{len(pings)} ping(s)",
           help="Enquanto nenhum token chega, mande `: ping\\n\\n` a cada HEARTBEAT_SECONDS.")
    reply = finished(llm, nonce)[-1]["reply"]
    expect_ending(ending, "done", stream)
    expect(ending.get("response") == reply, f"a resposta completa no done depois dos pings: {reply!r}",
           repr(ending.get("response")))


SPECIALIST_CASES = [
    ("app.py", "python"), ("scripts/Util.PY", "python"), ("web/App.tsx", "javascript"), ("index.js", "javascript"),
    ("comp.jsx", "javascript"), ("tipos.ts", "javascript"), ("relatorios/consulta.Sql", "sql"),
    ("notas.txt", "geral"), ("Makefile", "geral"), (None, "geral"),
]


@check("dia03.extra.especialista", points=10, after=["dia03.extra.eventos_tipados"], hint="extra-especialista",
       timeout=20, extra=True)
def test_especialista(api, llm, token, facets, stream_route):
    """A extensão de file_path escolhe o especialista (start, done e o prompt de sistema enviado ao LLM)"""
    typed_extra(facets, stream_route)
    prompts: dict[str, set[str]] = {}
    for file_path, expected in SPECIALIST_CASES:
        marker, nonce = llm.marker(n=2, delay_ms=FAST)
        body = {"message": ask(marker), **({"file_path": file_path} if file_path else {})}
        stream = stream_chat(api, body, token)
        start, ending = expect_well_typed(stream)
        case = f"file_path {file_path!r}" if file_path else "sem file_path"
        expect(start.get("specialist") == expected and ending.get("specialist") == expected,
               f"{case}: specialist {expected!r} no start e no done",
               f"{start.get('specialist')!r} e {ending.get('specialist')!r}",
               help="A extensão escolhe (.py → python; .js/.jsx/.ts/.tsx → javascript; .sql → sql; "
               "o resto → geral), sem diferenciar maiúsculas.")
        entries = finished(llm, nonce)
        expect(entries and system_text(entries[0]).strip(), f"{case}: uma mensagem de sistema (o prompt do especialista) "
               "enviada ao LLM", "nenhuma mensagem de sistema no registro do fake LLM",
               help="Mande o prompt do especialista como SystemMessage antes do histórico.")
        prompts.setdefault(expected, set()).add(system_text(entries[0]))
    same = {name: len(texts) for name, texts in prompts.items() if len(texts) > 1}
    expect(not same, "o mesmo prompt de sistema para o mesmo especialista", f"prompts diferentes em {sorted(same)}")
    distinct = {next(iter(texts)) for texts in prompts.values()}
    expect(len(distinct) == len(prompts), f"um prompt de sistema diferente para cada especialista ({sorted(prompts)})",
           f"{len(distinct)} prompt(s) diferente(s)")


@check("dia03.extra.cancelamento", points=15, after=["dia03.extra.eventos_tipados"], hint="extra-cancelamento",
       timeout=20, extra=True)
def test_cancelamento(api, llm, token, admin_token, facets, stream_route):
    """POST /api/stream/cancel/{id}: 200 para o dono (evento cancelled e o LLM cancelado); 403 e 404 nos outros casos"""
    typed_extra(facets, stream_route)
    # Aqui 404 é resposta do contrato (id desconhecido): só o 501 do template diz "não tentado".
    not_attempted(api.post(f"/api/stream/cancel/{new_nonce()}", headers=bearer(token)), "POST /api/stream/cancel/{id}",
                  codes=(501,))
    marker, _ = llm.marker(n=2, delay_ms=FAST)
    finished_id = expect_well_typed(stream_chat(api, {"message": ask(marker)}, token))[0].get("stream_id")
    unknown_id = f"nao-existe-{new_nonce()}"
    for stream_id, what in ((finished_id, "um stream que já terminou"), (unknown_id, "um id desconhecido")):
        expect_status(api.post(f"/api/stream/cancel/{stream_id}", headers=bearer(token)), 404,
                      help=f"Cancelar {what} dá 404. Tire o stream do registro quando ele termina (no finally).")

    marker, nonce = llm.marker(hang=1)  # o LLM aceita e fica em silêncio: só o cancelamento tira daqui
    with new_client(api.base_url) as client, open_typed(client, {"message": ask(marker)}, token) as stream:
        stream_id = stream.wait_event("start").get("stream_id")
        llm.wait_for(nonce=nonce, timeout=3)
        cancel_url = f"/api/stream/cancel/{stream_id}"
        expect_status(api.post(cancel_url, headers=bearer(admin_token)), 403,
                      help="Só o dono cancela: confira se o usuário do token é quem abriu o stream.")
        response = api.post(cancel_url, headers=bearer(token))
        cancelled_at, answered = time.time(), time.monotonic()
        expect_status(response, 200)
        expect(response.json() == {"cancelled": True}, '{"cancelled": true}', describe_response(response))
        events = stream.read_to_end()
    ending = next((e for e in events if e.event in ENDINGS), None)
    expect(ending is not None and ending.event == "cancelled" and ending.get("stream_id") == stream_id
           and ending.at - answered <= 1.5,
           f'o evento cancelled {{"stream_id": "{stream_id}"}} em até 1,5 s depois do 200', described(events),
           help="O cancelamento precisa acordar o gerador mesmo sem tokens chegando (o LLM estava em silêncio).")
    expect_well_typed(stream)
    entry = finished(llm, nonce, timeout=2.5)[-1]
    expect(entry["status"] == "client_closed" and entry["ended_at"] - cancelled_at <= 2.0,
           "a chamada ao LLM cancelada em até 2 s (o fake LLM vê o cliente sair)",
           f"status {entry['status']!r} no fake LLM",
           help="Cancelar só a resposta não basta: cancele a tarefa (ou a leitura) do astream, que fecha a conexão.")
    expect_status(api.post(cancel_url, headers=bearer(token)), 404, help="Um segundo cancelamento dá 404.")


def status_of(api: httpx.Client, token: str) -> dict:
    response = api.get("/api/stream/status", headers=bearer(token))
    expect_status(response, 200)
    body = response.json()
    keys = {"active_streams", "total_streams", "avg_duration_ms", "total_tokens", "errors"}
    numbers = isinstance(body, dict) and all(
        isinstance(body.get(k), int | float) and not isinstance(body.get(k), bool) for k in keys)
    expect(numbers, f"JSON com os números {sorted(keys)}", describe_response(response))
    return body


def settled_status(api: httpx.Client, token: str, done_when, timeout: float = 3.0) -> dict:
    """Consulta o status até `done_when(status)` (ou o prazo): um stream que acabou pode levar um instante."""
    deadline = time.monotonic() + timeout
    while not done_when(status := status_of(api, token)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return status


def expect_counts(now: dict, before: dict, moment: str, **deltas: int | set[int]) -> None:
    """Cada contador andou o esperado desde `before`; um conjunto aceita mais de uma leitura do contrato."""
    for key, delta in deltas.items():
        allowed = sorted(delta) if isinstance(delta, set) else [delta]
        wanted = " ou ".join(str(before[key] + d) for d in allowed)
        expect(now[key] - before[key] in allowed, f"{moment}: {key} = {wanted} (era {before[key]})",
               f"{key} = {now[key]}",
               help="Todo stream que termina conta uma vez só, no finally: done, error, cancelado ou cliente que saiu.")


# O contrato diz que todo stream encerrado conta em total_streams; não diz que um stream ainda aberto fica
# de fora. As duas leituras valem: total só dos encerrados, ou de todos os que já começaram.
OPEN_MAY_COUNT = {0, 1}


@check("dia03.extra.status", points=10, after=["dia03.extra.eventos_tipados"], hint="extra-status", timeout=20,
       extra=True)
def test_status(api, llm, token, target, facets, stream_route):
    """GET /api/stream/status conta certo streams ativos, encerrados, tokens, erros e a duração média"""
    typed_extra(facets, stream_route)
    not_attempted(api.get("/api/stream/status", headers=bearer(token)), "GET /api/stream/status")
    before = settled_status(api, token, lambda s: s["active_streams"] == 0)
    hang, _ = llm.marker(hang=1)
    complete, complete_nonce = llm.marker(n=5, delay_ms=20)
    failing, failing_nonce = llm.marker(n=6, delay_ms=20, fail_after=2)
    began = time.monotonic()
    with new_client(target.base_url) as client, open_typed(client, {"message": ask(hang)}, token) as held:
        held.wait_event("start")
        expect_counts(status_of(api, token), before, "com um stream aberto", active_streams=1,
                      total_streams=OPEN_MAY_COUNT)
        side = [Background(side_stream, target, {"message": ask(m)}, token) for m in (complete, failing)]
        results = [stream.result(timeout=8) for stream in side]
        expect([expect_well_typed(r)[1].event for r in results] == ["done", "error"],
               "um stream terminar com done e o outro com error", [described(r.received) for r in results])
        seen = sum(len(tokens_of(r)) for r in results)  # os tokens que o servidor mandou nos dois
        middle = status_of(api, token)
        expect_counts(middle, before, "dois streams encerrados e um aberto", active_streams=1,
                      total_streams={2 + n for n in OPEN_MAY_COUNT}, errors=1, total_tokens=seen)
        held_since = held.received[0].at
    held_for = time.monotonic() - held_since
    after = settled_status(api, token, lambda s: s["total_streams"] - before["total_streams"] >= 3)
    expect_counts(after, before, "depois de o cliente do stream aberto desconectar", active_streams=0,
                  total_streams=3, errors=1, total_tokens=seen)
    spans = sum(entry["ended_at"] - entry["received_at"]
                for nonce in (complete_nonce, failing_nonce) for entry in finished(llm, nonce)) * 1000
    added = after["avg_duration_ms"] * after["total_streams"] - before["avg_duration_ms"] * before["total_streams"]
    rounding = after["total_streams"] + 5  # a média pode vir arredondada
    lowest, highest = 0.8 * (spans + held_for * 1000) - rounding, (time.monotonic() - began) * 3000 + 1500 + rounding
    expect(lowest <= added <= highest,
           f"avg_duration_ms coerente: os 3 streams somam entre {lowest:.0f} e {highest:.0f} ms",
           f"a média passou de {before['avg_duration_ms']} para {after['avg_duration_ms']} (soma de {added:.0f} ms)",
           help="Guarde a soma das durações (ms) e o total; a média sai da soma na hora da consulta.")


@check("dia03.extra.limite", points=10, after=["dia03.extra.eventos_tipados"], hint="extra-limite", timeout=20,
       extra=True)
def test_limite(api, llm, token, admin_token, target, facets, stream_route):
    """Além de MAX_STREAMS_PER_USER streams do mesmo usuário, 429 antes de começar; o limite é por usuário"""
    typed_extra(facets, stream_route)
    limit = int(injected(target, "MAX_STREAMS_PER_USER", default="3"))
    slow = {"n": 60, "delay_ms": 100}  # 6 s de tokens: ficam abertos até sairmos
    with ExitStack() as streams:
        opened = []
        for _ in range(limit):
            marker, _ = llm.marker(**slow)
            client = streams.enter_context(new_client(target.base_url))
            stream = streams.enter_context(open_typed(client, {"message": ask(marker)}, token))
            stream.wait_event("start")
            opened.append(stream)
        marker, nonce = llm.marker(**slow)
        with open_typed(api, {"message": ask(marker)}, token, require_stream=False) as extra:
            response = extra.response
            got = f"status {response.status_code}, Content-Type {response.headers.get('content-type', '(nenhum)')}"
            expect(response.status_code == 429 and "text/event-stream" not in response.headers.get("content-type", ""),
                   f"429 (sem stream) no stream nº {limit + 1} do mesmo usuário", got,
                   help="Confira o limite na rota, antes de devolver a StreamingResponse: dentro do gerador o 200 "
                   "já foi enviado.")
            response.read()
        body = response.json()
        expect(isinstance(body, dict) and isinstance(body.get("detail"), str) and body["detail"].strip(),
               'JSON {"detail": "<mensagem>"} no 429', describe_response(response))
        calls = llm.requests(nonce)
        expect(not calls, "nenhuma chamada ao LLM no pedido recusado", f"{len(calls)} chamada(s)")
        other, _ = llm.marker(n=2, delay_ms=FAST)
        with new_client(target.base_url) as client, open_typed(client, {"message": ask(other)}, admin_token) as admin:
            admin.wait_event("start")  # outro usuário não divide o limite do aluno
        generate, _ = llm.marker(n=2, delay_ms=FAST)
        with open_sse(api, "POST", "/api/generate", json={"prompt": ask(generate)}, headers=bearer(token)) as core:
            expect(core.response.status_code == 200, "/api/generate sem limite (o limite é só de /api/stream/chat)",
                   f"status {core.response.status_code}")
        opened[0].response.close()  # o cliente do primeiro stream vai embora: a vaga tem de voltar
        expect(reopened(api, token, llm), "uma vaga livre de novo em até 3 s depois de um stream acabar",
               "429 ainda", help="Libere a vaga no finally do gerador (e também se ele nem chegou a começar).")


def reopened(api: httpx.Client, token: str, llm, timeout: float = 3.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        marker, _ = llm.marker(n=1, delay_ms=FAST)
        with open_typed(api, {"message": ask(marker)}, token, require_stream=False) as stream:
            if stream.response.status_code == 200:
                return True
        time.sleep(0.1)
    return False


@check("dia03.extra.inatividade", points=10, after=["dia03.extra.eventos_tipados"], hint="extra-inatividade",
       timeout=20, extra=True)
def test_inatividade(llm, token, target, facets, stream_route):
    """Sem tokens por STREAM_IDLE_TIMEOUT_SECONDS, o stream termina com error e o LLM é cancelado; um stream lento segue"""
    typed_extra(facets, stream_route)
    idle = injected(target, "STREAM_IDLE_TIMEOUT_SECONDS")
    silent, silent_nonce = llm.marker(hang=1)
    steady, steady_nonce = llm.marker(n=4, delay_ms=round(idle * 350))  # dura 1,4 × idle, sem pausa longa
    streams = [Background(side_stream, target, {"message": ask(m)}, token, idle + 8) for m in (silent, steady)]
    hung, slow = (stream.result(timeout=idle + 10) for stream in streams)

    start, ending = expect_well_typed(hung)
    waited = ending.at - start.at
    expect(ending.event == "error" and isinstance(ending.get("detail"), str),
           f'o stream em silêncio terminar com error {{"detail": ...}} (STREAM_IDLE_TIMEOUT_SECONDS={idle:g})',
           described(hung.received))
    expect(0.7 * idle <= waited <= idle + 2.5, f"o error cerca de {idle:g} s depois do start", f"{waited:.2f} s")
    entry = finished(llm, silent_nonce, timeout=2.5)[-1]
    expect(entry["status"] == "client_closed", "a chamada ao LLM em silêncio cancelada",
           f"status {entry['status']!r} no fake LLM",
           help="Desistir de esperar sem fechar a chamada deixa uma conexão presa.")

    _, ending = expect_well_typed(slow)
    reply = finished(llm, steady_nonce)[-1]["reply"]
    expect(ending.event == "done" and ending.get("response") == reply,
           f"um stream lento ({idle * 1.4:g} s, um token a cada {idle * 0.35:g} s) terminar com done",
           described(slow.received),
           help="Conte o tempo desde o último token, não desde o início do stream.")


def long_history(nonce: str, size: int = 20) -> list[dict]:
    return [{"role": "user" if i % 2 == 0 else "assistant", "content": f"Mensagem {i} ({nonce}-h{i:02d})"}
            for i in range(size)]


@check("dia03.extra.historico", points=5, depends=["dia03.chat_historico"], hint="extra-historico", timeout=15,
       extra=True)
def test_historico(api, llm, token):
    """Com mais de 12 mensagens de histórico, só as últimas 12 vão ao LLM (em /chat e em /api/stream/chat)"""
    for path in ("/chat", STREAM_CHAT):
        marker, nonce = llm.marker(n=2, delay_ms=FAST)
        body = {"message": ask(marker), "history": long_history(nonce)}
        if path == "/chat":
            api.post(path, json=body, headers=bearer(token))
        else:  # só importa o que o LLM recebeu
            with open_typed(api, body, token, require_stream=False) as stream:
                if stream.response.status_code == 200:
                    stream.read_to_end()
        entries = finished(llm, nonce)
        expect(entries, f"POST {path} chamar o LLM", "nenhuma requisição chegou ao fake LLM")
        expected = [(item["role"], item["content"]) for item in body["history"][-12:]] + [("user", body["message"])]
        got = conversation(entries[0])
        expect(got == expected, f"POST {path}: o LLM receber as 12 últimas mensagens do histórico (de 20) e a nova",
               f"{len(got) - 1} mensagem(ns) de histórico: {shown_list((content[-14:] for _, content in got), 14)}",
               help="Corte o histórico (history[-12:]) antes de montar as mensagens, nas duas rotas.")


def arithmetic() -> tuple[str, int]:
    """Uma expressão aleatória com resultado inteiro (a divisão é exata: 6 / 2 é 3, não 3.0)."""
    a, b, c, d = random.randint(11, 99), random.randint(11, 99), random.randint(2, 9), random.randint(1, 9)
    return f"({a} + {b}) * {2 * c} / 2 - {d}", (a + b) * c - d


def exact_number(value: int) -> re.Pattern:
    """O número como dígitos puros: nem 1234.0, nem 1.234, nem parte de outro número."""
    return re.compile(rf"(?<![\d.,]){value}(?![\d]|[.,]\d)")


EVAL_PROBE = "len('fastapi') * 7919"  # com eval daria 55433; uma calculadora segura recusa len(...)


@check("dia03.extra.agente", points=10, depends=["dia03.chat_json"], hint="extra-agente", timeout=20, extra=True)
def test_agente(api, llm, token):
    """/chat com "agent": true usa a ferramenta calculadora: o resultado exato aparece, sem eval e sem vazar no stream"""
    expression, result = arithmetic()
    marker, nonce = llm.marker(delay_ms=FAST)
    body = {"message": f"Quanto é {expression}? Use a calculadora. {marker}", "agent": True}
    response = api.post("/chat", json=body, headers=bearer(token))
    expect_status(response, 200)
    entries = finished(llm, nonce, count=2)
    expect(entries and "calculadora" in entries[0]["tools"], "o LLM receber a ferramenta calculadora",
           entries[0]["tools"] if entries else "nenhuma requisição ao fake LLM",
           help='Com "agent": true, rode create_agent(llm, tools=[calculadora]).')
    tool_results = [message_text(m) for e in entries for m in e["messages"] if m["role"] == "tool"]
    expect(any(exact_number(result).search(text) for text in tool_results),
           f"a calculadora devolver {result} para {expression!r}", repr(tool_results[-1:]),
           help="Avalie com ast (só números e operadores) e formate inteiros sem .0.")
    answer = response.json().get("response") if isinstance(response.json(), dict) else None
    expect(isinstance(answer, str) and exact_number(result).search(answer), f'"response" com o resultado {result}',
           repr(answer))

    expression, result = arithmetic()
    marker, nonce = llm.marker(delay_ms=FAST)
    body = {"message": f"Quanto é {expression}? {marker}", "agent": True, "stream": True}
    with open_sse(api, "POST", "/chat", json=body, headers=bearer(token)) as stream:
        stream.require_event_stream()
        streamed = stream.read_all(8)
    final = finished(llm, nonce, count=2)[-1]["reply"]
    expect(streamed.text == final, f"no stream, só o texto do modelo: {final!r}", repr(streamed.text),
           help="Com stream_mode=\"messages\", pule a mensagem da ferramenta (ToolMessage) e os pedaços sem texto.")
    expect(streamed.done and not any(e.data == "" for e in streamed.tokens), "o [DONE] no fim e nenhum evento vazio",
           f"{len(streamed.events)} eventos, [DONE]: {streamed.done}")

    marker, nonce = llm.marker(delay_ms=FAST, tool_args={"expressao": EVAL_PROBE})
    response = api.post("/chat", json={"message": f"Calcule isto. {marker}", "agent": True}, headers=bearer(token))
    tool_results = [message_text(m) for e in finished(llm, nonce, count=2) for m in e["messages"] if m["role"] == "tool"]
    executed = "55433" in response.text or any("55433" in text for text in tool_results)
    expect(response.status_code != 500 and not executed,
           f"a calculadora recusar {EVAL_PROBE!r} (com eval daria 55433) sem derrubar a rota",
           f"{describe_response(response)}; resultado da ferramenta: {tool_results[-1:]}",
           help="Nunca use eval: interprete a árvore do ast aceitando só números e operadores, e devolva "
           "o erro como texto.")


@check("dia03.extra.fallback", points=10, after=["dia03.extra.eventos_tipados"], hint="extra-fallback", timeout=15,
       extra=True)
def test_fallback(api, llm, fallback_llm, token, facets, stream_route):
    """Se o LLM principal falha antes do 1º token, o reserva (FALLBACK_OPENAI_BASE_URL) responde; depois do 1º, não"""
    typed_extra(facets, stream_route)
    marker, nonce = llm.marker(n=4, delay_ms=FAST, fail="before", fail_on="principal")
    stream = stream_chat(api, {"message": ask(marker)}, token)
    _, ending = expect_well_typed(stream)
    primary, backup = finished(llm, nonce), finished(fallback_llm, nonce)
    expect(primary and primary[0]["status"] == "failed", "o principal ser tentado primeiro (e falhar)",
           f"{len(primary)} pedido(s) no principal")
    expect(backup and backup[-1]["status"] == "completed", "a mesma pergunta repetida no reserva",
           f"{len(backup)} pedido(s) no reserva", help="Com FALLBACK_OPENAI_BASE_URL, repita a chamada lá.")
    expect(ending.event == "done" and ending.get("provider") == "reserva"
           and ending.get("response") == backup[-1]["reply"],
           f'done com "provider": "reserva" e a resposta do reserva ({backup[-1]["reply"]!r})', described(stream.received))

    marker, nonce = llm.marker(n=3, delay_ms=FAST)
    _, ending = expect_well_typed(stream_chat(api, {"message": ask(marker)}, token))
    expect(ending.get("provider") == "principal" and not fallback_llm.requests(nonce),
           'sem falha, "provider": "principal" e nenhum pedido ao reserva',
           f"provider {ending.get('provider')!r}, {len(fallback_llm.requests(nonce))} pedido(s) ao reserva")

    marker, nonce = llm.marker(n=6, delay_ms=FAST, fail_after=2, fail_on="principal")
    stream = stream_chat(api, {"message": ask(marker)}, token)
    _, ending = expect_well_typed(stream)
    sent = finished(llm, nonce)[0]["reply"]
    expect(ending.event == "error" and not fallback_llm.requests(nonce) and "".join(tokens_of(stream)) == sent,
           f"falha depois do 1º token: os tokens do principal ({sent!r}), depois error, sem chamar o reserva",
           f"{described(stream.received)}; {len(fallback_llm.requests(nonce))} pedido(s) ao reserva",
           help="Depois do primeiro token não há volta: repetir no reserva misturaria duas respostas.")
