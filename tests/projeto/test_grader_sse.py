"""Testes do leitor de SSE das verificações (common.grader.sse).

Tudo passa por um uvicorn de verdade, num socket de loopback: é assim que o
corretor lê o servidor do aluno. Cada rota imita um estilo correto de servidor
(quadros escritos à mão, fastapi.sse, sse-starlette) ou um servidor hostil.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.sse import EventSourceResponse, ServerSentEvent
from sse_starlette import EventSourceResponse as StarletteEventSourceResponse

from common.grader.checks import CheckFailure
from common.grader.sse import Background, open_sse
from common.sse_data import decode_data
from tests.projeto.uvicorn_thread import serve

app = FastAPI()


def _frames(*frames: bytes, pause: float = 0.0):
    async def generate():
        for frame in frames:
            yield frame
            await asyncio.sleep(pause)

    return StreamingResponse(generate(), media_type="text/event-stream")


@app.get("/manual")
async def manual():
    return _frames(
        b": ping\n\n",
        b"retry: 1000\n\n",  # bloco sem data: não é evento
        b"data:x\n\n",  # sem espaço depois dos dois-pontos
        b"data:  espaco\n\n",  # o segundo espaço é do token
        b"data: linha1\ndata: linha2\n\n",
        b"data: \ndata: \n\n",  # o token "\n"
        b'event: error\ndata: {"detail": "falhou"}\n\n',
        b"data: [DONE]\n\n",
    )


@app.get("/partido")
async def split_frames():
    # Quadros cortados em pedaços arbitrários, inclusive no meio de um CRLF e de um caractere UTF-8.
    wire = "data: olá\r\n\r\ndata: a\r\ndata: b\r\n\r\ndata: [DONE]\r\n\r\n".encode()
    cut = wire.index("\r\n".encode()) + 1
    utf8_cut = wire.index("á".encode()) + 1
    pieces = [wire[:utf8_cut], wire[utf8_cut:cut], wire[cut:]]
    return _frames(*pieces, pause=0.03)


@app.post("/fastapi", response_class=EventSourceResponse)
async def fastapi_style():
    for token in [" Olá", "\n\n", "a\nb", "  dois", '"aspas"']:
        yield token  # o fastapi.sse codifica cada string como JSON
    yield ServerSentEvent(data={"detail": "erro do upstream"}, event="error")
    yield "[DONE]"


@app.get("/fastapi-raw", response_class=EventSourceResponse)
async def fastapi_raw():
    yield ServerSentEvent(raw_data=" um\ndois")
    yield ServerSentEvent(raw_data="[DONE]")


@app.get("/sse-starlette")
async def sse_starlette_style():
    async def generate():
        for token in [" um", "\n", " dois\ntrês"]:
            yield {"data": token}
            await asyncio.sleep(0.12)  # dá tempo para os pings (comentários) aparecerem
        yield {"data": "[DONE]"}

    return StarletteEventSourceResponse(generate(), ping=0.05)


@app.get("/espacado")
async def spaced():
    return _frames(*[f"data: {i}\n\n".encode() for i in range(5)], b"data: [DONE]\n\n", pause=0.1)


@app.get("/sem-fim")
async def endless():
    async def generate():
        while True:
            yield b"data: tique\n\n"
            await asyncio.sleep(0.05)

    return StreamingResponse(generate(), media_type="text/event-stream")


@app.get("/sem-quebra")
async def never_ends_a_line():
    async def generate():
        yield b"data: "
        while True:
            await asyncio.sleep(0.05)
            yield b"x"

    return StreamingResponse(generate(), media_type="text/event-stream")


@app.get("/enorme")
async def huge():
    async def generate():
        block = b"data: " + b"x" * 65536 + b"\n\n"
        while True:
            yield block
            await asyncio.sleep(0)

    return StreamingResponse(generate(), media_type="text/event-stream")


@app.get("/sem-done")
async def closes_without_done():
    return _frames(b"data: a\n\n", b"data: b")  # o último evento não foi terminado: descartado


@app.post("/protegido")
async def protected():
    return JSONResponse({"detail": "Não autenticado"}, status_code=401)


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with serve(app) as url, httpx.Client(base_url=url) as http:
        yield http


def read(client: httpx.Client, path: str, method: str = "GET", **kwargs):
    with open_sse(client, method, path) as stream:
        stream.require_event_stream()
        return stream.read_all(**kwargs)


def test_hand_written_frames_follow_the_spec(client):
    result = read(client, "/manual")
    assert [e.data for e in result.tokens] == ["x", " espaco", "linha1\nlinha2", "\n"]
    assert result.text == "x espacolinha1\nlinha2\n"
    assert result.done
    assert [(e.event, e.data) for e in result.errors] == [("error", '{"detail": "falhou"}')]


def test_frames_split_anywhere_including_crlf_and_utf8(client):
    result = read(client, "/partido")
    assert [e.data for e in result.tokens] == ["olá", "a\nb"]
    assert result.done


def test_fastapi_sse_json_strings_are_decoded(client):
    result = read(client, "/fastapi", method="POST")
    assert result.text == ' Olá\n\na\nb  dois"aspas"'
    assert result.done
    assert [e.data for e in result.errors] == ['{"detail": "erro do upstream"}']


def test_fastapi_sse_raw_data(client):
    result = read(client, "/fastapi-raw")
    assert result.text == " um\ndois"
    assert result.done


def test_sse_starlette_crlf_and_pings(client):
    with open_sse(client, "GET", "/sse-starlette") as stream:
        stream.require_event_stream()
        raw = b""
        for chunk in stream.response.iter_bytes():  # confere que o servidor usou CRLF e mandou pings
            raw += chunk
    assert b"\r\n" in raw and b": ping" in raw
    result = read(client, "/sse-starlette")
    assert result.text == " um\n dois\ntrês"
    assert [e.event for e in result.events] == ["message"] * 4  # pings não viram eventos
    assert result.done


def test_arrival_times_are_recorded_as_events_arrive(client):
    result = read(client, "/espacado")
    arrivals = [e.at for e in result.tokens]
    assert arrivals == sorted(arrivals)
    # o servidor espaça 5 eventos em 0,4 s; mesmo numa máquina carregada chegam espalhados
    assert result.last_at - result.first_at >= 0.2
    assert len(set(arrivals)) >= 3


def test_stream_closed_without_done(client):
    result = read(client, "/sem-done")
    assert not result.done
    assert result.text == "a"  # o evento sem linha em branco no fim é descartado (spec)


@pytest.mark.parametrize("path", ["/sem-fim", "/sem-quebra"])
def test_endless_stream_fails_within_the_time_cap(client, path):
    started = time.monotonic()
    with pytest.raises(CheckFailure, match=r"terminar \(com \[DONE\]\) em até 0.5 s"):
        read(client, path, max_seconds=0.5)
    assert time.monotonic() - started < 3


def test_read_some_stops_early_and_never_fails_on_time(client):
    with open_sse(client, "GET", "/espacado") as stream:
        first = stream.read_some(min_tokens=2, max_seconds=5)
    assert [e.data for e in first] == ["0", "1"]  # parou antes do resto e do [DONE]
    with open_sse(client, "GET", "/sem-fim") as stream:
        some = stream.read_some(min_tokens=10_000, max_seconds=0.3)
    assert some and all(e.data == "tique" for e in some)


def test_background_returns_the_value_or_raises_the_error(client):
    assert Background(read, client, "/fastapi-raw").result(timeout=5).text == " um\ndois"
    endless = Background(read_briefly, client, "/sem-fim")
    with pytest.raises(CheckFailure, match=r"em até 0.3 s"):
        endless.result(timeout=5)


def read_briefly(client: httpx.Client, path: str):
    return read(client, path, max_seconds=0.3)


def test_huge_stream_fails_on_the_byte_cap(client):
    with open_sse(client, "GET", "/enorme", max_bytes=256 * 1024) as stream:
        with pytest.raises(CheckFailure, match="grande demais"):
            stream.read_all(max_seconds=5)


def test_non_sse_answer_is_reported_with_its_body(client):
    with open_sse(client, "POST", "/protegido") as stream:
        assert stream.response.status_code == 401
        with pytest.raises(CheckFailure) as failure:
            stream.require_event_stream()
    message = str(failure.value)
    assert "text/event-stream" in message and "status 401" in message and "Não autenticado" in message


@pytest.mark.parametrize(
    ("data", "expected"),
    [('"[DONE]"', "[DONE]"), ('" a\\nb"', " a\nb"), ("[DONE]", "[DONE]"), ('"x', '"x'), ('"1" "2"', '"1" "2"'),
     ('{"detail": "x"}', '{"detail": "x"}')],
)
def test_decode_data(data, expected):
    assert decode_data(data) == expected
