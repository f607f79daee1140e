"""Fixtures que as verificações pedem por nome: target, api, llm, secret_key, tokens."""

from __future__ import annotations

import httpx
import pytest

from .checks import login
from .facets import FacetBook, Facets
from .httpclient import new_client
from .target import LLMHandle, Target

TARGET_KEY = pytest.StashKey[Target]()
FACETS_KEY = pytest.StashKey[FacetBook]()

STUDENT = ("aluno", "aluno123")
ADMIN = ("admin", "admin123")


@pytest.fixture(scope="session")
def target(request: pytest.FixtureRequest) -> Target:
    return request.config.stash[TARGET_KEY]


@pytest.fixture
def api(target: Target, request: pytest.FixtureRequest):
    """Um cliente httpx novo por verificação: nenhuma conexão vem de outra verificação."""
    mark = request.node.get_closest_marker("check")
    timeout = mark.kwargs.get("timeout", 10.0) if mark else 10.0
    with new_client(target.base_url, timeout=min(timeout, 10.0)) as client:
        yield client


@pytest.fixture
def facets(request: pytest.FixtureRequest) -> Facets:
    """Aspectos com dona: registre (na dona) ou consulte antes de cobrar (nas outras)."""
    mark = request.node.get_closest_marker("check")
    return Facets(request.config.stash[FACETS_KEY], mark.kwargs["id"] if mark else request.node.name)


@pytest.fixture
def llm(target: Target) -> LLMHandle:
    if target.llm is None:
        pytest.skip(
            "pulado: o corretor não controla o LLM deste servidor "
            "(no modo --url, suba o seu servidor apontando para um fake LLM e passe --llm-url)"
        )
    return target.llm


@pytest.fixture
def fallback_llm(target: Target) -> LLMHandle:
    if target.fallback_llm is None:
        pytest.skip("pulado: o LLM reserva (FALLBACK_OPENAI_BASE_URL) só existe quando o corretor sobe o servidor com --extras")
    return target.fallback_llm


@pytest.fixture
def secret_key(target: Target) -> str:
    if target.secret_key is None:
        pytest.skip("pulado: a SECRET_KEY do servidor é desconhecida no modo --url (tokens forjados não dão para testar)")
    return target.secret_key


@pytest.fixture
def aluno_token(api: httpx.Client) -> str:
    return login(api, *STUDENT)


@pytest.fixture
def admin_token(api: httpx.Client) -> str:
    return login(api, *ADMIN)


@pytest.fixture
def token(aluno_token: str) -> str:
    """O token de um usuário comum (aluno)."""
    return aluno_token
