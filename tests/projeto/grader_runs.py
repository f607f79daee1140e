"""Roda o corretor como o aluno/professor roda (`python -m common.grader ...`) e procura sobras.

Cada execução recebe um id próprio (COURSE_GRADER_RUN_ID): o corretor o repassa ao servidor do
aluno como COURSE_RUN_ID, e todo processo que o herdou (até um neto que se "daemonizou") pode ser
achado depois.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import psutil

from common.grader.launcher import RUN_ID_VARIABLE
from common.grader.sandbox import MODE_VARIABLE

REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass
class GraderRun:
    returncode: int
    stdout: str
    stderr: str
    elapsed: float
    run_id: str


def grader_command(*args: object) -> list[str]:
    return [sys.executable, "-m", "common.grader", *map(str, args)]


def grader_env(run_id: str, env: dict[str, str] | None = None) -> dict[str, str]:
    """O ambiente de quem roda os testes, sem cor e, por padrão, com --sandbox auto (bwrap onde houver):
    assim o modo turma e o Gradescope, que exigem isolamento, também rodam numa máquina sem bwrap."""
    return {**os.environ, "NO_COLOR": "1", MODE_VARIABLE: "auto", **(env or {}), RUN_ID_VARIABLE: run_id}


def run_grader(*args: object, env: dict[str, str] | None = None, timeout: float = 180,
               cwd: Path = REPO_ROOT) -> GraderRun:
    run_id = uuid.uuid4().hex
    started = time.monotonic()
    done = subprocess.run(
        grader_command(*args), cwd=cwd, env=grader_env(run_id, env),
        capture_output=True, text=True, encoding="utf-8", errors="replace", timeout=timeout,
    )
    return GraderRun(done.returncode, done.stdout, done.stderr, time.monotonic() - started, run_id)


def processes_with_run_id(run_id: str) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter():
        try:
            if proc.status() != psutil.STATUS_ZOMBIE and proc.environ().get("COURSE_RUN_ID") == run_id:
                found.append(proc)
        except psutil.Error:
            continue
    return found


def leftovers(run_id: str, grace: float = 3.0) -> list[str]:
    """Processos ainda vivos com este COURSE_RUN_ID (espera um pouco: o kill é assíncrono)."""
    deadline = time.monotonic() + grace
    while True:
        alive = processes_with_run_id(run_id)
        if not alive or time.monotonic() > deadline:
            return [f"pid {p.pid}: {' '.join(p.cmdline()[:4]) if p.is_running() else '?'}" for p in alive]
        time.sleep(0.1)
