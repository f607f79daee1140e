"""Como o servidor do aluno vai rodar: os modos `--sandbox auto|on|off`, a sondagem do bubblewrap
(~10 ms, uma vez por processo) e a decisão, com o porquê e o conserto em pt-BR quando não dá.

Três níveis de isolamento (o valor de "sandbox" no --json):
- "bwrap": bubblewrap, com o próprio PID, rede, /tmp e usuário; só o necessário montado só-leitura;
- "user":  sem bwrap, mas o corretor roda como root: o servidor roda como um usuário sem privilégios
           (o `corretor-aluno` que o setup.sh do Gradescope cria, ou `nobody`), com limites;
- "none":  o servidor roda com as permissões de quem corrige (só os limites de memória e arquivo).
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from . import bwrap as bwrap_command

AUTO, ON, OFF = "auto", "on", "off"
MODES = (AUTO, ON, OFF)
MODE_VARIABLE = "COURSE_GRADER_SANDBOX"  # mesmos valores de --sandbox (a opção vence a variável)
BWRAP_VARIABLE = "COURSE_GRADER_BWRAP"  # outro bwrap (ex.: uma versão mais nova em /opt); padrão: o do PATH
USER_VARIABLE = "COURSE_GRADER_SANDBOX_USER"  # o usuário sem privilégios, quando o corretor roda como root
DEDICATED_USER = "corretor-aluno"
NOBODY = "nobody"
PROBE_TIMEOUT_S = 10
README = "common/grader/README.md#sandbox"

BWRAP, USER, NONE = "bwrap", "user", "none"


class SandboxUnavailable(Exception):
    """`--sandbox on` sem isolamento possível (a mensagem diz por quê e como consertar)."""


@dataclass(frozen=True)
class Account:
    """O usuário sem privilégios que roda o servidor quando o corretor é root."""

    uid: int
    gid: int
    name: str


@dataclass(frozen=True)
class Bubblewrap:
    path: str
    version: tuple[int, ...]

    @property
    def disable_userns(self) -> bool:  # --disable-userns: 0.8 em diante
        return self.version >= (0, 8)

    @property
    def tmpfs_size(self) -> bool:  # --size: 0.7 em diante (o 0.6 do Ubuntu 22.04 não tem)
        return self.version >= (0, 7)


@dataclass(frozen=True)
class Probe:
    """O resultado da sondagem: o bwrap que funciona, ou por que não funciona e como consertar."""

    bwrap: Bubblewrap | None
    reason: str = ""
    fix: str = ""


@dataclass(frozen=True)
class Isolation:
    kind: str  # BWRAP, USER ou NONE
    bwrap: Bubblewrap | None = None
    account: Account | None = None  # quem roda o servidor quando o corretor é root
    warning: str | None = None  # o aviso (pt-BR) do terminal e de todo arquivo de relatório


def resolve_mode(option: str | None, default: str = AUTO) -> str:
    """A opção vence a variável de ambiente, que vence o padrão (auto numa entrega; on na turma e no Gradescope)."""
    mode = option or os.environ.get(MODE_VARIABLE, "").strip().lower() or default
    if mode not in MODES:
        raise SandboxUnavailable(f"{MODE_VARIABLE}={mode!r} não vale: use auto, on ou off")
    return mode


def account_for_root() -> Account | None:
    """Como root: o usuário dedicado (se existe) ou nobody. Como usuário comum: None (não há para quem trocar)."""
    if os.name != "posix" or os.geteuid() != 0:
        return None
    import pwd  # só existe em POSIX

    for name in (os.environ.get(USER_VARIABLE) or DEDICATED_USER, NOBODY):
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        return Account(entry.pw_uid, entry.pw_gid, name)
    return Account(65534, 65534, NOBODY)


# ---------------------------------------------------------------- sondagem do bwrap


def _read(path: str) -> str | None:
    try:
        return Path(path).read_text(encoding="utf-8").strip()
    except OSError:
        return None


def _in_container() -> bool:
    if Path("/.dockerenv").exists() or Path("/run/.containerenv").exists() or os.environ.get("container"):
        return True
    return bool(re.search(r"docker|kubepods|containerd|lxc", _read("/proc/1/cgroup") or ""))


def diagnose(stderr: str, read=_read, in_container=_in_container) -> tuple[str, str]:
    """(por que o bwrap não roda, como consertar), a partir do que o sistema diz."""
    if read("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == "1":
        return ("o AppArmor do Ubuntu (24.04 em diante) bloqueia user namespaces de programas sem perfil",
                "carregue o perfil bwrap-userns-restrict que o Ubuntu traz:\n"
                "    sudo apt install apparmor-profiles\n"
                "    sudo install -m 0644 /usr/share/apparmor/extra-profiles/bwrap-userns-restrict /etc/apparmor.d/\n"
                "    sudo apparmor_parser -r /etc/apparmor.d/bwrap-userns-restrict\n"
                "(ou, para a máquina toda: sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0)")
    off = [name for name, path in (("kernel.unprivileged_userns_clone", "/proc/sys/kernel/unprivileged_userns_clone"),
                                   ("user.max_user_namespaces", "/proc/sys/user/max_user_namespaces"))
           if read(path) == "0"]
    if off:
        values = " ".join(f"{name}={1 if 'clone' in name else 15000}" for name in off)
        return (f"os user namespaces estão desligados neste kernel ({', '.join(n + '=0' for n in off)})",
                f"sudo sysctl -w {values}   (e grave o mesmo num arquivo de /etc/sysctl.d/ para valer depois do boot)")
    if in_container():
        return ("este contêiner proíbe criar namespaces (o perfil seccomp dele, ou a falta de CAP_SYS_ADMIN)",
                "rode o contêiner com um perfil seccomp que permita namespaces, ou deixe o corretor (como root) "
                f"rodar o servidor com o usuário sem privilégios {DEDICATED_USER} (é o que o setup.sh do Gradescope faz)")
    detail = stderr.strip().splitlines()[-1:] or ["(sem mensagem)"]
    return f"o bwrap não conseguiu criar o sandbox: {detail[0][:300]}", f"veja {README}"


def _version(path: str) -> tuple[int, ...]:
    done = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=PROBE_TIMEOUT_S, env={})
    match = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?", done.stdout)
    return tuple(int(part) for part in match.groups(default="0")) if match else (0, 0, 0)


@functools.lru_cache(maxsize=1)
def probe() -> Probe:
    """Roda `bwrap ... true` do jeito que o corretor rodaria; se falhar, diz por quê."""
    if not sys.platform.startswith("linux"):
        return Probe(None, "o bubblewrap só existe no Linux", "use Linux (ou WSL2) com o pacote bubblewrap")
    path = os.environ.get(BWRAP_VARIABLE) or shutil.which("bwrap")
    if not path or not os.access(path, os.X_OK):
        return Probe(None, "o bubblewrap (bwrap) não está instalado",
                     "sudo apt install bubblewrap   (Fedora: sudo dnf install bubblewrap)")
    try:
        found = Bubblewrap(path, _version(path))
        command = bwrap_command.probe_command(found, account_for_root())
        done = subprocess.run(command, capture_output=True, text=True, timeout=PROBE_TIMEOUT_S, env={})
    except (OSError, subprocess.SubprocessError) as exc:
        return Probe(None, *diagnose(str(exc)))
    if done.returncode == 0:
        return Probe(found)
    return Probe(None, *diagnose(done.stderr))


# ---------------------------------------------------------------- a decisão


def _can_run_python(account: Account) -> bool:
    """O usuário sem privilégios consegue rodar este Python e importar o curso? (ex.: pyenv em /root: não)"""
    try:
        done = subprocess.run([sys.executable, "-c", "import common.config, uvicorn"], cwd="/", user=account.uid,
                              group=account.gid, extra_groups=[], capture_output=True, timeout=PROBE_TIMEOUT_S,
                              env={"PATH": os.defpath, "COURSE_SKIP_DOTENV": "1"})
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def _fallback_warning(found: Probe) -> str:
    if not sys.platform.startswith("linux"):
        return ("sem sandbox neste sistema: o servidor rodou com as suas permissões "
                "(tudo bem para o seu próprio código; para código de outras pessoas, use Linux com bubblewrap)")
    return ("SEM SANDBOX: o servidor do aluno rodou com as SUAS permissões (pode ler seus arquivos e chaves, "
            f"escrever onde você escreve e abrir conexões).\nMotivo: {found.reason}.\nPara isolar: {found.fix}")


def choose(mode: str) -> Isolation:
    """Decide como rodar o servidor do aluno; com `on` e sem isolamento possível, SandboxUnavailable."""
    if mode == OFF:
        return Isolation(NONE, warning="sandbox desligado (--sandbox off): o servidor do aluno rodou com as SUAS "
                                       "permissões (pode ler seus arquivos e chaves, escrever onde você escreve e "
                                       "abrir conexões)")
    found = probe()
    account = account_for_root()
    if found.bwrap is not None:
        return Isolation(BWRAP, bwrap=found.bwrap, account=account)
    if account is not None and _can_run_python(account):
        return Isolation(USER, account=account, warning=(
            f"sem bwrap ({found.reason}): o servidor do aluno rodou como o usuário sem privilégios {account.name}, "
            "com limites; a rede e os arquivos legíveis por todos continuam ao alcance dele"))
    if mode == ON:
        raise SandboxUnavailable(
            f"--sandbox on: não dá para isolar o servidor do aluno: {found.reason}.\nPara isolar: {found.fix}"
            + ("" if account is None else f"\n(como root, o usuário sem privilégios {account.name} também não "
                                          "consegue rodar este Python)"))
    return Isolation(NONE, warning=_fallback_warning(found))
