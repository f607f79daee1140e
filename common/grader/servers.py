"""Os dois jeitos de subir o servidor do aluno: no sandbox (bwrap) ou só com limites (sem bwrap).

- `SandboxedServer`: o corretor cria o socket de escuta numa pasta que o sandbox nunca vê e o entrega
  ao uvicorn lá dentro (SCM_RIGHTS → `uvicorn --fd`); uma ponte do corretor liga 127.0.0.1:<porta>
  (a URL das verificações) a esse socket. O aluno não escolhe onde escuta, nem troca o socket por um
  link para outro serviço da máquina.
- `LimitedServer`: o uvicorn na porta de loopback, como sempre, sob `entry.py` (limites de memória e de
  tamanho de arquivo) e, quando o corretor é root, como um usuário sem privilégios (e limite de processos).

`Workspace` é a pasta privada de uma correção: a cópia da entrega, os sockets e o /etc mínimo.
"""

from __future__ import annotations

import os
import shutil
import site
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from common.config import REPO_ROOT
from common.launcher import OutputTail, ServerProcess, _new_process_group

from . import bwrap
from .loopback import APP_VARIABLE, PORT_VARIABLE
from .relay import Relay
from .sandbox import Account, Isolation

ENTRY = REPO_ROOT / "common" / "grader" / "entry.py"
NPROC_SANDBOX = 256  # processos + threads do sandbox (um uvicorn com o threadpool cheio usa ~50)
NPROC_USER = 512  # sem bwrap, o usuário sem privilégios é um só para todas as correções em paralelo
DATA_MB = 1024  # memória por processo (RLIMIT_DATA)
FSIZE_MB = 64  # maior arquivo que o aluno consegue escrever
LISTEN_BACKLOG = 128


class Workspace:
    """Pasta temporária privada: `privado/` (entrega, llm/, etc/, o socket do aluno) e `palco/` (só como root)."""

    def __init__(self, account: Account | None) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="corretor-", dir=_reachable_tempdir() if account else None))
        # Como root, o usuário sem privilégios precisa atravessar (x) até as pastas dele, sem listar nada.
        mode = 0o711 if account else 0o700
        os.chmod(self.root, mode)
        self.private = self.root / "privado"
        self.private.mkdir(mode=mode)
        self.submission = self.private / "entrega"
        self.submission.mkdir(mode=0o755)
        self.llm = self.private / "llm"
        self.etc = self.private / "etc"
        self.student_socket = self.private / "aluno.sock"
        self.stage = self.root / "palco"

    def prepare_sandbox(self) -> None:
        self.llm.mkdir(mode=0o755)
        self.stage.mkdir(mode=0o755)
        bwrap.minimal_etc(self.etc)

    def llm_socket(self, name: str) -> Path:
        return self.llm / f"{name}.sock"

    def hand_over(self, account: Account | None) -> None:
        """Como root: a cópia da entrega passa a ser do usuário sem privilégios (lchown: nunca segue links)."""
        if account is None:
            return
        for root, dirs, files in os.walk(self.submission):
            for name in [*dirs, *files]:
                os.lchown(os.path.join(root, name), account.uid, account.gid)
        os.lchown(self.submission, account.uid, account.gid)

    def cleanup(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)  # rmtree não segue links que o aluno tenha deixado


def _reachable_tempdir() -> str | None:
    """Uma pasta temporária que qualquer usuário atravessa até o fim (o TMPDIR de quem roda pode não ser)."""
    for candidate in (tempfile.gettempdir(), "/tmp", "/var/tmp", "/dev/shm"):
        path = Path(candidate)
        if path.is_dir() and all(os.stat(p).st_mode & 0o001 for p in (path, *path.parents)):
            return str(path)
    return None


def readonly_paths() -> list[Path]:
    """O que o servidor precisa ler além de /usr: o venv, o Python base, o site do usuário, common/ e dia03/static."""
    wanted = [Path(sys.prefix), Path(sys.base_prefix), Path(sys.base_exec_prefix),
              REPO_ROOT / "common", REPO_ROOT / "dia03" / "static"]
    if site.ENABLE_USER_SITE and os.path.isdir(site.getusersitepackages()):
        wanted.append(Path(site.getusersitepackages()))
    chosen: list[Path] = []
    for path in sorted({p.resolve() for p in wanted if p.exists()}, key=lambda p: len(p.parts)):
        inside_usr = path.is_relative_to("/usr")
        covered = any(path.is_relative_to(other) for other in chosen)
        # Nunca a raiz do repositório (o .env, tests/, .git) nem algo que a contenha.
        if not inside_usr and not covered and not REPO_ROOT.is_relative_to(path):
            chosen.append(path)
    return chosen


def _entry(*options: str) -> list[str]:
    return [sys.executable, "-E", "-s", "-S", str(ENTRY), "--data-mb", str(DATA_MB), "--fsize-mb", str(FSIZE_MB),
            *options]


@dataclass
class LimitedServer(ServerProcess):
    """Sem bwrap: o uvicorn de sempre, sob os limites do entry.py (e com um usuário sem privilégios, como root)."""

    account: Account | None = None

    def launch_spec(self) -> tuple[list[str], dict[str, str], dict]:
        command, env, extra = super().launch_spec()
        if os.name != "posix":  # Windows: sem rlimits
            return command, env, extra
        if self.account is None:
            return _entry("--new-keyring", "--", *command), env, extra
        extra = {"user": self.account.uid, "group": self.account.gid, "extra_groups": []}
        return _entry("--new-keyring", "--nproc", str(NPROC_USER), "--", *command), env, extra


def _seccomp_pipe() -> int | None:
    """Um pipe já com o filtro seccomp dentro (o bwrap lê do descritor); None sem filtro para esta arquitetura."""
    program = bwrap.seccomp_filter()
    if program is None:
        return None
    read_end, write_end = os.pipe()
    os.write(write_end, program)  # umas dezenas de bytes: cabem no buffer do pipe
    os.close(write_end)
    return read_end


@dataclass
class SandboxedServer(ServerProcess):
    """Com bwrap: o uvicorn no sandbox, atrás da ponte 127.0.0.1:<porta> → socket criado pelo corretor."""

    isolation: Isolation | None = None
    workspace: Workspace | None = None
    llm_ports: dict[str, int] = field(default_factory=dict)  # nome → porta (a mesma lá dentro)
    relay: Relay | None = None

    def sandbox_env(self) -> dict[str, str]:
        env = self._environment()
        for name in ("TMPDIR", "TEMP", "TMP"):
            env[name] = "/tmp"
        env.update({"HOME": bwrap.HOME_INSIDE, "PATH": f"{Path(sys.prefix) / 'bin'}:/usr/local/bin:/usr/bin:/bin",
                    # `import common` acha o common/ montado (o do corretor), mesmo que o venv aponte outro.
                    "PYTHONPATH": str(REPO_ROOT),
                    APP_VARIABLE: f"{self.module}:app", PORT_VARIABLE: str(self.port)})
        return env

    def plan(self, control_fd: int, seccomp_fd: int | None) -> bwrap.Plan:
        found, space = self.isolation.bwrap, self.workspace
        options = ["--nproc", str(NPROC_SANDBOX), "--control-fd", str(control_fd)]
        if found.tmpfs_size:
            options += ["--copy", bwrap.ORIGINAL_INSIDE, bwrap.WORK_INSIDE]
        for name, port in self.llm_ports.items():
            options += ["--forward", f"{port}={bwrap.LLM_INSIDE}/{space.llm_socket(name).name}"]
        uvicorn = [sys.executable, "-m", "uvicorn", "common.grader.loopback:app", "--app-dir", bwrap.WORK_INSIDE,
                   "--log-level", "warning"]
        return bwrap.Plan(
            bwrap=found, readonly=readonly_paths(), etc_dir=space.etc, llm_dir=space.llm,
            submission=space.submission, scratch=space.private, env=self.sandbox_env(),
            command=_entry(*options, "--", *uvicorn), account=self.isolation.account, stage_dir=space.stage,
            seccomp_fd=seccomp_fd,
        )

    def start(self) -> SandboxedServer:
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(str(self.workspace.student_socket))
        listener.listen(LISTEN_BACKLOG)
        self.relay = Relay()
        self.port = self.relay.add(0, str(self.workspace.student_socket))
        try:
            self.process = self._spawn(listener)
        finally:
            listener.close()  # o corretor não guarda o socket: se o uvicorn morre, a fila é recusada
        self.output = OutputTail(self.process.stdout)
        self.relay.start()
        return self

    def _spawn(self, listener: socket.socket) -> subprocess.Popen:
        """Sobe o bwrap e manda a ele, pelo canal de controle, o socket de escuta (SCM_RIGHTS)."""
        ours, theirs = socket.socketpair()
        seccomp = _seccomp_pipe()
        inherited = (theirs.fileno(), *([seccomp] if seccomp is not None else []))
        try:
            process = subprocess.Popen(
                bwrap.command(self.plan(theirs.fileno(), seccomp)), cwd="/", env={}, pass_fds=inherited,
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **_new_process_group(),
            )
            theirs.close()
            try:
                socket.send_fds(ours, [b"s"], [listener.fileno()])
            except OSError:  # o sandbox já morreu: o motivo aparece na saída dele
                pass
            return process
        finally:
            ours.close()
            theirs.close()
            if seccomp is not None:
                os.close(seccomp)

    def setup_error(self) -> str | None:
        """Se o próprio bwrap falhou ao montar o sandbox (antes de o aluno rodar), a mensagem dele."""
        if self.process is None or self.process.poll() is None:
            return None
        lines = self.stderr_tail(8000).lstrip().splitlines()[:5]
        return next((line for line in lines if line.startswith(bwrap.SETUP_ERRORS)), None)

    def stop(self) -> None:
        """Mata o PID 1 do sandbox: o kernel derruba o namespace inteiro e o bwrap recolhe tudo na hora.

        Depois, a segunda rede de sempre (descendentes e quem herdou o COURSE_RUN_ID) não acha mais nada.
        """
        if self.process is not None and self.process.poll() is None:
            try:
                for init in psutil.Process(self.process.pid).children():
                    init.kill()
                self.process.wait(timeout=3)
            except (psutil.Error, subprocess.TimeoutExpired):
                pass
        super().stop()
        if self.relay is not None:
            self.relay.stop()
