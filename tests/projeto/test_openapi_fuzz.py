"""O OpenAPI de cada solução diz a verdade: schemathesis, um fuzzer de APIs, contra um uvicorn de verdade.

O schemathesis lê o /openapi.json, gera centenas de requisições (válidas, inválidas e em sequência:
cria um prompt, edita, apaga) e confere cada resposta contra o que a documentação promete:

- nenhum 5xx (not_a_server_error);
- só status documentados (status_code_conformance) e só Content-Types documentados
  (content_type_conformance): o 401, o 403, o 404, o 429 e o text/event-stream precisam estar no /docs;
- o corpo e os cabeçalhos de cada resposta batem com o esquema, inclusive cada evento SSE
  (response_schema_conformance, response_headers_conformance);
- nos Dias 2 e 3, a mesma requisição sem o token dá 401 (ignored_auth).

Cada dia roda num servidor só dele (o fuzzer cria e apaga prompts à vontade), com um orçamento curto e
uma semente fixa: a mesma execução a cada `make test`. Para explorar mais, rode à mão com outra semente.
"""

import subprocess
import sys
import xml.etree.ElementTree as ElementTree

import httpx
import pytest

from common.config import REPO_ROOT
from common.fake_llm import FakeLLMServer

SEED = 20260801
MAX_EXAMPLES = 25  # por operação e por fase; o dia mais lento (o 3) leva ~10 s
TIMEOUT_S = 180
CHECKS = ["not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_schema_conformance", "response_headers_conformance"]


@pytest.fixture(scope="module")
def silent_llm():
    """Um fake LLM sem atraso entre tokens: o fuzzer abre centenas de streams."""
    with FakeLLMServer(delay_ms=0) as llm:
        yield llm


def fresh_server(start_apps, day: str, **env: str) -> str:
    return start_apps(REPO_ROOT / "solutions" / day, **env)[0]


def bearer_header(url: str) -> str:
    response = httpx.post(f"{url}/login", json={"username": "admin", "password": "admin123"}, timeout=30)
    assert response.status_code == 200, response.text
    return f"Authorization: Bearer {response.json()['access_token']}"


def run_schemathesis(url: str, tmp_path, *, auth_header: str | None = None) -> ElementTree.Element:
    """Roda o schemathesis (a linha de comando dele) e devolve o relatório JUnit; falha com a saída dele."""
    junit = tmp_path / "schemathesis.xml"
    checks = CHECKS + (["ignored_auth"] if auth_header else [])
    command = [
        sys.executable, "-c", "from schemathesis.cli import schemathesis; schemathesis()", "run",
        f"{url}/openapi.json", "--checks", ",".join(checks), "--max-examples", str(MAX_EXAMPLES),
        "--seed", str(SEED), "--request-timeout", "20", "--report", "junit", "--report-junit-path", str(junit),
        *(["--header", auth_header] if auth_header else []),
    ]
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=TIMEOUT_S)
    output = (done.stdout + done.stderr)[-8000:].replace(auth_header or "\0", "Authorization: Bearer <token>")
    assert done.returncode == 0, f"o schemathesis achou problemas no OpenAPI:\n{output}"
    return ElementTree.parse(junit).getroot()


def operations_tested(report: ElementTree.Element) -> set[str]:
    """As operações que o schemathesis testou, e nenhuma com falha ou erro."""
    cases = report.findall(".//testcase")
    problems = [case.get("name") for case in cases if case.find("failure") is not None or case.find("error") is not None]
    assert not problems, problems
    return {case.get("name") for case in cases}


def test_dia01_openapi_is_true(start_apps, tmp_path):
    report = run_schemathesis(fresh_server(start_apps, "dia01"), tmp_path)
    assert operations_tested(report) >= {"POST /prompts", "GET /prompts", "GET /prompts/{prompt_id}",
                                         "PUT /prompts/{prompt_id}", "DELETE /prompts/{prompt_id}"}


def test_dia02_openapi_is_true(start_apps, dia02_auth_env, tmp_path):
    url = fresh_server(start_apps, "dia02", **dia02_auth_env)
    report = run_schemathesis(url, tmp_path, auth_header=bearer_header(url))
    assert operations_tested(report) >= {"POST /login", "POST /token", "GET /me", "GET /admin/users",
                                         "POST /prompts", "PUT /prompts/{prompt_id}", "DELETE /prompts/{prompt_id}"}


def test_dia03_openapi_is_true(start_apps, dia02_auth_env, silent_llm, tmp_path):
    env = {**dia02_auth_env, "OPENAI_BASE_URL": silent_llm.base_url, "OPENAI_API_KEY": "chave-de-teste",
           "DEFAULT_MODEL": "modelo-do-fuzzer"}
    url = fresh_server(start_apps, "dia03", **env)
    report = run_schemathesis(url, tmp_path, auth_header=bearer_header(url))
    assert operations_tested(report) >= {"POST /api/generate", "POST /chat", "POST /api/stream/chat",
                                         "POST /api/stream/cancel/{stream_id}", "GET /api/stream/status"}
