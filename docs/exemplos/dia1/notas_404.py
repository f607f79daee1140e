"""Parâmetro de caminho e 404: o tipo valida o caminho, e HTTPException responde o erro.

Rode nesta pasta:  python3 -m uvicorn notas_404:app --reload --port 8010   (Windows: python -m uvicorn ...)
Tente:  /notes/1   /notes/99 (404)   /notes/abc (422)
"""

from typing import Annotated

from fastapi import FastAPI, HTTPException, Path, status

app = FastAPI(title="Bloco de notas")

notes_db: dict[int, str] = {1: "Comprar pão", 2: "Ligar para a Ana"}

# Um tipo reutilizável: "abc" no caminho vira 422 antes de a função rodar.
NoteNumber = Annotated[int, Path(description="O número da nota")]


def find_note(number: int) -> str:
    """Devolve a nota ou responde 404. Toda rota que recebe um número usa esta função."""
    if number not in notes_db:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"Nota {number} não encontrada")
    return notes_db[number]


@app.get("/notes/{number}")
def read_note(number: NoteNumber) -> dict[str, int | str]:
    return {"number": number, "body": find_note(number)}
