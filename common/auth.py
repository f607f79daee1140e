"""Autenticação JWT de referência: a solução do Dia 2, pronta para o Dia 3 reutilizar.

Quem travou no Dia 2 ainda consegue fazer o Dia 3, porque o template do Dia 3 importa
daqui. O código é o mesmo de solutions/dia02/template.py (mesmos nomes, mesma ordem);
a diferença é que as rotas ficam num APIRouter, que o app do Dia 3 inclui:

    from common.auth import CurrentUser, router

    app.include_router(router)          # POST /login, POST /token e GET /me

    @app.get("/algo-protegido")
    def protected(user: CurrentUser): ...
"""

import asyncio
import os
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, status
from fastapi.security import OAuth2PasswordBearer
from jose import JWTError, jwt
from passlib.context import CryptContext
from pydantic import BaseModel, Field

from common.api import CourseRoute, error_response
from common.config import get_settings

__all__ = [
    "ALGORITHM", "LOGIN_RESPONSES", "USERS", "CurrentUser", "LoginRequest", "Token", "User", "UserInDB",
    "authenticate_user", "create_access_token", "get_current_user", "oauth2_scheme",
    "require_admin", "router", "run_hash", "unauthorized", "verify_token",
]

ALGORITHM = "HS256"

router = APIRouter(tags=["autenticação"], route_class=CourseRoute)


def unauthorized(detail: str) -> HTTPException:
    # O cabeçalho WWW-Authenticate diz ao cliente COMO se autenticar (RFC 6750): com Bearer.
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail, headers={"WWW-Authenticate": "Bearer"})


# Passo 1 — usuários com senha em hash (GUIA_APRENDIZADO.md#dia2-passo1)
class User(BaseModel):
    username: str
    role: str


class UserInDB(User):
    password_hash: str

    def public(self) -> User:
        """O mesmo usuário sem o hash: só isto pode sair numa resposta."""
        return User(username=self.username, role=self.role)


# argon2: lento de propósito (e gasta memória), para adivinhar senhas sair caro.
# Parâmetros: o mínimo recomendado pela OWASP para argon2id (19 MiB, 2 passadas, 1 via).
# Os padrões da biblioteca (64 MiB, 3, 4) custam ~5x mais CPU a cada login.
pwd_context = CryptContext(
    schemes=["argon2"], argon2__memory_cost=19456, argon2__rounds=2, argon2__parallelism=1
)

# Guardamos só o hash: quem lê este dict (ou um dump do banco) não descobre a senha.
USERS: dict[str, UserInDB] = {
    "admin": UserInDB(username="admin", role="admin", password_hash=pwd_context.hash("admin123")),
    "aluno": UserInDB(username="aluno", role="aluno", password_hash=pwd_context.hash("aluno123")),
}
# Hash de uma senha que ninguém tem: conferimos contra ele quando o usuário não existe.
DUMMY_HASH = pwd_context.hash("senha-de-ninguem")


# Passo 2 — criar o token (GUIA_APRENDIZADO.md#dia2-passo2)
def create_access_token(sub: str, expires_minutes: int | None = None) -> str:
    # get_settings() a cada chamada (e não uma constante no import): o .env, o corretor
    # e os testes podem trocar SECRET_KEY sem mexer no código.
    settings = get_settings()
    if expires_minutes is None:
        expires_minutes = settings.access_token_expire_minutes
    expire = datetime.now(timezone.utc) + timedelta(minutes=expires_minutes)
    return jwt.encode({"sub": sub, "exp": expire}, settings.secret_key, algorithm=ALGORITHM)


# Passo 3 — POST /login e POST /token (GUIA_APRENDIZADO.md#dia2-passo3)
class LoginRequest(BaseModel):
    username: str = Field(min_length=1, max_length=50)
    # Teto de 128: sem ele, uma "senha" de megabytes faria o argon2 trabalhar à toa.
    password: str = Field(min_length=1, max_length=128)


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"


def authenticate_user(username: str, password: str) -> User | None:
    user = USERS.get(username)
    # Usuário inexistente também passa por um verify (contra o DUMMY_HASH): a resposta
    # demora o mesmo, e o tempo não revela quais usuários existem.
    password_ok = pwd_context.verify(password, user.password_hash if user else DUMMY_HASH)
    if user is None or not password_ok:
        return None
    return user.public()


# O pool do hash: o argon2 gasta 19 MiB e uma CPU inteira por login. No threadpool do FastAPI (40
# threads), 100 logins simultâneos eram 40 hashes de uma vez: 1 GiB de RAM e o /health na fila.
# Aqui, uma thread por CPU (no máximo 4): a memória fica em HASH_WORKERS × 19 MiB, e quem passa disso
# espera a vez na fila do pool, sem ocupar thread nenhuma. Veja GUIA_APRENDIZADO.md#dia2-pool-hash.
HASH_WORKERS = min(os.cpu_count() or 1, 4)
hash_pool = ThreadPoolExecutor(max_workers=HASH_WORKERS, thread_name_prefix="argon2")
HASH_WAIT_SECONDS = 10  # prazo do login (fila + hash); numa enxurrada, 503 em vez de esperar sem fim


async def run_hash(function: Callable[..., Any], *args: Any) -> Any:
    """Roda `function` (que faz argon2) no pool do hash, fora do event loop; 503 se a vez não chega."""
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(HASH_WAIT_SECONDS):
            return await loop.run_in_executor(hash_pool, function, *args)
    except TimeoutError:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE, "Muitos logins ao mesmo tempo. Tente de novo em instantes.",
            headers={"Retry-After": str(HASH_WAIT_SECONDS)},
        ) from None


async def issue_token(credentials: LoginRequest) -> Token:
    # O argon2 roda no pool do hash: o event loop segue atendendo as outras requisições.
    user = await run_hash(authenticate_user, credentials.username, credentials.password)
    if user is None:
        # Mesma mensagem para usuário inexistente e senha errada.
        raise unauthorized("Usuário ou senha incorretos")
    return Token(access_token=create_access_token(user.username))


# As respostas de erro do login, para o /docs (o 422 o FastAPI já documenta sozinho).
LOGIN_RESPONSES = {
    401: error_response("Usuário ou senha incorretos", headers={"WWW-Authenticate": {"schema": {"type": "string"}}}),
    503: error_response("Muitos logins ao mesmo tempo: tente de novo depois de Retry-After segundos",
                        headers={"Retry-After": {"schema": {"type": "string"}}}),
}


# `async def`: a rota só espera o hash, que roda no pool (veja run_hash); nenhuma thread fica presa.
@router.post("/login", responses=LOGIN_RESPONSES)
async def login(credentials: LoginRequest) -> Token:
    return await issue_token(credentials)


# O mesmo login como formulário OAuth2 (username e password): é o que o botão
# "Authorize" do /docs envia. Form() reaproveita o LoginRequest, com os mesmos limites.
@router.post("/token", responses=LOGIN_RESPONSES)
async def login_form(credentials: Annotated[LoginRequest, Form()]) -> Token:
    return await issue_token(credentials)


# Passo 4 — verify_token e get_current_user (GUIA_APRENDIZADO.md#dia2-passo4)
# auto_error=False: sem token, a dependência devolve None e nós respondemos o 401 em
# português. tokenUrl="token" mostra ao /docs onde pedir o token.
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token", auto_error=False)


# A forma compacta de um JWT: três partes base64url (sem "="), separadas por ponto.
COMPACT_JWT = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
# Tudo o que o decode levanta com um token hostil (veja GUIA_APRENDIZADO.md#dia2-passo4).
DECODE_ERRORS = (JWTError, RecursionError, TypeError, OverflowError)
INVALID_TOKEN = "Token inválido ou expirado"


def verify_token(token: str) -> str:
    """Confere forma, assinatura, algoritmo, validade e usuário; devolve o username (o sub)."""
    # O base64 do python-jose pula caracteres de fora do alfabeto: sem esta guarda, token + "!!" valeria.
    if not COMPACT_JWT.fullmatch(token):
        raise unauthorized(INVALID_TOKEN)
    settings = get_settings()
    try:
        # algorithms=["HS256"] explícito: um token com alg "none" ou outro algoritmo é recusado.
        # require_*: sem exp (token eterno) ou sem sub, o token não vale.
        payload = jwt.decode(
            token,
            settings.secret_key,
            algorithms=[ALGORITHM],
            options={"require_exp": True, "require_sub": True},
        )
    # Qualquer token ruim vira 401, nunca 500: o cabeçalho é lido ANTES da assinatura, e um JSON
    # aninhado fundo estoura a recursão (RecursionError); um exp absurdo escapa como TypeError/OverflowError.
    except DECODE_ERRORS:
        raise unauthorized(INVALID_TOKEN) from None
    # RFC 7519: exp é um número JSON e sub, um texto. O python-jose aceitaria o exp "9999999999" (texto).
    if type(payload["exp"]) not in (int, float) or not isinstance(payload["sub"], str):
        raise unauthorized(INVALID_TOKEN)
    username = payload["sub"]
    if username not in USERS:
        raise unauthorized("Token de um usuário que não existe")
    return username


def get_current_user(token: Annotated[str | None, Depends(oauth2_scheme)]) -> User:
    if token is None:
        raise unauthorized("Faça login e envie o cabeçalho Authorization: Bearer <token>")
    # public(): quem recebe o usuário (as rotas) nunca vê o hash, então não tem como vazá-lo.
    return USERS[verify_token(token)].public()


# Atalho para as rotas: `user: CurrentUser` no lugar de Annotated[User, Depends(...)].
CurrentUser = Annotated[User, Depends(get_current_user)]


# Passo 5 — GET /me e require_admin (GUIA_APRENDIZADO.md#dia2-passo5)
def require_admin(user: CurrentUser) -> User:
    # 401 = não sei quem você é; 403 = sei, mas você não pode.
    if user.role != "admin":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Apenas administradores podem fazer isso")
    return user


@router.get("/me")
def read_me(user: CurrentUser) -> User:
    return user
