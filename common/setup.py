"""Prepara o ambiente: virtualenv em .venv, dependências travadas e um .env com SECRET_KEY.

Uso (Linux, macOS ou Windows, da raiz do repositório):
    python -m common.setup

Só usa a biblioteca padrão, porque roda antes de qualquer dependência existir.
É idempotente: se requirements.txt e pyproject.toml não mudaram, não reinstala nada.
"""

from __future__ import annotations  # a mensagem de versão tem de aparecer até num Python antigo

import hashlib
import os
import secrets
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
STAMP = VENV / ".instalado"


def venv_python() -> Path:
    scripts = "Scripts" if os.name == "nt" else "bin"
    return VENV / scripts / ("python.exe" if os.name == "nt" else "python")


def requirements_digest() -> str:
    h = hashlib.sha256()
    for name in ("requirements.txt", "pyproject.toml"):
        h.update((ROOT / name).read_bytes())
    return h.hexdigest()


def ensure_python_version() -> None:
    if sys.version_info < (3, 11):
        sys.exit(f"Este curso precisa de Python 3.11 ou mais novo (encontrado {sys.version.split()[0]}).")


def ensure_venv() -> None:
    if not venv_python().exists():
        print("Criando o ambiente virtual em .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)


def ensure_requirements() -> None:
    digest = requirements_digest()
    if STAMP.exists() and STAMP.read_text() == digest:
        return
    print("Instalando as dependências travadas (requirements.txt) ...", flush=True)
    cmd = [str(venv_python()), "-m", "pip", "install", "--quiet", "-r", "requirements.txt"]
    if subprocess.call(cmd, cwd=ROOT) != 0:
        sys.exit("A instalação das dependências falhou. Veja as mensagens do pip acima.")
    STAMP.write_text(digest)


def ensure_dotenv() -> None:
    """Cria .env a partir de .env.example, com uma SECRET_KEY aleatória de verdade."""
    env_file = ROOT / ".env"
    if env_file.exists():
        return
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    text = text.replace("troque-por-um-valor-aleatorio-e-longo", secrets.token_urlsafe(48))
    env_file.write_text(text, encoding="utf-8")
    print("Criado .env a partir de .env.example (com SECRET_KEY aleatória).", flush=True)


def main(argv: list[str] | None = None) -> None:
    # Só a biblioteca padrão aqui: argparse_ptbr também não importa nada de fora.
    from common.argparse_ptbr import PortugueseArgumentParser

    PortugueseArgumentParser(
        prog="python -m common.setup",
        description="Cria .venv, instala as dependências travadas e cria o .env (com SECRET_KEY aleatória).",
    ).parse_args(argv)
    ensure_python_version()
    ensure_venv()
    ensure_requirements()
    ensure_dotenv()


if __name__ == "__main__":
    main()
