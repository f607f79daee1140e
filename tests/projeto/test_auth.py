"""Contrato da autenticação JWT do Dia 2, contra dois servidores de verdade (uvicorn):

- a solução de referência do Dia 2 (solutions/dia02);
- um app mínimo que só inclui `common.auth` (a auth que o Dia 3 reutiliza).

Os tokens ruins são fabricados aqui com python-jose e com a SECRET_KEY injetada no servidor
(alg "none" é montado à mão, em base64url). No fim, testes diretos das funções de common.auth.
"""

import asyncio
import base64
import json
import statistics
import threading
import time

import httpx
import pytest
from fastapi import HTTPException
from jose import jws, jwt

from common import auth
from common.config import REPO_ROOT

ADMIN = {"username": "admin", "password": "admin123"}
WRONG_KEY = "uma-chave-que-o-servidor-nao-conhece"
# /health pedido logo que o 1º de vários logins simultâneos volta, medido em "logins" (como na verificação
# dia02.login_nao_bloqueia): uma razão, e não uma contagem de respostas, para não depender da carga da
# máquina. Medido com 3 processos gastando CPU nos 2 núcleos: com o argon2 no pool, até 2,3 logins; com o
# argon2 dentro de `async def`, o /health espera a fila, 9 a 14 logins.
CONCURRENT_LOGINS = 16
MAX_HEALTH_IN_LOGINS = 4.0

COMMON_AUTH_APP = '''
from fastapi import Depends, FastAPI

from common.auth import require_admin, router

app = FastAPI()
app.include_router(router)


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/admin/users", dependencies=[Depends(require_admin)])
def only_admins() -> dict[str, bool]:
    return {"ok": True}
'''


def blocking_login_solution() -> str:
    """A solução do Dia 2 chamando o argon2 direto na rota `async def`, sem o pool: dentro do event loop."""
    source = (REPO_ROOT / "solutions" / "dia02" / "template.py").read_text(encoding="utf-8")
    in_pool = "user = await run_hash(authenticate_user, credentials.username, credentials.password)"
    assert source.count(in_pool) == 1
    return source.replace(in_pool, "user = authenticate_user(credentials.username, credentials.password)")


@pytest.fixture(scope="module")
def own_apps(start_apps, dia02_auth_env, tmp_path_factory) -> dict[str, str]:
    """Os apps só deste módulo, subidos juntos: common.auth num app mínimo e o controle negativo."""
    sources = {"common.auth": COMMON_AUTH_APP, "login-bloqueante": blocking_login_solution()}
    app_dirs = []
    for name, source in sources.items():
        app_dirs.append(tmp_path_factory.mktemp(name))
        (app_dirs[-1] / "template.py").write_text(source, encoding="utf-8")
    return dict(zip(sources, start_apps(*app_dirs, **dia02_auth_env)))


@pytest.fixture(scope="module", params=["solucao-dia02", "common.auth"])
def target(request) -> str:
    if request.param == "solucao-dia02":
        return request.getfixturevalue("dia02_url")
    return request.getfixturevalue("own_apps")["common.auth"]


@pytest.fixture(scope="module")
def secret_key(dia02_auth_env) -> str:
    return dia02_auth_env["SECRET_KEY"]


@pytest.fixture(scope="module")
def api(target):
    # Um cliente por servidor: criar um httpx.Client por requisição custa caro (contexto TLS).
    with httpx.Client(base_url=target, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def tokens(api, login) -> dict[str, str]:
    return {user: login(api, user, f"{user}123") for user in ("admin", "aluno")}


def bearer(token: str, scheme: str = "Bearer") -> dict[str, str]:
    return {"Authorization": f"{scheme} {token}"}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims(sub: object = "admin", minutes: float = 5, **extra) -> dict:
    return {"sub": sub, "exp": int(time.time() + minutes * 60), **extra}


def forge(payload: dict, key: str, alg: str = "HS256") -> str:
    return jwt.encode(payload, key, algorithm=alg)


def alg_none(payload: dict) -> str:
    """Um JWT "sem assinatura" (alg none), montado à mão: o python-jose se recusa a gerá-lo."""
    header = b64url(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    return f"{header}.{b64url(json.dumps(payload).encode())}."


def with_payload(token: str, payload: dict) -> str:
    """Troca o payload de um token de verdade e mantém a assinatura original."""
    header, _, signature = token.split(".")
    return f"{header}.{b64url(json.dumps(payload).encode())}.{signature}"


def flip_signature(token: str) -> str:
    head, signature = token.rsplit(".", 1)
    return f"{head}.{'B' if signature[0] == 'A' else 'A'}{signature[1:]}"


def nested_header(token: str) -> str:
    """Um token com o cabeçalho trocado por `[[[[...` (2000 níveis): o python-jose o lê antes da assinatura."""
    _, payload, signature = token.split(".")
    return f"{b64url(b'[' * 2000)}.{payload}.{signature}"


def insert(token: str, junk: str, at: int) -> str:
    return token[:at] + junk + token[at:]


# Cada caso recebe (SECRET_KEY do servidor, token válido do aluno) e devolve o cabeçalho
# Authorization inteiro (None = sem o cabeçalho).
BAD_AUTHORIZATION = {
    "sem-cabecalho": lambda key, good: None,
    "bearer-sem-token": lambda key, good: "Bearer",
    "esquema-basic": lambda key, good: "Basic YWRtaW46YWRtaW4xMjM=",
    "esquema-token": lambda key, good: f"Token {good}",
    "sem-esquema": lambda key, good: good,
    "alg-none": lambda key, good: f"Bearer {alg_none(claims())}",
    "hs512-com-a-chave-certa": lambda key, good: f"Bearer {forge(claims(), key, 'HS512')}",
    "payload-trocado": lambda key, good: f"Bearer {with_payload(good, claims('admin'))}",
    "assinatura-alterada": lambda key, good: f"Bearer {flip_signature(good)}",
    "chave-errada": lambda key, good: f"Bearer {forge(claims(), WRONG_KEY)}",
    "vencido": lambda key, good: f"Bearer {forge(claims(minutes=-5), key)}",
    "sem-exp": lambda key, good: f"Bearer {forge({'sub': 'admin'}, key)}",
    "sem-sub": lambda key, good: f"Bearer {forge({'exp': claims()['exp']}, key)}",
    "sub-numerico": lambda key, good: f"Bearer {forge(claims(sub=12345), key)}",
    "sub-inexistente": lambda key, good: f"Bearer {forge(claims(sub='fantasma'), key)}",
    "exp-nulo": lambda key, good: f"Bearer {forge({'sub': 'admin', 'exp': None}, key)}",
    "exp-texto": lambda key, good: f"Bearer {forge({'sub': 'admin', 'exp': 'amanhã'}, key)}",
    "exp-lista": lambda key, good: f"Bearer {forge({'sub': 'admin', 'exp': [1]}, key)}",
    "payload-nao-objeto": lambda key, good: f"Bearer {jws.sign(b'[1, 2]', key, algorithm='HS256')}",
    "lixo": lambda key, good: "Bearer isto-nao-e-um-jwt",
    "tres-partes-sem-sentido": lambda key, good: "Bearer a.b.c",
    "8kb-chave-errada": lambda key, good: f"Bearer {forge(claims(padding='x' * 8192), WRONG_KEY)}",
    "8kb-de-lixo": lambda key, good: "Bearer " + "A" * 8192,
    # Malformados: o base64 do python-jose pula o que não é base64url, e o cabeçalho é lido antes da
    # assinatura. Sem a guarda da forma compacta, os quatro primeiros seriam ACEITOS; o aninhado, um 500.
    "exclamacoes-no-fim": lambda key, good: f"Bearer {good}!!",
    "arrobas-na-assinatura": lambda key, good: f"Bearer {insert(good, '@@@', -5)}",
    "byte-ff-no-fim": lambda key, good: b"Bearer " + good.encode() + b"\xff",
    "padding-no-fim": lambda key, good: f"Bearer {good}==",
    "cabecalho-aninhado": lambda key, good: f"Bearer {nested_header(good)}",
    "payload-aninhado-assinado": lambda key, good: f"Bearer {jws.sign(b'[' * 2000, key, algorithm='HS256')}",
    # RFC 7519: exp é um número JSON. O python-jose aceitaria o texto (int("...") funciona).
    "exp-texto-numerico": lambda key, good: f"Bearer {forge({'sub': 'admin', 'exp': str(claims()['exp'])}, key)}",
    "exp-booleano": lambda key, good: f"Bearer {forge({'sub': 'admin', 'exp': True}, key)}",
    "quatro-partes": lambda key, good: f"Bearer {good}.{good.split('.')[2]}",
}


def expect_401_bearer(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.headers.get("www-authenticate") == "Bearer"
    assert isinstance(response.json()["detail"], str)


# --- Login --------------------------------------------------------------------------------------


@pytest.mark.parametrize("user", ["admin", "aluno"])
def test_login_gives_hs256_token_with_injected_secret_and_expiry(tokens, secret_key, dia02_auth_env, user):
    assert jwt.get_unverified_header(tokens[user])["alg"] == "HS256"
    decoded = jwt.decode(tokens[user], secret_key, algorithms=["HS256"])
    assert decoded["sub"] == user
    expected_exp = time.time() + int(dia02_auth_env["ACCESS_TOKEN_EXPIRE_MINUTES"]) * 60
    assert abs(decoded["exp"] - expected_exp) < 60


def test_token_form_works_like_swaggers_authorize_button(api):
    form = {"grant_type": "password", "username": "aluno", "password": "aluno123", "scope": ""}
    response = api.post("/token", data=form)
    assert response.status_code == 200
    assert response.json()["token_type"] == "bearer"
    me = api.get("/me", headers=bearer(response.json()["access_token"]))
    assert me.json() == {"username": "aluno", "role": "aluno"}
    expect_401_bearer(api.post("/token", data={**form, "password": "senha-errada"}))


def test_unknown_user_and_wrong_password_get_the_same_401_in_similar_time(api):
    """Sem o hash dummy, o usuário inexistente responderia em ~1 ms e o argon2 em ~100 ms."""
    def attempt(username: str) -> tuple[httpx.Response, float]:
        started = time.perf_counter()
        response = api.post("/login", json={"username": username, "password": "senha-errada"})
        return response, time.perf_counter() - started

    # Intercalados, para a carga da máquina pesar igual nos dois; o mínimo ignora picos de carga.
    wrong, unknown = zip(*[(attempt("admin"), attempt("fantasma")) for _ in range(2)])
    for response, _ in wrong + unknown:
        expect_401_bearer(response)
        assert response.content == wrong[0][0].content
    assert min(t for _, t in unknown) >= 0.3 * min(t for _, t in wrong)


@pytest.mark.parametrize("request_kwargs", [
    {"json": {}},
    {"json": {"username": "admin"}},
    {"json": {"password": "admin123"}},
    {"json": {"username": ["admin"], "password": "admin123"}},
    {"json": {"username": "admin", "password": "a" * 129}},
    {"content": b"username=admin", "headers": {"Content-Type": "application/json"}},
], ids=["vazio", "sem-password", "sem-username", "username-lista", "senha-129", "nao-json"])
def test_malformed_login_is_422(api, request_kwargs):
    assert api.post("/login", **request_kwargs).status_code == 422


def test_token_form_has_the_same_limits(api):
    assert api.post("/token", data={"username": "admin", "password": "a" * 129}).status_code == 422
    assert api.post("/token", data={"username": "admin"}).status_code == 422


def test_password_of_128_chars_is_checked_not_rejected(api):
    expect_401_bearer(api.post("/login", json={"username": "admin", "password": "a" * 128}))


SECRET_PASSWORD = "minha-senha-secreta-" + "x" * 120  # 140 caracteres: passa do limite, dá 422


@pytest.mark.parametrize("request_kwargs", [
    {"json": {"username": "admin", "password": SECRET_PASSWORD}},
    {"json": {"username": ["admin"], "password": SECRET_PASSWORD}},
    {"data": {"username": "admin", "password": SECRET_PASSWORD}},
], ids=["login-senha-longa", "login-username-lista", "token-senha-longa"])
def test_validation_errors_never_echo_the_password(api, request_kwargs):
    """O 422 padrão do FastAPI repete o valor recusado em `input`: aqui, nunca (nem a senha, nem nada)."""
    path = "/token" if "data" in request_kwargs else "/login"
    response = api.post(path, **request_kwargs)
    assert response.status_code == 422
    assert "minha-senha-secreta" not in response.text
    assert all(set(error) <= {"loc", "type", "msg", "ctx"} for error in response.json()["detail"])


def test_the_422_of_a_long_password_is_the_one_in_the_guide(api):
    """O exemplo de GUIA_APRENDIZADO.md#dia2-ordem, byte a byte."""
    response = api.post("/login", json={"username": "admin", "password": SECRET_PASSWORD})
    assert response.json() == {"detail": [{
        "loc": ["body", "password"], "type": "string_too_long",
        "msg": "Texto longo demais: o máximo é 128 caracteres.", "ctx": {"max_length": 128},
    }]}


# --- Token e /me ---------------------------------------------------------------------------------


@pytest.mark.parametrize("user", ["admin", "aluno"])
def test_me_returns_only_username_and_role(api, tokens, user):
    response = api.get("/me", headers=bearer(tokens[user]))
    assert response.status_code == 200
    assert response.json() == {"username": user, "role": user}


def test_lowercase_bearer_is_accepted(api, tokens):
    response = api.get("/me", headers=bearer(tokens["admin"], scheme="bearer"))
    assert response.json()["username"] == "admin"


def test_token_minted_with_the_injected_secret_is_accepted(api, secret_key):
    """O controle dos casos abaixo: sem defeito, o token fabricado aqui vale."""
    response = api.get("/me", headers=bearer(forge(claims(sub="aluno"), secret_key)))
    assert response.json() == {"username": "aluno", "role": "aluno"}


def test_malformed_tokens_pass_python_jose_alone(secret_key):
    """O controle dos casos malformados: o python-jose, sozinho, aceita todos. É a guarda que recusa."""
    good = forge(claims(sub="aluno"), secret_key)
    numeric_text_exp = forge({"sub": "aluno", "exp": str(claims()["exp"])}, secret_key)
    for token in (good + "!!", insert(good, "@@@", -5), good + "\xff", good + "==", numeric_text_exp):
        assert jwt.decode(token, secret_key, algorithms=["HS256"])["sub"] == "aluno"
    with pytest.raises(RecursionError):
        jwt.decode(nested_header(good), secret_key, algorithms=["HS256"])


@pytest.mark.parametrize("case", BAD_AUTHORIZATION)
def test_every_bad_token_is_401_with_bearer_challenge(api, secret_key, tokens, case):
    authorization = BAD_AUTHORIZATION[case](secret_key, tokens["aluno"])
    headers = {} if authorization is None else {"Authorization": authorization}
    expect_401_bearer(api.get("/me", headers=headers))


def test_admin_only_route_is_200_for_admin_403_for_aluno_401_without_token(api, tokens):
    assert api.get("/admin/users", headers=bearer(tokens["admin"])).status_code == 200
    forbidden = api.get("/admin/users", headers=bearer(tokens["aluno"]))
    assert forbidden.status_code == 403
    assert isinstance(forbidden.json()["detail"], str)
    expect_401_bearer(api.get("/admin/users"))


# --- O argon2 não trava o event loop ---------------------------------------------------------


async def timed_login(client: httpx.AsyncClient) -> float:
    started = time.perf_counter()
    assert (await client.post("/login", json=ADMIN)).status_code == 200
    return time.perf_counter() - started


async def health_during_logins(client: httpx.AsyncClient) -> float:
    """Segundos de um GET /health pedido logo que o 1º de CONCURRENT_LOGINS logins simultâneos volta."""
    logins = [asyncio.create_task(timed_login(client)) for _ in range(CONCURRENT_LOGINS)]
    await asyncio.wait(logins, return_when=asyncio.FIRST_COMPLETED)
    started = time.perf_counter()
    assert (await client.get("/health")).status_code == 200
    health = time.perf_counter() - started
    await asyncio.gather(*logins)
    return health


async def health_in_logins(url: str) -> float:
    """O /health durante os logins, em múltiplos do tempo de um login sozinho (a melhor de duas rodadas:
    um /health lento por acaso não conta; um loop parado é lento nas duas)."""
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        one_login = statistics.median([await timed_login(client) for _ in range(3)])
        return min([await health_during_logins(client) for _ in range(2)]) / one_login


def test_hashing_does_not_block_the_event_loop(target):
    assert asyncio.run(health_in_logins(target)) <= MAX_HEALTH_IN_LOGINS


def test_the_measure_catches_a_login_that_blocks_the_loop(own_apps):
    """Controle negativo: o argon2 chamado direto na rota `async def` prende o loop, e a medida acima acusa."""
    assert asyncio.run(health_in_logins(own_apps["login-bloqueante"])) > MAX_HEALTH_IN_LOGINS


# --- common.auth por dentro (o que o servidor não mostra) -----------------------------------------


def test_secret_key_is_read_at_call_time(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "chave-de-hoje")
    token = auth.create_access_token("admin")
    assert auth.verify_token(token) == "admin"
    monkeypatch.setenv("SECRET_KEY", "chave-de-amanha")
    with pytest.raises(HTTPException) as error:
        auth.verify_token(token)
    assert error.value.status_code == 401
    assert error.value.headers == {"WWW-Authenticate": "Bearer"}


def test_expiry_comes_from_settings_unless_given(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "chave")
    monkeypatch.setenv("ACCESS_TOKEN_EXPIRE_MINUTES", "3")
    for token, minutes in ((auth.create_access_token("aluno"), 3), (auth.create_access_token("aluno", 1), 1)):
        exp = jwt.decode(token, "chave", algorithms=["HS256"])["exp"]
        assert abs(exp - (time.time() + minutes * 60)) < 5


def test_users_keep_only_argon2_hashes():
    assert set(auth.USERS) == {"admin", "aluno"}
    for name, user in auth.USERS.items():
        assert user.password_hash.startswith("$argon2")
        assert f"{name}123" not in user.model_dump_json()


def test_authenticate_user_returns_a_user_without_hash():
    user = auth.authenticate_user("admin", "admin123")
    assert type(user) is auth.User and user.model_dump() == {"username": "admin", "role": "admin"}


def test_require_admin_refuses_other_roles():
    admin = auth.User(username="admin", role="admin")
    assert auth.require_admin(admin) is admin
    with pytest.raises(HTTPException) as error:
        auth.require_admin(auth.User(username="aluno", role="aluno"))
    assert error.value.status_code == 403


# --- O pool do hash: memória e threads limitadas, e 503 quando a fila não anda ---------------------


def test_hashes_run_in_at_most_hash_workers_threads():
    """Por mais logins que cheguem juntos, o argon2 só roda nas HASH_WORKERS threads do pool.

    É isso que limita a memória (19 MiB por hash em andamento): no threadpool do FastAPI eram até 40.
    """
    async def many_logins() -> set[str]:
        names = await asyncio.gather(*(auth.run_hash(lambda: threading.current_thread().name) for _ in range(50)))
        return set(names)

    names = asyncio.run(many_logins())
    assert 1 <= len(names) <= auth.HASH_WORKERS <= 4
    assert all(name.startswith("argon2") for name in names)


def test_a_login_that_cannot_get_a_hash_worker_in_time_gets_503_with_retry_after(monkeypatch):
    """Com o pool ocupado além do prazo, o login desiste: 503 com Retry-After, em vez de esperar sem fim.

    E o pedido que desistiu sai da fila sem rodar: nenhum Argon2 gasto com quem já foi embora.
    """
    monkeypatch.setattr(auth, "HASH_WAIT_SECONDS", 0.2)
    release, late_login_ran = threading.Event(), threading.Event()

    async def flood() -> HTTPException:
        busy = [asyncio.ensure_future(auth.run_hash(release.wait, 30)) for _ in range(auth.HASH_WORKERS)]
        await asyncio.sleep(0)  # só cede a vez ao loop: as tarefas acima entram no pool antes deste login
        try:
            with pytest.raises(HTTPException) as refused:
                await auth.run_hash(late_login_ran.set)
            return refused.value
        finally:
            release.set()
            await asyncio.gather(*busy, return_exceptions=True)  # elas também passaram do prazo
            monkeypatch.setattr(auth, "HASH_WAIT_SECONDS", 30)
            await auth.run_hash(lambda: None)  # a fila é em ordem: o login que desistiu já teria rodado

    error = asyncio.run(flood())
    assert error.status_code == 503
    assert error.headers == {"Retry-After": "0.2"}
    assert "Tente de novo" in error.detail
    assert not late_login_ran.is_set()
