"""204 No Content: deu certo e não há corpo. Status no decorador, e a função não devolve nada.

Rode nesta pasta:  python3 -m uvicorn notas_204:app --reload --port 8010   (Windows: python -m uvicorn ...)
Tente:  curl -i -X DELETE http://127.0.0.1:8010/notes/1   (204; repita: 404)
"""

from fastapi import FastAPI, HTTPException, status

app = FastAPI(title="Bloco de notas")

notes_db: dict[int, str] = {1: "Comprar pão", 2: "Ligar para a Ana"}


@app.delete("/notes/{number}", status_code=status.HTTP_204_NO_CONTENT)
def delete_note(number: int) -> None:  # -> None: o 204 sai sem corpo, como o HTTP exige
    if number not in notes_db:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"Nota {number} não encontrada")
    del notes_db[number]
