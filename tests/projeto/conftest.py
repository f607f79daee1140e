"""Fixtures compartilhadas dos testes do projeto (`make test`)."""

import compileall
import os
import secrets
import sys
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from common.fake_llm import FakeLLMServer
from common.launcher import ServerProcess

REPO_ROOT = Path(__file__).resolve().parents[2]
MAX_WORKERS = 4  # os 4 módulos pesados (corpus e hostis) já corrigem 3 entregas em paralelo cada


@pytest.hookimpl(optionalhook=True)  # com -p no:xdist, o gancho só não é chamado
def pytest_xdist_auto_num_workers(config) -> int:
    """`-n auto`: um processo por CPU que este processo pode usar (o affinity respeita o cpuset de um contêiner)."""
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(usable, MAX_WORKERS))


def _freeze_bytecode() -> None:
    """Compila common/ e bench/ agora e, daqui em diante, ninguém da sessão escreve .pyc no repositório.

    Os processos de teste rodam em paralelo, e sem o sandbox o corretor acusa (saída 2) qualquer arquivo novo
    em common/ ou na raiz do repositório durante uma correção: o .pyc que outro teste gravasse naquela hora
    seria um falso "common/ mudou". Roda ao carregar este arquivo, antes de qualquer teste (o xdist só
    distribui os testes depois de todos os processos terminarem a coleta).
    """
    for folder in ("common", "bench"):
        compileall.compile_dir(REPO_ROOT / folder, quiet=1)
    sys.dont_write_bytecode = True
    os.environ["PYTHONDONTWRITEBYTECODE"] = "1"  # e os subprocessos (uvicorn, corretor) herdam


_freeze_bytecode()


# --- Dia 03: a solução de referência num uvicorn de verdade, ligada a um fake LLM -------------

DIA03_DEFAULT_MODEL = "modelo-padrao-do-teste"


@pytest.fixture(scope="session")
def dia03_llm():
    """Fake LLM em thread, numa porta livre; cada teste roteiriza o seu pedido com um nonce."""
    with FakeLLMServer(delay_ms=5) as llm:
        yield llm


@pytest.fixture(scope="session")
def dia03_server(dia03_llm):
    """`uvicorn template:app` de solutions/dia03, com ambiente limpo (nada do .env de quem roda)."""
    env = {
        "OPENAI_BASE_URL": dia03_llm.base_url,
        "OPENAI_API_KEY": "chave-de-teste",
        "DEFAULT_MODEL": DIA03_DEFAULT_MODEL,
        "SECRET_KEY": secrets.token_urlsafe(32),
        # Uma DeprecationWarning (na importação ou atendendo) vira erro: a solução não pode usar API obsoleta.
        "PYTHONWARNINGS": "error::DeprecationWarning",
    }
    with ServerProcess(app_dir=REPO_ROOT / "solutions" / "dia03", env=env, scrub_env=True) as server:
        status = server.wait_ready(timeout=30)
        assert status == "pronto", f"a solução do Dia 3 não subiu ({status}):\n{server.stderr_tail()}"
        yield server


@pytest.fixture(scope="session")
def dia03_token(dia03_server) -> str:
    """Token Bearer do usuário aluno, obtido pelo /login da própria solução."""
    response = httpx.post(f"{dia03_server.url}/login", json={"username": "aluno", "password": "aluno123"})
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


# --- Dias 01 e 02: soluções de referência e apps avulsos num uvicorn de verdade ------------------

DIA02_SECRET_KEY = secrets.token_urlsafe(32)
DIA02_EXPIRE_MINUTES = 7  # diferente do padrão (30): prova que o valor vem do ambiente


@pytest.fixture(scope="session")
def start_apps():
    """Fábrica: start_apps(pasta, ..., **env) sobe `uvicorn template:app` em cada pasta, todas ao mesmo
    tempo, com ambiente limpo como no corretor, e devolve as URLs. Todas param no fim da sessão."""
    with ExitStack() as stack:
        def start(*app_dirs: Path, **env: str) -> list[str]:
            servers = [stack.enter_context(ServerProcess(app_dir=d, env=env, scrub_env=True)) for d in app_dirs]
            for server in servers:
                status = server.wait_ready(timeout=30)
                assert status == "pronto", f"{server.app_dir} não subiu ({status}):\n{server.stderr_tail()}"
            return [server.url for server in servers]

        yield start


@pytest.fixture(scope="session")
def dia01_url(start_apps) -> str:
    return start_apps(REPO_ROOT / "solutions" / "dia01")[0]


@pytest.fixture(scope="session")
def dia02_auth_env() -> dict[str, str]:
    """O que o corretor injeta no Dia 2: uma SECRET_KEY aleatória (e aqui também a validade do token)."""
    return {"SECRET_KEY": DIA02_SECRET_KEY, "ACCESS_TOKEN_EXPIRE_MINUTES": str(DIA02_EXPIRE_MINUTES)}


@pytest.fixture(scope="session")
def dia02_url(start_apps, dia02_auth_env) -> str:
    return start_apps(REPO_ROOT / "solutions" / "dia02", **dia02_auth_env)[0]


@pytest.fixture(scope="session")
def login():
    """login(api, username, password) -> access_token, pelo POST /login do servidor de `api`."""
    def post_login(api: httpx.Client, username: str, password: str) -> str:
        response = api.post("/login", json={"username": username, "password": password})
        assert response.status_code == 200, response.text
        assert response.json()["token_type"].lower() == "bearer"
        return response.json()["access_token"]

    return post_login
