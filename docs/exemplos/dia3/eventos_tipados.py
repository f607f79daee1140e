"""Eventos SSE com nome e dados em JSON: início (com um id), um evento por etapa e um resumo no fim.

Um "build" de mentira, em etapas. Na raiz do repositório:
    uvicorn eventos_tipados:app --app-dir docs/exemplos/dia3 --port 8002
    curl -N -X POST http://127.0.0.1:8002/builds
"""

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator

from fastapi import FastAPI
from fastapi.responses import StreamingResponse

app = FastAPI()
ETAPAS = ["instalar", "compilar", "testar"]


def evento(nome: str, **dados: object) -> str:
    """`event: <nome>` e os dados em JSON numa linha `data:` só (o JSON escapa as quebras de linha)."""
    return f"event: {nome}\ndata: {json.dumps(dados, ensure_ascii=False)}\n\n"


async def build(build_id: str) -> AsyncIterator[str]:
    inicio = time.monotonic()  # monotônico: o relógio de parede pode pular (NTP, horário de verão)
    yield evento("start", build_id=build_id)  # primeiro, antes do trabalho: o cliente já tem o id
    feitas = []
    for etapa in ETAPAS:
        await asyncio.sleep(0.2)  # o trabalho da etapa
        feitas.append(etapa)
        yield evento("etapa", etapa=etapa)
    # O resumo sai do que foi MANDADO, e é o último evento: depois dele, o gerador acaba e o stream fecha.
    yield evento("done", build_id=build_id, etapas=feitas, duration_ms=round((time.monotonic() - inicio) * 1000))


@app.post("/builds")
async def novo_build() -> StreamingResponse:
    return StreamingResponse(build(uuid.uuid4().hex), media_type="text/event-stream")
