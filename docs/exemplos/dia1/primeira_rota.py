"""Uma aplicação e uma rota: o que a função devolve vira JSON.

Rode nesta pasta:  python3 -m uvicorn primeira_rota:app --reload --port 8010   (Windows: python -m uvicorn ...)
Depois:            curl http://127.0.0.1:8010/about
"""

from fastapi import FastAPI

app = FastAPI(title="Bloco de notas")


@app.get("/about")  # o método HTTP (GET) e o caminho (/about)
def about() -> dict[str, str]:  # o tipo de retorno também documenta a resposta no /docs
    return {"name": "Bloco de notas", "version": "1.0"}
