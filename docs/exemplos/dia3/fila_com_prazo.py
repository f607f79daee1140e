"""Esperar com prazo sem matar quem produz: o prazo vai na espera da FILA, nunca na leitura da fonte.

Uma fonte que fica calada por um tempo e depois manda três itens. Na raiz do repositório:
    uvicorn fila_com_prazo:app --app-dir docs/exemplos/dia3 --port 8002
    curl -N "http://127.0.0.1:8002/certo?silencio=0.7"    # pings no silêncio, depois os 3 itens
    curl -N "http://127.0.0.1:8002/errado?silencio=0.7"   # um ping e o fim, sem item nenhum
    curl -N "http://127.0.0.1:8002/certo?silencio=3"      # silêncio longo demais: erro
"""

import asyncio
import time
from collections.abc import AsyncIterator

from fastapi import FastAPI, Query
from fastapi.responses import StreamingResponse

from eventos_tipados import evento

app = FastAPI()
PING = ": ping\n\n"  # um comentário SSE: o cliente ignora; proxies veem bytes passando
INTERVALO_PING = 0.2  # segundos de silêncio entre dois pings
DESISTIR = 1.0  # segundos sem item nenhum: o stream termina com erro


async def fonte(silencio: float) -> AsyncIterator[str]:
    await asyncio.sleep(silencio)  # "pensando"
    for n in range(1, 4):
        yield f"item {n}"


async def encher(fila: asyncio.Queue, silencio: float) -> None:
    """A tarefa produtora: só ela lê a fonte; None marca o fim."""
    async for item in fonte(silencio):
        fila.put_nowait(item)
    fila.put_nowait(None)


async def certo(silencio: float) -> AsyncIterator[str]:
    fila: asyncio.Queue = asyncio.Queue()
    produtora = asyncio.create_task(encher(fila, silencio))
    ultimo_item = time.monotonic()
    try:
        while True:
            restante = ultimo_item + DESISTIR - time.monotonic()
            try:
                # O prazo cancela só esta espera; a fonte segue intacta na tarefa produtora.
                async with asyncio.timeout(max(0.0, min(INTERVALO_PING, restante))):
                    item = await fila.get()
            except TimeoutError:
                if time.monotonic() - ultimo_item >= DESISTIR:  # desde o último ITEM: ping não conta
                    yield evento("erro", detail=f"Nada em {DESISTIR:g} s; desisti.")
                    return
                yield PING
                continue
            if item is None:
                yield evento("fim")
                return
            ultimo_item = time.monotonic()
            yield evento("item", item=item)
    finally:
        produtora.cancel()  # desistência ou cliente que saiu: a fonte não segue sozinha


async def errado(silencio: float) -> AsyncIterator[str]:
    itens = fonte(silencio)
    while True:
        try:
            # ERRADO: no prazo, o wait_for CANCELA o próximo item da fonte, e o cancelamento a encerra.
            item = await asyncio.wait_for(anext(itens), timeout=INTERVALO_PING)
        except TimeoutError:
            yield PING
            continue
        except StopAsyncIteration:
            yield evento("fim")
            return
        yield evento("item", item=item)


@app.get("/certo")
async def rota_certa(silencio: float = Query(1.0, ge=0, le=10)) -> StreamingResponse:
    return StreamingResponse(certo(silencio), media_type="text/event-stream")


@app.get("/errado")
async def rota_errada(silencio: float = Query(1.0, ge=0, le=10)) -> StreamingResponse:
    return StreamingResponse(errado(silencio), media_type="text/event-stream")
