"""Entrega hostil (Dia 1): toda rota, menos /health, responde 50 MB."""
from fastapi import FastAPI, Request
from fastapi.responses import Response

app = FastAPI()
HUGE = b"[" + b"0," * (25 * 1024 * 1024) + b"0]"  # ~50 MB de JSON válido


@app.get("/health")
def health() -> dict:
    return {"status": "ok"}


@app.api_route("/{path:path}", methods=["GET", "POST", "PUT", "DELETE"])
def huge(path: str, request: Request) -> Response:
    return Response(HUGE, media_type="application/json")
