"""Criar um recurso: 201 Created, um modelo de resposta e o "banco" em memória.

Rode nesta pasta:  python3 -m uvicorn notas_criar:app --reload --port 8010   (Windows: python -m uvicorn ...)
"""

from datetime import datetime, timezone
from itertools import count

from fastapi import FastAPI, status
from pydantic import BaseModel, Field

app = FastAPI(title="Bloco de notas")


class NoteIn(BaseModel):
    body: str = Field(min_length=1, max_length=280)


class Note(NoteIn):
    number: int
    saved_at: datetime


notes_db: dict[int, Note] = {}
note_numbers = count(start=1)


@app.post("/notes", status_code=status.HTTP_201_CREATED)  # sem status_code, o sucesso seria 200
def create_note(note: NoteIn) -> Note:  # -> Note: o FastAPI confere e serializa a saída com ele
    saved = Note(number=next(note_numbers), saved_at=datetime.now(timezone.utc), **note.model_dump())
    notes_db[saved.number] = saved
    return saved


@app.get("/notes")
def list_notes() -> list[Note]:
    return list(notes_db.values())
