"""Sobe um app FastAPI com uvicorn num subprocesso contido, numa porta livre de loopback.

Usado pelo corretor (código do aluno não roda no processo do corretor), pelos testes
do projeto, pelo `make run` e pelos benchmarks. Garantias:

- o processo roda em seu próprio grupo/sessão e, no fim, é morto com todos os
  descendentes, inclusive os que se "daemonizam" (achados pela variável COURSE_RUN_ID);
- stdout e stderr vão para um buffer limitado: guardamos só o final (o traceback);
- o ambiente pode ser limpo (`scrub_env=True`), para que chaves do professor não vazem.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

OUTPUT_TAIL_BYTES = 64 * 1024
# Variáveis mínimas para um Python funcionar em Linux, macOS e Windows.
_SAFE_ENV_KEYS = ("PATH", "SYSTEMROOT", "WINDIR", "COMSPEC", "PATHEXT", "TEMP", "TMP", "TMPDIR", "LANG", "LC_ALL")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OutputTail:
    """Consome a saída de um processo numa thread e guarda só os últimos bytes."""

    def __init__(self, stream, limit: int = OUTPUT_TAIL_BYTES) -> None:
        self._buffer = bytearray()
        self._limit = limit
        self._lock = threading.Lock()
        self.total_bytes = 0
        self._thread = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        self._thread.start()

    def _pump(self, stream) -> None:
        for chunk in iter(lambda: stream.read1(65536), b""):
            with self._lock:
                self.total_bytes += len(chunk)
                self._buffer += chunk
                del self._buffer[: max(0, len(self._buffer) - self._limit)]

    def text(self, max_chars: int = 4000) -> str:
        with self._lock:
            return self._buffer.decode("utf-8", errors="replace")[-max_chars:]


@dataclass
class ServerProcess:
    """Um `uvicorn MODULE:app` rodando dentro de `app_dir`."""

    app_dir: Path
    module: str = "template"
    env: Mapping[str, str] = field(default_factory=dict)
    scrub_env: bool = False
    port: int = 0
    host: str = "127.0.0.1"
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    process: subprocess.Popen | None = None
    output: OutputTail | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def _environment(self) -> dict[str, str]:
        if self.scrub_env:
            base = {k: os.environ[k] for k in _SAFE_ENV_KEYS if k in os.environ}
            base["HOME"] = str(self.app_dir)
            base["COURSE_SKIP_DOTENV"] = "1"
        else:
            base = dict(os.environ)
        base.update({"PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": "utf-8", "PYTHONDONTWRITEBYTECODE": "1"})
        base.update(self.env)
        base["COURSE_RUN_ID"] = self.run_id
        return base

    def uvicorn_command(self) -> list[str]:
        return [
            sys.executable, "-m", "uvicorn", f"{self.module}:app",
            "--host", self.host, "--port", str(self.port),
            "--app-dir", str(self.app_dir), "--log-level", "warning",
        ]

    def launch_spec(self) -> tuple[list[str], dict[str, str], dict]:
        """(comando, ambiente, opções extras do Popen). Subclasses trocam (ex.: os limites do corretor)."""
        return self.uvicorn_command(), self._environment(), {}

    def start(self) -> ServerProcess:
        self.port = self.port or free_port()
        command, env, extra = self.launch_spec()
        self.process = subprocess.Popen(
            command,
            cwd=self.app_dir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            **_new_process_group(),
            **extra,
        )
        self.output = OutputTail(self.process.stdout)
        return self

    def wait_ready(self, timeout: float = 20.0, path: str = "/health") -> str:
        """Espera o servidor responder HTTP. Devolve "pronto", "saiu" ou "tempo_esgotado"."""
        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=1.0) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    return "saiu"
                try:
                    # Só o status: um /health que nunca termina o corpo não pode travar a espera.
                    with client.stream("GET", self.url + path):
                        return "pronto"  # qualquer resposta HTTP serve: o servidor está de pé
                except httpx.HTTPError:
                    time.sleep(0.05)
        return "tempo_esgotado"

    def stderr_tail(self, max_chars: int = 4000) -> str:
        return self.output.text(max_chars) if self.output else ""

    def stop(self) -> None:
        """Mata o processo, todos os descendentes e qualquer processo marcado com o nosso COURSE_RUN_ID."""
        if self.process is None:
            return
        victims = _descendants(self.process.pid) + _marked_processes(self.run_id)
        for proc in victims:
            _quietly(proc.kill)
        psutil.wait_procs(victims, timeout=3)
        _quietly(lambda: self.process.wait(timeout=3))
        if self.process.stdout:
            _quietly(self.process.stdout.close)

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()


def _new_process_group() -> dict:
    if os.name == "nt":
        return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
    return {"start_new_session": True}


def _descendants(pid: int) -> list[psutil.Process]:
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.Error:
        return []


def _marked_processes(run_id: str) -> list[psutil.Process]:
    """Processos que herdaram COURSE_RUN_ID: pega até quem fez fork duplo e setsid."""
    me = psutil.Process()
    spared = {me.pid, *(parent.pid for parent in me.parents())}  # nunca quem nos chamou
    marked = []
    for proc in psutil.process_iter():
        if proc.pid in spared:
            continue
        try:
            if proc.environ().get("COURSE_RUN_ID") == run_id:
                marked.append(proc)
        except psutil.Error:
            continue
    return marked


def _quietly(action) -> None:
    try:
        action()
    except (psutil.Error, OSError, subprocess.TimeoutExpired):
        pass
