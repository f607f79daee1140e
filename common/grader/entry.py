"""Ponto de entrada do servidor do aluno: aplica os limites e sobe o uvicorn (só biblioteca padrão).

O corretor roda este arquivo pelo caminho, com `python -E -s -S` (sem site, sem variáveis PYTHON*),
antes do uvicorn do aluno:

    python -E -s -S entry.py [--nproc N] [--data-mb M] [--fsize-mb F] [--copy ORIGEM DESTINO]
                             [--control-fd FD] [--forward PORTA=SOCKET ...] -- COMANDO ...

1. limites (rlimits) que valem para ele e para todos os filhos: processos, memória, tamanho de arquivo;
2. `--copy`: copia a entrega (montada só-leitura) para a pasta gravável do sandbox;
3. `--control-fd`: recebe do corretor, por SCM_RIGHTS, o socket de escuta que o corretor criou, e
   acrescenta `--fd N` ao COMANDO (o uvicorn atende nesse socket; o aluno nunca escolhe onde);
4. `--forward`: enquanto o COMANDO vive, repassa 127.0.0.1:PORTA → SOCKET (os fake LLMs do corretor,
   que ficam fora do sandbox) e sai com o código dele. Sem `--forward`, simplesmente vira o COMANDO.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import socket
import subprocess
import sys

MB = 1024 * 1024


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="entry.py", description="Sobe o servidor do aluno com limites.")
    parser.add_argument("--nproc", type=int, help="máximo de processos e threads (RLIMIT_NPROC)")
    parser.add_argument("--data-mb", type=int, help="memória por processo, em MB (RLIMIT_DATA)")
    parser.add_argument("--fsize-mb", type=int, help="tamanho máximo de um arquivo, em MB (RLIMIT_FSIZE)")
    parser.add_argument("--copy", nargs=2, metavar=("ORIGEM", "DESTINO"), help="copia a entrega antes de subir")
    parser.add_argument("--control-fd", type=int, help="de onde chega o socket de escuta (SCM_RIGHTS)")
    parser.add_argument("--new-keyring", action="store_true", help="larga o keyring de sessão herdado")
    parser.add_argument("--forward", action="append", default=[], metavar="PORTA=SOCKET")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.command[:1] == ["--"]:
        args.command = args.command[1:]
    if not args.command:
        parser.error("falta o COMANDO depois de --")
    return args


def apply_limits(args: argparse.Namespace) -> None:
    """Limites duros (o aluno não consegue aumentá-los) para este processo e todos os que ele criar."""
    limits = [(resource.RLIMIT_CORE, 0)]
    if args.nproc:
        limits.append((resource.RLIMIT_NPROC, args.nproc))
    if args.data_mb:
        limits.append((resource.RLIMIT_DATA, args.data_mb * MB))
    if args.fsize_mb:
        limits.append((resource.RLIMIT_FSIZE, args.fsize_mb * MB))
    for kind, value in limits:
        _, hard = resource.getrlimit(kind)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(kind, (value, value))


def leave_session_keyring() -> None:
    """Troca o keyring de sessão herdado (o de quem corrige) por um novo e vazio: as chaves dele deixam de
    estar "em posse" do aluno. Só sem bwrap: no sandbox, o filtro seccomp já bloqueia o keyctl."""
    numbers = {"x86_64": 250, "aarch64": 219}  # keyctl
    try:
        import ctypes
        import platform

        libc = ctypes.CDLL(None, use_errno=True)
        libc.syscall(numbers[platform.machine()], 1, None)  # KEYCTL_JOIN_SESSION_KEYRING, anônimo
    except (KeyError, OSError, AttributeError):
        pass


def receive_listener(control_fd: int) -> int:
    """O socket de escuta que o corretor manda pelo canal de controle; devolve o descritor."""
    with socket.socket(fileno=control_fd) as channel:
        _, fds, _, _ = socket.recv_fds(channel, 1, 1)
    if not fds:
        sys.exit("corretor: o socket do servidor não chegou ao sandbox")
    return fds[0]


def start_relay(forwards: list[str]):
    """Importado só aqui: o uvicorn do aluno já está subindo enquanto o asyncio carrega."""
    if __package__:
        from .relay import Relay
    else:  # rodando como script, dentro do sandbox
        from relay import Relay

    relay = Relay()
    for spec in forwards:
        port, _, path = spec.partition("=")
        relay.add(int(port), path)
    return relay.start()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    apply_limits(args)
    if args.new_keyring:
        leave_session_keyring()
    if args.copy:
        try:
            shutil.copytree(*args.copy, dirs_exist_ok=True)
        except OSError as exc:
            sys.exit(f"corretor: a entrega não coube na pasta de trabalho do sandbox ({exc.strerror or exc})")
    command, pass_fds = list(args.command), ()
    if args.control_fd is not None:
        listener = receive_listener(args.control_fd)
        command += ["--fd", str(listener)]
        pass_fds = (listener,)
    if not args.forward:
        os.execv(command[0], command)
    server = subprocess.Popen(command, pass_fds=pass_fds)
    for fd in pass_fds:
        os.close(fd)  # só o uvicorn fica com o socket: se ele morrer, quem espera na fila é recusado
    relay = start_relay(args.forward)
    code = server.wait()
    relay.stop()
    return code


if __name__ == "__main__":
    sys.exit(main())
