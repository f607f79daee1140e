"""Entrega hostil: o /health responde 200 e depois manda bytes para sempre (nunca termina o corpo)."""
import asyncio

from fastapi import FastAPI
from fastapi.responses import StreamingResponse

app = FastAPI()


async def endless():
    while True:
        yield b"x" * 65536
        await asyncio.sleep(0)


@app.get("/health")
async def health() -> StreamingResponse:
    return StreamingResponse(endless(), media_type="application/json")
