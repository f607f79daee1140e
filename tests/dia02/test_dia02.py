"""Verificações do Dia 2 — login com JWT, /me, rotas protegidas e dono do prompt.

Estilo livre, comportamento estrito: python-jose ou PyJWT, HTTPBearer ou OAuth2PasswordBearer,
"bearer" minúsculo, qualquer formato de 422. O que conta é o contrato: 401 com
`WWW-Authenticate: Bearer` para TODO token ruim (nunca 500), HS256 com a SECRET_KEY do ambiente.

O corretor injeta uma SECRET_KEY aleatória; com ela fabrica tokens (válidos, vencidos, com outro
algoritmo...) para provar o que o servidor aceita. Sem a chave (modo --url), essas verificações
são puladas.

Cada defeito é cobrado uma vez só, na verificação dona dele. Sem login, as outras usam um token
fabricado pelo corretor; o `WWW-Authenticate` é de dia02.sem_token, e as outras só o cobram se ele
funciona lá. Só quando não há como medir (ex.: /me não aceita nem um token válido) uma verificação
é pulada, com "depende de ..." e o motivo.
"""

from __future__ import annotations

import base64
import json
import secrets
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed

import httpx
import pytest
from jose import jwt
from jose.exceptions import JWTError

from common.grader.checks import check, describe_response, expect, expect_equal, expect_status
from common.grader.helpers import bearer, expect_health, json_of, token_for, unique_code
from common.grader.httpclient import new_client

ADMIN = ("admin", "admin123")
ALUNO = ("aluno", "aluno123")
DAY_SECONDS = 24 * 60 * 60
CLOCK_SLACK = 60  # segundos de folga entre o relógio do corretor e o do servidor
TIMING_ROUNDS = 3  # mediana de 3: aguenta um ponto fora da curva, e cada login custa um argon2
# Hash "rápido" (< 20 ms) não dá para medir com segurança numa máquina carregada: não comparamos.
MEASURABLE_HASH_SECONDS = 0.02
MIN_TIMING_RATIO = 0.25
HASH_PREFIXES = ("$argon2", "$2a$", "$2b$", "$2y$", "$pbkdf2", "$scrypt", "$5$", "$6$")
HINT_401 = "Todo token ruim deve virar HTTPException(401, ..., headers={'WWW-Authenticate': 'Bearer'})."
HINT_ALG = ('Decodifique com jwt.decode(token, chave, algorithms=["HS256"]): sem a lista, o algoritmo que manda '
            "é o do cabeçalho, que quem escreve é o atacante.")
HINT_CLAIMS = ('Exija as claims no decode: options={"require_exp": True, "require_sub": True}. Sem isso, um token '
               'sem a claim passa pelo decode: sem "exp" ele vale para sempre, e um payload["sub"] que não existe '
               "vira KeyError (500).")
# Aspectos com dona (veja common/grader/facets.py): as outras verificações só os cobram se funcionam na dona.
CHALLENGE = "o cabeçalho WWW-Authenticate: Bearer no 401"  # dona: dia02.sem_token
ME_ACCEPTS = "GET /me aceitar um token válido"  # dona: dia02.me
MINTED_ACCEPTED = "aceitar tokens HS256 assinados com a SECRET_KEY do ambiente"  # dona: dia02.token_formato
WRONG_PASSWORD_401 = "POST /login com senha errada responder 401"  # dona: dia02.login_invalido
LOGIN_CHALLENGE = "o WWW-Authenticate: Bearer no 401 do login"  # dona: dia02.login_invalido
TOKEN_TYPE = '"token_type": "bearer" na resposta do login'  # dona: dia02.login_ok
SLOW_HASH = "o hash lento da senha"  # dona: dia02.hash_lento (sem ele não há o que bloquear o event loop)
BAD_TOKEN_NOT_500 = "um token com assinatura errada dar 401, e não 500 (JWTError capturado)"  # dona: token_adulterado
# hash_lento: um login com senha errada custa um hash lento; uma requisição trivial no mesmo servidor, não.
# O mínimo de cada lado é o custo de verdade: a carga da máquina só acrescenta tempo, nunca tira.
HASH_ROUNDS = 7
MIN_HASH_RATIO = 3.0  # argon2/bcrypt ficam dezenas de vezes acima; texto puro e sha256 ficam perto de 1
MIN_HASH_SECONDS = 0.005
# login_nao_bloqueia: logins simultâneos e um /health no meio deles. Medido aqui: com o hash fora do loop,
# o /health leva até ~2 logins; com o hash dentro do loop, 4 a 7 (espera a fila inteira).
CONCURRENT_LOGINS = 8
BURST_ROUNDS = 2
MAX_HEALTH_IN_LOGINS = 3.0
HINT_PROTECT = "Rotas protegidas recebem user: CurrentUser (Depends(get_current_user)): sem token, 401."
HINT_500 = "Um 500 é exceção não tratada: capture JWTError (python-jose) ou jwt.PyJWTError (PyJWT) e responda 401."
HINT_MALFORMED = (
    "Antes do decode, confira a forma compacta do JWT (três partes base64url separadas por ponto, "
    "com re.fullmatch): o base64 da biblioteca pula caracteres estranhos. Capture também RecursionError "
    "(o cabeçalho é lido antes da assinatura) e exija exp numérico: o texto \"9999999999\" passa na biblioteca."
)


# ---------------------------------------------------------------- ajudantes


# Um login por usuário para o dia todo (escopo do módulo): cada login custa um argon2, lento de
# propósito. O login em si é cobrado em login_ok; se ele não funciona, o token é fabricado pelo corretor.
@pytest.fixture(scope="module")
def admin_jwt(target) -> str:
    return token_for(target, ADMIN)


@pytest.fixture(scope="module")
def aluno_jwt(target) -> str:
    return token_for(target, ALUNO)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forge_token(claims: dict, key: str, alg: str = "HS256") -> str:
    """Fabrica um JWT; alg="none" monta o token sem assinatura (a biblioteca se recusa a fazê-lo)."""
    if alg == "none":
        header = b64url(json.dumps({"alg": "none", "typ": "JWT"}).encode())
        return f"{header}.{b64url(json.dumps(claims).encode())}."
    return jwt.encode(claims, key, algorithm=alg)


def claims_for(sub: object = "admin", minutes: float = 10, **extra) -> dict:
    """Claims de um token: sub e exp daqui a `minutes` (negativo = vencido)."""
    return {"sub": sub, "exp": int(time.time() + minutes * 60), **extra}


def claims_of(token: str) -> dict:
    """As claims de um token sem verificar a assinatura (ou claims novas, se nem for JWT)."""
    try:
        return jwt.get_unverified_claims(token)
    except JWTError:
        return claims_for()


def me_accepts(api: httpx.Client, token: str) -> bool:
    return api.get("/me", headers=bearer(token)).status_code == 200


def require_me(facets) -> None:
    """Sem /me aceitar um token válido, um 401 em /me não prova nada: pula (o defeito é de dia02.me)."""
    facets.require(ME_ACCEPTS, owner="dia02.me")


def require_minted_tokens(facets) -> None:
    """Tokens fabricados pelo corretor só provam algo se um token válido dele é aceito."""
    facets.require(MINTED_ACCEPTED, owner="dia02.token_formato")


def has_challenge(response: httpx.Response) -> bool:
    return response.headers.get("www-authenticate", "").lower().startswith("bearer")


def expect_unauthorized(response: httpx.Response, case: str, facets=None, help: str = HINT_401,
                        help_500: str = HINT_500, anchor: str | None = None, owner: bool = False) -> None:
    """401 e, se `facets` vier, o desafio `WWW-Authenticate: Bearer` (o que o padrão OAuth2 pede).

    O cabeçalho é de dia02.sem_token (owner=True): as outras só o cobram se ele funciona lá. A âncora
    vale para a causa de `help`; um 500 é exceção não tratada, e a dica é a da verificação.
    """
    expect(
        response.status_code == 401,
        f"401 para {case}",
        describe_response(response),
        help=help_500 if response.status_code == 500 else help,
        anchor=None if response.status_code == 500 and help_500 == HINT_500 else anchor,
    )
    if facets is None or not (owner or facets.works(CHALLENGE, owner="dia02.sem_token")):
        return
    header = response.headers.get("www-authenticate", "")
    expect(has_challenge(response), f"cabeçalho WWW-Authenticate: Bearer no 401 para {case}",
           header or "(sem o cabeçalho)", help=HINT_401)


def expect_rejected_tokens(api: httpx.Client, tokens: dict[str, str | bytes], facets, help: str = HINT_401,
                           help_500: str = HINT_500, anchor: str | None = None, owner: bool = False) -> None:
    """Cada token dá 401 em GET /me. Um 500 de JWTError não capturado é de dia02.token_adulterado (owner)."""
    for case, token in tokens.items():
        authorization = b"Bearer " + token if isinstance(token, bytes) else f"Bearer {token}"
        response = api.get("/me", headers={"Authorization": authorization})
        if response.status_code == 500 and not owner and not facets.works(BAD_TOKEN_NOT_500,
                                                                          owner="dia02.token_adulterado"):
            continue
        expect_unauthorized(response, f"GET /me com {case}", facets, help=help, help_500=help_500, anchor=anchor)


def malformed_tokens(good: str, secret_key: str | None) -> dict[str, str | bytes]:
    """Um token bom, estragado de jeitos que a biblioteca sozinha não recusa (ou recusa com um 500)."""
    _, payload, signature = (good.split(".") + ["", ""])[:3]
    tokens: dict[str, str | bytes] = {
        'o token com "!!" no fim': f"{good}!!",
        'o token com "@@@" no meio da assinatura': good[:-5] + "@@@" + good[-5:],
        "o token com um byte 0xFF no fim": good.encode() + b"\xff",
        "o token com o cabeçalho trocado por [[[[... (2000 níveis de JSON)": f"{b64url(b'[' * 2000)}.{payload}.{signature}",
    }
    if secret_key:
        numeric_text = {"sub": "admin", "exp": str(claims_for()["exp"])}
        tokens['um token com "exp" em texto ("9999999999" em vez de um número)'] = forge_token(numeric_text, secret_key)
    return tokens


def secrets_in(value: object, path: str = "") -> list[str]:
    """Campos que parecem senha ou hash, em qualquer nível do JSON."""
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            if any(word in str(key).lower() for word in ("password", "senha", "hash", "secret")):
                found.append(f"{path}{key}")
            found += secrets_in(item, f"{path}{key}.")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += secrets_in(item, f"{path}{index}.")
    elif isinstance(value, str) and (value.startswith(HASH_PREFIXES) or value in ("admin123", "aluno123")):
        found.append(f"{path.rstrip('.')} = {value[:12]}…")
    return found


def expect_no_secrets(response: httpx.Response, where: str, anchor: str | None = None) -> None:
    leaks = secrets_in(json_of(response))
    expect(not leaks, f"{where} sem senha nem hash", f"campos {leaks}",
           help="Devolva um modelo de resposta só com username e role (response_model).", anchor=anchor)


def post_login(api: httpx.Client, username: str, password: str) -> httpx.Response:
    return api.post("/login", json={"username": username, "password": password})


def expect_token_response(response: httpx.Response, route: str, facets=None) -> str:
    """200 com {"access_token": str, "token_type": "bearer"}; devolve o token.

    O token_type é de dia02.login_ok: /token só o cobra se ele funciona no /login.
    """
    expect_status(response, 200, help=f"{route} com usuário e senha certos responde 200 com o token.")
    body = json_of(response)
    expect(isinstance(body, dict) and isinstance(body.get("access_token"), str) and body["access_token"],
           f'JSON com "access_token" (string) em {route}', describe_response(response))
    if facets is None or facets.works(TOKEN_TYPE, owner="dia02.login_ok"):
        expect(str(body.get("token_type", "")).lower() == "bearer", f'"token_type": "bearer" em {route}',
               body.get("token_type"))
    return body["access_token"]


def timed_login(api: httpx.Client, username: str, password: str) -> tuple[httpx.Response, float]:
    started = time.perf_counter()
    response = post_login(api, username, password)
    return response, time.perf_counter() - started


def timed(request) -> float:
    started = time.perf_counter()
    request()
    return time.perf_counter() - started




def create_prompt(api: httpx.Client, token: str, who: str) -> dict:
    body = {"title": f"Prompt de {who} {unique_code()}", "text": "Um texto qualquer", "tags": ["dia2"]}
    response = api.post("/prompts", json=body, headers=bearer(token))
    expect_status(response, 201, help="Com um token válido, POST /prompts cria o prompt (201).")
    created = json_of(response)
    expect(isinstance(created, dict) and isinstance(created.get("id"), int), "o prompt criado com id",
           describe_response(response))
    return created


def edit(api: httpx.Client, prompt: dict, token: str | None, title: str) -> httpx.Response:
    body = {"title": title, "text": prompt["text"], "tags": prompt["tags"]}
    headers = bearer(token) if token else {}
    return api.put(f"/prompts/{prompt['id']}", json=body, headers=headers)


def current_title(api: httpx.Client, prompt: dict) -> object:
    return (json_of(api.get(f"/prompts/{prompt['id']}")) or {}).get("title")


def expect_expiry(exp: object) -> None:
    """exp numérico, no futuro e a no máximo 24 h (com folga para relógios um pouco diferentes)."""
    now = time.time()
    expect(isinstance(exp, (int, float)) and not isinstance(exp, bool), 'claim "exp" (timestamp numérico)', exp,
           help='Inclua "exp": datetime.now(timezone.utc) + timedelta(minutes=...) nas claims.')
    expect(now - CLOCK_SLACK < exp <= now + DAY_SECONDS + CLOCK_SLACK, '"exp" no futuro e no máximo 24 h à frente',
           f"exp a {(exp - now) / 60:.1f} min de agora",
           help="Use ACCESS_TOKEN_EXPIRE_MINUTES (padrão 30).")


# ---------------------------------------------------------------- verificações


@check("dia02.servidor_sobe", points=5, hint="dia2-problemas")
def test_servidor_sobe(api):
    """O servidor sobe e GET /health responde {"status": "ok"}"""
    expect_health(api)


@check("dia02.login_ok", points=10, hint="dia2-passo3")
def test_login_ok(api, facets):
    """POST /login com usuário e senha certos devolve access_token e token_type bearer"""
    facets.record(TOKEN_TYPE, str((json_of(post_login(api, *ALUNO)) or {}).get("token_type", "")).lower() == "bearer")
    tokens = {user: expect_token_response(post_login(api, user, password), f"POST /login ({user})")
              for user, password in (ADMIN, ALUNO)}
    expect(tokens["admin"] != tokens["aluno"], "tokens diferentes para admin e aluno", "o mesmo token")


@check("dia02.login_invalido", points=10, after=["dia02.login_ok", "dia02.sem_token"], hint="dia2-passo3",
       timeout=40)
def test_login_invalido(api, facets):
    """Senha errada e usuário inexistente: mesmo 401, mesmo corpo e tempo parecido"""
    wrong, unknown = [], []
    for _ in range(TIMING_ROUNDS):  # intercalados, para a carga da máquina pesar igual nos dois
        wrong.append(timed_login(api, "admin", "senha-errada"))
        unknown.append(timed_login(api, f"fantasma-{unique_code()}", "senha-errada"))
    wrong_response, unknown_response = wrong[0][0], unknown[0][0]
    facets.record(WRONG_PASSWORD_401, wrong_response.status_code == 401)
    facets.record(LOGIN_CHALLENGE, has_challenge(wrong_response))
    expect_unauthorized(wrong_response, "senha errada", facets)
    expect_unauthorized(unknown_response, "usuário inexistente", facets)
    expect_equal(unknown_response.text, wrong_response.text, what="corpo do 401 (usuário inexistente vs senha errada)",
                 help="Use a mesma mensagem nos dois casos: quem ataca não pode descobrir quais usuários existem.")
    wrong_time = statistics.median(seconds for _, seconds in wrong)
    unknown_time = statistics.median(seconds for _, seconds in unknown)
    if wrong_time >= MEASURABLE_HASH_SECONDS:
        expect(
            unknown_time >= MIN_TIMING_RATIO * wrong_time,
            f"tempo parecido nos dois casos (usuário inexistente ≥ {MIN_TIMING_RATIO:.0%} do tempo da senha errada)",
            f"usuário inexistente {unknown_time * 1000:.0f} ms; senha errada {wrong_time * 1000:.0f} ms",
            help="Para usuário inexistente, verifique a senha contra um hash dummy: o tempo denuncia quem existe.",
        )


@check("dia02.login_validacao", points=5, after=["dia02.login_ok"], hint="dia2-passo3")
def test_login_validacao(api):
    """POST /login recusa corpo malformado e senha com mais de 128 caracteres (422)"""
    cases = {
        "corpo vazio {}": {"json": {}},
        "sem password": {"json": {"username": "admin"}},
        "sem username": {"json": {"password": "admin123"}},
        "username que não é texto": {"json": {"username": ["admin"], "password": "admin123"}},
        "senha com 129 caracteres": {"json": {"username": "admin", "password": "a" * 129}},
        "corpo que não é JSON": {"content": b"username=admin", "headers": {"Content-Type": "application/json"}},
    }
    for case, request in cases.items():
        response = api.post("/login", **request)
        expect(response.status_code == 422, f"422 para {case}", describe_response(response),
               help="Use um modelo Pydantic com password: str = Field(max_length=128).")
    response = post_login(api, "admin", "a" * 128)
    expect(response.status_code == 401, "401 para uma senha errada de 128 caracteres (ainda dentro do limite)",
           describe_response(response))


@check("dia02.token_formato", points=10, after=["dia02.login_ok"], hint="dia2-passo2")
def test_token_formato(api, secret_key, admin_jwt, facets):
    """O token é HS256, assinado com a SECRET_KEY, com sub e exp (até 24 h); um token do corretor vale"""
    minted = forge_token(claims_for("aluno"), secret_key)
    response = api.get("/me", headers=bearer(minted))
    facets.record(MINTED_ACCEPTED, response.status_code == 200)
    try:
        header = jwt.get_unverified_header(admin_jwt)
    except JWTError:
        header = None
    expect(isinstance(header, dict) and header.get("alg") == "HS256", 'um JWT com cabeçalho "alg": "HS256"',
           header if header is not None else admin_jwt)
    try:
        # exp é conferido abaixo, com mensagem própria; aud não faz parte do contrato.
        options = {"verify_exp": False, "verify_aud": False}
        claims = jwt.decode(admin_jwt, secret_key, algorithms=["HS256"], options=options)
    except JWTError as error:
        expect(False, "um token assinado com a SECRET_KEY do ambiente", f"a assinatura não confere ({error})",
               help="Leia a chave com get_settings().secret_key (ou os.environ['SECRET_KEY']); nunca fixe no código.")
    expect_equal(claims.get("sub"), "admin", what='claim "sub"')
    expect_expiry(claims.get("exp"))
    expect_status(response, 200, help="Um token HS256 com sub e exp, assinado com a SECRET_KEY, deve ser aceito.")
    expect_equal((json_of(response) or {}).get("username"), "aluno", what="username de /me com o token do corretor")


@check("dia02.me", points=5, after=["dia02.login_ok"], hint="dia2-passo5")
def test_me(api, admin_jwt, aluno_jwt, facets):
    """GET /me devolve username e role do dono do token, sem senha nem hash"""
    facets.record(ME_ACCEPTS, me_accepts(api, admin_jwt))
    for token, user in ((admin_jwt, "admin"), (aluno_jwt, "aluno")):
        response = api.get("/me", headers=bearer(token))
        expect_status(response, 200, help="Com um token válido, GET /me responde 200.")
        body = json_of(response)
        expect(isinstance(body, dict), "um objeto JSON", describe_response(response))
        expect_equal({"username": body.get("username"), "role": body.get("role")}, {"username": user, "role": user},
                     what=f"username e role de /me ({user})")
        expect_no_secrets(response, "GET /me")
    response = api.get("/me", headers=bearer(admin_jwt, scheme="bearer"))
    expect_status(response, 200, help='O esquema é insensível a maiúsculas: "bearer <token>" também vale.')


@check("dia02.sem_token", points=5, after=["dia02.me"], hint="dia2-passo4")
def test_sem_token(api, admin_jwt, facets):
    """Sem token, ou com outro esquema que não Bearer, GET /me responde 401 com WWW-Authenticate: Bearer"""
    require_me(facets)
    facets.record(CHALLENGE, has_challenge(api.get("/me")))  # as outras verificações só o cobram se vier aqui
    cases = {
        "sem o cabeçalho Authorization": {},
        '"Bearer" sem token': {"Authorization": "Bearer"},
        "esquema Basic": {"Authorization": "Basic YWRtaW46YWRtaW4xMjM="},
        'esquema "Token"': bearer(admin_jwt, scheme="Token"),
        "o token sem esquema": {"Authorization": admin_jwt},
    }
    for case, headers in cases.items():
        expect_unauthorized(api.get("/me", headers=headers), f"GET /me {case}", facets, owner=True)


@check("dia02.token_adulterado", points=10, after=["dia02.me", "dia02.sem_token", "dia02.token_formato"],
       hint="dia2-passo4")
def test_token_adulterado(api, target, aluno_jwt, facets):
    """Tokens adulterados ou malformados (alg none, assinatura, outra chave, HS512, lixo, 8 KB, fora do base64url, aninhados, exp em texto) dão 401"""
    require_me(facets)
    wrong_key_status = api.get("/me", headers=bearer(forge_token(claims_for("admin"), secrets.token_urlsafe(32)))).status_code
    facets.record(BAD_TOKEN_NOT_500, wrong_key_status != 500)
    head, payload, signature = (aluno_jwt.split(".") + ["", ""])[:3]
    as_admin = {**claims_of(aluno_jwt), "sub": "admin"}
    flipped = ("A" if signature[:1] != "A" else "B") + signature[1:]
    wrong_key = secrets.token_urlsafe(32)
    minted = target.secret_key and me_accepts(api, forge_token(claims_for("admin"), target.secret_key))
    if minted:
        # Com a chave certa, só a lista algorithms=["HS256"] no decode recusa o HS512.
        other_alg = {"HS512 (com a chave certa)": forge_token(claims_for("admin"), target.secret_key, alg="HS512")}
        expect_rejected_tokens(api, other_alg, facets, help=HINT_ALG, anchor="dia2-decode", owner=True)
    tokens = {
        'alg "none"': forge_token(as_admin, "", alg="none"),
        "o payload trocado (sub=admin) e a assinatura original": f"{head}.{b64url(json.dumps(as_admin).encode())}"
        f".{signature}",
        "a assinatura alterada": f"{head}.{payload}.{flipped}",
        "outra chave secreta": forge_token(claims_for("admin"), wrong_key),
        "lixo": "isto-nao-e-um-jwt",
        "três partes sem sentido": "a.b.c",
        "um token de 8 KB": forge_token(claims_for("admin", padding="x" * 8192), wrong_key),
    }
    expect_rejected_tokens(api, tokens, facets, owner=True)
    expect_rejected_tokens(api, malformed_tokens(aluno_jwt, target.secret_key if minted else None), facets,
                           help=HINT_MALFORMED, help_500=HINT_MALFORMED, owner=True)


@check("dia02.token_expirado", points=5, after=["dia02.sem_token", "dia02.token_formato"], hint="dia2-passo4")
def test_token_expirado(api, secret_key, facets):
    """Token vencido ou sem exp dá 401"""
    require_minted_tokens(facets)
    expect_rejected_tokens(api, {"um token vencido há 5 minutos": forge_token(claims_for("admin", minutes=-5), secret_key)},
                           facets)
    expect_rejected_tokens(api, {'um token sem "exp"': forge_token({"sub": "admin"}, secret_key)}, facets,
                           help=HINT_CLAIMS, help_500=HINT_CLAIMS, anchor="dia2-decode")


@check("dia02.usuario_inexistente", points=5, after=["dia02.sem_token", "dia02.token_formato"], hint="dia2-passo4")
def test_usuario_inexistente(api, secret_key, facets):
    """Token válido de usuário que não existe (ou sem sub, ou sub não texto) dá 401"""
    require_minted_tokens(facets)
    expect_rejected_tokens(api, {
        "um token de usuário inexistente": forge_token(claims_for(f"fantasma-{unique_code()}"), secret_key),
    }, facets)
    expect_rejected_tokens(api, {
        'um token sem "sub"': forge_token({"exp": claims_for()["exp"]}, secret_key),
        'um token com "sub" numérico': forge_token(claims_for(12345), secret_key),
    }, facets, help=HINT_CLAIMS, help_500=HINT_CLAIMS, anchor="dia2-decode")


@check("dia02.swagger_token", points=5, after=["dia02.login_ok", "dia02.me", "dia02.sem_token", "dia02.login_invalido"],
       hint="dia2-passo3")
def test_swagger_token(api, admin_jwt, facets):
    """POST /token aceita o formulário OAuth2 (botão Authorize do /docs)"""
    require_me(facets)
    form = {"grant_type": "password", "username": "aluno", "password": "aluno123"}
    token = expect_token_response(api.post("/token", data=form), "POST /token", facets)
    response = api.get("/me", headers=bearer(token))
    expect_status(response, 200, help="O token de /token deve valer em /me como o de /login.")
    expect_equal((json_of(response) or {}).get("username"), "aluno", what="username de /me com o token de /token")
    # Usuário inexistente x senha errada já é cobrado em dia02.login_invalido (cada login custa um argon2).
    # O cabeçalho do 401 de login é de login_invalido (o /token costuma dividir o código com o /login).
    login_challenge = facets.works(LOGIN_CHALLENGE, owner="dia02.login_invalido")
    expect_unauthorized(api.post("/token", data={**form, "password": "senha-errada"}), "POST /token com senha errada",
                        facets if login_challenge else None)


@check("dia02.prompts_protegidos", points=5, after=["dia02.login_ok"], hint="dia2-passo6")
def test_prompts_protegidos(api, aluno_jwt):
    """POST, PUT e DELETE /prompts exigem token; GET continua público; o prompt guarda o owner"""
    body = {"title": f"Sem token {unique_code()}", "text": "não deveria ser criado", "tags": []}
    for case, headers in {"sem token": {}, "com token inválido": bearer("lixo")}.items():
        response = api.post("/prompts", json=body, headers=headers)
        expect_unauthorized(response, f"POST /prompts {case}", help=HINT_PROTECT)
    prompt = create_prompt(api, aluno_jwt, "aluno")
    expect_equal(prompt.get("owner"), "aluno", what='"owner" do prompt criado pelo aluno')
    for url in ("/prompts", f"/prompts/{prompt['id']}"):
        expect_status(api.get(url), 200, help="Leitura continua pública: GET não exige token.")
    for case, response in {
        "PUT /prompts/{id} sem token": edit(api, prompt, None, "Alterado sem token"),
        "DELETE /prompts/{id} sem token": api.delete(f"/prompts/{prompt['id']}"),
    }.items():
        expect_unauthorized(response, case, help=HINT_PROTECT)
    expect_equal(current_title(api, prompt), prompt["title"], what="título depois das tentativas sem token")


@check("dia02.autorizacao", points=5, after=["dia02.login_ok"], hint="dia2-passo6")
def test_autorizacao(api, admin_jwt, aluno_jwt):
    """Só o dono ou o admin alteram um prompt (403 para os outros); /admin/users só para admin"""
    admins = create_prompt(api, admin_jwt, "admin")
    expect_status(edit(api, admins, aluno_jwt, "Invadido"), 403, help="Quem não é dono nem admin recebe 403.")
    expect_status(api.delete(f"/prompts/{admins['id']}", headers=bearer(aluno_jwt)), 403)
    expect_equal(current_title(api, admins), admins["title"], what="título depois das tentativas do aluno")

    alunos = create_prompt(api, aluno_jwt, "aluno")
    expect_status(edit(api, alunos, aluno_jwt, "Editado pelo dono"), 200, help="O dono pode editar o próprio prompt.")
    response = edit(api, alunos, admin_jwt, "Editado pelo admin")
    expect_status(response, 200, help="O admin pode editar qualquer prompt.")
    expect_equal((json_of(response) or {}).get("owner"), "aluno", what='"owner" depois da edição do admin')
    expect_status(api.delete(f"/prompts/{alunos['id']}", headers=bearer(admin_jwt)), 204)

    response = api.get("/admin/users", headers=bearer(admin_jwt))
    expect_status(response, 200, help="GET /admin/users responde 200 para o admin.")
    expect("admin" in response.text and "aluno" in response.text, "a lista com admin e aluno",
           describe_response(response))
    expect_no_secrets(response, "GET /admin/users", anchor="dia2-passo5")
    expect_status(api.get("/admin/users", headers=bearer(aluno_jwt)), 403, help="Quem não é admin recebe 403.",
                  anchor="dia2-passo5")
    expect_unauthorized(api.get("/admin/users"), "GET /admin/users sem token", help=HINT_PROTECT, anchor="dia2-passo5")


@check("dia02.hash_lento", points=10, after=["dia02.login_invalido"], hint="dia2-passo1", timeout=40)
def test_hash_lento(api, facets):
    """A senha é guardada com um hash lento: um login com senha errada custa bem mais que uma requisição trivial"""
    facets.require(WRONG_PASSWORD_401, owner="dia02.login_invalido")  # sem login de verdade, nada a medir
    login_times, trivial_times = [], []
    for _ in range(HASH_ROUNDS):  # intercalados: a carga da máquina pesa igual nos dois
        login_times.append(timed(lambda: post_login(api, "admin", "senha-errada")))
        # O mesmo caminho até o modelo Pydantic, mas sem senha: nada para conferir, nenhum hash.
        trivial_times.append(timed(lambda: api.post("/login", json={"username": "admin"})))
    login_s, trivial_s = min(login_times), min(trivial_times)
    expect(
        facets.record(SLOW_HASH, login_s >= MIN_HASH_RATIO * trivial_s and login_s - trivial_s >= MIN_HASH_SECONDS),
        f"um login com senha errada pelo menos {MIN_HASH_RATIO:g}× mais lento que um POST /login inválido (422)",
        f"login {login_s * 1000:.1f} ms; requisição trivial {trivial_s * 1000:.1f} ms "
        f"({login_s / max(trivial_s, 1e-6):.1f}×)",
        help="A senha parece comparada em texto puro (ou com um hash rápido como sha256). Guarde só o hash "
        "de um algoritmo lento (argon2, bcrypt) e confira com pwd_context.verify(senha, hash).",
    )


@check("dia02.login_nao_bloqueia", points=5, after=["dia02.login_invalido", "dia02.hash_lento"], hint="dia2-pool-hash", timeout=40)
def test_login_nao_bloqueia(api, target, facets):
    """Enquanto vários logins calculam o hash, GET /health continua respondendo na hora"""
    facets.require(WRONG_PASSWORD_401, owner="dia02.login_invalido")
    if not facets.works(SLOW_HASH, owner="dia02.hash_lento"):
        return
    one_login = statistics.median(timed(lambda: post_login(api, "admin", "senha-errada")) for _ in range(3))
    # Duas rodadas, fica a melhor: um /health lento por acaso não reprova; um loop parado é lento nas duas.
    health_s, queued = min(health_during_logins(api, target) for _ in range(BURST_ROUNDS))
    expect(
        health_s <= MAX_HEALTH_IN_LOGINS * one_login,
        f"GET /health em até {MAX_HEALTH_IN_LOGINS:g}× o tempo de um login ({MAX_HEALTH_IN_LOGINS * one_login:.2f} s) "
        f"com {queued} logins ainda esperando o hash",
        f"/health levou {health_s:.2f} s (um login sozinho leva {one_login:.2f} s)",
        help="O hash roda dentro do event loop (um `async def` que chama o hash direto): cada login para o servidor "
        "inteiro. Use `def` na rota (o FastAPI a roda num threadpool) ou mande o hash para uma thread.",
    )


def health_during_logins(api: httpx.Client, target) -> tuple[float, int]:
    """Solta CONCURRENT_LOGINS logins errados juntos e pede /health logo que o primeiro volta."""
    clients = [new_client(target.base_url, timeout=20.0) for _ in range(CONCURRENT_LOGINS)]
    gate = threading.Barrier(CONCURRENT_LOGINS + 1)  # criar os clientes é lento: todos partem juntos

    def login(client: httpx.Client, n: int) -> None:
        gate.wait(timeout=10)
        post_login(client, "admin", f"senha-errada-{n}")

    try:
        with ThreadPoolExecutor(CONCURRENT_LOGINS) as pool:
            logins = [pool.submit(login, client, n) for n, client in enumerate(clients)]
            gate.wait(timeout=10)
            next(as_completed(logins, timeout=30))
            health_s = timed(lambda: api.get("/health"))
            queued = sum(not login.done() for login in logins)
            for login_done in logins:
                login_done.result(timeout=30)
    finally:
        for client in clients:
            client.close()
    return health_s, queued
