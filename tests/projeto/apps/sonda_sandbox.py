"""App de teste: mostra o que um servidor enxerga de dentro do sandbox do corretor (GET /sonda)."""

import errno
import os
import resource
import socket
import subprocess
import sys
from pathlib import Path

from fastapi import FastAPI, Request

MB = 1024 * 1024
app = FastAPI()


def attempt(action) -> str:
    """"ok", ou o nome do erro (EROFS, ENOSPC, EFBIG...)."""
    try:
        action()
        return "ok"
    except OSError as exc:
        return errno.errorcode.get(exc.errno, str(exc.errno))


def fill(paths: list[str], size_mb: int) -> None:
    """Escreve size_mb MB em cada arquivo (todos ficam até o fim) e apaga tudo depois."""
    try:
        for path in paths:
            with open(path, "wb") as handle:
                for _ in range(size_mb):
                    handle.write(b"\0" * MB)
    finally:
        for path in paths:
            if os.path.exists(path):
                os.remove(path)


def session_keys() -> str:
    """O que o keyring de sessão (herdado de quem corrige) deixa ler: "EPERM" quando o keyctl está bloqueado."""
    import ctypes
    import platform

    keyctl = {"x86_64": 250, "aarch64": 219}.get(platform.machine())
    if keyctl is None:
        return "arquitetura desconhecida"
    libc = ctypes.CDLL(None, use_errno=True)
    buffer = ctypes.create_string_buffer(4096)
    size = libc.syscall(keyctl, 11, ctypes.c_int(-3), buffer, 4096)  # KEYCTL_READ do keyring de sessão
    if size < 0:
        return errno.errorcode.get(ctypes.get_errno(), "?")
    names = []
    for offset in range(0, min(size, 4096), 4):
        described = ctypes.create_string_buffer(256)
        libc.syscall(keyctl, 6, int.from_bytes(buffer.raw[offset:offset + 4], "little"), described, 256)
        names.append(described.value.decode(errors="replace"))
    return ";".join(names)


def size_of(path: str) -> int:
    """Quantos bytes dá para ler (-1: nem dá para ler, como o /proc/1 de outro usuário)."""
    try:
        return len(Path(path).read_bytes())
    except OSError:
        return -1


@app.get("/health")
def health() -> dict:
    return {"status": "ok"}


@app.get("/sonda")
def probe(request: Request) -> dict:
    status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    nested = subprocess.run(["unshare", "--user", "true"], capture_output=True, text=True)
    return {
        "uid": os.getuid(), "gid": os.getgid(), "groups": os.getgroups(),
        "cap_eff": status["CapEff"].strip(), "no_new_privs": status["NoNewPrivs"].strip(),
        "pid1_environ": size_of("/proc/1/environ"),
        "env": sorted(os.environ), "home": os.environ.get("HOME"), "cwd": os.getcwd(),
        "hostname": socket.gethostname(), "client": request.client.host if request.client else None,
        "tmp_80mb": attempt(lambda: fill(["/tmp/a", "/tmp/b"], 40)),  # dois arquivos abaixo do FSIZE
        "arquivo_70mb": attempt(lambda: fill(["grande"], 70)),
        "entrega_gravavel": attempt(lambda: fill(["pequeno"], 1)),
        "venv": attempt(lambda: open(Path(sys.prefix) / "plantado", "x")),
        "user_namespace_aninhado": nested.returncode == 0,
        "keyring_da_sessao": session_keys(),
        "limites": {name: resource.getrlimit(getattr(resource, f"RLIMIT_{name.upper()}"))[0]
                    for name in ("nproc", "data", "fsize", "core")},
    }
