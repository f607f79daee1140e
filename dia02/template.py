"""Dia 2 — login com JWT sobre a API de prompts do Dia 1 (exercício).

Rode dentro desta pasta:  uvicorn template:app --reload
Documentação interativa:  http://127.0.0.1:8000/docs (botão "Authorize" depois do passo 3)
Este arquivo começa da solução do Dia 1 (lá embaixo, já funcionando). Siga os passos
"TODO N" na ordem; cada um corresponde a um passo do guia (GUIA_APRENDIZADO.md,
"Passo a passo do Dia 2"), que ensina o conceito com um exemplo noutro contexto e guarda,
dobrada, uma solução de cada passo. Os imports já estão prontos.
Cada TODO diz o objetivo, o contrato (o que o corretor confere) e onde estudar. Quando a
função fica pronta, apague a linha `raise todo(...)` dela: o que vem depois dessa linha
nunca roda, e a rota continua respondendo 501.
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


# Andaime do exercício: uma rota ainda não feita responde 501 (Not Implemented) com uma
# dica, em vez de derrubar o servidor. Terminou todos os passos? Pode apagar esta função.
def todo(step: int, what: str) -> HTTPException:
    return HTTPException(
        status.HTTP_501_NOT_IMPLEMENTED,
        f"TODO {step}: implemente {what} — veja GUIA_APRENDIZADO.md#dia2-passo{step}",
    )


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


# TODO 1 — objetivo: os usuários do curso, com a senha guardada só como hash lento.
#   Contrato: USERS tem "admin" (senha admin123, papel admin) e "aluno" (senha aluno123, papel
#   aluno), cada um um UserInDB cujo password_hash é um hash argon2id com sal, nunca a senha.
#   Defina também um DUMMY_HASH: o hash de uma senha que ninguém tem (o passo 3 confere contra ele).
#   O corretor (dia02.hash_lento) mede: um login com senha errada custa bem mais que uma requisição
#   trivial; senha em texto ou um hash rápido (sha256) reprovam.
#   Conceito e API: CryptContext do passlib com o esquema argon2 e os parâmetros mínimos da OWASP
#   (GUIA_APRENDIZADO.md#dia2-passo1; o porquê em #dia2-hash).
USERS: dict[str, UserInDB] = {}


# Passo 2 — criar o token (GUIA_APRENDIZADO.md#dia2-passo2)
def create_access_token(sub: str, expires_minutes: int | None = None) -> str:
    # TODO 2 — objetivo: o JWT que o login devolve.
    #   Contrato: HS256 (ALGORITHM), assinado com a SECRET_KEY do ambiente, lida nesta chamada com
    #   get_settings() (nunca uma chave escrita no código); claims "sub" (o username) e "exp" (agora,
    #   em UTC, mais expires_minutes; sem o argumento, os minutos de ACCESS_TOKEN_EXPIRE_MINUTES, e
    #   0 é um valor que vale).
    #   Conceito e API: anatomia de um JWT e jwt.encode do python-jose (GUIA_APRENDIZADO.md#dia2-passo2).
    #   O guia mostra como gerar e ler um token de teste antes de existir o login.
    raise todo(2, "create_access_token")


# Passo 3 — POST /login e POST /token (GUIA_APRENDIZADO.md#dia2-passo3)
class LoginRequest(BaseModel):
    # TODO 3 — limites do corpo do login: username de 1 a 50 caracteres, password de 1 a 128
    #   (fora disso, 422; sem teto, uma "senha" de megabytes faria o argon2 trabalhar à toa).
    #   API: os limites de campo do Pydantic, como no Dia 1 (GUIA_APRENDIZADO.md#dia2-passo3).
    username: str
    password: str


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"


def authenticate_user(username: str, password: str) -> User | None:
    # TODO 3 — objetivo: conferir usuário e senha.
    #   Contrato: devolve o usuário público (sem hash) se a senha confere, senão None. Todo caminho
    #   faz exatamente uma verificação argon2: um usuário que não existe confere contra o DUMMY_HASH,
    #   para o tempo de resposta não revelar quem existe (dia02.login_invalido compara os tempos).
    #   Conceito: ataques de tempo e o hash dummy (GUIA_APRENDIZADO.md#dia2-passo3).
    raise todo(3, "authenticate_user")


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
    # TODO 3 — objetivo: trocar credenciais válidas por um Token.
    #   Contrato: a conferência da senha (o argon2) roda no pool do hash, com run_hash (pronto acima),
    #   nunca direto aqui: esta função é async, e um hash no event loop para o servidor inteiro
    #   (dia02.login_nao_bloqueia). Credenciais erradas: 401 com WWW-Authenticate: Bearer (a função
    #   unauthorized()), com a mesma mensagem para usuário inexistente e senha errada.
    #   Conceito: GUIA_APRENDIZADO.md#dia2-passo3 e, sobre o pool, #dia2-pool-hash.
    raise todo(3, "issue_token")


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
# "Authorize" do /docs envia.
@app.post("/token", responses=LOGIN_RESPONSES)
async def login_form() -> Token:
    # TODO 3 — objetivo: o mesmo login, lido de um formulário OAuth2 (username e password).
    #   Contrato: os mesmos limites e as mesmas respostas do /login.
    #   API: um modelo Pydantic lido como formulário, com Form() (GUIA_APRENDIZADO.md#dia2-passo3).
    raise todo(3, "POST /token")


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
    # TODO 4 — objetivo: do token ao username, recusando todo token ruim.
    #   Contrato: devolve o "sub"; todo o resto é 401 com unauthorized() (nunca 500): fora da forma
    #   compacta (confira com COMPACT_JWT antes do decode), assinatura ou chave erradas, outro
    #   algoritmo, vencido, sem "exp" ou sem "sub", um erro qualquer de DECODE_ERRORS, um exp que não é
    #   número JSON, um sub que não é texto, um usuário que não está em USERS.
    #   Conceito e API: jwt.decode com a lista de algoritmos e as claims exigidas
    #   (GUIA_APRENDIZADO.md#dia2-decode); cada guarda em uma linha em #dia2-passo4.
    raise todo(4, "verify_token")


def get_current_user(token: Annotated[str | None, Depends(oauth2_scheme)]) -> User:
    # TODO 4 — objetivo: a dependência das rotas com login.
    #   Contrato: sem token, 401 com unauthorized() e uma mensagem que diga como se autenticar; com
    #   token, o usuário público (sem hash) dono dele, segundo verify_token.
    #   Conceito: dependências e o esquema Bearer (GUIA_APRENDIZADO.md#dia2-passo4).
    raise todo(4, "get_current_user")


# Atalho para as rotas: `user: CurrentUser` no lugar de Annotated[User, Depends(...)].
CurrentUser = Annotated[User, Depends(get_current_user)]


# Passo 5 — GET /me e GET /admin/users (GUIA_APRENDIZADO.md#dia2-passo5)
ADMIN_ONLY = {403: error_response("Só administradores")}  # para o /docs


def require_admin(user: CurrentUser) -> User:
    # TODO 5 — objetivo: só administradores passam.
    #   Contrato: 403 para quem não tem o papel "admin"; senão, devolve o usuário. (O 401 de quem nem
    #   tem token já sai de get_current_user: 401 = não sei quem você é; 403 = sei, mas não pode.)
    #   Conceito: dependências encadeadas (GUIA_APRENDIZADO.md#dia2-passo5).
    raise todo(5, "require_admin")


@app.get("/me")
def read_me(user: CurrentUser) -> User:
    # TODO 5 — contrato: 200 com {"username", "role"} do dono do token; nada de senha nem hash.
    raise todo(5, "GET /me")


# dependencies=[...]: a rota só precisa que require_admin passe, não do valor que ele devolve.
@app.get("/admin/users", dependencies=[Depends(require_admin)], responses=ADMIN_ONLY)
def list_users() -> list[User]:
    # TODO 5 — contrato: a lista de todos os usuários, só username e role (nenhum hash sai daqui).
    #   Conceito: o tipo de retorno da rota filtra a resposta (GUIA_APRENDIZADO.md#dia2-passo5).
    raise todo(5, "GET /admin/users")


# Passo 6 — a API de prompts do Dia 1, agora com dono (GUIA_APRENDIZADO.md#dia2-passo6)
# TODO 6 — objetivo: o código abaixo é a solução do Dia 1; agora só quem fez login escreve, e só o
#   dono (ou um admin) altera o que é dele.
#   Contrato: o prompt guarda "owner", o usuário do token (nunca um campo do corpo); POST, PUT e
#   DELETE sem token válido: 401; PUT e DELETE de quem não é dono nem admin: 403, e o prompt não
#   muda; GET continua público; o PUT não troca id, created_at nem owner.
#   Conceito: uma dependência na assinatura da rota (o atalho CurrentUser, pronto acima)
#   (GUIA_APRENDIZADO.md#dia2-passo6).
class PromptIn(BaseModel):
    title: str = Field(min_length=1, max_length=80)
    text: str = Field(min_length=1, max_length=4000)
    tags: list[str] = []


class Prompt(PromptIn):
    id: int
    created_at: datetime


# Como no Dia 1: dict em ordem de inserção (= ordem de id) e um contador que só cresce.
prompts_db: dict[int, Prompt] = {}
prompt_ids = count(start=1)

PromptId = Annotated[int, Path(description="O id devolvido pelo POST /prompts")]
# As respostas de erro de cada rota, para o /docs (o 401 das rotas com login e o 422 saem sozinhos).
NOT_FOUND = {404: error_response("Prompt não encontrado")}
OWNER_ONLY = {403: error_response("Só o dono do prompt ou um admin"), **NOT_FOUND}


def ensure_can_edit(prompt: Prompt, user: User) -> None:
    # TODO 6 — contrato: 403 se o usuário não é admin nem o dono do prompt; senão, nada.
    raise todo(6, "ensure_can_edit")


@app.post("/prompts", status_code=status.HTTP_201_CREATED)
def create_prompt(body: PromptIn) -> Prompt:
    prompt = Prompt(id=next(prompt_ids), created_at=datetime.now(timezone.utc), **body.model_dump())
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
def update_prompt(prompt_id: PromptId, body: PromptIn) -> Prompt:
    # model_copy(update=...) troca só os campos do corpo: id e created_at continuam os originais.
    updated = find_prompt(prompt_id).model_copy(update=body.model_dump())
    prompts_db[prompt_id] = updated
    return updated


@app.delete("/prompts/{prompt_id}", status_code=status.HTTP_204_NO_CONTENT, responses=OWNER_ONLY)
def delete_prompt(prompt_id: PromptId) -> None:
    find_prompt(prompt_id)
    del prompts_db[prompt_id]
