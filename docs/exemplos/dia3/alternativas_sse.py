"""A mesma contagem em SSE com as bibliotecas prontas: `fastapi.sse` e sse-starlette.

Na raiz do repositório:
    uvicorn alternativas_sse:app --app-dir docs/exemplos/dia3 --port 8002
    curl -N -i http://127.0.0.1:8002/fastapi-sse
    curl -N -i http://127.0.0.1:8002/sse-starlette
"""

import asyncio
from collections.abc import AsyncIterable, AsyncIterator

from fastapi import FastAPI
from fastapi.sse import EventSourceResponse, ServerSentEvent
from sse_starlette import EventSourceResponse as StarletteEventSourceResponse

app = FastAPI()


@app.get("/fastapi-sse", response_class=EventSourceResponse)
async def com_fastapi_sse() -> AsyncIterable[ServerSentEvent]:
    """A rota é o próprio gerador; o FastAPI escreve o formato e os cabeçalhos."""
    for n in range(3, 0, -1):
        yield ServerSentEvent(raw_data=f"faltam {n}\nsegundos")  # texto cru: várias linhas viram várias `data:`
        await asyncio.sleep(0.1)
    yield ServerSentEvent(event="fim", data="fogo!")  # data= vira JSON: sai "fogo!", com aspas


async def contar() -> AsyncIterator[dict]:
    for n in range(3, 0, -1):
        yield {"data": f"faltam {n}\nsegundos"}
        await asyncio.sleep(0.1)
    yield {"event": "fim", "data": "fogo!"}


@app.get("/sse-starlette")
async def com_sse_starlette() -> StarletteEventSourceResponse:
    return StarletteEventSourceResponse(contar(), ping=15)  # um comentário de ping a cada 15 s de silêncio
