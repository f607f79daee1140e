"""Um gerador assíncrono transmitido com StreamingResponse: uma contagem regressiva, uma linha por vez.

Na raiz do repositório:  uvicorn contagem_stream:app --app-dir docs/exemplos/dia3 --port 8002
Em outro terminal:       curl -N "http://127.0.0.1:8002/contagem?de=5"
"""

import asyncio
from collections.abc import AsyncIterator

from fastapi import FastAPI, Query
from fastapi.responses import StreamingResponse

app = FastAPI()


async def contar(de: int, intervalo: float) -> AsyncIterator[str]:
    """Um número por linha, de `de` até 1, e "fogo!" no fim."""
    for n in range(de, 0, -1):
        yield f"{n}\n"
        await asyncio.sleep(intervalo)  # espera sem bloquear: o servidor atende outros pedidos enquanto isso
    yield "fogo!\n"


@app.get("/contagem")
async def contagem(de: int = Query(5, ge=1, le=60), intervalo: float = Query(0.5, ge=0, le=5)) -> StreamingResponse:
    # A resposta não espera o gerador acabar: cada `yield` sai pela rede assim que é produzido.
    return StreamingResponse(contar(de, intervalo), media_type="text/plain")
