"""O marcador `fail_on=<nome>` do fake LLM: dois servidores (principal e reserva), uma falha só.

É o que o corretor usa no desafio do provedor reserva: o MESMO pedido (o mesmo marcador) falha
no principal e é atendido pelo reserva. Tudo por um uvicorn real no loopback, com o openai SDK.
"""

import httpx
import openai
import pytest

from common.fake_llm import FakeLLMServer, make_marker
from common.fake_llm.__main__ import parse_args
from common.fake_llm.markers import Script, parse_marker, script_from
from common.fake_llm.replies import filler_tokens


@pytest.fixture(scope="module")
def servers():
    with FakeLLMServer(delay_ms=1, name="principal") as principal, \
            FakeLLMServer(delay_ms=1, name="reserva") as reserva:
        yield principal, reserva


def stream_text(server: FakeLLMServer, marker: str) -> str:
    """Pede em streaming pelo SDK da OpenAI e junta o texto (uma falha vira exceção do SDK)."""
    client = openai.OpenAI(base_url=server.base_url, api_key="x", max_retries=0)
    stream = client.chat.completions.create(
        model="gpt-4o-mini", stream=True, messages=[{"role": "user", "content": f"Oi {marker}"}])
    with stream:
        return "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)


def final_status(server: FakeLLMServer, nonce: str) -> str:
    return server.wait_for(nonce=nonce, predicate=lambda e: e["status"] != "running")["status"]


def test_fail_on_is_parsed_and_round_trips():
    marker = make_marker(nonce="x1", fail="before", fail_on="principal")
    assert parse_marker(marker) == {"nonce": "x1", "fail": "before", "fail_on": "principal"}
    assert script_from(parse_marker(marker)).fail_on == "principal"


def test_script_keeps_failures_only_on_the_named_server():
    script = Script(fail_before=True, fail_after=2, fail_on="principal")
    assert script.for_server("principal") is script
    assert (script.for_server("reserva").fail_before, script.for_server("reserva").fail_after) == (False, None)
    assert Script(fail_before=True).for_server("reserva").fail_before  # sem fail_on: falha em todos


def test_fail_before_on_principal_only(servers):
    principal, reserva = servers
    marker = make_marker(nonce="fo1", n=3, fail="before", fail_on="principal")
    with pytest.raises(openai.InternalServerError):
        stream_text(principal, marker)
    assert stream_text(reserva, marker) == "".join(filler_tokens(3, "fo1"))
    assert final_status(principal, "fo1") == "failed"
    assert final_status(reserva, "fo1") == "completed"


def test_fail_after_on_principal_only(servers):
    principal, reserva = servers
    marker = make_marker(nonce="fo2", n=5, fail_after=2, fail_on="principal")
    with pytest.raises(openai.APIError, match="fail_after"):
        stream_text(principal, marker)
    assert stream_text(reserva, marker) == "".join(filler_tokens(5, "fo2"))
    assert principal.requests("fo2")[0]["tokens_sent"] == 2


def test_fail_on_another_name_fails_nowhere(servers):
    principal, reserva = servers
    marker = make_marker(nonce="fo3", n=2, fail="before", fail_on="terceiro")
    for server in servers:
        assert stream_text(server, marker) == "".join(filler_tokens(2, "fo3"))


def test_fail_on_without_streaming(servers):
    principal, reserva = servers
    body = {"model": "gpt-4o-mini", "messages": [
        {"role": "user", "content": make_marker(n=2, fail_after=1, fail_on="reserva")}]}
    assert httpx.post(f"{principal.base_url}/chat/completions", json=body).status_code == 200
    assert httpx.post(f"{reserva.base_url}/chat/completions", json=body).status_code == 500


def test_default_name_is_principal():
    assert FakeLLMServer().name == "principal"
    assert parse_args([]).name == "principal"
    assert parse_args(["--name", "reserva"]).name == "reserva"

