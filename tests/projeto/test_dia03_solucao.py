"""A solução de referência do Dia 3, por HTTP de verdade (uvicorn real + fake LLM real).

Nada de TestClient: clientes em processo guardam o stream num buffer, e o que se afirma
aqui sobre streaming, desconexão e event loop só vale medido num socket. Esperas usam
prazo (wait_for), nunca sleep fixo; margens de tempo são folgadas (máquina de 2 núcleos).
O servidor roda com PYTHONWARNINGS=error::DeprecationWarning (fixture dia03_server): uma API
obsoleta, na importação ou numa requisição, derruba o servidor ou o teste.
"""

import json
import threading
import time
import uuid
from dataclasses import dataclass

import httpx
import pytest
from httpx_sse import connect_sse

from common.config import REPO_ROOT
from common.fake_llm import make_marker
from common.run import import_solution

SOLUTION_DIR = REPO_ROOT / "solutions" / "dia03"


# --- Apoio ------------------------------------------------------------------------------------

@dataclass
class Event:
    event: str
    data: str
    at: float  # time.time() da chegada: comparável com os tempos do log do fake LLM


def nonce() -> str:
    return uuid.uuid4().hex[:12]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def stream_events(url: str, path: str, body: dict, token: str, stop_after: int | None = None,
                  on_open=None) -> tuple[httpx.Response, list[Event]]:
    """POST que devolve SSE; lê os eventos com httpx-sse e anota a hora de chegada de cada um.

    `stop_after=k` desconecta depois de k eventos; `on_open(response)` roda com o stream aberto.
    """
    events: list[Event] = []
    with httpx.Client(base_url=url, timeout=10) as client:
        with connect_sse(client, "POST", path, json=body, headers=bearer(token)) as source:
            if on_open is not None:
                on_open(source.response)
            if stop_after != 0:
                for sse in source.iter_sse():
                    events.append(Event(sse.event, sse.data, time.time()))
                    if stop_after is not None and len(events) >= stop_after:
                        break
    return source.response, events


def tokens_of(events: list[Event]) -> list[Event]:
    """Os eventos de texto (sem o [DONE] e sem eventos nomeados)."""
    return [e for e in events if e.event == "message" and e.data != "[DONE]"]


def assert_well_formed(events: list[Event]) -> None:
    """Termina com um único [DONE] e não tem evento de dados vazio."""
    assert events, "nenhum evento recebido"
    assert events[-1].data == "[DONE]", f"o último evento deveria ser [DONE]: {events[-3:]}"
    assert [e.data for e in events].count("[DONE]") == 1
    assert all(e.data != "" for e in events), "há evento com data vazio"


def finished(llm, tag: str) -> dict:
    return llm.wait_for(nonce=tag, predicate=lambda e: e["status"] != "running", timeout=5)


# --- Importação e formato SSE -------------------------------------------------------------------

@pytest.fixture(scope="module")
def solution():
    """O template.py da solução, importado neste processo (sem colidir com outros `template`)."""
    return import_solution()[0]


@pytest.mark.parametrize(("data", "event", "frame"), [
    ("oi", None, "data: oi\n\n"),
    (" espaço", None, "data:  espaço\n\n"),
    ("a\n\nb", None, "data: a\ndata: \ndata: b\n\n"),
    ("\n", None, "data: \ndata: \n\n"),
    ("x\r\ny\rz", None, "data: x\ndata: y\ndata: z\n\n"),
    ('{"detail": "falhou"}', "error", 'event: error\ndata: {"detail": "falhou"}\n\n'),
])
def test_sse_event_uma_linha_data_por_linha(solution, data, event, frame):
    assert solution.sse_event(data, event) == frame


# --- /api/generate ----------------------------------------------------------------------------

def test_generate_transmite_a_resposta_do_llm(dia03_server, dia03_token, dia03_llm):
    tag = nonce()
    response, events = stream_events(dia03_server.url, "/api/generate",
                                     {"prompt": "Fale de SSE " + make_marker(nonce=tag, n=12)}, dia03_token)
    entry = finished(dia03_llm, tag)
    assert response.status_code == 200
    assert_well_formed(events)
    assert "".join(e.data for e in tokens_of(events)) == entry["reply"]
    assert tag in entry["reply"] and len(tokens_of(events)) == 12 == entry["tokens_sent"]
    assert entry["stream"] is True and entry["model"] == dia03_server.env["DEFAULT_MODEL"]


def test_generate_cabecalhos_sse(dia03_server, dia03_token):
    response, _ = stream_events(dia03_server.url, "/api/generate",
                                {"prompt": make_marker(nonce=nonce(), n=2)}, dia03_token)
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["x-accel-buffering"] == "no"


def test_generate_usa_o_modelo_pedido(dia03_server, dia03_token, dia03_llm):
    tag = nonce()
    stream_events(dia03_server.url, "/api/generate",
                  {"prompt": make_marker(nonce=tag, n=2), "model": "gpt-4o"}, dia03_token)
    assert finished(dia03_llm, tag)["model"] == "gpt-4o"


def test_generate_tokens_chegam_um_a_um(dia03_server, dia03_token, dia03_llm):
    # 8 tokens com 120 ms entre eles: ~0,84 s no LLM. Quem junta tudo e manda no fim
    # entrega o primeiro evento depois de o LLM terminar, e todos no mesmo instante.
    tag = nonce()
    _, events = stream_events(dia03_server.url, "/api/generate",
                              {"prompt": make_marker(nonce=tag, n=8, delay_ms=120)}, dia03_token)
    entry = finished(dia03_llm, tag)
    arrivals = [e.at for e in tokens_of(events)]
    assert len(arrivals) == 8
    assert arrivals[0] < entry["ended_at"] - 0.3, "o primeiro token só chegou quando o LLM já tinha terminado"
    assert arrivals[-1] - arrivals[0] > 0.35, f"chegadas juntas demais: {arrivals}"


def test_generate_quebras_de_linha_byte_a_byte(dia03_server, dia03_token, dia03_llm):
    tag = nonce()
    scripted = [f"Início {tag}:", "\n", "\n\n", "- um", "\n", "  dois espaços", "", "a\n\nb",
                " fim\n", "```python\nprint(1)\n```", "\n"]
    _, events = stream_events(dia03_server.url, "/api/generate",
                              {"prompt": make_marker(nonce=tag, tokens=scripted)}, dia03_token)
    assert_well_formed(events)
    assert [e.data for e in tokens_of(events)] == [t for t in scripted if t]  # o token vazio não vira evento
    assert "".join(e.data for e in tokens_of(events)) == "".join(scripted)


@pytest.mark.parametrize("path", ["/api/generate", "/chat"])
@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer nao-e-um-jwt"}, {"Authorization": "Basic YTpi"}],
                         ids=["sem-token", "token-invalido", "outro-esquema"])
@pytest.mark.parametrize("body_kind", ["valido", "invalido"])
def test_sem_token_valido_401_antes_do_stream(dia03_server, dia03_llm, path, headers, body_kind):
    tag = nonce()
    text = make_marker(nonce=tag, n=3)
    valid = {"prompt": text} if path == "/api/generate" else {"message": text, "stream": True}
    body = valid if body_kind == "valido" else {"inesperado": text}
    response = httpx.post(dia03_server.url + path, json=body, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].lower() == "bearer"
    assert not response.headers["content-type"].startswith("text/event-stream")
    assert dia03_llm.requests(nonce=tag) == []  # o LLM nem foi chamado


@pytest.mark.parametrize(("path", "body"), [
    ("/api/generate", {}),
    ("/api/generate", {"prompt": ""}),
    ("/api/generate", {"prompt": "x" * 4001}),
    ("/api/generate", {"prompt": ["lista"]}),
    ("/api/generate", {"prompt": "oi", "model": 123}),
    ("/api/generate", []),
    ("/chat", {}),
    ("/chat", {"message": ""}),
    ("/chat", {"message": "oi", "stream": "talvez"}),
    ("/chat", {"message": "oi", "history": [{"role": "system", "content": "x"}]}),
    ("/chat", {"message": "oi", "history": [{"role": "user"}]}),
    ("/chat", {"message": "oi", "history": "nada"}),
])
def test_corpo_invalido_422(dia03_server, dia03_token, path, body):
    response = httpx.post(dia03_server.url + path, json=body, headers=bearer(dia03_token))
    assert response.status_code == 422, response.text


def test_json_malformado_422(dia03_server, dia03_token):
    response = httpx.post(dia03_server.url + "/api/generate", content=b"{nao e json",
                          headers={**bearer(dia03_token), "Content-Type": "application/json"})
    assert response.status_code == 422


# --- /chat -------------------------------------------------------------------------------------

def test_chat_json(dia03_server, dia03_token, dia03_llm):
    tag = nonce()
    response = httpx.post(dia03_server.url + "/chat", headers=bearer(dia03_token), timeout=10,
                          json={"message": "Oi " + make_marker(nonce=tag, n=6)})
    entry = finished(dia03_llm, tag)
    assert response.status_code == 200
    assert response.json() == {"response": entry["reply"]}
    assert tag in entry["reply"]


def test_chat_stream(dia03_server, dia03_token, dia03_llm):
    tag = nonce()
    response, events = stream_events(dia03_server.url, "/chat",
                                     {"message": make_marker(nonce=tag, n=7), "stream": True}, dia03_token)
    entry = finished(dia03_llm, tag)
    assert response.headers["content-type"].startswith("text/event-stream")
    assert_well_formed(events)
    assert "".join(e.data for e in tokens_of(events)) == entry["reply"]


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
def test_chat_envia_o_historico_antes_da_mensagem(dia03_server, dia03_token, dia03_llm, stream):
    tag = nonce()
    history = [
        {"role": "user", "content": "Meu nome é Ana."},
        {"role": "assistant", "content": "Prazer, Ana!"},
        {"role": "user", "content": "Gosto de Python."},
        {"role": "assistant", "content": "Ótima escolha."},
    ]
    message = "Qual é o meu nome? " + make_marker(nonce=tag, n=3)
    body = {"message": message, "history": history, "stream": stream}
    response = httpx.post(dia03_server.url + "/chat", json=body, headers=bearer(dia03_token), timeout=10)
    assert response.status_code == 200
    seen = finished(dia03_llm, tag)["messages"]
    conversation = [{"role": m["role"], "content": m["content"]} for m in seen if m["role"] != "system"]
    assert conversation == [*history, {"role": "user", "content": message}]


# --- Falhas do upstream ---------------------------------------------------------------------

@pytest.mark.parametrize(("path", "field"), [("/api/generate", "prompt"), ("/chat", "message")])
@pytest.mark.parametrize(("script", "tokens_before"), [({"fail_after": 3, "n": 10}, 3), ({"fail": "before"}, 0)],
                         ids=["no-meio", "antes-do-primeiro"])
def test_falha_no_stream_vira_evento_error_e_done(dia03_server, dia03_token, path, field, script, tokens_before):
    body = {field: make_marker(nonce=nonce(), **script), "stream": True}
    response, events = stream_events(dia03_server.url, path, body, dia03_token)
    assert response.status_code == 200
    assert [e.event for e in events] == ["message"] * tokens_before + ["error", "message"]
    assert events[-1].data == "[DONE]"
    detail = json.loads(events[-2].data)["detail"]
    assert isinstance(detail, str) and "falhou" in detail


@pytest.mark.parametrize("script", [{"fail": "before"}, {"fail_after": 2, "n": 5}], ids=["antes", "no-meio"])
def test_falha_no_chat_json_vira_502(dia03_server, dia03_token, script):
    response = httpx.post(dia03_server.url + "/chat", headers=bearer(dia03_token), timeout=10,
                          json={"message": make_marker(nonce=nonce(), **script)})
    assert response.status_code == 502
    assert isinstance(response.json()["detail"], str)


# --- Event loop e desconexão -------------------------------------------------------------------

def test_dois_streams_andam_juntos(dia03_server, dia03_token, dia03_llm):
    tags = [nonce(), nonce()]
    results: dict[str, list[Event]] = {}

    def run(tag: str) -> None:
        _, results[tag] = stream_events(dia03_server.url, "/api/generate",
                                        {"prompt": make_marker(nonce=tag, n=10, delay_ms=80)}, dia03_token)

    threads = [threading.Thread(target=run, args=(tag,)) for tag in tags]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=15)
    first, second = (finished(dia03_llm, tag) for tag in tags)
    # Medido no fake LLM: o segundo pedido chegou antes de o primeiro terminar (e vice-versa).
    assert max(first["received_at"], second["received_at"]) < min(first["ended_at"], second["ended_at"])
    assert all(results[tag][-1].data == "[DONE]" for tag in tags)


def test_health_responde_durante_um_stream(dia03_server, dia03_token, dia03_llm):
    tag = nonce()
    timings: list[float] = []

    def check_health(response: httpx.Response) -> None:
        dia03_llm.wait_for(nonce=tag, timeout=5)  # o stream está aberto e o LLM, pendurado
        start = time.perf_counter()
        health = httpx.get(dia03_server.url + "/health", timeout=5)
        timings.append(time.perf_counter() - start)
        assert health.json() == {"status": "ok"}

    stream_events(dia03_server.url, "/api/generate", {"prompt": make_marker(nonce=tag, hang=1)},
                  dia03_token, stop_after=0, on_open=check_health)
    assert timings[0] < 1.0, f"/health demorou {timings[0]:.2f} s durante um stream"
    assert dia03_llm.requests(nonce=tag)[0]["status"] in ("running", "client_closed")


@pytest.mark.parametrize(("script", "stop_after"), [({"n": 200, "delay_ms": 50}, 2), ({"hang": 1}, 0)],
                         ids=["depois-de-2-eventos", "llm-pendurado"])
def test_desconexao_cancela_a_chamada_ao_llm(dia03_server, dia03_token, dia03_llm, script, stop_after):
    tag = nonce()

    def wait_upstream(response: httpx.Response) -> None:
        dia03_llm.wait_for(nonce=tag, timeout=5)

    stream_events(dia03_server.url, "/api/generate", {"prompt": make_marker(nonce=tag, **script)},
                  dia03_token, stop_after=stop_after, on_open=wait_upstream)
    closed_at = time.time()
    entry = dia03_llm.wait_for(nonce=tag, predicate=lambda e: e["status"] != "running", timeout=2.0)
    assert entry["status"] == "client_closed"
    assert entry["ended_at"] - closed_at < 2.0
    if "n" in script:
        assert entry["tokens_sent"] < 200
