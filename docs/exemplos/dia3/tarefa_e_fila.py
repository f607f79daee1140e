"""Uma tarefa produtora, uma fila e um registro: cancelar um stream a partir de OUTRA requisição.

Um download lento, em partes. Na raiz do repositório, e depois em dois terminais:
    uvicorn tarefa_e_fila:app --app-dir docs/exemplos/dia3 --port 8002
    curl -N -X POST http://127.0.0.1:8002/downloads                   # anote o id do evento start
    curl -X POST http://127.0.0.1:8002/downloads/<id>/cancelar
"""

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from fastapi import FastAPI, HTTPException
from fastapi.responses import StreamingResponse

from eventos_tipados import evento  # o formatador do exemplo dos eventos tipados

app = FastAPI()
PARTE, FIM, CANCELADO = "parte", "fim", "cancelado"  # o que vai na fila


@dataclass
class Download:
    id: str = field(default_factory=lambda: uuid.uuid4().hex)  # impossível de adivinhar
    fila: asyncio.Queue = field(default_factory=asyncio.Queue)
    produtor: asyncio.Task | None = None  # guarde a tarefa: o asyncio só a referencia fracamente


ativos: dict[str, Download] = {}
fontes_fechadas: list[str] = []  # para conferir que cancelar fechou a fonte (GET /fontes-fechadas)


async def fonte(download: Download) -> AsyncIterator[str]:
    """A leitura lenta (no Dia 3, o astream do LLM). O `finally` é onde a conexão fecharia."""
    try:
        for n in range(1, 101):
            await asyncio.sleep(0.2)
            yield f"parte {n}"
    finally:
        fontes_fechadas.append(download.id)


async def produzir(download: Download) -> None:
    """A tarefa produtora: lê a fonte e põe cada parte na fila."""
    async for parte in fonte(download):
        download.fila.put_nowait((PARTE, parte))
    download.fila.put_nowait((FIM, None))


async def transmitir(download: Download) -> AsyncIterator[str]:
    """O gerador do stream: espera a fila e transforma cada item num evento."""
    try:
        yield evento("start", id=download.id)
        download.produtor = asyncio.create_task(produzir(download))
        while True:
            tipo, valor = await download.fila.get()
            if tipo == PARTE:
                yield evento("parte", parte=valor)
                continue
            yield evento("cancelled" if tipo == CANCELADO else "done", id=download.id)
            return
    finally:  # termine como terminar (fim, cancelado, cliente que saiu): a fonte não segue sozinha
        if download.produtor is not None:
            download.produtor.cancel()
        ativos.pop(download.id, None)


@app.post("/downloads")
async def novo_download() -> StreamingResponse:
    download = Download()
    ativos[download.id] = download
    return StreamingResponse(transmitir(download), media_type="text/event-stream")


@app.post("/downloads/{download_id}/cancelar")
async def cancelar(download_id: str) -> dict[str, bool]:
    download = ativos.pop(download_id, None)  # sai do registro já: um segundo cancelamento dá 404
    if download is None:
        raise HTTPException(404, "Download desconhecido ou já encerrado.")
    if download.produtor is not None:
        download.produtor.cancel()  # o CancelledError atravessa a fonte, que fecha agora
    download.fila.put_nowait((CANCELADO, None))  # acorda o gerador, que pode estar esperando a fila
    return {"cancelado": True}


@app.get("/fontes-fechadas")
async def listar_fontes_fechadas() -> list[str]:
    return fontes_fechadas
