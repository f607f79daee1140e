"""O formato SSE escrito à mão: eventos com nome, dados em JSON, um comentário e um evento de fim.

Um termômetro que manda uma leitura a cada intervalo. Na raiz do repositório:
    uvicorn sse_termometro:app --app-dir docs/exemplos/dia3 --port 8002
    curl -N "http://127.0.0.1:8002/temperaturas?leituras=3"
"""

import asyncio
import json
import random
from collections.abc import AsyncIterator

from fastapi import FastAPI, Query
from fastapi.responses import StreamingResponse

app = FastAPI()


def evento(nome: str, dados: dict) -> str:
    """`event:`, uma linha `data:` e a linha em branco que fecha o evento.

    Uma linha `data:` só basta porque o json.dumps escapa as quebras de linha (vira "\\n").
    """
    return f"event: {nome}\ndata: {json.dumps(dados, ensure_ascii=False)}\n\n"


async def medir(leituras: int, intervalo: float) -> AsyncIterator[str]:
    yield ": termômetro ligado\n\n"  # um comentário: o cliente ignora
    for n in range(1, leituras + 1):
        await asyncio.sleep(intervalo)
        yield evento("leitura", {"n": n, "celsius": round(random.uniform(18, 26), 1)})
    yield evento("fim", {"leituras": leituras})  # o cliente sabe que acabou de propósito


@app.get("/temperaturas")
async def temperaturas(leituras: int = Query(3, ge=1, le=100), intervalo: float = Query(0.5, ge=0, le=5)):
    return StreamingResponse(medir(leituras, intervalo), media_type="text/event-stream")
