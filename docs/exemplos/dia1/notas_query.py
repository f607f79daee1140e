"""Parâmetros de query: filtros opcionais, limites no Query e a paginação depois dos filtros.

Rode nesta pasta:  python3 -m uvicorn notas_query:app --reload --port 8010   (Windows: python -m uvicorn ...)
Tente:  /notes?q=LEITE   /notes?pinned=true   /notes?limit=2&offset=2   /notes?limit=0 (422)
"""

from typing import Annotated

from fastapi import FastAPI, Query
from pydantic import BaseModel

app = FastAPI(title="Bloco de notas")


class Note(BaseModel):
    number: int
    body: str
    pinned: bool


NOTES = [
    Note(number=1, body="Comprar leite", pinned=True),
    Note(number=2, body="Ligar para a Ana", pinned=False),
    Note(number=3, body="Leite de aveia para o time", pinned=False),
    Note(number=4, body="Revisar o contrato", pinned=True),
    Note(number=5, body="Pagar a conta de luz", pinned=False),
]


@app.get("/notes")
def list_notes(
    pinned: bool | None = None,  # None quer dizer "o cliente não mandou ?pinned="
    q: str | None = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,  # fora de 1..50: 422, sem um if nosso
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[Note]:
    notes = NOTES
    if pinned is not None:
        notes = [note for note in notes if note.pinned == pinned]
    if q:
        needle = q.casefold()  # casefold dos dois lados: "LEITE" acha "Leite"
        notes = [note for note in notes if needle in note.body.casefold()]
    return notes[offset : offset + limit]  # primeiro filtra, depois corta a página
