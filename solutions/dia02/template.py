"""Dia 2 — login com JWT sobre a API de prompts do Dia 1 (solução de referência).

Rode dentro desta pasta:  uvicorn template:app --reload
Documentação interativa:  http://127.0.0.1:8000/docs (botão "Authorize": admin / admin123)
Compare com o exercício:  diff dia02/template.py solutions/dia02/template.py
O mesmo código de autenticação, pronto para reusar, está em common/auth.py (o Dia 3 usa).
"""

import asyncio
import os
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from itertools import count
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Form, HTTPException, Path, Query, status
from fastapi.security import OAuth2PasswordBearer
from jose import JWTError, jwt
from passlib.context import CryptContext
from pydantic import BaseModel, Field

from common.api import CourseRoute, error_response
from common.config import get_settings
from common.docs import serve_docs_offline

app = FastAPI(title="Dia 2 — API de prompts com login JWT")
# A rota do curso (common/api.py, pronta): todo corpo malformado vira 422, o 422 não repete o que o
# cliente mandou (a senha!) e, nas rotas com login, sem token válido sai 401 antes de qualquer 422
# (GUIA_APRENDIZADO.md#dia2-ordem).
app.router.route_class = CourseRoute
serve_docs_offline(app)  # /docs sem internet: o Swagger UI vem deste app (common/docs.py)

ALGORITHM = "HS256"


def unauthorized(detail: str) -> HTTPException:
    # O cabeçalho WWW-Authenticate diz ao cliente COMO se autenticar (RFC 6750): com Bearer.
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail, headers={"WWW-Authenticate": "Bearer"})


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


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
@app.post("/login", responses=LOGIN_RESPONSES)
async def login(credentials: LoginRequest) -> Token:
    return await issue_token(credentials)


# O mesmo login como formulário OAuth2 (username e password): é o que o botão
# "Authorize" do /docs envia. Form() reaproveita o LoginRequest, com os mesmos limites.
@app.post("/token", responses=LOGIN_RESPONSES)
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


# Passo 5 — GET /me e GET /admin/users (GUIA_APRENDIZADO.md#dia2-passo5)
ADMIN_ONLY = {403: error_response("Só administradores")}  # para o /docs


def require_admin(user: CurrentUser) -> User:
    # 401 = não sei quem você é; 403 = sei, mas você não pode.
    if user.role != "admin":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Apenas administradores podem fazer isso")
    return user


@app.get("/me")
def read_me(user: CurrentUser) -> User:
    return user


# dependencies=[...]: a rota só precisa que require_admin passe, não do valor que ele devolve.
@app.get("/admin/users", dependencies=[Depends(require_admin)], responses=ADMIN_ONLY)
def list_users() -> list[User]:
    return [user.public() for user in USERS.values()]


# Passo 6 — a API de prompts do Dia 1, agora com dono (GUIA_APRENDIZADO.md#dia2-passo6)
class PromptIn(BaseModel):
    title: str = Field(min_length=1, max_length=80)
    text: str = Field(min_length=1, max_length=4000)
    tags: list[str] = []


class Prompt(PromptIn):
    id: int
    created_at: datetime
    # Quem criou: vem do token, nunca do corpo (senão qualquer um se diria dono).
    owner: str


# Como no Dia 1: dict em ordem de inserção (= ordem de id) e um contador que só cresce.
prompts_db: dict[int, Prompt] = {}
prompt_ids = count(start=1)

PromptId = Annotated[int, Path(description="O id devolvido pelo POST /prompts")]
# As respostas de erro de cada rota, para o /docs (o 401 das rotas com login e o 422 saem sozinhos).
NOT_FOUND = {404: error_response("Prompt não encontrado")}
OWNER_ONLY = {403: error_response("Só o dono do prompt ou um admin"), **NOT_FOUND}


def ensure_can_edit(prompt: Prompt, user: User) -> None:
    # 403 e não 404: o prompt existe (o GET é público), só não é de quem pediu.
    if user.role != "admin" and prompt.owner != user.username:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Só o dono do prompt ou um admin pode alterá-lo")


@app.post("/prompts", status_code=status.HTTP_201_CREATED)
def create_prompt(body: PromptIn, user: CurrentUser) -> Prompt:
    prompt = Prompt(
        id=next(prompt_ids), owner=user.username, created_at=datetime.now(timezone.utc), **body.model_dump()
    )
    prompts_db[prompt.id] = prompt
    return prompt


# Ler continua público: sem CurrentUser aqui.
@app.get("/prompts")
def list_prompts(
    tag: str | None = None,
    q: str | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[Prompt]:
    prompts = list(prompts_db.values())
    if tag is not None:
        prompts = [p for p in prompts if tag in p.tags]
    if q:
        needle = q.casefold()
        prompts = [p for p in prompts if needle in p.title.casefold() or needle in p.text.casefold()]
    return prompts[offset : offset + limit]


def find_prompt(prompt_id: int) -> Prompt:
    """Devolve o prompt ou responde 404. PUT e DELETE reutilizam esta função."""
    if prompt_id not in prompts_db:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"Prompt {prompt_id} não encontrado")
    return prompts_db[prompt_id]


@app.get("/prompts/{prompt_id}", responses=NOT_FOUND)
def read_prompt(prompt_id: PromptId) -> Prompt:
    return find_prompt(prompt_id)


@app.put("/prompts/{prompt_id}", responses=OWNER_ONLY)
def update_prompt(prompt_id: PromptId, body: PromptIn, user: CurrentUser) -> Prompt:
    current = find_prompt(prompt_id)
    ensure_can_edit(current, user)
    # model_copy(update=...) troca só os campos do corpo: id, owner e created_at continuam os originais.
    updated = current.model_copy(update=body.model_dump())
    prompts_db[prompt_id] = updated
    return updated


@app.delete("/prompts/{prompt_id}", status_code=status.HTTP_204_NO_CONTENT, responses=OWNER_ONLY)
def delete_prompt(prompt_id: PromptId, user: CurrentUser) -> None:
    ensure_can_edit(find_prompt(prompt_id), user)
    del prompts_db[prompt_id]
