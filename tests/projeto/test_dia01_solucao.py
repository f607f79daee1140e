"""Contrato do Dia 1, contra a solução de referência rodando num uvicorn de verdade.

O servidor é compartilhado pela sessão; cada teste marca os próprios prompts com um código
único (na tag ou no título) e só olha para eles.
"""

import uuid
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from common.config import REPO_ROOT

MISSING_ID = 987_654_321


@pytest.fixture(scope="module")
def api(dia01_url):
    with httpx.Client(base_url=dia01_url, timeout=10) as client:
        yield client


def unique() -> str:
    return "Qx" + uuid.uuid4().hex[:10]


def body(**fields) -> dict:
    return {"title": "Resumo", "text": "Resuma o texto abaixo.", "tags": ["teste"], **fields}


def create(api: httpx.Client, **fields) -> dict:
    response = api.post("/prompts", json=body(**fields))
    assert response.status_code == 201, response.text
    return response.json()


def listed_ids(api: httpx.Client, **params) -> list[int]:
    response = api.get("/prompts", params=params)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()]


def test_health(api):
    response = api.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_ids_start_at_1_and_never_repeat(start_apps):
    """Num servidor novo, o 1º id é 1; depois de um DELETE o id removido não volta."""
    with httpx.Client(base_url=start_apps(REPO_ROOT / "solutions" / "dia01")[0], timeout=10) as fresh:
        assert [create(fresh)["id"] for _ in range(2)] == [1, 2]
        assert fresh.delete("/prompts/2").status_code == 204
        assert create(fresh)["id"] == 3


def test_create_returns_201_with_the_prompt(api):
    before = datetime.now(timezone.utc)
    sent = {"title": "Tradutor", "text": "Traduza para o inglês.", "tags": ["idiomas", "pt-br"]}
    created = create(api, **sent)
    assert set(created) == {"id", "title", "text", "tags", "created_at"}
    assert {field: created[field] for field in sent} == sent
    created_at = datetime.fromisoformat(created["created_at"])
    assert created_at.utcoffset() == timedelta(0), "created_at deve sair em UTC, com o fuso explícito"
    assert before - timedelta(seconds=5) <= created_at <= datetime.now(timezone.utc) + timedelta(seconds=5)


def test_tags_default_to_empty_list(api):
    response = api.post("/prompts", json={"title": "Sem tags", "text": "Um texto"})
    assert response.status_code == 201
    assert response.json()["tags"] == []


def test_limits_are_inclusive(api):
    created = create(api, title="t" * 80, text="x" * 4000)
    assert len(created["title"]) == 80 and len(created["text"]) == 4000


@pytest.mark.parametrize("invalid", [
    {},
    {"text": "sem título"},
    {"title": "sem texto"},
    body(title=""),
    body(title="t" * 81),
    body(text=""),
    body(text="x" * 4001),
    body(tags="a,b"),
    body(tags=[1, 2]),
    body(title=None),
], ids=["vazio", "sem-title", "sem-text", "title-vazio", "title-81", "text-vazio", "text-4001",
        "tags-texto", "tags-numeros", "title-null"])
def test_invalid_body_is_422(api, invalid):
    assert api.post("/prompts", json=invalid).status_code == 422


def test_body_that_is_not_json_is_422(api):
    response = api.post("/prompts", content=b"nao e json", headers={"Content-Type": "application/json"})
    assert response.status_code == 422


def test_list_is_in_id_order_and_complete(api):
    tag = unique()
    ids = [create(api, tags=[tag])["id"] for _ in range(3)]
    assert listed_ids(api, tag=tag) == ids == sorted(ids)


def test_list_default_limit_is_20(api):
    assert len(listed_ids(api)) <= 20
    tag = unique()
    ids = [create(api, tags=[tag])["id"] for _ in range(21)]
    assert listed_ids(api, tag=tag) == ids[:20]
    assert listed_ids(api, tag=tag, limit=100) == ids


def test_tag_filter_is_exact(api):
    tag = unique()
    wanted = [create(api, tags=[tag, "outra"])["id"], create(api, tags=["outra", tag])["id"]]
    create(api, tags=[f"{tag}-parecida"])
    assert listed_ids(api, tag=tag) == wanted


def test_q_searches_title_and_text_ignoring_case(api):
    code = unique()
    in_title = create(api, title=f"Título {code}", text="nada")["id"]
    in_text = create(api, title="Outro", text=f"texto com {code.upper()} no meio")["id"]
    create(api, title="Sem o código", text="nada aqui", tags=[code])
    assert listed_ids(api, q=code.lower()) == [in_title, in_text]
    assert listed_ids(api, q=code.upper()) == [in_title, in_text]


def test_q_and_tag_combine(api):
    code = unique()
    both = create(api, title=f"A {code}", tags=[code])["id"]
    create(api, title=f"B {code}", tags=["outra"])
    assert listed_ids(api, q=code, tag=code) == [both]


def test_pagination_after_filters(api):
    tag = unique()
    ids = [create(api, tags=[tag])["id"] for _ in range(5)]
    assert listed_ids(api, tag=tag, limit=2) == ids[:2]
    assert listed_ids(api, tag=tag, limit=2, offset=2) == ids[2:4]
    assert listed_ids(api, tag=tag, limit=100, offset=4) == ids[4:]
    assert listed_ids(api, tag=tag, offset=5) == []


@pytest.mark.parametrize("params", [
    {"limit": 0}, {"limit": 101}, {"limit": -1}, {"offset": -1}, {"limit": "abc"}, {"offset": "x"},
])
def test_out_of_range_query_is_422(api, params):
    assert api.get("/prompts", params=params).status_code == 422


def test_limit_bounds_are_accepted(api):
    for limit in (1, 100):
        assert api.get("/prompts", params={"limit": limit}).status_code == 200


def test_get_by_id(api):
    created = create(api)
    response = api.get(f"/prompts/{created['id']}")
    assert response.status_code == 200
    assert response.json() == created


def test_get_missing_is_404_with_detail(api):
    response = api.get(f"/prompts/{MISSING_ID}")
    assert response.status_code == 404
    assert isinstance(response.json()["detail"], str)


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_non_integer_id_is_422(api, method):
    assert api.request(method, "/prompts/abc", json=body()).status_code == 422


def test_put_replaces_content_and_keeps_id_and_created_at(api):
    original = create(api, tags=["antes"])
    change = body(title="Novo título", text="Novo texto", tags=["depois"])
    response = api.put(f"/prompts/{original['id']}", json=change)
    assert response.status_code == 200
    expected = {**change, "id": original["id"], "created_at": original["created_at"]}
    assert response.json() == expected
    assert api.get(f"/prompts/{original['id']}").json() == expected


def test_put_missing_is_404(api):
    response = api.put(f"/prompts/{MISSING_ID}", json=body())
    assert response.status_code == 404
    assert "detail" in response.json()


def test_invalid_put_is_422_and_changes_nothing(api):
    original = create(api)
    assert api.put(f"/prompts/{original['id']}", json=body(title="")).status_code == 422
    assert api.put(f"/prompts/{original['id']}", json={"title": "só título"}).status_code == 422
    assert api.get(f"/prompts/{original['id']}").json() == original


def test_delete_is_204_with_empty_body_then_404(api):
    created = create(api)
    response = api.delete(f"/prompts/{created['id']}")
    assert response.status_code == 204
    assert response.content == b""
    assert api.get(f"/prompts/{created['id']}").status_code == 404
    assert api.delete(f"/prompts/{created['id']}").status_code == 404
