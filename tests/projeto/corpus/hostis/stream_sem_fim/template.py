"""Entrega hostil (Dia 3): login funciona, mas todo stream é infinito e nunca manda [DONE]."""
import asyncio

from fastapi import FastAPI, Request
from fastapi.responses import StreamingResponse

from common.auth import CurrentUser, router

app = FastAPI()
app.include_router(router)


@app.get("/health")
def health() -> dict:
    return {"status": "ok"}


async def endless():
    piece = "x" * 1024
    while True:
        yield f"data: {piece}\n\n"
        await asyncio.sleep(0)  # cede o loop, mas manda o mais rápido que o socket aceitar


@app.post("/api/generate")
async def generate(request: Request, user: CurrentUser) -> StreamingResponse:
    return StreamingResponse(endless(), media_type="text/event-stream")


@app.post("/chat")
async def chat(request: Request, user: CurrentUser) -> StreamingResponse:
    return StreamingResponse(endless(), media_type="text/event-stream")
