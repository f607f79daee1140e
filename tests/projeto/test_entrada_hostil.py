"""As três soluções sob entrada hostil, por HTTP de verdade: nunca um 400 ou 500 por corpo estranho.

- Todo corpo malformado dá 422 "json_invalid": JSON quebrado, bytes que não são UTF-8, aninhamento
  fundo, surrogate isolado, NaN. (Sem a rota do curso, não UTF-8 e aninhamento davam 400, e o surrogate,
  um 500: o 422 padrão tentava repetir o texto recusado, que UTF-8 nenhum representa.)
- O 422 nunca repete o que o cliente mandou: nem a senha, nem um campo de 1 MB (seria um eco 1:1).
- Nas rotas com login, sem token válido é 401 qualquer que seja o corpo; com token, o mesmo corpo é 422.
- O histórico do /chat tem limites: itens demais ou longos demais dão 422 com mensagem em português.
- O /docs diz a verdade: toda rota com login documenta o 401, e as de stream, o text/event-stream.
"""

import json
import uuid

import httpx
import pytest

from common.fake_llm import make_marker

MALFORMED = {
    "json-quebrado": b'{"title": "x",',
    "nao-utf8": '{"title": "Olá", "text": "x"}'.encode("latin-1"),
    "aninhado-fundo": b"[" * 100_000,
    "surrogate-isolado": b'{"title": "\\ud800", "text": "x"}',
    "nan": b'{"title": "x", "text": "x", "tags": NaN}',
    "lixo-depois-do-json": b'{"title": "x", "text": "x"} sobra',
}
JSON_HEADERS = {"Content-Type": "application/json"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def expect_json_invalid(response: httpx.Response) -> None:
    assert response.status_code == 422, response.text
    [error] = response.json()["detail"]
    assert error["type"] == "json_invalid"
    assert error["msg"].startswith("O corpo não é um JSON válido")
    assert "input" not in error


@pytest.fixture(scope="module")
def dia02_token(dia02_url, login) -> str:
    with httpx.Client(base_url=dia02_url, timeout=30) as client:
        return login(client, "aluno", "aluno123")


# --- Corpo malformado: 422, nunca 400 nem 500 ---------------------------------------------------

@pytest.mark.parametrize("body", MALFORMED.values(), ids=MALFORMED)
def test_dia01_malformed_body_is_422(dia01_url, body):
    expect_json_invalid(httpx.post(f"{dia01_url}/prompts", content=body, headers=JSON_HEADERS))


@pytest.mark.parametrize("body", MALFORMED.values(), ids=MALFORMED)
def test_dia02_malformed_body_is_422_on_public_login(dia02_url, body):
    expect_json_invalid(httpx.post(f"{dia02_url}/login", content=body, headers=JSON_HEADERS))


@pytest.mark.parametrize("body", MALFORMED.values(), ids=MALFORMED)
def test_dia02_malformed_body_is_401_without_token_and_422_with_one(dia02_url, dia02_token, body):
    """Sem a rota do curso, o FastAPI leria o corpo antes da dependência do login: 422 para um anônimo."""
    for path, method in (("/prompts", "POST"), ("/prompts/1", "PUT")):
        anonymous = httpx.request(method, f"{dia02_url}{path}", content=body, headers=JSON_HEADERS)
        assert anonymous.status_code == 401, anonymous.text
        assert anonymous.headers["www-authenticate"] == "Bearer"
        expect_json_invalid(httpx.request(method, f"{dia02_url}{path}", content=body,
                                          headers={**JSON_HEADERS, **bearer(dia02_token)}))


@pytest.mark.parametrize("path", ["/api/generate", "/chat", "/api/stream/chat"])
@pytest.mark.parametrize("body", MALFORMED.values(), ids=MALFORMED)
def test_dia03_malformed_body_is_401_without_token_and_422_with_one(dia03_server, dia03_token, path, body):
    for headers in ({}, bearer("isto-nao-e-um-jwt")):
        response = httpx.post(f"{dia03_server.url}{path}", content=body, headers={**JSON_HEADERS, **headers})
        assert response.status_code == 401, response.text
        assert not response.headers["content-type"].startswith("text/event-stream")
    expect_json_invalid(httpx.post(f"{dia03_server.url}{path}", content=body,
                                   headers={**JSON_HEADERS, **bearer(dia03_token)}))


def test_a_lone_surrogate_is_a_422_not_a_500(dia01_url):
    """Antes, o Pydantic recusava o texto e o 422 padrão estourava ao repetir o `input` em UTF-8: um 500."""
    tag = f"surrogate-{uuid.uuid4().hex}"
    body = json.dumps({"title": "ok", "text": "\ud800", "tags": [tag]}).encode()  # "\\ud800" em ASCII
    expect_json_invalid(httpx.post(f"{dia01_url}/prompts", content=body, headers=JSON_HEADERS))
    assert httpx.get(f"{dia01_url}/prompts", params={"tag": tag}).json() == []


# --- O 422 não repete o que o cliente mandou -----------------------------------------------------

def test_422_does_not_echo_a_huge_field(dia01_url):
    """Um título de 1 MB é recusado, e a resposta não o devolve: nada de eco de 1 MB por requisição."""
    response = httpx.post(f"{dia01_url}/prompts", json={"title": "x" * 1_000_000, "text": "ok"})
    assert response.status_code == 422
    assert len(response.content) < 1000
    [error] = response.json()["detail"]
    assert error == {"loc": ["body", "title"], "type": "string_too_long",
                     "msg": "Texto longo demais: o máximo é 80 caracteres.", "ctx": {"max_length": 80}}


def test_422_messages_are_in_portuguese(dia01_url):
    response = httpx.post(f"{dia01_url}/prompts", json={"text": 7, "tags": "nao-e-lista"})
    messages = {tuple(error["loc"]): error["msg"] for error in response.json()["detail"]}
    assert messages == {("body", "title"): "Campo obrigatório.", ("body", "text"): "Deve ser um texto.",
                        ("body", "tags"): "Deve ser uma lista."}


# --- Os limites do histórico (Dia 3) -------------------------------------------------------------

def history(items: int, size: int) -> list[dict[str, str]]:
    return [{"role": "user" if n % 2 == 0 else "assistant", "content": "h" * size} for n in range(items)]


@pytest.mark.parametrize(("items", "size", "error_type", "message"), [
    (51, 10, "too_long", "Lista longa demais: o máximo é 50 itens."),
    (1, 8001, "string_too_long", "Texto longo demais: o máximo é 8000 caracteres."),
], ids=["51-itens", "item-de-8001"])
def test_history_beyond_the_caps_is_422_without_calling_the_llm(dia03_server, dia03_token, dia03_llm,
                                                                  items, size, error_type, message):
    marker = make_marker(nonce=f"limite{items}x{size}", n=2)
    for path in ("/chat", "/api/stream/chat"):
        response = httpx.post(f"{dia03_server.url}{path}", headers=bearer(dia03_token), timeout=30,
                              json={"message": f"Oi {marker}", "history": history(items, size)})
        assert response.status_code == 422, response.text
        assert [(e["type"], e["msg"]) for e in response.json()["detail"]] == [(error_type, message)]
    assert dia03_llm.requests(nonce=f"limite{items}x{size}") == []


def test_history_at_the_caps_is_accepted(dia03_server, dia03_token, dia03_llm):
    """50 itens de 8000 caracteres ainda valem; ao modelo vão só as 12 últimas (desafio extra C)."""
    nonce = "limite-no-teto"
    response = httpx.post(f"{dia03_server.url}/chat", headers=bearer(dia03_token), timeout=30,
                          json={"message": f"Oi {make_marker(nonce=nonce, n=2)}", "history": history(50, 8000)})
    assert response.status_code == 200, response.text
    [entry] = dia03_llm.requests(nonce=nonce)
    assert len(entry["messages"]) == 12 + 1


# --- O /docs diz a verdade -----------------------------------------------------------------------

def openapi(url: str) -> dict:
    return httpx.get(f"{url}/openapi.json").json()


def operations(spec: dict):
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", operation


LOGIN_ROUTES = {"POST /login", "POST /token"}  # públicas, mas com 401 para credenciais erradas


def test_every_route_with_login_documents_401_and_only_those(dia02_url, dia03_server):
    for url in (dia02_url, dia03_server.url):
        for name, operation in operations(openapi(url)):
            expected = "security" in operation or name in LOGIN_ROUTES
            assert ("401" in operation["responses"]) == expected, name


def test_stream_routes_document_text_event_stream(dia03_server):
    spec = dict(operations(openapi(dia03_server.url)))
    content_of = {name: set(spec[name]["responses"]["200"]["content"]) for name in spec}
    assert content_of["POST /api/generate"] == {"text/event-stream"}
    assert content_of["POST /api/stream/chat"] == {"text/event-stream"}
    assert content_of["POST /chat"] == {"application/json", "text/event-stream"}
    assert {"403", "404"} <= set(spec["POST /api/stream/cancel/{stream_id}"]["responses"])
    assert "429" in spec["POST /api/stream/chat"]["responses"]
    assert "502" in spec["POST /chat"]["responses"]
