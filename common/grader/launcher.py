"""Sobe a entrega do aluno para a correção: cópia temporária, ambiente limpo, fake LLM do corretor."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import stat
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from common.launcher import ServerProcess, free_port

from .redact import redactor
from .bwrap import WORK_INSIDE
from .sandbox import BWRAP, NONE, README, USER, Isolation
from .servers import LimitedServer, SandboxedServer, Workspace
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
TAIL_CHARS = 8000  # o fim da saída do servidor que pode ir para o relatório (já sem segredos)


class SubmissionError(Exception):
    """A entrega não pode ser corrigida (caminho inexistente, sem template.py...)."""


class SandboxFailure(Exception):
    """O bwrap passou na sondagem, mas não conseguiu montar o sandbox desta correção: erro do corretor."""


@dataclass(frozen=True)
class LaunchOptions:
    submission: Path
    extras: bool = False
    startup_timeout: float = 20.0
    eager_llm: bool = True  # False: o fake LLM só sobe se alguma verificação o usar
    isolation: Isolation = field(default_factory=lambda: Isolation(NONE))


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


def student_paths(copies: list[str], original: Path) -> Callable[[str], str]:
    """Troca, num traceback, o caminho da cópia que o corretor roda pelo da pasta do aluno."""
    pattern = re.compile("|".join(rf"(?<![\w./-]){re.escape(copy.rstrip('/'))}/" for copy in copies))
    frozen = re.compile(r'^\s*File "<frozen importlib\._bootstrap(_external)?>".*\n', re.M)  # ruído do import
    return lambda text: pattern.sub(lambda _: f"{original}/", frozen.sub("", text))


def copy_submission(source: Path, dest: Path) -> None:
    """Copia a pasta da entrega, sem ambientes virtuais, caches, .env nem arquivos enormes.

    Só arquivos comuns: um link, um socket ou um FIFO (que travaria a cópia) ficam de fora."""
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
            info = path.lstat()
            if name in SKIPPED_NAMES or not stat.S_ISREG(info.st_mode):
                continue
            size = info.st_size
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
    """Um fake LLM com a porta já reservada; só sobe (e só importa o FastAPI) em `start()`.

    Com `uds`, ele atende também nesse Unix socket: é por ele que o sandbox do aluno o alcança.
    """

    def __init__(self, name: str = PRIMARY_LLM, uds: Path | None = None) -> None:
        self.name = name
        self.port = free_port()
        self.uds = uds
        self.server = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self):
        from common.fake_llm import FakeLLMServer

        uds = str(self.uds) if self.uds else None
        self.server = FakeLLMServer(port=self.port, delay_ms=LLM_DELAY_MS, name=self.name, uds=uds).start()
        return self.server

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()


def _slot(stack: ExitStack, space: Workspace, sandboxed: bool, name: str = PRIMARY_LLM) -> FakeLLMSlot:
    slot = FakeLLMSlot(name, space.llm_socket(name) if sandboxed else None)
    stack.callback(slot.stop)
    return slot


def _wait_ready(server: ServerProcess, timeout: float) -> str:
    """`wait_ready` com prazo garantido, mesmo contra um servidor que manda os cabeçalhos a conta-gotas."""
    outcome: list[str] = []
    waiter = threading.Thread(target=lambda: outcome.append(server.wait_ready(timeout=timeout)), daemon=True)
    waiter.start()
    waiter.join(timeout + 2)
    return outcome[0] if outcome else "tempo_esgotado"


def _server(isolation: Isolation, space: Workspace, module: str, env: dict[str, str], run_id: str,
            llm_ports: dict[str, int]) -> ServerProcess:
    common = {"app_dir": space.submission, "module": module, "env": env, "scrub_env": True, "run_id": run_id}
    if isolation.kind == BWRAP:
        return SandboxedServer(**common, isolation=isolation, workspace=space, llm_ports=llm_ports)
    return LimitedServer(**common, account=isolation.account if isolation.kind == USER else None)


class Launched:
    """O servidor do aluno pronto para subir: `start()` (uma vez só) e `target()` (espera ele ficar pronto).

    Com o bwrap, o servidor pode subir antes de as verificações carregarem (o aluno não as enxerga);
    sem ele, as verificações carregam primeiro e só então o código do aluno roda (`early` = False).
    """

    def __init__(self, options: LaunchOptions, server: ServerProcess, llm: FakeLLMSlot,
                 fallback: FakeLLMSlot | None, env: dict[str, str], secret_key: str,
                 paths: Callable[[str], str] = str) -> None:
        self.options, self.server, self.llm, self.fallback = options, server, llm, fallback
        self.paths = paths  # caminhos da cópia -> caminhos do aluno, no fim da saída do servidor
        self.env, self.secret_key = env, secret_key
        self.early = options.isolation.kind == BWRAP
        self._lock = threading.Lock()
        self._started = False
        self._target: Target | None = None

    def start(self) -> None:
        with self._lock:
            if self._started:
                return
            self._started = True
            self.server.start()  # primeiro o aluno (o mais lento para subir); os fake LLMs sobem enquanto isso
            if self.fallback:
                self.fallback.start()
            if self.options.eager_llm:
                self.llm.start()

    def target(self) -> Target:
        self.start()
        if self._target is None:
            options, server, redact = self.options, self.server, redactor()
            startup = _wait_ready(server, options.startup_timeout)
            if startup == "saiu" and (error := getattr(server, "setup_error", lambda: None)()):
                raise SandboxFailure(f"o sandbox não subiu ({error}): não é culpa da entrega; veja {README}")
            self._target = Target(
                base_url=server.url, secret_key=self.secret_key,
                llm=LLMHandle(self.llm.server) if options.eager_llm else LLMHandle(start=self.llm.start),
                fallback_llm=LLMHandle(self.fallback.server) if self.fallback else None, extras=options.extras,
                env=self.env, startup=startup, _stderr_tail=lambda: redact(self.paths(server.stderr_tail(TAIL_CHARS))),
                _alive=lambda: server.process.poll() is None,
            )
        return self._target


@contextmanager
def launch(options: LaunchOptions) -> Iterator[Launched]:
    """Prepara a entrega, o servidor e os fake LLMs; ao sair, mata tudo (a árvore inteira de processos)."""
    app_source, module = locate_app(options.submission)
    isolation = options.isolation
    sandboxed = isolation.kind == BWRAP
    with ExitStack() as stack:
        space = Workspace(isolation.account if isolation.kind != NONE else None)
        stack.callback(space.cleanup)
        copy_submission(app_source, space.submission)
        if not (space.submission / f"{module}.py").is_file():  # a cópia parou no limite de arquivos
            shutil.copy2(app_source / f"{module}.py", space.submission)
        if sandboxed:
            space.prepare_sandbox()
        space.hand_over(isolation.account if isolation.kind != NONE else None)
        llm = _slot(stack, space, sandboxed)
        fallback = _slot(stack, space, sandboxed, FALLBACK_LLM) if options.extras else None
        secret_key = secrets.token_urlsafe(32)
        env = server_env(llm.base_url, secret_key, fallback.base_url if fallback else None)
        # Quem chama (modo turma, testes) pode fixar o id para achar e matar tudo depois. É outra
        # variável, e não COURSE_RUN_ID, para que o corretor e quem o chamou não sejam "marcados".
        run_id = os.environ.get(RUN_ID_VARIABLE) or uuid.uuid4().hex
        ports = {slot.name: slot.port for slot in (llm, fallback) if slot}
        server = _server(isolation, space, module, env, run_id, ports)
        stack.callback(server.stop)
        paths = student_paths([WORK_INSIDE, str(space.submission)] if sandboxed else [str(space.submission)], app_source)
        yield Launched(options, server, llm, fallback, env, secret_key, paths)


@contextmanager
def external(url: str, llm_url: str | None, extras: bool) -> Iterator[Target]:
    """Modo --url: o aluno já subiu o servidor; o corretor não controla SECRET_KEY nem processo."""
    handle = None
    if llm_url:
        from common.fake_llm import FakeLLMClient

        handle = LLMHandle(FakeLLMClient(llm_url.rstrip("/").removesuffix("/v1")))
    yield Target(base_url=url.rstrip("/"), llm=handle, extras=extras, startup="externo")
