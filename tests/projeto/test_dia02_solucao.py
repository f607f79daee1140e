"""Contrato do Dia 2 além do login (que test_auth.py cobre): prompts com dono, 403 e
/admin/users. Tudo contra a solução de referência num uvicorn de verdade.
"""

import uuid

import httpx
import pytest

MISSING_ID = 987_654_321


@pytest.fixture(scope="module")
def api(dia02_url):
    with httpx.Client(base_url=dia02_url, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def as_user(api, login) -> dict[str, dict[str, str]]:
    """Cabeçalhos Authorization de cada usuário, com tokens do próprio /login."""
    return {user: {"Authorization": "Bearer " + login(api, user, f"{user}123")} for user in ("admin", "aluno")}


def body(**fields) -> dict:
    return {"title": "Prompt " + uuid.uuid4().hex[:8], "text": "Um texto", "tags": ["dia2"], **fields}


def create(api: httpx.Client, headers: dict, **fields) -> dict:
    response = api.post("/prompts", json=body(**fields), headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def expect_401_bearer(response: httpx.Response) -> None:
    assert response.status_code == 401
    assert response.headers.get("www-authenticate") == "Bearer"


def test_health(api):
    assert api.get("/health").json() == {"status": "ok"}


def test_writing_needs_a_token_and_nothing_changes_without_one(api, as_user):
    tag = uuid.uuid4().hex
    expect_401_bearer(api.post("/prompts", json=body(tags=[tag])))
    expect_401_bearer(api.post("/prompts", json=body(tags=[tag]), headers={"Authorization": "Bearer lixo"}))
    assert api.get("/prompts", params={"tag": tag}).json() == []

    prompt = create(api, as_user["aluno"])
    expect_401_bearer(api.put(f"/prompts/{prompt['id']}", json=body()))
    expect_401_bearer(api.delete(f"/prompts/{prompt['id']}"))
    assert api.get(f"/prompts/{prompt['id']}").json() == prompt


def test_reading_stays_public(api, as_user):
    prompt = create(api, as_user["admin"], tags=[uuid.uuid4().hex])
    assert api.get(f"/prompts/{prompt['id']}").json() == prompt
    assert api.get("/prompts", params={"tag": prompt["tags"][0]}).json() == [prompt]


def test_owner_comes_from_the_token_never_from_the_body(api, as_user):
    prompt = create(api, as_user["aluno"], owner="admin")
    assert prompt["owner"] == "aluno"
    assert set(prompt) == {"id", "title", "text", "tags", "created_at", "owner"}


def test_owner_edits_and_deletes_own_prompt(api, as_user):
    prompt = create(api, as_user["aluno"])
    change = body(tags=["editado"])
    response = api.put(f"/prompts/{prompt['id']}", json=change, headers=as_user["aluno"])
    assert response.status_code == 200
    assert response.json() == {**prompt, **change}
    deleted = api.delete(f"/prompts/{prompt['id']}", headers=as_user["aluno"])
    assert (deleted.status_code, deleted.content) == (204, b"")


def test_someone_else_gets_403_and_the_prompt_is_untouched(api, as_user):
    prompt = create(api, as_user["admin"])
    for response in (
        api.put(f"/prompts/{prompt['id']}", json=body(), headers=as_user["aluno"]),
        api.delete(f"/prompts/{prompt['id']}", headers=as_user["aluno"]),
    ):
        assert response.status_code == 403
        assert isinstance(response.json()["detail"], str)
    assert api.get(f"/prompts/{prompt['id']}").json() == prompt


def test_admin_edits_and_deletes_any_prompt_and_the_owner_stays(api, as_user):
    prompt = create(api, as_user["aluno"])
    response = api.put(f"/prompts/{prompt['id']}", json=body(), headers=as_user["admin"])
    assert response.status_code == 200
    assert {k: response.json()[k] for k in ("id", "owner", "created_at")} == {
        "id": prompt["id"], "owner": "aluno", "created_at": prompt["created_at"],
    }
    assert api.delete(f"/prompts/{prompt['id']}", headers=as_user["admin"]).status_code == 204
    assert api.get(f"/prompts/{prompt['id']}").status_code == 404


def test_day1_rules_still_hold_with_a_token(api, as_user):
    assert api.put(f"/prompts/{MISSING_ID}", json=body(), headers=as_user["admin"]).status_code == 404
    assert api.delete(f"/prompts/{MISSING_ID}", headers=as_user["admin"]).status_code == 404
    assert api.post("/prompts", json=body(title=""), headers=as_user["aluno"]).status_code == 422
    assert api.get("/prompts", params={"limit": 101}).status_code == 422


def test_admin_users_lists_users_without_hashes(api, as_user):
    response = api.get("/admin/users", headers=as_user["admin"])
    assert response.status_code == 200
    assert response.json() == [{"username": "admin", "role": "admin"}, {"username": "aluno", "role": "aluno"}]
    assert "$argon2" not in response.text
    assert api.get("/admin/users", headers=as_user["aluno"]).status_code == 403
    expect_401_bearer(api.get("/admin/users"))
