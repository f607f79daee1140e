"""common.config: o `.env` vale, e uma variável exportada no terminal vence o `.env` (o contrato do Dia 2)."""

import os
import subprocess
import sys

import pytest

PRINT_SECRET = "from common.config import get_settings; print(get_settings().secret_key)"


def secret_seen(folder, **env: str) -> str:
    """A SECRET_KEY que um processo novo, rodando em `folder`, enxerga."""
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "COURSE_SKIP_DOTENV")}
    done = subprocess.run([sys.executable, "-c", PRINT_SECRET], cwd=folder, env={**clean, **env},
                          capture_output=True, text=True, timeout=30, check=True)
    return done.stdout.strip()


@pytest.fixture
def folder_with_dotenv(tmp_path):
    (tmp_path / ".env").write_text("SECRET_KEY=chave-do-arquivo-env\n", encoding="utf-8")
    return tmp_path


def test_o_env_da_pasta_vale(folder_with_dotenv):
    assert secret_seen(folder_with_dotenv) == "chave-do-arquivo-env"


def test_a_variavel_exportada_vence_o_env(folder_with_dotenv):
    assert secret_seen(folder_with_dotenv, SECRET_KEY="chave-exportada") == "chave-exportada"


def test_o_corretor_desliga_o_env(folder_with_dotenv):
    seen = secret_seen(folder_with_dotenv, COURSE_SKIP_DOTENV="1")
    assert seen and seen != "chave-do-arquivo-env"  # sem .env: uma chave aleatória do processo
