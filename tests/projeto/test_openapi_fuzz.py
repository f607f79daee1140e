"""O OpenAPI de cada solução diz a verdade: schemathesis, um fuzzer de APIs, contra um uvicorn de verdade.

O schemathesis lê o /openapi.json, gera centenas de requisições (válidas, inválidas e em sequência:
cria um prompt, edita, apaga) e confere cada resposta contra o que a documentação promete:

- nenhum 5xx (not_a_server_error);
- só status documentados (status_code_conformance) e só Content-Types documentados
  (content_type_conformance): o 401, o 403, o 404, o 429 e o text/event-stream precisam estar no /docs;
- o corpo e os cabeçalhos de cada resposta batem com o esquema, inclusive cada evento SSE
  (response_schema_conformance, response_headers_conformance);
- nos Dias 2 e 3, a mesma requisição sem o token dá 401 (ignored_auth).

Cada dia roda num servidor só dele (o fuzzer cria e apaga prompts à vontade), os três fuzzers ao mesmo
tempo, com um orçamento curto e uma semente fixa: a mesma execução a cada `make test`. Para explorar mais,
rode o schemathesis à mão com outra semente (`--seed`) e mais exemplos (`--max-examples`).
"""

import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from common.config import REPO_ROOT
from common.fake_llm import FakeLLMServer

SEED = 20260801
MAX_EXAMPLES = 10  # por operação e por fase: ~300 requisições por dia, ~15 s os três juntos em 2 núcleos
TIMEOUT_S = 180
CHECKS = ["not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_schema_conformance", "response_headers_conformance"]


@pytest.fixture(scope="module")
def silent_llm():
    """Um fake LLM sem atraso entre tokens: o fuzzer abre centenas de streams."""
    with FakeLLMServer(delay_ms=0) as llm:
        yield llm


def bearer_header(url: str) -> str:
    response = httpx.post(f"{url}/login", json={"username": "admin", "password": "admin123"}, timeout=30)
    assert response.status_code == 200, response.text
    return f"Authorization: Bearer {response.json()['access_token']}"


@dataclass
class FuzzRun:
    """Uma execução do schemathesis contra um servidor: o processo, o relatório JUnit e o cabeçalho do token."""

    process: subprocess.Popen
    junit: Path
    auth_header: str | None

    def report(self) -> ElementTree.Element:
        """O relatório JUnit; falha com a saída do schemathesis se ele achou algum problema."""
        stdout, _ = self.process.communicate(timeout=TIMEOUT_S)
        output = stdout[-8000:].replace(self.auth_header or "\0", "Authorization: Bearer <token>")
        assert self.process.returncode == 0, f"o schemathesis achou problemas no OpenAPI:\n{output}"
        return ElementTree.parse(self.junit).getroot()


def start_schemathesis(url: str, folder: Path, auth_header: str | None) -> FuzzRun:
    """Começa o schemathesis (a linha de comando dele) contra `url`, sem esperar terminar."""
    folder.mkdir()
    junit = folder / "schemathesis.xml"
    checks = CHECKS + (["ignored_auth"] if auth_header else [])
    command = [
        sys.executable, "-c", "from schemathesis.cli import schemathesis; schemathesis()", "run",
        f"{url}/openapi.json", "--checks", ",".join(checks), "--max-examples", str(MAX_EXAMPLES),
        "--seed", str(SEED), "--request-timeout", "20", "--report", "junit", "--report-junit-path", str(junit),
        *(["--header", auth_header] if auth_header else []),
    ]
    process = subprocess.Popen(command, cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return FuzzRun(process, junit, auth_header)


@pytest.fixture(scope="module")
def fuzz_runs(start_apps, dia02_auth_env, silent_llm, tmp_path_factory) -> dict[str, FuzzRun]:
    """Um servidor novo por dia (o fuzzer cria e apaga à vontade) e os três fuzzers rodando juntos.

    Juntos, os três usam os dois núcleos e levam o tempo do mais lento, não a soma.
    """
    env = {**dia02_auth_env, "OPENAI_BASE_URL": silent_llm.base_url, "OPENAI_API_KEY": "chave-de-teste",
           "DEFAULT_MODEL": "modelo-do-fuzzer"}
    days = ("dia01", "dia02", "dia03")
    urls = dict(zip(days, start_apps(*(REPO_ROOT / "solutions" / day for day in days), **env)))
    root = tmp_path_factory.mktemp("schemathesis")
    runs = {day: start_schemathesis(url, root / day, None if day == "dia01" else bearer_header(url))
            for day, url in urls.items()}
    yield runs
    for run in runs.values():
        if run.process.poll() is None:
            run.process.kill()
            run.process.wait()


def operations_tested(report: ElementTree.Element) -> set[str]:
    """As operações que o schemathesis testou, e nenhuma com falha ou erro."""
    cases = report.findall(".//testcase")
    problems = [case.get("name") for case in cases
                if case.find("failure") is not None or case.find("error") is not None]
    assert not problems, problems
    return {case.get("name") for case in cases}


def test_dia01_openapi_is_true(fuzz_runs):
    assert operations_tested(fuzz_runs["dia01"].report()) >= {
        "POST /prompts", "GET /prompts", "GET /prompts/{prompt_id}", "PUT /prompts/{prompt_id}",
        "DELETE /prompts/{prompt_id}"}


def test_dia02_openapi_is_true(fuzz_runs):
    assert operations_tested(fuzz_runs["dia02"].report()) >= {
        "POST /login", "POST /token", "GET /me", "GET /admin/users", "POST /prompts", "PUT /prompts/{prompt_id}",
        "DELETE /prompts/{prompt_id}"}


def test_dia03_openapi_is_true(fuzz_runs):
    assert operations_tested(fuzz_runs["dia03"].report()) >= {
        "POST /api/generate", "POST /chat", "POST /api/stream/chat", "POST /api/stream/cancel/{stream_id}",
        "GET /api/stream/status"}
