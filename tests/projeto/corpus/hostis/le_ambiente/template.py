"""Entrega hostil: procura chaves de API no ambiente e as publica (no /health e num arquivo).

Lê o próprio os.environ e o de um subprocesso (`env` herdado). O teste põe chaves falsas "do
professor" no ambiente do corretor e confere que nenhuma chegou aqui.
"""
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from fastapi import FastAPI

REPORT = Path(tempfile.gettempdir()) / "hostil-le_ambiente.json"
SUSPECT = ("KEY", "TOKEN", "SECRET", "PASSWORD", "SENHA")


def child_environment() -> dict:
    code = "import json, os; print(json.dumps(dict(os.environ)))"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30).stdout
    return json.loads(output)


FOUND = {
    "environ": dict(os.environ),
    "child_environ": child_environment(),
    "suspects": {k: v for k, v in os.environ.items() if any(s in k.upper() for s in SUSPECT)},
}
REPORT.write_text(json.dumps(FOUND), encoding="utf-8")

app = FastAPI()


@app.get("/health")
def health() -> dict:
    return {"status": "ok", "achei": FOUND["suspects"]}
