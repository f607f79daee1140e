"""Configuração lida do ambiente (e do arquivo .env), num só lugar.

Uma variável exportada no terminal sempre vence o valor do .env. As funções
leem o ambiente a cada chamada, então o corretor e os testes podem injetar
valores antes de subir um servidor.
"""

import os
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path

from dotenv import find_dotenv, load_dotenv

# Endereço padrão do fake LLM (python -m common.fake_llm).
FAKE_LLM_BASE_URL = "http://127.0.0.1:8001/v1"
FAKE_API_KEY = "chave-falsa-do-curso"
REPO_ROOT = Path(__file__).resolve().parent.parent

# Primeiro o .env da pasta atual (ex.: dia03/.env), depois o da raiz do repositório.
# override=False: o que já está no ambiente não é sobrescrito. O corretor liga
# COURSE_SKIP_DOTENV=1 para que as chaves do professor nunca cheguem ao código do aluno.
if not os.environ.get("COURSE_SKIP_DOTENV"):
    load_dotenv(find_dotenv(usecwd=True), override=False)
    load_dotenv(REPO_ROOT / ".env", override=False)

_generated_secret: str | None = None


@dataclass(frozen=True)
class Settings:
    secret_key: str
    access_token_expire_minutes: int
    default_model: str
    openai_base_url: str | None
    openai_api_key: str
    fallback_openai_base_url: str | None
    heartbeat_seconds: float
    max_streams_per_user: int
    stream_idle_timeout_seconds: float


def _secret_key() -> str:
    """SECRET_KEY do ambiente; sem ela, uma chave aleatória por processo (nunca uma fixa no código)."""
    global _generated_secret
    if key := os.environ.get("SECRET_KEY"):
        return key
    if _generated_secret is None:
        warnings.warn(
            "SECRET_KEY não definida: usando uma chave aleatória só para este processo. "
            "Tokens deixam de valer quando o servidor reinicia. Defina SECRET_KEY no .env.",
            stacklevel=3,
        )
        _generated_secret = secrets.token_urlsafe(32)
    return _generated_secret


def _llm_endpoint() -> tuple[str | None, str]:
    """Decide o provedor: URL explícita > OpenAI com chave real > fake LLM local."""
    base_url = os.environ.get("OPENAI_BASE_URL") or os.environ.get("OPENAI_API_BASE")
    api_key = os.environ.get("OPENAI_API_KEY")
    if base_url:
        return base_url, api_key or FAKE_API_KEY
    if api_key:
        return None, api_key  # None = endereço padrão da OpenAI
    return FAKE_LLM_BASE_URL, FAKE_API_KEY


def get_settings() -> Settings:
    base_url, api_key = _llm_endpoint()
    return Settings(
        secret_key=_secret_key(),
        access_token_expire_minutes=int(os.environ.get("ACCESS_TOKEN_EXPIRE_MINUTES", "30")),
        default_model=os.environ.get("DEFAULT_MODEL", "gpt-4o-mini"),
        openai_base_url=base_url,
        openai_api_key=api_key,
        fallback_openai_base_url=os.environ.get("FALLBACK_OPENAI_BASE_URL") or None,
        heartbeat_seconds=float(os.environ.get("HEARTBEAT_SECONDS", "15")),
        max_streams_per_user=int(os.environ.get("MAX_STREAMS_PER_USER", "3")),
        stream_idle_timeout_seconds=float(os.environ.get("STREAM_IDLE_TIMEOUT_SECONDS", "60")),
    )
