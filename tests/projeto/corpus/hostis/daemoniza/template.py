"""Entrega hostil: um filho que se "daemoniza" (fork duplo + setsid) e tenta sobreviver ao corretor.

O neto escreve o próprio PID em tempfile.gettempdir()/hostil-daemoniza.json (o teste confere que
ele morreu). Sem os.fork (Windows), usa um subprocesso desanexado.
"""
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from fastapi import FastAPI

REPORT = Path(tempfile.gettempdir()) / "hostil-daemoniza.json"


def live_forever() -> None:
    REPORT.write_text(json.dumps({"pid": os.getpid()}), encoding="utf-8")
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


if os.environ.get("HOSTIL_FILHO") != "1":
    os.environ["HOSTIL_FILHO"] = "1"
    daemonize()

app = FastAPI()


@app.get("/health")
def health() -> dict:
    return {"status": "ok"}
