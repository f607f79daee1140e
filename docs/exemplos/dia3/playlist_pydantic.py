"""Pydantic: `Literal` para um conjunto fechado de valores e `Field(max_length=...)` numa lista.

    python3 docs/exemplos/dia3/playlist_pydantic.py
"""

from typing import Literal

from pydantic import BaseModel, Field, ValidationError

MAX_FAIXAS = 3


class Faixa(BaseModel):
    titulo: str = Field(min_length=1, max_length=200)
    clima: Literal["calmo", "animado"]  # qualquer outro texto é recusado


class Playlist(BaseModel):
    nome: str = Field(min_length=1, max_length=100)
    publica: bool = False
    faixas: list[Faixa] = Field(default=[], max_length=MAX_FAIXAS)  # numa lista, max_length conta os itens
    capa: str | None = None  # opcional: ausente ou null viram None


def validar(dados: dict) -> str:
    try:
        return repr(Playlist.model_validate(dados))
    except ValidationError as exc:
        return " | ".join(f"{'.'.join(map(str, erro['loc']))}: {erro['type']}" for erro in exc.errors())


if __name__ == "__main__":
    faixa = {"titulo": "Aquarela", "clima": "calmo"}
    print(validar({"nome": "Domingo", "faixas": [faixa]}))
    print(validar({"nome": "Domingo", "faixas": [{"titulo": "Aquarela", "clima": "triste"}]}))
    print(validar({"nome": "", "faixas": [faixa] * (MAX_FAIXAS + 1)}))
