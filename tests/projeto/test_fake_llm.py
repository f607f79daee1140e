"""Testes do fake LLM, dirigidos pelo ChatOpenAI de verdade e por um agente de verdade.

Tudo passa por um uvicorn real no loopback (nada de TestClient): o que se afirma sobre
streaming e desconexão vale para a rede. Esperas usam prazo (wait_for), nunca sleep fixo.
"""

import ast
import asyncio
import base64
import json
import operator
import queue
import re
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

import httpx
import openai
import pytest
from httpx_sse import connect_sse
from langchain.agents import create_agent
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI

from common.fake_llm import FakeLLMClient, FakeLLMServer, make_marker, parse_marker
from common.fake_llm.app import resolve_delay_ms
from common.fake_llm.log import RequestLog
from common.fake_llm.replies import FILLER, filler_tokens, tokenize

REPO_ROOT = Path(__file__).resolve().parents[2]


# --- Apoio ------------------------------------------------------------------------------------

OPERATORS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
             ast.Div: operator.truediv, ast.Mod: operator.mod, ast.Pow: operator.pow,
             ast.USub: operator.neg, ast.UAdd: operator.pos}


def _evaluate(node: ast.AST) -> float:
    """Avalia só números e + - * / % ** (sem eval: nada de código arbitrário)."""
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return node.value
    if isinstance(node, ast.BinOp) and type(node.op) in OPERATORS:
        return OPERATORS[type(node.op)](_evaluate(node.left), _evaluate(node.right))
    if isinstance(node, ast.UnaryOp) and type(node.op) in OPERATORS:
        return OPERATORS[type(node.op)](_evaluate(node.operand))
    raise ValueError("expressão não suportada")


@tool
def calculadora(expressao: str) -> str:
    """Calcula uma expressão aritmética simples, por exemplo "(12 + 30) * 2"."""
    value = _evaluate(ast.parse(expressao, mode="eval").body)
    return str(int(value) if float(value).is_integer() else value)


@pytest.fixture(scope="module")
def fake_llm():
    with FakeLLMServer(delay_ms=1) as llm:
        yield llm


@pytest.fixture(scope="module")
def fake_llm_runner():
    """Um só event loop no módulo: o ChatOpenAI reaproveita conexões presas ao loop de origem."""
    with asyncio.Runner() as runner:
        yield runner


def chat_model(llm: FakeLLMClient, **options) -> ChatOpenAI:
    options = {"streaming": True, **options}
    return ChatOpenAI(base_url=llm.base_url, api_key="x", model="gpt-4o-mini", **options)


async def collect(model: ChatOpenAI, prompt) -> list[tuple[str, float]]:
    """(texto, instante de chegada) de cada chunk não vazio do astream."""
    return [(chunk.content, time.monotonic()) async for chunk in model.astream(prompt) if chunk.content]


def stream_texts(runner: asyncio.Runner, model: ChatOpenAI, prompt) -> list[str]:
    return [text for text, _ in runner.run(collect(model, prompt))]


def chat_body(content: str, *, stream: bool = False, **extra) -> dict:
    return {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": content}],
            "stream": stream, **extra}


def is_final(entry: dict) -> bool:
    return entry["status"] != "running"


# --- Marcadores e tokens ------------------------------------------------------------------------

def test_make_marker_round_trip():
    tokens = ["Olá", "\n", "\n\n", " mundo", "  dois espaços", "]]", "ação=ok"]
    marker = make_marker(nonce="abc-1", n=3, delay_ms=5, tokens=tokens, tool_args={"x": "1 + 1"},
                         hang=True, fail_after=2)
    assert marker.startswith("[[fake-llm ") and marker.endswith("]]")
    assert parse_marker(f"antes {marker} depois") == {
        "nonce": "abc-1", "n": 3, "delay_ms": 5, "tokens": tokens, "tool_args": {"x": "1 + 1"},
        "hang": 1, "fail_after": 2}


def test_make_marker_rejects_values_that_break_it():
    with pytest.raises(ValueError, match="espaços"):
        make_marker(nonce="dois nomes")


def test_parse_marker_last_wins_and_absent():
    assert parse_marker("sem marcador") is None
    assert parse_marker(make_marker(n=1) + " " + make_marker(n=2)) == {"n": 2}


@pytest.mark.parametrize("text", ["[[fake-llm n=abc]]", "[[fake-llm tokens=%%%]]",
                                  "[[fake-llm chave=1]]", "[[fake-llm n]]"])
def test_parse_marker_rejects_bad_values(text):
    with pytest.raises(ValueError, match="marcador fake-llm"):
        parse_marker(text)


def test_tokenize_keeps_text_and_splits_long_words():
    text = "Olá, mundo!\n\n- transmissão   assíncrona\n```python\n    return a + b\n```"
    tokens = tokenize(text)
    assert "".join(tokens) == text
    assert "\n\n" in tokens and " mundo" in tokens
    assert all(len(token.strip()) <= 8 for token in tokens if token.strip().isalpha())


def test_filler_puts_nonce_in_first_token():
    assert filler_tokens(4, "n0nce") == [" n0nce", *FILLER[:3]]
    assert filler_tokens(0, "n0nce") == []
    assert len(filler_tokens(50)) == 50


def test_request_log_is_thread_safe():
    log = RequestLog()
    entry_id = log.add(nonce="t", model="m", stream=True, messages=[], tools=[], tool_call=None)

    def add_many():
        for _ in range(500):
            log.add_token(entry_id, "a")

    threads = [threading.Thread(target=add_many) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    entry = log.snapshot("t")[0]
    assert entry["tokens_sent"] == 2000 and entry["reply"] == "a" * 2000


# --- ChatOpenAI: stream, invoke, marcadores ------------------------------------------------------

def test_astream_token_by_token_with_nonce(fake_llm, fake_llm_runner):
    marker = make_marker(nonce="tok1", n=6)
    messages = [SystemMessage("Você é um assistente."), HumanMessage(f"Olá {marker}")]
    texts = stream_texts(fake_llm_runner, chat_model(fake_llm), messages)
    assert texts == filler_tokens(6, "tok1")
    entry = fake_llm.wait_for(nonce="tok1", predicate=is_final)
    assert entry["status"] == "completed" and not entry["client_closed"]
    assert entry["reply"] == "".join(texts) and entry["tokens_sent"] == 6
    assert entry["model"] == "gpt-4o-mini" and entry["stream"] is True and entry["tools"] == []
    assert [m["role"] for m in entry["messages"]] == ["system", "user"]
    assert entry["received_at"] <= entry["first_token_at"] <= entry["ended_at"]


def test_astream_arrival_times_are_spread(fake_llm, fake_llm_runner):
    marker = make_marker(nonce="tempo", n=5, delay_ms=80)
    chunks = fake_llm_runner.run(collect(chat_model(fake_llm), f"Conte {marker}"))
    assert len(chunks) == 5
    span = chunks[-1][1] - chunks[0][1]
    assert span >= 0.5 * 4 * 0.080, f"tokens chegaram juntos (intervalo {span:.3f} s)"


def test_first_delay_postpones_first_token(fake_llm, fake_llm_runner):
    started = time.monotonic()
    chunks = fake_llm_runner.run(collect(chat_model(fake_llm), make_marker(n=2, first_delay_ms=200)))
    assert chunks[0][1] - started >= 0.5 * 0.200


def test_exact_tokens_marker(fake_llm, fake_llm_runner):
    tokens = ["n0nce", "\n", "\n\n", " com espaço", "  dois", "linha\ncom quebra", " fim."]
    texts = stream_texts(fake_llm_runner, chat_model(fake_llm), f"Repita {make_marker(tokens=tokens)}")
    assert texts == tokens


def test_ainvoke_without_streaming(fake_llm, fake_llm_runner):
    marker = make_marker(nonce="inv1", n=4)
    reply = fake_llm_runner.run(chat_model(fake_llm, streaming=False).ainvoke(f"Oi {marker}"))
    assert reply.content == "".join(filler_tokens(4, "inv1"))
    entry = fake_llm.wait_for(nonce="inv1", predicate=is_final)
    assert entry["stream"] is False and entry["status"] == "completed"
    assert entry["reply"] == reply.content


def test_content_as_list_of_parts(fake_llm):
    parts = [{"type": "text", "text": "Oi "}, {"type": "text", "text": make_marker(nonce="partes", n=2)}]
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": parts}]}
    reply = httpx.post(f"{fake_llm.base_url}/chat/completions", json=body).json()
    assert reply["object"] == "chat.completion" and reply["usage"]["completion_tokens"] == 2
    assert reply["choices"][0]["message"]["content"] == "".join(filler_tokens(2, "partes"))


def test_stream_usage_is_reported(fake_llm, fake_llm_runner):
    model = chat_model(fake_llm, stream_usage=True)

    async def aggregate():
        total = None
        async for chunk in model.astream(f"Oi {make_marker(n=7)}"):
            total = chunk if total is None else total + chunk
        return total

    assert fake_llm_runner.run(aggregate()).usage_metadata["output_tokens"] == 7


def test_last_marker_wins_across_messages(fake_llm, fake_llm_runner):
    newest = f"nova {make_marker(nonce='novo', n=3)} {make_marker(nonce='ultimo', n=2)}"
    history = [HumanMessage(f"antiga {make_marker(nonce='velho', n=9)}"), AIMessage("ok"),
               HumanMessage(newest)]
    texts = stream_texts(fake_llm_runner, chat_model(fake_llm), history)
    assert texts == filler_tokens(2, "ultimo")
    entry = fake_llm.wait_for(nonce="ultimo")
    assert [m["content"] for m in entry["messages"]][:2] == [history[0].content, "ok"]


def test_marker_text_is_never_echoed(fake_llm, fake_llm_runner):
    marker = make_marker(nonce="eco9", delay_ms=0)
    reply = fake_llm_runner.run(chat_model(fake_llm).ainvoke(f"Fale sobre FastAPI {marker}")).content
    assert "eco9" in reply and "FastAPI" in reply
    assert "fake-llm" not in reply and "[[" not in reply and "delay_ms" not in reply


# --- Respostas padrão ------------------------------------------------------------------------------

def test_default_reply_three_bullets(fake_llm, fake_llm_runner):
    texts = stream_texts(fake_llm_runner, chat_model(fake_llm), "Explique SSE em 3 bullets")
    reply = "".join(texts)
    assert len([line for line in reply.splitlines() if line.startswith("- ")]) == 3
    assert "\n" in texts and any(t.startswith(" ") for t in texts)
    assert "SSE" in reply


def test_default_reply_python_function(fake_llm, fake_llm_runner):
    prompt = "Escreva uma função Python que soma dois números"
    texts = stream_texts(fake_llm_runner, chat_model(fake_llm), prompt)
    reply = "".join(texts)
    block = re.search(r"```python\n(.*?)\n```", reply, re.DOTALL)
    assert block and "def soma" in block.group(1)
    ast.parse(block.group(1))  # o bloco é Python válido
    assert "\n" in texts


def test_replies_are_deterministic(fake_llm, fake_llm_runner):
    model = chat_model(fake_llm, streaming=False)
    first, second = (fake_llm_runner.run(model.ainvoke("O que é JWT?")).content for _ in range(2))
    assert first == second and "JWT" in first


# --- Falhas e desconexão ----------------------------------------------------------------------------

def test_fail_before_raises_fast_without_retries(fake_llm, fake_llm_runner):
    model = chat_model(fake_llm)
    started = time.monotonic()
    with pytest.raises(openai.APIStatusError) as info:
        fake_llm_runner.run(model.ainvoke(f"Oi {make_marker(nonce='fb1', fail='before')}"))
    assert info.value.status_code == 500
    assert time.monotonic() - started < 3.0
    entries = fake_llm.requests(nonce="fb1")
    assert len(entries) == 1 and entries[0]["status"] == "failed"


def test_fail_before_wire_format(fake_llm):
    response = httpx.post(f"{fake_llm.base_url}/chat/completions",
                          json=chat_body(make_marker(fail="before")))
    assert response.status_code == 500
    assert response.headers["x-should-retry"] == "false"
    assert set(response.json()["error"]) == {"message", "type", "param", "code"}


def test_fail_after_streams_k_tokens_then_raises(fake_llm, fake_llm_runner):
    received: list[str] = []

    async def consume():
        prompt = f"Oi {make_marker(nonce='fa3', n=8, fail_after=3)}"
        async for chunk in chat_model(fake_llm).astream(prompt):
            if chunk.content:
                received.append(chunk.content)

    with pytest.raises(openai.APIError, match="fail_after"):
        fake_llm_runner.run(consume())
    assert received == filler_tokens(3, "fa3")
    entry = fake_llm.wait_for(nonce="fa3", predicate=is_final)
    assert entry["status"] == "failed" and entry["tokens_sent"] == 3


def test_fail_after_without_streaming_is_500(fake_llm):
    response = httpx.post(f"{fake_llm.base_url}/chat/completions",
                          json=chat_body(make_marker(n=5, fail_after=2)))
    assert response.status_code == 500 and response.headers["x-should-retry"] == "false"


def test_hang_then_cancel_marks_client_closed(fake_llm, fake_llm_runner):
    async def scenario():
        prompt = f"Oi {make_marker(nonce='hang1', hang=1)}"
        task = asyncio.create_task(collect(chat_model(fake_llm), prompt))
        await asyncio.to_thread(fake_llm.wait_for, nonce="hang1")
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        cancelled_at = time.time()
        entry = await asyncio.to_thread(fake_llm.wait_for, nonce="hang1",
                                        predicate=lambda e: e["status"] == "client_closed", timeout=2.0)
        return entry, cancelled_at

    entry, cancelled_at = fake_llm_runner.run(scenario())
    assert entry["client_closed"] is True and entry["tokens_sent"] == 0
    assert entry["ended_at"] - cancelled_at < 2.0


def test_closing_stream_mid_way_marks_client_closed(fake_llm):
    body = chat_body(make_marker(nonce="fecha", n=200, delay_ms=20), stream=True)
    with httpx.Client(timeout=5) as client:
        with connect_sse(client, "POST", f"{fake_llm.base_url}/chat/completions", json=body) as source:
            events = source.iter_sse()
            first, second = next(events).json(), next(events).json()
            live = fake_llm.requests(nonce="fecha")[0]
        closed_at = time.time()
    assert first["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    assert second["choices"][0]["delta"] == {"content": " fecha"}
    assert live["status"] == "running" and live["reply"].startswith(" fecha")
    entry = fake_llm.wait_for(nonce="fecha", predicate=lambda e: e["status"] == "client_closed")
    assert entry["client_closed"] is True and 1 <= entry["tokens_sent"] < 200
    assert entry["ended_at"] - closed_at < 2.0


def test_non_stream_hang_detects_disconnect(fake_llm):
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(f"{fake_llm.base_url}/chat/completions",
                   json=chat_body(make_marker(nonce="hang2", hang=1)), timeout=0.3)
    entry = fake_llm.wait_for(nonce="hang2", predicate=is_final, timeout=2.0)
    assert entry["status"] == "client_closed" and entry["client_closed"] is True


# --- Formato da API ----------------------------------------------------------------------------------

def test_stream_wire_format(fake_llm):
    body = chat_body(make_marker(n=2), stream=True, stream_options={"include_usage": True})
    with httpx.Client(timeout=5) as client:
        with connect_sse(client, "POST", f"{fake_llm.base_url}/chat/completions", json=body) as source:
            assert source.response.headers["content-type"].startswith("text/event-stream")
            data = [event.data for event in source.iter_sse()]
    assert data[-1] == "[DONE]"
    chunks = [json.loads(item) for item in data[:-1]]
    assert {chunk["object"] for chunk in chunks} == {"chat.completion.chunk"}
    assert [c["choices"][0]["finish_reason"] for c in chunks[:-1]] == [None, None, None, "stop"]
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"]["completion_tokens"] == 2


def test_models_endpoint(fake_llm):
    body = httpx.get(f"{fake_llm.base_url}/models").json()
    assert body["object"] == "list"
    assert "gpt-4o-mini" in [model["id"] for model in body["data"]]


@pytest.mark.parametrize("content, body", [
    ("{quebrado", None),
    (None, {"model": "gpt-4o-mini"}),
    (None, {"model": "gpt-4o-mini", "messages": []}),
    (None, {"model": "gpt-4o-mini", "messages": [{"role": "robô", "content": "oi"}]}),
    (None, {"model": "gpt-4o-mini", "messages": "oi"}),
    (None, chat_body("oi [[fake-llm n=muitos]]")),
    (None, chat_body("oi [[fake-llm tokens=%%%]]")),
])
def test_malformed_request_gets_openai_error(fake_llm, content, body):
    response = httpx.post(f"{fake_llm.base_url}/chat/completions", content=content, json=body,
                          headers={"content-type": "application/json"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error" and error["message"]
    assert set(error) == {"message", "type", "param", "code"}


def ascii_json_marker(key: str, value) -> str:
    """Um marcador escrito à mão, com o JSON em ASCII: é assim que um surrogate isolado chega ("\\ud800")."""
    encoded = base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")
    return f"[[fake-llm {key}={encoded}]]"


LONE_SURROGATE = "\ud800"


@pytest.mark.parametrize("stream", [True, False], ids=["stream", "json"])
@pytest.mark.parametrize("text, culprit", [
    (f"oi {ascii_json_marker('tokens', ['Olá', LONE_SURROGATE])}", "tokens"),
    (f"oi {ascii_json_marker('tool_args', {'expressao': LONE_SURROGATE})}", "tool_args"),
    (f"oi {LONE_SURROGATE} tudo bem?", "As mensagens"),
], ids=["token", "tool_args", "mensagem"])
def test_text_that_utf8_cannot_carry_is_a_400_not_a_broken_stream(fake_llm, text, culprit, stream):
    """Um surrogate isolado não existe em UTF-8: antes, o stream do próprio fake LLM quebrava no meio."""
    content = json.dumps(chat_body(text, stream=stream))  # ensure_ascii: o surrogate viaja como "\\ud800"
    response = httpx.post(f"{fake_llm.base_url}/chat/completions", content=content,
                          headers={"content-type": "application/json"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error" and "surrogate" in error["message"]
    assert culprit in error["message"]
    assert httpx.get(f"{fake_llm.url}/admin/requests").status_code == 200  # o log continua legível


def test_validation_error_names_the_field_in_portuguese(fake_llm):
    body = {"model": "gpt-4o-mini", "messages": [{"role": "robô", "content": "oi"}]}
    error = httpx.post(f"{fake_llm.base_url}/chat/completions", json=body).json()["error"]
    assert error["param"] == "messages.0.role"
    assert error["message"] == "Requisição inválida em 'messages.0.role': valor não permitido."


def test_unknown_route_is_openai_error(fake_llm):
    response = httpx.get(f"{fake_llm.url}/v1/nada")
    assert response.status_code == 404 and "error" in response.json()


# --- Ferramentas e agente ---------------------------------------------------------------------------

def test_tool_call_is_streamed_as_deltas(fake_llm, fake_llm_runner):
    model = chat_model(fake_llm).bind_tools([calculadora])

    async def chunks():
        return [chunk async for chunk in model.astream("Quanto é (12 + 30) * 2?")]

    received = fake_llm_runner.run(chunks())
    with_tool_chunks = [chunk for chunk in received if chunk.tool_call_chunks]
    assert len(with_tool_chunks) >= 3  # id + nome, depois os argumentos em 2+ pedaços
    message = sum(received[1:], received[0])
    assert message.tool_calls[0]["name"] == "calculadora"
    assert message.tool_calls[0]["args"] == {"expressao": "(12 + 30) * 2"}
    assert message.response_metadata["finish_reason"] == "tool_calls"


def test_tool_call_without_streaming(fake_llm, fake_llm_runner):
    model = chat_model(fake_llm, streaming=False).bind_tools([calculadora])
    reply = fake_llm_runner.run(model.ainvoke("Some 2 + 3"))
    assert reply.tool_calls[0]["args"] == {"expressao": "2 + 3"}
    assert reply.response_metadata["finish_reason"] == "tool_calls"


def test_tool_choice_none_answers_in_text(fake_llm, fake_llm_runner):
    model = chat_model(fake_llm).bind_tools([calculadora], tool_choice="none")
    reply = fake_llm_runner.run(model.ainvoke(f"Quanto é 1 + 1? {make_marker(n=2)}"))
    assert reply.tool_calls == [] and reply.content == "".join(filler_tokens(2))


def test_agent_uses_calculator_and_answers(fake_llm, fake_llm_runner):
    agent = create_agent(chat_model(fake_llm), tools=[calculadora])
    question = f"Quanto é (12 + 30) * 2? {make_marker(nonce='agente1')}"
    result = fake_llm_runner.run(agent.ainvoke({"messages": [HumanMessage(question)]}))
    final = result["messages"][-1]
    assert isinstance(final, AIMessage) and "84" in final.content and "agente1" in final.content
    first, second = fake_llm.requests(nonce="agente1")
    assert first["tools"] == ["calculadora"] and first["tool_call"]["name"] == "calculadora"
    assistant, tool_message = second["messages"][-2:]
    assert assistant["tool_calls"][0]["id"] == first["tool_call"]["id"]
    assert tool_message["role"] == "tool" and tool_message["content"] == "84"
    assert tool_message["tool_call_id"] == first["tool_call"]["id"]


def test_agent_with_tool_args_marker(fake_llm, fake_llm_runner):
    agent = create_agent(chat_model(fake_llm), tools=[calculadora])
    question = f"Calcule {make_marker(tool_args={'expressao': '2 ** 10'})}"
    result = fake_llm_runner.run(agent.ainvoke({"messages": [HumanMessage(question)]}))
    assert result["messages"][-1].content.strip() == "O resultado é 1024."


# --- Configuração, cliente e linha de comando -----------------------------------------------------

def test_delay_default_comes_from_env(monkeypatch, fake_llm_runner):
    monkeypatch.setenv("FAKE_LLM_DELAY_MS", "150")
    with FakeLLMServer() as llm:
        chunks = fake_llm_runner.run(collect(chat_model(llm), f"Oi {make_marker(n=3)}"))
    assert chunks[-1][1] - chunks[0][1] >= 0.5 * 2 * 0.150


@pytest.mark.parametrize("raw", ["abc", "-5", "1.5"])
def test_invalid_delay_env_is_a_clear_error(monkeypatch, raw):
    monkeypatch.setenv("FAKE_LLM_DELAY_MS", raw)
    with pytest.raises(ValueError, match="deve ser um inteiro >= 0"):
        resolve_delay_ms(None)


def test_client_for_running_server(fake_llm):
    client = FakeLLMClient(fake_llm.base_url)  # aceita a URL com /v1
    assert client.url == fake_llm.url
    httpx.post(f"{fake_llm.base_url}/chat/completions", json=chat_body(make_marker(nonce="cli1", n=1)))
    assert client.wait_for(nonce="cli1", predicate=is_final)["status"] == "completed"
    with pytest.raises(TimeoutError, match="nenhuma requisição com nonce='sumiu'"):
        client.wait_for(nonce="sumiu", timeout=0.2)
    client.close()


def test_clear_empties_the_log():
    with FakeLLMServer(delay_ms=0) as llm:
        httpx.post(f"{llm.base_url}/chat/completions", json=chat_body(make_marker(n=1)))
        assert len(llm.requests()) == 1
        llm.clear()
        assert llm.requests() == []


def _first_line(stream, timeout: float) -> str:
    """Lê a primeira linha de um pipe com prazo (funciona também no Windows)."""
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: lines.put(stream.readline()), daemon=True).start()
    return lines.get(timeout=timeout)


def test_python_m_fake_llm_prints_where_it_listens():
    command = [sys.executable, "-W", "always::DeprecationWarning", "-m", "common.fake_llm",
               "--port", "0", "--delay-ms", "0"]
    process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    try:
        line = _first_line(process.stdout, timeout=20)
        base_url = re.search(r"OPENAI_BASE_URL=(http://127\.0\.0\.1:\d+/v1)", line).group(1)
        assert "ouvindo em" in line
        reply = ChatOpenAI(base_url=base_url, api_key="x", model="gpt-4o-mini").invoke(make_marker(n=2))
        assert reply.content == "".join(filler_tokens(2))
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=10)
    assert not [row for row in stderr.splitlines() if "DeprecationWarning" in row and "common" in row]


def test_our_code_emits_no_deprecation_warning(fake_llm, fake_llm_runner):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        stream_texts(fake_llm_runner, chat_model(fake_llm), f"Oi {make_marker(n=2)}")
        agent = create_agent(chat_model(fake_llm), tools=[calculadora])
        fake_llm_runner.run(agent.ainvoke({"messages": [HumanMessage("Quanto é 1 + 1?")]}))
    ours = [w for w in caught if issubclass(w.category, DeprecationWarning)
            and ("common" in w.filename or w.filename == __file__)]
    assert ours == [], [str(w.message) for w in ours]
