"""As peças dos desafios extras na solução de referência do Dia 3.

O comportamento de ponta a ponta (streams, cancelamento, limites, tempos) é provado pelo corretor
em test_corpus_extras.py. Aqui ficam as regras puras, rápidas de testar uma a uma (calculadora,
blocos de código, especialista, histórico), e uma passada pelas rotas novas com o servidor da
solução rodando com PYTHONWARNINGS=error::DeprecationWarning (fixture dia03_server).
"""

import json

import httpx
import pytest
from httpx_sse import connect_sse

from common.config import REPO_ROOT
from common.fake_llm import make_marker
from common.run import import_solution


@pytest.fixture(scope="module")
def solution():
    """extras.py da solução (o histórico limitado, desafio C, fica no build_messages do template.py)."""
    return import_solution()[1]


@pytest.fixture(scope="module")
def core():
    return import_solution()[0]


def calculate(solution, expression: str) -> str:
    return solution.calculadora.invoke({"expressao": expression})


@pytest.mark.parametrize(("expression", "expected"), [
    ("(12 + 30) * 2", "84"), ("6 / 2", "3"), ("7 / 2", "3.5"), ("-3 + +5", "2"), ("17 // 5 % 2", "1"),
    ("0.1 + 0.2", "0.3"),
])
def test_calculator_evaluates_arithmetic(solution, expression, expected):
    assert calculate(solution, expression) == expected


@pytest.mark.parametrize("expression", [
    "__import__('os').getpid()", "len('fastapi') * 7919", "2 ** 10", "x + 1", "[1, 2][0]", "1 if 1 else 2",
    "(lambda: 1)()", "'a' * 3", "True + 1",
])
def test_calculator_refuses_anything_but_numbers_and_operators(solution, expression):
    answer = calculate(solution, expression)
    assert answer.startswith("Não consegui calcular"), answer


def test_calculator_reports_errors_as_text(solution):
    assert calculate(solution, "1 / 0") == "Não consegui calcular: divisão por zero."
    assert "não é uma expressão válida" in calculate(solution, "2 +")
    assert "passa de" in calculate(solution, "1+" * 150 + "1")


def test_code_blocks_come_from_the_full_text(solution):
    text = "Veja:\n```python\ndef f():\n    return 1\n```\ne\n```\nx = 1\n\n```\nfim ```sem fechamento"
    assert solution.extract_code_blocks(text) == ["def f():\n    return 1", "x = 1\n"]
    assert solution.extract_code_blocks("sem blocos") == []


@pytest.mark.parametrize(("file_path", "expected"), [
    ("app.py", "python"), ("src/Util.PY", "python"), ("a.jsx", "javascript"), ("b.TS", "javascript"),
    ("c.tsx", "javascript"), ("q.sql", "sql"), ("notas.txt", "geral"), ("Makefile", "geral"),
    ("arquivo.py.txt", "geral"), ("", "geral"), (None, "geral"), ("../../etc/passwd", "geral"),
])
def test_specialist_by_extension(solution, file_path, expected):
    assert solution.choose_specialist(file_path) == expected


def test_system_prompts_are_cached_and_distinct(solution):
    prompts = {name: solution.system_prompt(name) for name in ("python", "javascript", "sql", "geral")}
    assert len(set(prompts.values())) == 4
    assert solution.system_prompt("python") is prompts["python"]  # o mesmo objeto: veio do cache
    assert solution.system_prompt("cobol") == prompts["geral"]


def test_history_keeps_the_last_twelve(core):
    history = [core.HistoryItem(role="user", content=str(i)) for i in range(20)]
    messages = core.build_messages(core.ChatRequest(message="nova", history=history))
    assert [m.content for m in messages] == [str(i) for i in range(8, 20)] + ["nova"]
    short = core.build_messages(core.ChatRequest(message="nova", history=history[:3]))
    assert [m.content for m in short] == ["0", "1", "2", "nova"]


# --- Pelas rotas, num uvicorn de verdade, sem nenhuma DeprecationWarning -----------------------

def test_extra_routes_work_without_deprecation_warnings(dia03_server, dia03_token):
    headers = {"Authorization": f"Bearer {dia03_token}"}
    with httpx.Client(base_url=dia03_server.url, timeout=10) as client:
        body = {"message": f"Oi {make_marker(n=3, delay_ms=1)}", "file_path": "main.py"}
        with connect_sse(client, "POST", "/api/stream/chat", json=body, headers=headers) as source:
            events = [(sse.event, json.loads(sse.data)) for sse in source.iter_sse()]
        assert [name for name, _ in events] == ["start", "token", "token", "token", "done"]
        assert events[-1][1]["specialist"] == "python" and events[-1][1]["provider"] == "principal"

        answer = client.post("/chat", json={"message": "Quanto é (2 + 3) * 4?", "agent": True}, headers=headers)
        assert answer.status_code == 200 and "20" in answer.json()["response"]

        status = client.get("/api/stream/status", headers=headers).json()
        assert status["total_streams"] >= 1 and status["active_streams"] == 0
        assert client.post("/api/stream/cancel/nao-existe", headers=headers).status_code == 404
    assert "DeprecationWarning" not in dia03_server.stderr_tail()


def test_agent_stream_cancels_the_llm_call_when_the_client_leaves(dia03_server, dia03_token, dia03_llm):
    """Um agente do LangGraph lido direto no StreamingResponse não fecha a chamada ao LLM na desconexão."""
    headers = {"Authorization": f"Bearer {dia03_token}"}
    marker = make_marker(nonce="agente-desconecta", hang=1)
    body = {"message": f"Quanto é 2 + 2? {marker}", "stream": True, "agent": True}
    with httpx.Client(base_url=dia03_server.url, timeout=10) as client:
        with client.stream("POST", "/chat", json=body, headers=headers) as response:
            assert response.status_code == 200
            dia03_llm.wait_for(nonce="agente-desconecta")  # o LLM já recebeu a chamada
    closed = dia03_llm.wait_for(
        nonce="agente-desconecta", predicate=lambda entry: entry["status"] != "running", timeout=2.0
    )
    assert closed["status"] == "client_closed", closed


# --- O template intocado: as rotas dos extras respondem 501 com a dica do desafio --------------

EXTRA_STUBS = [
    ("POST", "/api/stream/chat", "A", "extra-eventos_tipados"),
    ("POST", "/api/stream/cancel/abc", "D", "extra-cancelamento"),
    ("GET", "/api/stream/status", "E", "extra-status"),
]


def test_template_extra_routes_answer_501_with_a_hint(start_apps, dia02_auth_env):
    with httpx.Client(base_url=start_apps(REPO_ROOT / "dia03", **dia02_auth_env)[0], timeout=30) as client:
        for method, path, letter, anchor in EXTRA_STUBS:
            response = client.request(method, path, json={"message": "Oi"})
            assert response.status_code == 501, f"{method} {path}: {response.status_code} {response.text}"
            detail = response.json()["detail"]
            assert detail.startswith(f"DESAFIO EXTRA {letter}: implemente "), detail
            assert detail.endswith(f"— veja GUIA_APRENDIZADO.md#{anchor}"), detail
