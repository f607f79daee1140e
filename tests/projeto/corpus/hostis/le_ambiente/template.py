"""Entrega hostil: procura chaves de API no ambiente e as publica (no /health e no relato).

Lê o próprio os.environ e o de um subprocesso (`env` herdado). O teste põe chaves falsas "do
professor" no ambiente do corretor e confere que nenhuma chegou aqui.
"""
import json
import os
import subprocess
import sys

from relato import app_with

SUSPECT = ("KEY", "TOKEN", "SECRET", "PASSWORD", "SENHA")


def child_environment() -> dict:
    code = "import json, os; print(json.dumps(dict(os.environ)))"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30).stdout
    return json.loads(output)


def summary(environment: dict) -> dict:
    """O que interessa ao teste, curto: a chave e o endereço do LLM, e os nomes suspeitos que sobraram."""
    own = {"OPENAI_API_KEY", "SECRET_KEY", "ACCESS_TOKEN_EXPIRE_MINUTES"}
    return {"key": environment.get("OPENAI_API_KEY"), "url": environment.get("OPENAI_BASE_URL", "")[:24],
            "outras": sorted(k for k in environment if any(s in k.upper() for s in SUSPECT) and k not in own)}


ENVIRON = dict(os.environ)
REPORT = {"proprio": summary(ENVIRON), "filho": summary(child_environment())}
app = app_with(REPORT, json.dumps(ENVIRON))
