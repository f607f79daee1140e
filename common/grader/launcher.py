"""Sobe a entrega do aluno para a correção: cópia temporária, ambiente limpo, fake LLM do corretor."""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
import threading
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from common.launcher import ServerProcess, free_port

from .target import LLMHandle, Target

FAKE_OPENAI_KEY = "sk-corretor-chave-falsa"
DEFAULT_MODEL = "modelo-do-corretor"
LLM_DELAY_MS = 5
# Valores curtos para os desafios extras (batimento, inatividade) não deixarem a correção lenta.
# --- desafios extras do Dia 3 (tests/dia03/test_extras.py conta com estes valores) ---
EXTRAS_ENV = {"HEARTBEAT_SECONDS": "0.3", "STREAM_IDLE_TIMEOUT_SECONDS": "2", "MAX_STREAMS_PER_USER": "3"}
# Os nomes dos dois fake LLMs: o marcador fail_on=principal derruba só o primeiro (extra fallback).
PRIMARY_LLM, FALLBACK_LLM = "principal", "reserva"
# --- fim dos desafios extras ---
SKIPPED_NAMES = {".git", ".venv", "venv", "env", "__pycache__", "node_modules", ".env", ".mypy_cache", ".pytest_cache"}
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_TOTAL_BYTES = 50 * 1024 * 1024
MAX_FILES = 2000
RUN_ID_VARIABLE = "COURSE_GRADER_RUN_ID"  # vira o COURSE_RUN_ID do servidor do aluno


class SubmissionError(Exception):
    """A entrega não pode ser corrigida (caminho inexistente, sem template.py...)."""


@dataclass(frozen=True)
class LaunchOptions:
    submission: Path
    extras: bool = False
    startup_timeout: float = 20.0
    eager_llm: bool = True  # False: o fake LLM só sobe se alguma verificação o usar


def locate_app(submission: Path) -> tuple[Path, str]:
    """(pasta, módulo) da entrega: uma pasta com template.py, ou um arquivo .py."""
    if submission.is_dir():
        if not (submission / "template.py").is_file():
            raise SubmissionError(f"a pasta {submission} não tem template.py")
        return submission, "template"
    if submission.is_file() and submission.suffix == ".py":
        if not submission.stem.isidentifier():
            raise SubmissionError(f"{submission.name}: o nome do arquivo precisa ser um nome de módulo Python válido")
        return submission.parent, submission.stem
    raise SubmissionError(f"{submission} não existe ou não é uma pasta/arquivo .py")


def copy_submission(source: Path, dest: Path) -> None:
    """Copia a pasta da entrega, sem ambientes virtuais, caches, .env nem arquivos enormes."""
    budget, files_left = MAX_TOTAL_BYTES, MAX_FILES
    for root, dirs, files in os.walk(source):
        files_left -= len(files)
        if files_left < 0:  # ex.: um .py solto na pasta pessoal: não copiamos a pasta inteira
            break
        dirs[:] = [d for d in dirs if d not in SKIPPED_NAMES and not os.path.islink(os.path.join(root, d))]
        target_dir = dest / Path(root).relative_to(source)
        target_dir.mkdir(parents=True, exist_ok=True)
        for name in files:
            path = Path(root) / name
            if name in SKIPPED_NAMES or path.is_symlink():
                continue
            size = path.stat().st_size
            if size > MAX_FILE_BYTES or size > budget:
                continue
            budget -= size
            shutil.copy2(path, target_dir / name)


def server_env(llm_base_url: str, secret_key: str, fallback_base_url: str | None) -> dict[str, str]:
    """O ambiente que o corretor controla; nada do ambiente do professor passa daqui."""
    env = {
        "OPENAI_BASE_URL": llm_base_url,
        "OPENAI_API_BASE": llm_base_url,
        "OPENAI_API_KEY": FAKE_OPENAI_KEY,
        "DEFAULT_MODEL": DEFAULT_MODEL,
        "SECRET_KEY": secret_key,
        "ACCESS_TOKEN_EXPIRE_MINUTES": "30",
        **EXTRAS_ENV,
    }
    if fallback_base_url:
        env["FALLBACK_OPENAI_BASE_URL"] = fallback_base_url
    return env


class FakeLLMSlot:
    """Um fake LLM com a porta já reservada; só sobe (e só importa o FastAPI) em `start()`."""

    def __init__(self, name: str = PRIMARY_LLM) -> None:
        self.name = name
        self.port = free_port()
        self.server = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self):
        from common.fake_llm import FakeLLMServer

        self.server = FakeLLMServer(port=self.port, delay_ms=LLM_DELAY_MS, name=self.name).start()
        return self.server

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()


def _slot(stack: ExitStack, name: str = PRIMARY_LLM) -> FakeLLMSlot:
    slot = FakeLLMSlot(name)
    stack.callback(slot.stop)
    return slot


def _wait_ready(server: ServerProcess, timeout: float) -> str:
    """`wait_ready` com prazo garantido, mesmo contra um servidor que manda os cabeçalhos a conta-gotas."""
    outcome: list[str] = []
    waiter = threading.Thread(target=lambda: outcome.append(server.wait_ready(timeout=timeout)), daemon=True)
    waiter.start()
    waiter.join(timeout + 2)
    return outcome[0] if outcome else "tempo_esgotado"


@contextmanager
def launch(options: LaunchOptions) -> Iterator[Target]:
    """Sobe o servidor do aluno e os fake LLMs; ao sair, mata tudo (a árvore inteira de processos)."""
    app_source, module = locate_app(options.submission)
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="corretor-", ignore_cleanup_errors=True)))
        copy_submission(app_source, workdir)
        if not (workdir / f"{module}.py").is_file():  # a cópia parou no limite de arquivos
            shutil.copy2(app_source / f"{module}.py", workdir)
        llm = _slot(stack)
        fallback = _slot(stack, FALLBACK_LLM) if options.extras else None
        secret_key = secrets.token_urlsafe(32)
        env = server_env(llm.base_url, secret_key, fallback.base_url if fallback else None)
        # Quem chama (modo turma, testes) pode fixar o id para achar e matar tudo depois. É outra
        # variável, e não COURSE_RUN_ID, para que o corretor e quem o chamou não sejam "marcados".
        run_id = os.environ.get(RUN_ID_VARIABLE) or uuid.uuid4().hex
        server = ServerProcess(app_dir=workdir, module=module, env=env, scrub_env=True, run_id=run_id)
        stack.callback(server.stop)
        server.start()  # primeiro o aluno (o mais lento para subir); os fake LLMs sobem enquanto isso
        if fallback:
            fallback.start()
        if options.eager_llm:
            llm.start()
        startup = _wait_ready(server, options.startup_timeout)
        yield Target(
            base_url=server.url, secret_key=secret_key,
            llm=LLMHandle(llm.server) if options.eager_llm else LLMHandle(start=llm.start),
            fallback_llm=LLMHandle(fallback.server) if fallback else None, extras=options.extras,
            env=env, startup=startup, _stderr_tail=server.stderr_tail,
            _alive=lambda: server.process.poll() is None,
        )


@contextmanager
def external(url: str, llm_url: str | None, extras: bool) -> Iterator[Target]:
    """Modo --url: o aluno já subiu o servidor; o corretor não controla SECRET_KEY nem processo."""
    handle = None
    if llm_url:
        from common.fake_llm import FakeLLMClient

        handle = LLMHandle(FakeLLMClient(llm_url.rstrip("/").removesuffix("/v1")))
    yield Target(base_url=url.rstrip("/"), llm=handle, extras=extras, startup="externo")
