"""Ajudantes repetidos pelas verificações dos dias (tests/diaNN): um só lugar para cada ideia.

Ficam em `common` porque as verificações rodam com `--import-mode=importlib` (um arquivo de
teste não importa o vizinho) e o zip do Gradescope leva só `common/` e `tests/<dia>/`.
"""

from __future__ import annotations

import time
import uuid

import httpx
import pytest

from .checks import CheckFailure, expect_equal, expect_status, login
from .httpclient import new_client

NOT_ATTEMPTED = "não tentado"  # começo da mensagem de um extra que o aluno não começou (o relatório agrupa)


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


def mint_token(secret_key: str, sub: str = "aluno", minutes: float = 10) -> str:
    """Um JWT HS256 válido, assinado pelo corretor com a SECRET_KEY que ele injetou no servidor."""
    from jose import jwt  # só as verificações que fabricam tokens precisam

    return jwt.encode({"sub": sub, "exp": int(time.time() + minutes * 60)}, secret_key, algorithm="HS256")


def token_for(target, user: tuple[str, str]) -> str:
    """O token de `user` pelo POST /login; se o login não funciona (cobrado na verificação de login),
    um token fabricado pelo corretor, para as outras verificações medirem o resto sem ele."""
    with new_client(target.base_url) as client:
        try:
            return login(client, *user)
        except CheckFailure:
            if target.secret_key is None:
                raise
    return mint_token(target.secret_key, sub=user[0])


def not_attempted(response: httpx.Response, what: str, codes: tuple[int, ...] = (404, 501)) -> None:
    """Pula um desafio extra que o aluno nem começou (a rota responde 404 ou 501): fica numa linha só."""
    if response.status_code in codes:
        pytest.skip(f"{NOT_ATTEMPTED}: {what} responde {response.status_code}")


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
