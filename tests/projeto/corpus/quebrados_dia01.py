"""Entregas quebradas do Dia 1: a solução de referência com UM defeito cada.

Pelo menos uma por verificação de tests/dia01. `fails` lista exatamente o que deve falhar;
o resto passa ou é pulado como dependente.
"""

from . import Broken

DAY = "dia01"

ENTRIES: list[Broken] = [
    Broken(
        name="d1_health_errado",
        day=DAY,
        defect='/health responde {"status": "OK"} (o exemplo pronto foi alterado)',
        patches=(('    return {"status": "ok"}', '    return {"status": "OK"}'),),
        fails={"dia01.servidor_sobe": "dia1-conceitos"},
    ),
    Broken(
        name="d1_post_200",
        day=DAY,
        defect="POST /prompts responde 200 em vez de 201",
        patches=(('@app.post("/prompts", status_code=status.HTTP_201_CREATED)', '@app.post("/prompts")'),),
        fails={"dia01.criar_prompt": "dia1-passo3"},
    ),
    Broken(
        name="d1_sem_created_at",
        day=DAY,
        defect="created_at vira um texto que não é data ISO-8601",
        patches=(
            ("    created_at: datetime\n", "    created_at: str\n"),
            ("created_at=datetime.now(timezone.utc), **body", 'created_at=datetime.now(timezone.utc).strftime("%d/%m/%Y %H:%M"), **body'),
        ),
        fails={"dia01.criar_prompt": "dia1-passo3"},
    ),
    Broken(
        name="d1_title_sem_limite",
        day=DAY,
        defect="title sem max_length=80: um título de 81 caracteres é aceito",
        patches=(("    title: str = Field(min_length=1, max_length=80)", "    title: str = Field(min_length=1)"),),
        fails={"dia01.validacao": "dia1-passo1"},
    ),
    Broken(
        name="d1_text_limite_curto",
        day=DAY,
        defect="text com max_length=1000: o limite de 4000 do contrato é recusado com 422",
        patches=(("max_length=4000", "max_length=1000"),),
        fails={"dia01.validacao": "dia1-passo1"},
    ),
    Broken(
        name="d1_lista_invertida",
        day=DAY,
        defect="GET /prompts devolve do mais novo para o mais antigo (fora da ordem de id)",
        patches=(("    prompts = list(prompts_db.values())", "    prompts = list(reversed(prompts_db.values()))"),),
        fails={"dia01.listar": "dia1-passo4"},
    ),
    Broken(
        name="d1_tag_por_substring",
        day=DAY,
        defect='?tag= casa por pedaço ("tag-x" também traz "tag-x-y")',
        patches=(("if tag in p.tags]", "if any(tag in t for t in p.tags)]"),),
        fails={"dia01.filtros": "dia1-passo4"},
    ),
    Broken(
        name="d1_q_diferencia_maiusculas",
        day=DAY,
        defect="?q= diferencia maiúsculas de minúsculas",
        patches=(
            ("needle in p.title.casefold() or needle in p.text.casefold()", "q in p.title or q in p.text"),
        ),
        fails={"dia01.filtros": "dia1-passo4"},
    ),
    Broken(
        name="d1_limit_sem_teto",
        day=DAY,
        defect="limit sem le=100: ?limit=101 é aceito",
        patches=(("Query(ge=1, le=100)", "Query(ge=1)"),),
        fails={"dia01.paginacao": "dia1-passo4"},
    ),
    Broken(
        name="d1_pagina_antes_do_filtro",
        day=DAY,
        defect="a paginação é aplicada antes dos filtros",
        patches=(
            ("    prompts = list(prompts_db.values())", "    prompts = list(prompts_db.values())[offset : offset + limit]"),
            ("    return prompts[offset : offset + limit]", "    return prompts"),
        ),
        fails={"dia01.paginacao": "dia1-passo4"},
    ),
    Broken(
        name="d1_sem_404",
        day=DAY,
        defect="GET /prompts/{id} inexistente não responde 404 (dict.get devolve None e vira 500)",
        patches=(("    return find_prompt(prompt_id)", "    return prompts_db.get(prompt_id)"),),
        fails={"dia01.buscar_por_id": "dia1-passo5"},
    ),
    Broken(
        name="d1_id_como_texto",
        day=DAY,
        defect="GET /prompts/{id} declara o id como str: nunca acha nada e /prompts/abc não dá 422",
        patches=(("def read_prompt(prompt_id: PromptId)", "def read_prompt(prompt_id: str)"),),
        # atualizar e remover usam o GET para conferir o efeito: são pulados como dependentes.
        fails={"dia01.buscar_por_id": "dia1-passo5"},
    ),
    Broken(
        name="d1_put_troca_created_at",
        day=DAY,
        defect="PUT gera um created_at novo em vez de manter o original",
        patches=(
            (
                ".model_copy(update=body.model_dump())",
                '.model_copy(update={**body.model_dump(), "created_at": datetime.now(timezone.utc)})',
            ),
        ),
        fails={"dia01.atualizar": "dia1-passo6"},
    ),
    Broken(
        name="d1_delete_com_corpo",
        day=DAY,
        defect='DELETE responde 200 com corpo {"detail": ...} em vez de 204 vazio',
        patches=(
            (
                '@app.delete("/prompts/{prompt_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND)\n'
                "def delete_prompt(prompt_id: PromptId) -> None:",
                '@app.delete("/prompts/{prompt_id}", responses=NOT_FOUND)\n'
                "def delete_prompt(prompt_id: PromptId) -> dict[str, str]:",
            ),
            ("    del prompts_db[prompt_id]", '    del prompts_db[prompt_id]\n    return {"detail": "Prompt removido"}'),
        ),
        fails={"dia01.remover": "dia1-passo7"},
    ),
    Broken(
        name="d1_id_len_mais_um",
        day=DAY,
        defect="id = len(prompts_db) + 1: depois de um DELETE um id já usado volta",
        patches=(("Prompt(id=next(prompt_ids),", "Prompt(id=len(prompts_db) + 1,"),),
        # A explicação do contador está no Passo 2 (o armazenamento), não no 7 (o DELETE).
        fails={"dia01.remover": "dia1-passo2"},
    ),
]

# Uma entrada por regra do contrato que ainda não tinha a sua (a tabela de rastreabilidade em tests/README.md).
ENTRIES += [
    Broken(
        name="d1_ids_comecam_em_zero",
        day=DAY,
        defect="o contador começa em 0: o primeiro prompt recebe o id 0",
        patches=(("prompt_ids = count(start=1)", "prompt_ids = count(start=0)"),),
        fails={"dia01.criar_prompt": "dia1-passo3"},
    ),
    Broken(
        name="d1_tags_obrigatorias",
        day=DAY,
        defect='"tags" sem valor padrão: um POST sem tags recebe 422',
        patches=(("    tags: list[str] = []\n", "    tags: list[str]\n"),),
        fails={"dia01.criar_prompt": "dia1-passo3"},
    ),
    Broken(
        name="d1_q_so_no_titulo",
        day=DAY,
        defect="?q= procura só no título, não no texto",
        patches=(("if needle in p.title.casefold() or needle in p.text.casefold()]", "if needle in p.title.casefold()]"),),
        fails={"dia01.filtros": "dia1-passo4"},
    ),
    Broken(
        name="d1_limit_padrao_10",
        day=DAY,
        defect="limit com padrão 10 em vez de 20",
        patches=(("    limit: Annotated[int, Query(ge=1, le=100)] = 20,", "    limit: Annotated[int, Query(ge=1, le=100)] = 10,"),),
        fails={"dia01.paginacao": "dia1-passo4"},
    ),
    Broken(
        name="d1_offset_negativo",
        day=DAY,
        defect="offset sem ge=0: ?offset=-1 é aceito (e fatia a lista pelo fim)",
        patches=(("    offset: Annotated[int, Query(ge=0)] = 0,", "    offset: int = 0,"),),
        fails={"dia01.paginacao": "dia1-passo4"},
    ),
    Broken(
        name="d1_put_sem_404",
        day=DAY,
        defect="PUT busca direto no dict (sem find_prompt): um id que não existe vira KeyError (500)",
        patches=(("    updated = find_prompt(prompt_id).model_copy(update=body.model_dump())",
                  "    updated = prompts_db[prompt_id].model_copy(update=body.model_dump())"),),
        fails={"dia01.atualizar": "dia1-passo6"},
    ),
    Broken(
        name="d1_delete_sem_404",
        day=DAY,
        defect="DELETE apaga direto do dict (sem find_prompt): um id que não existe vira KeyError (500)",
        patches=(("    find_prompt(prompt_id)\n    del prompts_db[prompt_id]", "    del prompts_db[prompt_id]"),),
        fails={"dia01.remover": "dia1-passo7"},
    ),
]

# O contrário do corpus: outro jeito CORRETO de fazer o Dia 1. Precisa tirar 100 (estilo livre).
CORRECT_STYLES: list[Broken] = [
    Broken(
        name="d1_estilo_livre",
        day=DAY,
        defect="nenhum: created_at sem fuso, 422 com corpo próprio em pt-BR e DELETE devolvendo Response(204)",
        patches=(
            (
                "from fastapi import FastAPI, HTTPException, Path, Query, status\n",
                "from fastapi import FastAPI, HTTPException, Path, Query, Request, Response, status\n"
                "from fastapi.exceptions import RequestValidationError\n"
                "from fastapi.responses import JSONResponse\n",
            ),
            (
                'app = FastAPI(title="Dia 1 — API de prompts")\n',
                'app = FastAPI(title="Dia 1 — API de prompts")\n\n\n'
                "@app.exception_handler(RequestValidationError)\n"
                "async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:\n"
                '    erros = [f"{\'.\'.join(map(str, e[\'loc\']))}: {e[\'msg\']}" for e in exc.errors()]\n'
                '    return JSONResponse({"erro": "dados inválidos", "problemas": erros}, status_code=422)\n',
            ),
            ("created_at=datetime.now(timezone.utc), **body", "created_at=datetime.now(), **body"),
            ("    del prompts_db[prompt_id]", "    del prompts_db[prompt_id]\n    return Response(status_code=204)"),
            ("def delete_prompt(prompt_id: PromptId) -> None:", "def delete_prompt(prompt_id: PromptId) -> Response:"),
        ),
        fails={},
    ),
]
