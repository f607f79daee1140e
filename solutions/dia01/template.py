"""Dia 1 — API de prompts em memória (solução de referência).

Rode dentro desta pasta:  uvicorn template:app --reload
Documentação interativa:  http://127.0.0.1:8000/docs
Compare com o exercício:  diff dia01/template.py solutions/dia01/template.py
"""

from datetime import datetime, timezone
from itertools import count
from typing import Annotated

from fastapi import FastAPI, HTTPException, Path, Query, status
from pydantic import BaseModel, Field

from common.api import CourseRoute, error_response
from common.docs import serve_docs_offline

app = FastAPI(title="Dia 1 — API de prompts")
# A rota do curso (common/api.py, pronta): todo corpo malformado (JSON inválido, não UTF-8...) vira
# 422, e o 422 não repete o que o cliente mandou (GUIA_APRENDIZADO.md#dia1-erros).
app.router.route_class = CourseRoute
serve_docs_offline(app)  # /docs sem internet: o Swagger UI vem deste app (common/docs.py)


# Exemplo pronto: a rota mais simples possível. O corretor usa /health para saber
# que o servidor subiu.
@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


# Passo 1 — modelos Pydantic (GUIA_APRENDIZADO.md#dia1-passo1)
# PromptIn é o que o cliente envia; Prompt é o que a API devolve (PromptIn + id e data).
# Os limites do Field viram validação (422 automático) e aparecem na documentação /docs.
class PromptIn(BaseModel):
    title: str = Field(min_length=1, max_length=80)
    text: str = Field(min_length=1, max_length=4000)
    tags: list[str] = []


class Prompt(PromptIn):
    id: int
    created_at: datetime


# Passo 2 — armazenamento em memória (GUIA_APRENDIZADO.md#dia1-passo2)
# Um dict id -> Prompt. Some quando o servidor reinicia: banco de dados fica para depois.
# O dict guarda a ordem de inserção e os ids só crescem, então values() já sai em ordem de id.
prompts_db: dict[int, Prompt] = {}
# Um contador próprio, e não len(prompts_db) + 1: depois de um DELETE o tamanho diminui
# e um id já usado voltaria a aparecer.
prompt_ids = count(start=1)

# Um tipo reutilizável para o {prompt_id} da URL: "abc" vira 422 sem uma linha de código nossa.
PromptId = Annotated[int, Path(description="O id devolvido pelo POST /prompts")]
# O 404 aparece no /docs porque está declarado aqui (o 422 o FastAPI documenta sozinho).
NOT_FOUND = {404: error_response("Prompt não encontrado")}


# Passo 3 — POST /prompts (GUIA_APRENDIZADO.md#dia1-passo3)
@app.post("/prompts", status_code=status.HTTP_201_CREATED)
def create_prompt(body: PromptIn) -> Prompt:
    # 201 Created: o recurso novo existe a partir de agora.
    # created_at em UTC e com fuso: o JSON sai em ISO-8601 ("...Z"), sem ambiguidade de horário.
    prompt = Prompt(id=next(prompt_ids), created_at=datetime.now(timezone.utc), **body.model_dump())
    prompts_db[prompt.id] = prompt
    return prompt


# Passo 4 — GET /prompts com filtros e paginação (GUIA_APRENDIZADO.md#dia1-passo4)
@app.get("/prompts")
def list_prompts(
    tag: str | None = None,
    q: str | None = None,
    # Query(ge=..., le=...) faz o FastAPI recusar limit=0 ou limit=1000 com 422:
    # um cliente não consegue pedir a lista inteira de uma vez.
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[Prompt]:
    prompts = list(prompts_db.values())
    if tag is not None:
        prompts = [p for p in prompts if tag in p.tags]
    if q:
        # casefold() é um lower() mais completo: compara "Olá" com "OLÁ" sem surpresas.
        needle = q.casefold()
        prompts = [p for p in prompts if needle in p.title.casefold() or needle in p.text.casefold()]
    # Paginação depois dos filtros: offset e limit contam só o que passou no filtro.
    return prompts[offset : offset + limit]


# Passo 5 — GET /prompts/{prompt_id} (GUIA_APRENDIZADO.md#dia1-passo5)
def find_prompt(prompt_id: int) -> Prompt:
    """Devolve o prompt ou responde 404. PUT e DELETE reutilizam esta função."""
    if prompt_id not in prompts_db:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"Prompt {prompt_id} não encontrado")
    return prompts_db[prompt_id]


@app.get("/prompts/{prompt_id}", responses=NOT_FOUND)
def read_prompt(prompt_id: PromptId) -> Prompt:
    return find_prompt(prompt_id)


# Passo 6 — PUT /prompts/{prompt_id} (GUIA_APRENDIZADO.md#dia1-passo6)
@app.put("/prompts/{prompt_id}", responses=NOT_FOUND)
def update_prompt(prompt_id: PromptId, body: PromptIn) -> Prompt:
    # model_copy(update=...) troca só os campos do corpo: id e created_at continuam os originais.
    updated = find_prompt(prompt_id).model_copy(update=body.model_dump())
    prompts_db[prompt_id] = updated
    return updated


# Passo 7 — DELETE /prompts/{prompt_id} (GUIA_APRENDIZADO.md#dia1-passo7)
@app.delete("/prompts/{prompt_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND)
def delete_prompt(prompt_id: PromptId) -> None:
    # 204 No Content: deu certo e não há nada a devolver. Com -> None o corpo sai vazio,
    # como o HTTP exige para o 204.
    find_prompt(prompt_id)
    del prompts_db[prompt_id]
