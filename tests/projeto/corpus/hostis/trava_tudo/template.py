"""Entrega hostil: aceita toda conexão e nunca responde nada (nem o /health)."""
import asyncio

from fastapi import FastAPI, Request

app = FastAPI()


@app.middleware("http")
async def hang_forever(request: Request, call_next):
    await asyncio.Event().wait()


@app.get("/health")
def health() -> dict:
    return {"status": "ok"}
