"""Ajudantes repetidos pelas verificações dos dias (tests/diaNN): um só lugar para cada ideia.

Ficam em `common` porque as verificações rodam com `--import-mode=importlib` (um arquivo de
teste não importa o vizinho) e o zip do Gradescope leva só `common/` e `tests/<dia>/`.
"""

from __future__ import annotations

import uuid

import httpx
import pytest

from .checks import expect_equal, expect_status


def unique_code() -> str:
    """Um código curto e único por chamada, com letras (serve para testar maiúsculas/minúsculas)."""
    return "qx" + uuid.uuid4().hex[:10]


def json_of(response: httpx.Response) -> object:
    """O JSON da resposta, ou None se o corpo não é JSON (a verificação decide o que fazer)."""
    try:
        return response.json()
    except ValueError:
        return None


def bearer(token: str, scheme: str = "Bearer") -> dict[str, str]:
    return {"Authorization": f"{scheme} {token}"}


def depends_on(condition: object, what: str, check_id: str) -> None:
    """Pula a verificação (não falha) quando uma parte de que ela precisa não funciona.

    Assim cada defeito é cobrado só na verificação que o testa: quem devolve 200 no POST
    perde criar_prompt, não todas as verificações que criam um prompt para trabalhar.
    """
    if not condition:
        pytest.skip(f"pulado: depende de {what} ({check_id}), que não funcionou aqui")


def expect_health(api: httpx.Client) -> None:
    """GET /health responde 200 {"status": "ok"} (o exemplo que todo template já traz pronto)."""
    response = api.get("/health")
    expect_status(response, 200, help="O /health já vem pronto no template: não o remova.")
    expect_equal(json_of(response), {"status": "ok"}, what="corpo de GET /health")
