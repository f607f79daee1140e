"""Verificações do Dia 1 — API de prompts em memória.

Cada verificação cria os próprios dados (títulos e tags com um código único por execução),
então nenhuma depende do que outra deixou no servidor. Estilo livre, comportamento estrito:
o formato do 422 e o fuso do created_at ficam a critério do aluno; status e JSON são o contrato.

Quando uma verificação precisa de outra rota funcionando (por exemplo, criar um prompt para
depois buscá-lo) e essa rota não funciona, ela é pulada com "depende de ..." em vez de falhar:
cada defeito é cobrado só na verificação que o testa.
"""

from __future__ import annotations

from datetime import datetime

import httpx

from common.grader.checks import check, describe_response, expect, expect_equal, expect_status
from common.grader.helpers import depends_on, expect_health, json_of, unique_code

MISSING_ID = 987_654_321  # um id que nenhuma execução do corretor chega a criar
CREATED = {200, 201}  # fora de criar_prompt, aceitamos 200: o 201 é cobrado só lá
# Aspectos de dia01.buscar_por_id: PUT e DELETE os consultam em vez de cobrá-los de novo.
NOT_FOUND = "404 para um id que não existe"
FOUND_BY_ID = "GET /prompts/{id} achar um prompt que existe"


# ---------------------------------------------------------------- ajudantes


def new_prompt(**fields) -> dict:
    """Um corpo válido (e único) de POST /prompts; `fields` troca título, texto ou tags."""
    code = unique_code()
    body = {"title": f"Prompt {code}", "text": f"Texto de teste {code}", "tags": ["teste"]}
    body.update(fields)
    return body


def create_prompt(api: httpx.Client, body: dict) -> dict:
    """Cria um prompt para uso da verificação; se o POST não funciona, pula."""
    response = api.post("/prompts", json=body)
    created = json_of(response)
    depends_on(
        response.status_code in CREATED and isinstance(created, dict) and isinstance(created.get("id"), int),
        "POST /prompts criar prompts",
        "dia01.criar_prompt",
    )
    return created


def get_list(api: httpx.Client, **params) -> list[dict]:
    """GET /prompts com parâmetros; exige 200 e uma lista JSON."""
    response = api.get("/prompts", params=params)
    expect_status(response, 200)
    items = json_of(response)
    expect(
        isinstance(items, list) and all(isinstance(i, dict) for i in items),
        "uma lista JSON de prompts",
        describe_response(response),
    )
    return items


def ids_of(items: list[dict]) -> list:
    return [item.get("id") for item in items]


def all_prompts(api: httpx.Client) -> list[dict]:
    """A coleção inteira. Num servidor novo ela cabe na 1ª página (20); senão, segue o offset."""
    items = get_list(api)
    pages = 0
    while len(items) % 20 == 0 and items and pages < 50:
        page = get_list(api, limit=20, offset=len(items))
        if not page:
            break
        items += page
        pages += 1
    return items


def expect_same_prompt(got: object, expected: dict, context: str) -> None:
    """Confere id, título, texto, tags e created_at de um prompt devolvido pela API."""
    expect(isinstance(got, dict), f"{context}: um objeto JSON", got)
    for field in ("id", "title", "text", "tags", "created_at"):
        expect_equal(got.get(field), expected.get(field), what=f"{context}, campo {field!r}")


def expect_rejected(api: httpx.Client, method: str, url: str, cases: dict[str, dict]) -> None:
    """Cada corpo inválido em `cases` deve dar 422."""
    for description, body in cases.items():
        response = api.request(method, url, json=body)
        expect(
            response.status_code == 422,
            f"422 para {description}",
            f"{describe_response(response)} (em {method} {url})",
            help="Use Field(min_length=..., max_length=...) no modelo Pydantic: o FastAPI responde 422 sozinho.",
        )


def expect_iso_datetime(value: object) -> None:
    """created_at precisa ser uma data ISO-8601 (qualquer fuso, com ou sem frações)."""
    try:
        datetime.fromisoformat(value)
        ok = True
    except (TypeError, ValueError):
        ok = False
    expect(ok, '"created_at" em ISO-8601 (ex.: 2025-01-31T12:00:00Z)', value,
           help="Declare created_at: datetime no modelo de resposta; o FastAPI serializa em ISO-8601.")


def expect_filter(api: httpx.Client, params: dict, wanted: list[dict], meaning: str) -> None:
    got = ids_of(get_list(api, **params))
    # A ordem é cobrada em dia01.listar; aqui só o conjunto.
    expect(
        sorted(got, key=str) == sorted((p["id"] for p in wanted), key=str),
        f"ids {[p['id'] for p in wanted]} em GET /prompts?{httpx.QueryParams(params)} ({meaning})",
        f"ids {got}",
        help="?tag= compara a tag inteira (tag in prompt.tags); ?q= compara com casefold() dos dois lados.",
    )


def is_not_found(response: httpx.Response) -> bool:
    body = json_of(response)
    return response.status_code == 404 and isinstance(body, dict) and "detail" in body


def expect_not_found(response: httpx.Response) -> None:
    expect_status(response, 404, help="Quando o id não existe, levante HTTPException(404, ...).")
    expect(is_not_found(response), 'JSON {"detail": ...} no 404', describe_response(response))


def existing_ids(api: httpx.Client) -> list[int] | None:
    """Os ids que o servidor já tem antes do primeiro POST (None se GET /prompts não funciona)."""
    items = json_of(api.get("/prompts", params={"limit": 100}))
    if not isinstance(items, list):
        return None
    return [i["id"] for i in items if isinstance(i, dict) and isinstance(i.get("id"), int)]


def lookup(api: httpx.Client, facets, prompt_id: int) -> dict | None:
    """O prompt como o servidor o guarda agora (None se ele não existe).

    Por GET /prompts/{id}; se essa rota não funciona (o defeito é cobrado em buscar_por_id), pela lista.
    """
    if facets.works(FOUND_BY_ID, owner="dia01.buscar_por_id"):
        response = api.get(f"/prompts/{prompt_id}")
        return json_of(response) if response.status_code == 200 else None
    return next((item for item in all_prompts(api) if item.get("id") == prompt_id), None)


# ---------------------------------------------------------------- verificações


@check("dia01.servidor_sobe", points=10, hint="dia1-conceitos")
def test_servidor_sobe(api):
    """O servidor sobe e GET /health responde {"status": "ok"}"""
    expect_health(api)


@check("dia01.criar_prompt", points=15, hint="dia1-passo3")
def test_criar_prompt(api, target):
    """POST /prompts responde 201 com id, title, text, tags e created_at; os ids começam em 1 e crescem"""
    before = existing_ids(api)
    body = new_prompt(tags=["resumo", "pt-br"])
    response = api.post("/prompts", json=body)
    expect_status(response, 201, help="Criar um recurso responde 201 Created: use status_code=201 no decorador.")
    created = json_of(response)
    expect(isinstance(created, dict), "um objeto JSON com o prompt criado", describe_response(response))
    expect(
        isinstance(created.get("id"), int) and not isinstance(created.get("id"), bool),
        '"id" inteiro',
        created,
    )
    for field in ("title", "text", "tags"):
        expect_equal(created.get(field), body[field], what=f"campo {field!r} do prompt criado")
    expect_iso_datetime(created.get("created_at"))
    # Num servidor que o corretor acabou de subir, o primeiro id é 1 (ou o seguinte ao maior que já
    # existia, se o aluno deixou prompts de exemplo). No modo --url o servidor pode ter qualquer história.
    if target.startup != "externo":
        first = max(before or [0]) + 1
        expect(created["id"] == first, f'"id": {first} no primeiro prompt criado (os ids começam em 1)',
               created["id"], help="Comece o contador em 1: prompt_ids = count(start=1).")

    without_tags = api.post("/prompts", json={"title": "Sem tags", "text": "Um prompt sem tags"})
    expect_status(without_tags, 201, help='"tags" é opcional: o padrão é a lista vazia.')
    second = json_of(without_tags) or {}
    expect_equal(second.get("tags"), [], what='"tags" de um prompt criado sem tags')
    expect(
        isinstance(second.get("id"), int) and second["id"] > created["id"],
        f"um id maior que {created['id']} no prompt seguinte (ids crescentes)",
        second.get("id"),
        help="Cada prompt novo recebe o próximo id de um contador (1, 2, 3...).",
    )


@check("dia01.validacao", points=15, hint="dia1-passo1")
def test_validacao(api):
    """POST /prompts valida o corpo: 422 fora dos limites, 201 nos limites"""
    create_prompt(api, new_prompt())
    at_limits = api.post("/prompts", json=new_prompt(title="t" * 80, text="x" * 4000))
    expect(at_limits.status_code in CREATED, "aceitar title de 80 e text de 4000 caracteres (os limites valem)",
           describe_response(at_limits))
    expect_rejected(api, "POST", "/prompts", {
        "corpo vazio {}": {},
        "sem title": {"text": "um texto"},
        "sem text": {"title": "um título"},
        'title ""': new_prompt(title=""),
        "title com 81 caracteres": new_prompt(title="t" * 81),
        'text ""': new_prompt(text=""),
        "text com 4001 caracteres": new_prompt(text="x" * 4001),
        'tags que não é lista ("a,b")': new_prompt(tags="a,b"),
    })
    response = api.post("/prompts", content=b"isto nao e json", headers={"Content-Type": "application/json"})
    expect(response.status_code == 422, "422 para um corpo que não é JSON", describe_response(response))


@check("dia01.listar", points=10, hint="dia1-passo4")
def test_listar(api):
    """GET /prompts lista os prompts em ordem de id"""
    created = [create_prompt(api, new_prompt()) for _ in range(3)]
    first_page = get_list(api)
    expect(len(first_page) <= 20, "no máximo 20 itens sem ?limit (padrão 20)", f"{len(first_page)} itens")
    listed = all_prompts(api)
    ids = ids_of(listed)
    expect(all(isinstance(i, int) for i in ids) and ids == sorted(ids), "a lista em ordem crescente de id", ids)
    by_id = {item.get("id"): item for item in listed}
    for prompt in created:
        expect(prompt["id"] in by_id, f"o prompt {prompt['id']}, recém-criado, na lista", ids)
        expect_same_prompt(by_id[prompt["id"]], prompt, f"prompt {prompt['id']} na lista")


@check("dia01.filtros", points=15, hint="dia1-passo4")
def test_filtros(api):
    """GET /prompts filtra por ?tag= (exata) e ?q= (título ou texto, sem diferenciar maiúsculas)"""
    code = unique_code()
    tag = f"tag-{code}"
    in_title = create_prompt(api, new_prompt(title=f"Resumo {code}", text="texto comum", tags=[tag, "outra"]))
    in_text = create_prompt(api, new_prompt(title="Tradução", text=f"Traduza {code.upper()} já", tags=[f"{tag}-x"]))
    only_tag = create_prompt(api, new_prompt(title="Nada a ver", text="sem o código", tags=["outra", tag]))

    expect_filter(api, {"tag": tag}, [in_title, only_tag], "a tag exata (uma tag que só começa igual não conta)")
    expect_filter(api, {"q": code.upper()}, [in_title, in_text], "o código no título ou no texto, ignorando maiúsculas")
    expect_filter(api, {"q": code}, [in_title, in_text], "o código no título ou no texto, ignorando maiúsculas")
    expect_filter(api, {"tag": f"nenhuma-{code}"}, [], "nenhum prompt (ninguém tem esta tag)")


@check("dia01.paginacao", points=10, hint="dia1-passo4")
def test_paginacao(api):
    """GET /prompts pagina com limit (1..100, padrão 20) e offset (>= 0), depois dos filtros"""
    tag = f"pag-{unique_code()}"
    created = {create_prompt(api, new_prompt(tags=[tag]))["id"] for _ in range(21)}
    everything = ids_of(get_list(api, tag=tag, limit=100))
    depends_on(set(everything) == created, "o filtro ?tag=", "dia01.filtros")

    pages = {(2, 0): everything[0:2], (2, 2): everything[2:4], (5, 18): everything[18:21], (5, 21): []}
    for (limit, offset), wanted in pages.items():
        got = ids_of(get_list(api, tag=tag, limit=limit, offset=offset))
        expect(got == wanted, f"ids {wanted} com ?tag=...&limit={limit}&offset={offset}", f"ids {got}",
               help="Pagine depois de filtrar: lista[offset : offset + limit].")
    default = ids_of(get_list(api, tag=tag))
    expect_equal(default, everything[:20], what="sem ?limit (o padrão é 20), ids")

    for params in ({"limit": 0}, {"limit": 101}, {"offset": -1}, {"limit": "abc"}):
        response = api.get("/prompts", params=params)
        expect(response.status_code == 422, f"422 para ?{httpx.QueryParams(params)}", describe_response(response),
               help="Use Query(ge=1, le=100) em limit e Query(ge=0) em offset.")


@check("dia01.buscar_por_id", points=10, hint="dia1-passo5")
def test_buscar_por_id(api, facets):
    """GET /prompts/{id} devolve o prompt, 404 se não existe e 422 se o id não é inteiro"""
    missing = api.get(f"/prompts/{MISSING_ID}")
    facets.record(NOT_FOUND, is_not_found(missing))
    created = create_prompt(api, new_prompt())
    response = api.get(f"/prompts/{created['id']}")
    facets.record(FOUND_BY_ID, response.status_code == 200 and (json_of(response) or {}).get("id") == created["id"])
    expect_status(response, 200)
    expect_same_prompt(json_of(response), created, f"GET /prompts/{created['id']}")
    expect_not_found(missing)
    response = api.get("/prompts/abc")
    expect(response.status_code == 422, "422 para GET /prompts/abc", describe_response(response),
           help="Declare o parâmetro do caminho como int: o FastAPI valida sozinho.")


@check("dia01.atualizar", points=10, hint="dia1-passo6", after=["dia01.buscar_por_id"])
def test_atualizar(api, facets):
    """PUT /prompts/{id} troca o conteúdo e mantém id e created_at"""
    original = create_prompt(api, new_prompt(tags=["antes"]))
    change = new_prompt(tags=["depois", "revisado"])
    response = api.put(f"/prompts/{original['id']}", json=change)
    expect_status(response, 200)
    wanted = {**change, "id": original["id"], "created_at": original["created_at"]}
    expect_same_prompt(json_of(response), wanted, "resposta do PUT")
    expect_same_prompt(lookup(api, facets, original["id"]), wanted, "o prompt guardado depois do PUT")

    if facets.works(NOT_FOUND, owner="dia01.buscar_por_id"):
        expect_not_found(api.put(f"/prompts/{MISSING_ID}", json=new_prompt()))
    expect_rejected(api, "PUT", f"/prompts/{original['id']}", {
        'title ""': new_prompt(title=""),
        "sem text": {"title": "só o título"},
    })
    expect_same_prompt(lookup(api, facets, original["id"]), wanted, "o prompt guardado depois de um PUT inválido")


@check("dia01.remover", points=5, hint="dia1-passo7", after=["dia01.buscar_por_id"])
def test_remover(api, facets):
    """DELETE /prompts/{id} responde 204 sem corpo; o prompt some e o id não volta"""
    created = create_prompt(api, new_prompt())
    response = api.delete(f"/prompts/{created['id']}")
    expect_status(response, 204, help="Use status_code=204 no decorador e não devolva nada.")
    expect(response.content == b"", "corpo vazio no 204", response.text,
           help="204 No Content não tem corpo: a função não deve devolver valor.")
    # O 404 em si é cobrado em dia01.buscar_por_id; aqui basta o prompt não voltar.
    gone = lookup(api, facets, created["id"])
    expect(gone is None, "o prompt removido não é mais encontrado", gone)
    if facets.works(NOT_FOUND, owner="dia01.buscar_por_id"):
        expect_not_found(api.delete(f"/prompts/{created['id']}"))

    newest = create_prompt(api, new_prompt())
    expect(newest["id"] > created["id"], f"um id novo (maior que {created['id']}) depois de um DELETE",
           newest["id"], help="Não use len(db) + 1 como id: depois de um DELETE ele repete ids que já existiram.",
           anchor="dia1-passo2")
