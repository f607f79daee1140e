"""Atualizar sem perder o que é do servidor: model_copy(update=...) troca só alguns campos.

Rode:  python3 notas_model_copy.py   (Windows: python notas_model_copy.py)
"""

from datetime import datetime, timezone

from pydantic import BaseModel


class NoteIn(BaseModel):
    body: str
    pinned: bool = False


class Note(NoteIn):
    number: int
    saved_at: datetime


saved = Note(number=7, saved_at=datetime(2025, 3, 1, 9, 30, tzinfo=timezone.utc), body="Comprar pão")
change = NoteIn(body="Comprar pão e café", pinned=True)  # o que chegaria no corpo de um PUT

updated = saved.model_copy(update=change.model_dump())  # uma cópia: `saved` continua igual
print("antes: ", saved.model_dump_json())
print("depois:", updated.model_dump_json())
