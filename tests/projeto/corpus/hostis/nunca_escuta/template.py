"""Entrega hostil: o lifespan nunca termina, então o uvicorn nunca abre a porta."""
import asyncio
from contextlib import asynccontextmanager

from fastapi import FastAPI


@asynccontextmanager
async def lifespan(app: FastAPI):
    await asyncio.Event().wait()  # espera para sempre
    yield


app = FastAPI(lifespan=lifespan)


@app.get("/health")
def health() -> dict:
    return {"status": "ok"}
