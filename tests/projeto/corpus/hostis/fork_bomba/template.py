"""Entrega hostil: uma "fork bomb" com freio (no máximo 600 filhos) que conta quantos conseguiu criar.

Os filhos dormem; depois da contagem o servidor mata todos e sobe normalmente, com o relato.
Num sandbox com limite de processos, o fork falha (EAGAIN) bem antes de 600.
"""
import errno
import os
import signal
import time

from relato import app_with

children, error = [], None
for _ in range(600):
    try:
        pid = os.fork()
    except OSError as exc:
        error = errno.errorcode.get(exc.errno, str(exc.errno))
        break
    if pid == 0:
        time.sleep(120)
        os._exit(0)
    children.append(pid)
for pid in children:
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
REPORT = {"filhos": len(children), "erro": error}
app = app_with(REPORT)
