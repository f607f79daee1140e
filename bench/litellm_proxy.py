"""Contendor 6: o LiteLLM proxy na frente do mesmo fake LLM — se estiver instalado.

O LiteLLM NÃO faz parte do requirements.txt (o proxy traz dezenas de dependências). Para medi-lo,
instale-o num ambiente à parte e aponte BENCH_LITELLM para o executável:

    python -m venv /tmp/litellm-venv && /tmp/litellm-venv/bin/pip install 'litellm[proxy]'
    BENCH_LITELLM=/tmp/litellm-venv/bin/litellm python -m bench
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from common.config import FAKE_API_KEY, REPO_ROOT
from common.launcher import OutputTail, ServerProcess, free_port

READY_TIMEOUT_S = 90.0  # o proxy importa muita coisa: no 2 núcleos carregado leva dezenas de segundos
CONFIG = """\
model_list:
  - model_name: {model}
    litellm_params:
      model: openai/{model}
      api_base: {base_url}
      api_key: {api_key}
litellm_settings:
  telemetry: false
"""


def find_executable() -> str | None:
    """BENCH_LITELLM, senão um `litellm` no PATH ou ao lado do Python atual."""
    if explicit := os.environ.get("BENCH_LITELLM"):
        return explicit if Path(explicit).is_file() else None
    sibling = Path(sys.executable).with_name("litellm")
    return shutil.which("litellm") or (str(sibling) if sibling.is_file() else None)


class LiteLLMProxy:
    def __init__(self, upstream_base_url: str, model: str) -> None:
        self.executable = find_executable()
        self.upstream_base_url, self.model = upstream_base_url, model
        self.port = free_port()
        self.run_id = uuid.uuid4().hex
        self.master_key = "sk-" + secrets.token_hex(32)  # o proxy se recusa a subir sem uma chave forte
        self.process: subprocess.Popen | None = None
        self.output: OutputTail | None = None
        self._config_dir = tempfile.TemporaryDirectory(prefix="bench-litellm-")

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def unavailable_reason(self) -> str | None:
        if self.executable is None:
            return ("não medido: o LiteLLM não está instalado neste ambiente (fica fora do requirements.txt; "
                    "veja bench/litellm_proxy.py para medir com BENCH_LITELLM)")
        return None

    def __enter__(self) -> LiteLLMProxy:
        config = Path(self._config_dir.name) / "config.yaml"
        config.write_text(CONFIG.format(model=self.model, base_url=self.upstream_base_url, api_key=FAKE_API_KEY))
        # Offline: sem buscar a tabela de preços na internet, sem telemetria, sem banco de dados.
        env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True", "LITELLM_TELEMETRY": "False",
               "COURSE_RUN_ID": self.run_id, "LITELLM_MASTER_KEY": self.master_key}
        env.pop("DATABASE_URL", None)
        command = [self.executable, "--config", str(config), "--host", "127.0.0.1", "--port", str(self.port),
                   "--num_workers", "1"]
        self.process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        self.output = OutputTail(self.process.stdout)
        return self

    def wait_ready(self) -> str | None:
        """None quando responde; senão o motivo de não medir (com o fim da saída do proxy)."""
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return f"não medido: o LiteLLM proxy saiu ao iniciar: {self._tail()}"
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/health/liveliness", timeout=2).status_code == 200:
                    return None
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        return f"não medido: o LiteLLM proxy não respondeu em {READY_TIMEOUT_S:.0f} s: {self._tail()}"

    def _tail(self) -> str:
        return " ".join((self.output.text(400) if self.output else "").split())

    def __exit__(self, *exc_info: object) -> None:
        if self.process is not None:
            # Mesmo "matador" do corretor: o processo, os filhos e quem herdou o nosso COURSE_RUN_ID.
            ServerProcess(app_dir=REPO_ROOT, run_id=self.run_id, process=self.process).stop()
        self._config_dir.cleanup()
