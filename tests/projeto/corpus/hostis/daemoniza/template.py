"""Entrega hostil: um filho que se "daemoniza" (fork duplo + setsid) e tenta sobreviver ao corretor.

O neto escreve o próprio PID num arquivo da entrega; o relato diz se ele estava vivo durante a
correção (o teste confere depois que nenhum processo da correção sobrou). Sem os.fork (Windows),
usa um subprocesso desanexado.
"""
import os
import subprocess
import sys
import time
from pathlib import Path

from relato import app_with

PID_FILE = Path(__file__).parent / "daemon.pid"


def live_forever() -> None:
    PID_FILE.write_text(str(os.getpid()), encoding="utf-8")
    while True:
        time.sleep(0.5)


def daemonize() -> None:
    if not hasattr(os, "fork"):
        flags = getattr(subprocess, "DETACHED_PROCESS", 0) | getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)
        code = f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); import template; template.live_forever()"
        subprocess.Popen([sys.executable, "-c", code], creationflags=flags, close_fds=True)
        return
    if os.fork() != 0:
        return  # o processo do servidor segue normalmente
    os.setsid()
    if os.fork() != 0:
        os._exit(0)
    live_forever()


def daemon_alive() -> bool:
    try:
        os.kill(int(PID_FILE.read_text(encoding="utf-8")), 0)
        return True
    except (OSError, ValueError):
        return False


if os.environ.get("HOSTIL_FILHO") != "1":
    os.environ["HOSTIL_FILHO"] = "1"
    daemonize()
    deadline = time.monotonic() + 5
    while not PID_FILE.exists() and time.monotonic() < deadline:
        time.sleep(0.05)

REPORT = {"daemon_vivo": daemon_alive()}
app = app_with(REPORT)
