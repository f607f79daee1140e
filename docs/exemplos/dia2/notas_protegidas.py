"""Uma API de notas protegida por dependências: 401 (quem é você?), 403 (você pode?) e o dono da nota.

Rode dentro desta pasta:  uvicorn notas_protegidas:app --reload
A sessão aqui é um token aleatório, sem senha: o login não é o assunto deste exemplo.
"""

import secrets
from itertools import count
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

app = FastAPI(title="Notas com dono")


class Author(BaseModel):
    name: str
    role: str  # "editor" apaga qualquer nota e vê os autores; "autor", só as próprias notas


class AuthorRecord(Author):
    email: str  # fica guardado, mas não sai em resposta nenhuma (veja GET /autores)


AUTHORS = {
    "ana": AuthorRecord(name="ana", role="editor", email="ana@notas.dev"),
    "bia": AuthorRecord(name="bia", role="autor", email="bia@notas.dev"),
}
sessions: dict[str, str] = {}  # token -> nome do autor


class SessionIn(BaseModel):
    author: str


@app.post("/sessoes", status_code=status.HTTP_201_CREATED)
def open_session(body: SessionIn) -> dict[str, str]:
    if body.author not in AUTHORS:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Autor não encontrado")
    token = secrets.token_urlsafe(32)
    sessions[token] = body.author
    return {"token": token}


# auto_error=False: sem o cabeçalho (ou com outro esquema), a dependência recebe None e o 401 é nosso.
bearer = HTTPBearer(auto_error=False)


def current_author(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Author:
    name = sessions.get(credentials.credentials) if credentials else None
    if name is None:
        # 401: não sei quem você é. O cabeçalho diz ao cliente como se identificar.
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Sessão inválida", headers={"WWW-Authenticate": "Bearer"})
    return AUTHORS[name]


CurrentAuthor = Annotated[Author, Depends(current_author)]


def require_editor(author: CurrentAuthor) -> Author:
    # Depende de current_author: sem sessão, a cadeia para no 401 antes de chegar aqui.
    if author.role != "editor":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Só editores")  # 403: sei quem é, mas não pode
    return author


class NoteIn(BaseModel):
    text: str = Field(min_length=1, max_length=500)


class Note(NoteIn):
    id: int
    owner: str  # vem da sessão, nunca do corpo


notes: dict[int, Note] = {}
note_ids = count(start=1)


@app.get("/notas")
def list_notes() -> list[Note]:  # sem dependência: ler é público
    return list(notes.values())


@app.post("/notas", status_code=status.HTTP_201_CREATED)
def create_note(body: NoteIn, author: CurrentAuthor) -> Note:
    note = Note(id=next(note_ids), owner=author.name, **body.model_dump())
    notes[note.id] = note
    return note


@app.delete("/notas/{note_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_note(note_id: int, author: CurrentAuthor) -> None:
    if note_id not in notes:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Nota não encontrada")
    if author.role != "editor" and notes[note_id].owner != author.name:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Só a dona da nota ou um editor")
    del notes[note_id]


# dependencies=[...]: a rota só precisa que require_editor passe, não do autor que ela devolve.
# O tipo de retorno filtra a resposta: só os campos de Author saem, o email do AuthorRecord fica.
@app.get("/autores", dependencies=[Depends(require_editor)])
def list_authors() -> list[Author]:
    return list(AUTHORS.values())
