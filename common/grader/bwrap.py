"""A linha de comando do bubblewrap para o servidor do aluno (e a da sondagem).

Dentro do sandbox o aluno vê:
- só-leitura: /usr (com /bin, /lib... como links), uns poucos arquivos de /etc, um /etc/passwd mínimo,
  o venv, o Python base quando ele mora fora de /usr (pyenv, uv), `common/` e `dia03/static`;
- gravável: /entrega (a cópia da entrega), /tmp e $HOME (/home/aluno), com teto de tamanho;
- /proc só dos próprios processos, um /dev mínimo, só a interface `lo`, nenhuma rota para fora;
- o usuário 65534, sem capacidades, sem poder criar user namespaces.

Quando o corretor roda como root, o bwrap roda como um usuário sem privilégios (`Account`): assim o
aluno é, também fora do namespace, um usuário comum (os limites de processos valem, e ele não é dono
de nada do sistema). Como esse usuário talvez não enxergue o Python (pyenv em /root, por exemplo), o
corretor monta antes, num mount namespace privado, o que o sandbox precisa em pastas de `palco/`.
"""

from __future__ import annotations

import os
import platform
import shutil
import struct
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

SANDBOX_ID = "65534"
HOME_INSIDE = "/home/aluno"
WORK_INSIDE = "/entrega"
RUN_INSIDE = "/run/corretor"
ORIGINAL_INSIDE = f"{RUN_INSIDE}/original"
LLM_INSIDE = f"{RUN_INSIDE}/llm"
TMP_MB, HOME_MB, WORK_MB = 64, 16, 128
ETC_FILES = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "hosts", "host.conf", "nsswitch.conf",
             "gai.conf", "mime.types", "ssl", "ca-certificates", "alternatives")
USR_LINKS = ("bin", "sbin", "lib", "lib32", "lib64", "libx32")
SYSTEM_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"
# Monta cada ORIGEM em DESTINO (num mount namespace só nosso) e executa o resto como o usuário sem privilégios.
STAGE_SCRIPT = ('while [ "$1" != -- ]; do mount --bind "$1" "$2" || { echo "sandbox: não montei $1" >&2; exit 125; }; '
                'shift 2; done; shift; exec "$@"')
SETUP_ERRORS = ("bwrap: ", "sandbox: ")  # como começam as mensagens de quem monta o sandbox (não do aluno)


# seccomp: o bwrap não filtra chamadas de sistema por conta própria. Sem filtro, o aluno leria as chaves do
# keyring da sessão de quem corrige (keyctl: tickets Kerberos, senhas em cache), herdado por todo processo.
# Bloqueamos as três chamadas do keyring e qualquer chamada de outra arquitetura (x32, i386), como o Flatpak.
SECCOMP_ARCHES = {"x86_64": (0xC000003E, (248, 249, 250)), "aarch64": (0xC00000B7, (217, 218, 219))}
X32_SYSCALL_BIT = 0x40000000
_LOAD, _JEQ, _JGE, _RET = 0x20, 0x15, 0x35, 0x06  # BPF: ld [k], jeq #k, jge #k, ret #k
_ALLOW, _DENY = 0x7FFF0000, 0x00050000 | 1  # SECCOMP_RET_ALLOW; SECCOMP_RET_ERRNO | EPERM


def seccomp_filter(machine: str | None = None) -> bytes | None:
    """O programa BPF (o formato de `bwrap --seccomp FD`), ou None numa arquitetura que não conhecemos."""
    machine = machine or platform.machine()
    if machine not in SECCOMP_ARCHES:
        return None
    arch, blocked = SECCOMP_ARCHES[machine]
    program = [(_LOAD, 0, 0, 4), (_JEQ, 1, 0, arch), (_RET, 0, 0, _DENY), (_LOAD, 0, 0, 0)]
    if machine == "x86_64":
        program.append((_JGE, len(blocked) + 1, 0, X32_SYSCALL_BIT))
    program += [(_JEQ, len(blocked) - index, 0, number) for index, number in enumerate(blocked)]
    program += [(_RET, 0, 0, _ALLOW), (_RET, 0, 0, _DENY)]
    return b"".join(struct.pack("<HBBI", *instruction) for instruction in program)


@dataclass
class Plan:
    """Tudo o que a linha do bwrap precisa saber de uma correção."""

    bwrap: object  # sandbox.Bubblewrap
    readonly: Sequence[Path]  # montados só-leitura no mesmo caminho (venv, Python base, common/, dia03/static)
    etc_dir: Path  # passwd e group mínimos
    llm_dir: Path | None  # os sockets dos fake LLMs do corretor
    submission: Path  # a cópia da entrega
    scratch: Path  # onde ficam /tmp e $HOME quando o bwrap não tem --size (0.6)
    env: dict[str, str]
    command: Sequence[str]  # o entry.py (dentro do sandbox)
    account: object | None = None  # sandbox.Account, quando o corretor é root
    stage_dir: Path | None = None  # com `account`: as pastas de palco
    seccomp_fd: int | None = None  # de onde o bwrap lê o filtro (seccomp_filter)
    stages: list[tuple[Path, Path]] = field(default_factory=list, init=False)

    def source(self, path: Path) -> str:
        """O caminho que o bwrap enxerga para `path` (como root, a pasta de palco correspondente)."""
        if self.account is None:
            return str(path)
        stage = self.stage_dir / str(len(self.stages))
        stage.mkdir(mode=0o755)
        self.stages.append((path, stage))
        return str(stage)


def _tool(name: str) -> str:
    return shutil.which(name, path=os.environ.get("PATH", "") + os.pathsep + SYSTEM_PATH) or name


def _system_mounts() -> list[str]:
    args = ["--ro-bind", "/usr", "/usr"]
    for name in USR_LINKS:
        path = Path("/", name)
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():  # sistemas sem /usr unificado
            args += ["--ro-bind", str(path), str(path)]
    for name in ETC_FILES:
        args += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    return args + ["--proc", "/proc", "--dev", "/dev", "--dir", "/var", "--symlink", "../tmp", "/var/tmp"]


def _isolation(bwrap) -> list[str]:
    args = ["--unshare-all", "--unshare-user", "--uid", SANDBOX_ID, "--gid", SANDBOX_ID]
    if bwrap.disable_userns:
        args.append("--disable-userns")
    return args + ["--cap-drop", "ALL", "--die-with-parent", "--new-session", "--clearenv", "--hostname", "sandbox"]


def _tmpfs(bwrap, size_mb: int, inside: str, fallback: Path, plan: Plan) -> list[str]:
    """Um tmpfs com teto; sem --size (bwrap 0.6), uma pasta em disco (melhor que um tmpfs sem teto)."""
    if bwrap.tmpfs_size:
        return ["--size", str(size_mb * 1024 * 1024), "--tmpfs", inside]
    fallback.mkdir(mode=0o700, exist_ok=True)
    if plan.account is not None:
        os.chown(fallback, plan.account.uid, plan.account.gid)
    return ["--bind", plan.source(fallback), inside]


def _scratch(plan: Plan) -> list[str]:
    """/tmp e $HOME: montados antes do resto (um tmpfs em /tmp montado depois cobriria o que já está lá)."""
    args = _tmpfs(plan.bwrap, TMP_MB, "/tmp", plan.scratch / "tmp", plan)
    return args + _tmpfs(plan.bwrap, HOME_MB, HOME_INSIDE, plan.scratch / "home", plan)


def _submission(plan: Plan) -> list[str]:
    bwrap, args = plan.bwrap, []
    if bwrap.tmpfs_size:  # a entrega é copiada (pelo entry.py) para um tmpfs: nada do aluno vai para o disco
        args += ["--ro-bind", plan.source(plan.submission), ORIGINAL_INSIDE]
        args += ["--size", str(WORK_MB * 1024 * 1024), "--tmpfs", WORK_INSIDE]
    else:
        args += ["--bind", plan.source(plan.submission), WORK_INSIDE]
    return args


def bwrap_args(plan: Plan) -> list[str]:
    """`bwrap ... -- COMANDO`, com as montagens, o ambiente (--setenv) e o comando do sandbox."""
    args = [plan.bwrap.path, *_isolation(plan.bwrap), *_system_mounts(), *_scratch(plan)]
    etc = plan.source(plan.etc_dir)
    args += ["--ro-bind", f"{etc}/passwd", "/etc/passwd", "--ro-bind", f"{etc}/group", "/etc/group"]
    for path in plan.readonly:
        args += ["--ro-bind", plan.source(path), str(path)]
    if plan.llm_dir is not None:
        args += ["--ro-bind", plan.source(plan.llm_dir), LLM_INSIDE]
    args += [*_submission(plan), "--chdir", WORK_INSIDE]
    for name, value in plan.env.items():
        args += ["--setenv", name, value]
    if plan.seccomp_fd is not None:
        args += ["--seccomp", str(plan.seccomp_fd)]
    return [*args, "--", *plan.command]


def as_account(args: Sequence[str], account, stages: Sequence[tuple[Path, Path]] = ()) -> list[str]:
    """Como root: monta os palcos num mount namespace privado e roda `args` como o usuário sem privilégios."""
    pairs = [str(part) for stage in stages for part in stage]
    return [_tool("unshare"), "--mount", "--propagation", "private", "--", _tool("sh"), "-c", STAGE_SCRIPT, "sh",
            *pairs, "--", _tool("env"), "-i", _tool("setpriv"), f"--reuid={account.uid}", f"--regid={account.gid}",
            "--clear-groups", "--", *args]


def command(plan: Plan) -> list[str]:
    """A linha completa: o bwrap, precedido (como root) da troca para o usuário sem privilégios."""
    args = bwrap_args(plan)
    return args if plan.account is None else as_account(args, plan.account, plan.stages)


def probe_command(bwrap, account) -> list[str]:
    """O menor sandbox com as mesmas opções de isolamento: diz em ~10 ms se o de verdade vai funcionar."""
    args = [bwrap.path, *_isolation(bwrap), "--ro-bind", "/usr", "/usr"]
    for name in USR_LINKS:
        path = Path("/", name)
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
    args += ["--proc", "/proc", "--dev", "/dev", "--", "true"]
    return args if account is None else as_account(args, account)


def minimal_etc(folder: Path) -> None:
    """passwd e group do sandbox: só o usuário do aluno (nada dos usuários da máquina)."""
    folder.mkdir(mode=0o755)
    (folder / "passwd").write_text(f"aluno:x:{SANDBOX_ID}:{SANDBOX_ID}:aluno:{HOME_INSIDE}:/bin/sh\n", encoding="utf-8")
    (folder / "group").write_text(f"aluno:x:{SANDBOX_ID}:\n", encoding="utf-8")
    for name in ("passwd", "group"):
        os.chmod(folder / name, 0o644)
