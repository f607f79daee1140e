"""Dia 1 — API de prompts em memória (exercício).

Rode dentro desta pasta:  uvicorn template:app --reload
Documentação interativa:  http://127.0.0.1:8000/docs
Siga os passos "TODO N" na ordem; cada um corresponde a um passo do guia
(GUIA_APRENDIZADO.md, "Passo a passo do Dia 1"). Os imports já estão prontos.
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


# Andaime do exercício: uma rota ainda não feita responde 501 (Not Implemented) com uma
# dica, em vez de derrubar o servidor. Terminou todos os passos? Pode apagar esta função.
def todo(step: int, what: str) -> HTTPException:
    return HTTPException(
        status.HTTP_501_NOT_IMPLEMENTED,
        f"TODO {step}: implemente {what} — veja GUIA_APRENDIZADO.md#dia1-passo{step}",
    )


# Exemplo pronto: a rota mais simples possível. O corretor usa /health para saber
# que o servidor subiu.
@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


# Passo 1 — modelos Pydantic (GUIA_APRENDIZADO.md#dia1-passo1)
# TODO 1: PromptIn é o que o cliente envia; Prompt é o que a API devolve.
#   - Em PromptIn, limite o tamanho com Field: title de 1 a 80 caracteres, text de 1 a 4000.
#     Com isso o FastAPI responde 422 sozinho quando o corpo é inválido.
#   - Prompt herda de PromptIn e acrescenta id (int) e created_at (datetime).
class PromptIn(BaseModel):
    title: str
    text: str
    tags: list[str] = []


class Prompt(PromptIn):
    pass


# Passo 2 — armazenamento em memória (GUIA_APRENDIZADO.md#dia1-passo2)
# TODO 2: crie o "banco" em memória:
#   - prompts_db: um dict[int, Prompt] vazio, que guarda cada prompt pelo seu id;
#   - prompt_ids = count(start=1): cada next(prompt_ids) devolve o próximo id (1, 2, 3...).
#     Por que não len(prompts_db) + 1? Pense no que acontece depois de um DELETE.

# Um tipo reutilizável para o {prompt_id} da URL: "abc" vira 422 sem uma linha de código nossa.
PromptId = Annotated[int, Path(description="O id devolvido pelo POST /prompts")]
# O 404 aparece no /docs porque está declarado aqui (o 422 o FastAPI documenta sozinho).
NOT_FOUND = {404: error_response("Prompt não encontrado")}


# Passo 3 — POST /prompts (GUIA_APRENDIZADO.md#dia1-passo3)
@app.post("/prompts")
def create_prompt(body: PromptIn) -> Prompt:
    # TODO 3: crie um Prompt com o próximo id, created_at = datetime.now(timezone.utc)
    # e os campos do corpo (body.model_dump()); guarde-o em prompts_db e devolva-o.
    # Um recurso criado responde 201: use status_code no decorador.
    raise todo(3, "POST /prompts")


# Passo 4 — GET /prompts com filtros e paginação (GUIA_APRENDIZADO.md#dia1-passo4)
@app.get("/prompts")
def list_prompts(
    tag: str | None = None,
    q: str | None = None,
    limit: int = 20,
    offset: int = 0,
) -> list[Prompt]:
    # TODO 4: devolva os prompts em ordem de id, aplicando nesta ordem:
    #   - tag: só os que têm essa tag;  q: texto contido no title ou no text, sem
    #     diferenciar maiúsculas (casefold);  depois a fatia [offset : offset + limit].
    # Limites: limit de 1 a 100 e offset >= 0, com Annotated[int, Query(ge=..., le=...)].
    raise todo(4, "GET /prompts")


# Passo 5 — GET /prompts/{prompt_id} (GUIA_APRENDIZADO.md#dia1-passo5)
def find_prompt(prompt_id: int) -> Prompt:
    """Devolve o prompt ou responde 404. PUT e DELETE reutilizam esta função."""
    # TODO 5: se o id não está em prompts_db, levante HTTPException com status 404
    # e uma mensagem em português; senão, devolva o prompt.
    raise todo(5, "GET /prompts/{prompt_id} (função find_prompt)")


@app.get("/prompts/{prompt_id}", responses=NOT_FOUND)
def read_prompt(prompt_id: PromptId) -> Prompt:
    return find_prompt(prompt_id)


# Passo 6 — PUT /prompts/{prompt_id} (GUIA_APRENDIZADO.md#dia1-passo6)
@app.put("/prompts/{prompt_id}", responses=NOT_FOUND)
def update_prompt(prompt_id: PromptId, body: PromptIn) -> Prompt:
    # TODO 6: ache o prompt atual com find_prompt (404 se não existe) e troque o conteúdo
    # pelo do corpo, mantendo o mesmo id e o mesmo created_at. Devolva o prompt novo.
    raise todo(6, "PUT /prompts/{prompt_id}")


# Passo 7 — DELETE /prompts/{prompt_id} (GUIA_APRENDIZADO.md#dia1-passo7)
@app.delete("/prompts/{prompt_id}", responses=NOT_FOUND)
def delete_prompt(prompt_id: PromptId) -> None:
    # TODO 7: remova o prompt (404 se não existe) e responda 204 com o corpo vazio:
    # status_code no decorador e nenhum return.
    raise todo(7, "DELETE /prompts/{prompt_id}")
