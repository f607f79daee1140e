"""Prepara o ambiente: virtualenv em .venv, dependências travadas e um .env com SECRET_KEY.

Uso (Linux, macOS ou Windows, da raiz do repositório):
    python -m common.setup          # o curso e o corretor (requirements.txt)
    python -m common.setup --dev    # + o que os testes do projeto e os benchmarks usam (requirements-dev.txt)

Só usa a biblioteca padrão, porque roda antes de qualquer dependência existir.
É idempotente: se os arquivos de dependências não mudaram, não reinstala nada.
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
STUDENT, DEV = "requirements.txt", "requirements-dev.txt"


def venv_python() -> Path:
    scripts = "Scripts" if os.name == "nt" else "bin"
    return VENV / scripts / ("python.exe" if os.name == "nt" else "python")


def requirements_digest(requirements: str) -> str:
    """Muda quando muda qualquer arquivo que a instalação lê (o dev inclui o do aluno)."""
    h = hashlib.sha256(requirements.encode())
    for name in dict.fromkeys((STUDENT, requirements, "pyproject.toml")):
        h.update((ROOT / name).read_bytes())
    return h.hexdigest()


def installed_digests() -> set[str]:
    return set(STAMP.read_text().split()) if STAMP.exists() else set()


def ensure_python_version() -> None:
    if sys.version_info < (3, 11):
        sys.exit(f"Este curso precisa de Python 3.11 ou mais novo (encontrado {sys.version.split()[0]}).")


def ensure_venv() -> None:
    if not venv_python().exists():
        print("Criando o ambiente virtual em .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)


def ensure_requirements(requirements: str) -> None:
    """Instala o conjunto pedido; o de desenvolvimento já inclui o do aluno."""
    digest = requirements_digest(requirements)
    done = installed_digests()
    if digest in done or (requirements == STUDENT and requirements_digest(DEV) in done):
        return
    print(f"Instalando as dependências travadas ({requirements}) ...", flush=True)
    cmd = [str(venv_python()), "-m", "pip", "install", "--quiet", "-r", requirements]
    if subprocess.call(cmd, cwd=ROOT) != 0:
        sys.exit("A instalação das dependências falhou. Veja as mensagens do pip acima.")
    STAMP.write_text(" ".join(sorted(done | {digest})))


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

    parser = PortugueseArgumentParser(
        prog="python -m common.setup",
        description="Cria .venv, instala as dependências travadas e cria o .env (com SECRET_KEY aleatória).",
    )
    parser.add_argument("--dev", action="store_true",
                        help="instala também requirements-dev.txt (testes do projeto e benchmarks)")
    args = parser.parse_args(argv)
    ensure_python_version()
    ensure_venv()
    ensure_requirements(DEV if args.dev else STUDENT)
    ensure_dotenv()


if __name__ == "__main__":
    main()
