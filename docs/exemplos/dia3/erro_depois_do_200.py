"""Erros depois do 200: o status já saiu, então a falha vira um evento, e o stream termina direito.

Um sensor que falha na terceira leitura. Na raiz do repositório:
    uvicorn erro_depois_do_200:app --app-dir docs/exemplos/dia3 --port 8002
    curl -N http://127.0.0.1:8002/leituras              # leitura, leitura, erro, fim
    curl -N http://127.0.0.1:8002/leituras-sem-tratar   # duas leituras e a conexão cortada
"""

import asyncio
from collections.abc import AsyncIterator

from fastapi import FastAPI
from fastapi.responses import StreamingResponse

from sse_termometro import evento  # o formatador do exemplo anterior

app = FastAPI()


class SensorFalhou(Exception):
    """O erro que este serviço sabe tratar (como os erros do provedor no Dia 3)."""


async def ler_sensor() -> AsyncIterator[float]:
    for n in range(1, 6):
        if n == 3:
            raise SensorFalhou("o sensor parou de responder")
        await asyncio.sleep(0.1)
        yield 20.0 + n


async def com_tratamento() -> AsyncIterator[str]:
    try:
        async for celsius in ler_sensor():
            yield evento("leitura", {"celsius": celsius})
    except SensorFalhou:  # só o erro esperado: um bug seu não vira "o sensor falhou"
        yield evento("erro", {"detail": "O sensor falhou. Tente de novo em instantes."})
    yield evento("fim", {})  # sempre: o cliente sabe que acabou, e como


async def sem_tratamento() -> AsyncIterator[str]:
    async for celsius in ler_sensor():
        yield evento("leitura", {"celsius": celsius})
    yield evento("fim", {})


@app.get("/leituras")
async def leituras() -> StreamingResponse:
    return StreamingResponse(com_tratamento(), media_type="text/event-stream")


@app.get("/leituras-sem-tratar")
async def leituras_sem_tratar() -> StreamingResponse:
    return StreamingResponse(sem_tratamento(), media_type="text/event-stream")
