"""Dia 1 — API de prompts em memória (exercício).

Rode dentro desta pasta:  uvicorn template:app --reload
Documentação interativa:  http://127.0.0.1:8000/docs
Siga os passos "TODO N" na ordem; cada um corresponde a um passo do guia
(GUIA_APRENDIZADO.md, "Passo a passo do Dia 1"). Os imports já estão prontos.
Cada TODO diz o objetivo, o contrato e o conceito a usar; o código é seu.
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
# dica, em vez de derrubar o servidor. Escreva o código de cada passo NO LUGAR da linha
# `raise todo(...)` dele e apague essa linha: enquanto ela existir, a rota responde 501 e
# nada do que vier depois dela roda. Terminou todos os passos? Pode apagar esta função.
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
# TODO 1: escreva o contrato em dois modelos, para o FastAPI validar a entrada e formatar a saída.
#   Objetivo: PromptIn é o corpo que o cliente envia (no POST e no PUT); Prompt é o que a API devolve.
#   Contrato: title com 1 a 80 caracteres e text com 1 a 4000 (fora disso, 422); tags é opcional
#     e vale [] quando omitido. Prompt tem os campos de PromptIn e mais dois, que só o servidor
#     decide: id (inteiro) e created_at (data e hora).
#   Conceito: limites de tamanho declarados no campo (Field do Pydantic) e herança entre modelos.
#     GUIA_APRENDIZADO.md#dia1-passo1
class PromptIn(BaseModel):
    title: str
    text: str
    tags: list[str] = []


class Prompt(PromptIn):
    pass


# Passo 2 — armazenamento em memória (GUIA_APRENDIZADO.md#dia1-passo2)
# TODO 2: crie aqui o "banco" em memória: onde os prompts ficam e de onde vem o próximo id.
#   Objetivo: prompts_db guarda cada Prompt pelo seu id; prompt_ids fornece os ids novos.
#   Contrato: os ids começam em 1 e só crescem; o id de um prompt apagado nunca volta.
#     (Por isso len(prompts_db) + 1 não serve: o que ele vale depois de um DELETE?)
#   Conceito: um dict comum e um contador do itertools (count, já importado).
#     GUIA_APRENDIZADO.md#dia1-passo2

# Um tipo reutilizável para o {prompt_id} da URL: "abc" vira 422 sem uma linha de código nossa.
PromptId = Annotated[int, Path(description="O id devolvido pelo POST /prompts")]
# O 404 aparece no /docs porque está declarado aqui (o 422 o FastAPI documenta sozinho).
NOT_FOUND = {404: error_response("Prompt não encontrado")}


# Passo 3 — POST /prompts (GUIA_APRENDIZADO.md#dia1-passo3)
@app.post("/prompts")
def create_prompt(body: PromptIn) -> Prompt:
    # TODO 3: crie o prompt a partir do corpo, guarde-o e devolva-o.
    #   Contrato: 201 Created (não 200) com o prompt completo: os campos do corpo, o próximo id
    #     do contador e created_at com o instante da criação, com fuso (UTC).
    #   Conceito: o status de sucesso é declarado no decorador; o modelo de saída é montado com
    #     os campos do modelo de entrada mais os do servidor. GUIA_APRENDIZADO.md#dia1-passo3
    #   Troque a linha raise todo(...) abaixo pelo seu código.
    raise todo(3, "POST /prompts")


# Passo 4 — GET /prompts com filtros e paginação (GUIA_APRENDIZADO.md#dia1-passo4)
@app.get("/prompts")
def list_prompts(
    tag: str | None = None,
    q: str | None = None,
    limit: int = 20,
    offset: int = 0,
) -> list[Prompt]:
    # TODO 4: devolva os prompts em ordem de id, filtrados e paginados.
    #   Contrato: tag traz só os prompts que têm exatamente essa tag; q traz os que contêm o
    #     trecho no title ou no text, sem diferenciar maiúsculas; a página (offset, limit) é
    #     cortada DEPOIS dos filtros. limit vai de 1 a 100 (padrão 20) e offset é >= 0
    #     (padrão 0): fora disso, 422.
    #   Conceito: os limites ficam na declaração dos parâmetros (Annotated e Query), não num
    #     if; comparação sem maiúsculas com casefold. GUIA_APRENDIZADO.md#dia1-passo4
    #   Troque a linha raise todo(...) abaixo pelo seu código.
    raise todo(4, "GET /prompts")


# Passo 5 — GET /prompts/{prompt_id} (GUIA_APRENDIZADO.md#dia1-passo5)
def find_prompt(prompt_id: int) -> Prompt:
    """Devolve o prompt ou responde 404. PUT e DELETE reutilizam esta função."""
    # TODO 5: devolva o prompt guardado com esse id.
    #   Contrato: id que não existe responde 404 com {"detail": "<mensagem em português>"}.
    #   Conceito: um erro HTTP é uma exceção do FastAPI (HTTPException). O GET, o PUT e o
    #     DELETE por id passam todos por esta função. GUIA_APRENDIZADO.md#dia1-passo5
    #   Troque a linha raise todo(...) abaixo pelo seu código.
    raise todo(5, "GET /prompts/{prompt_id} (função find_prompt)")


@app.get("/prompts/{prompt_id}", responses=NOT_FOUND)
def read_prompt(prompt_id: PromptId) -> Prompt:
    return find_prompt(prompt_id)


# Passo 6 — PUT /prompts/{prompt_id} (GUIA_APRENDIZADO.md#dia1-passo6)
@app.put("/prompts/{prompt_id}", responses=NOT_FOUND)
def update_prompt(prompt_id: PromptId, body: PromptIn) -> Prompt:
    # TODO 6: troque o conteúdo do prompt pelo do corpo e devolva-o atualizado.
    #   Contrato: 200 com title, text e tags novos e o MESMO id e created_at; o GET seguinte
    #     mostra a mudança; id que não existe dá 404 (reaproveite o passo 5).
    #   Conceito: uma cópia do modelo com só alguns campos trocados (model_copy do Pydantic).
    #     GUIA_APRENDIZADO.md#dia1-passo6
    #   Troque a linha raise todo(...) abaixo pelo seu código.
    raise todo(6, "PUT /prompts/{prompt_id}")


# Passo 7 — DELETE /prompts/{prompt_id} (GUIA_APRENDIZADO.md#dia1-passo7)
@app.delete("/prompts/{prompt_id}", responses=NOT_FOUND)
def delete_prompt(prompt_id: PromptId) -> None:
    # TODO 7: apague o prompt.
    #   Contrato: 204 No Content, com o corpo vazio; id que não existe dá 404 (passo 5); depois,
    #     o GET do mesmo id dá 404.
    #   Conceito: o status de sucesso no decorador; uma função que não devolve nada (-> None)
    #     faz o 204 sair sem corpo. GUIA_APRENDIZADO.md#dia1-passo7
    #   Troque a linha raise todo(...) abaixo pelo seu código.
    raise todo(7, "DELETE /prompts/{prompt_id}")
