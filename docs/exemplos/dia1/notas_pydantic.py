"""Modelos Pydantic: o que o cliente envia (NoteIn) e o que a API devolve (Note).

Rode nesta pasta:  python3 -m uvicorn notas_pydantic:app --reload --port 8010   (Windows: python -m uvicorn ...)
"""

from datetime import datetime, timezone

from fastapi import FastAPI
from pydantic import BaseModel, Field

app = FastAPI(title="Bloco de notas")


class NoteIn(BaseModel):
    """O corpo que o cliente envia. Fora destas regras, o FastAPI responde 422 sozinho."""

    body: str = Field(min_length=1, max_length=280)
    pinned: bool = False  # opcional: sem ele no JSON, vale False
    labels: list[str] = []  # num modelo Pydantic, cada nota ganha a sua própria lista


class Note(NoteIn):
    """A resposta: tudo o que NoteIn tem, mais o que só o servidor decide."""

    number: int
    saved_at: datetime  # sai no JSON como texto ISO 8601


@app.post("/notes/preview")
def preview_note(note: NoteIn) -> Note:
    """Mostra como a nota ficaria salva, sem guardar nada."""
    return Note(number=1, saved_at=datetime.now(timezone.utc), **note.model_dump())
