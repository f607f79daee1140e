"""Os exemplos de conceito do Dia 3 (docs/exemplos/dia3/) fazem o que o guia diz que fazem.

Streaming só se prova num socket: cada exemplo com rota sobe num uvicorn de verdade (todos ao mesmo
tempo), e os tempos são de chegada medidos no cliente, com razões folgadas. Os exemplos com LLM falam
com o fake LLM. Também ficam aqui duas afirmações do guia sobre o comportamento real das ferramentas:
- o `curl` sem `-N` transmite linha a linha num terminal (pseudo-terminal), mas, por um pipe, entrega
  tudo no fim; com `-N`, transmite nos dois casos (GUIA_APRENDIZADO.md#dia3-buffering);
- `except BaseException` em volta do laço do `astream` não impede o cancelamento da chamada ao LLM quando
  o cliente sai; o que sobra é uma linha de log enganosa (GUIA_APRENDIZADO.md#dia3-desconexao).
"""

from __future__ import annotations

import asyncio
import json
import os
import pty
import runpy
import secrets
import shutil
import subprocess
import sys
import threading
import time
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
from httpx_sse import connect_sse
from langchain_openai import ChatOpenAI

from common.fake_llm import make_marker
from common.launcher import ServerProcess
from tests.projeto.exemplos import load_example

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = REPO_ROOT / "docs" / "exemplos" / "dia3"
SERVED = ["contagem_stream", "sse_termometro", "erro_depois_do_200", "eventos_tipados", "tarefa_e_fila",
          "fila_com_prazo", "alternativas_sse"]
SWALLOWS_CANCEL = "d3_except_base_exception"  # a solução com `except BaseException` no laço do astream
CURL = shutil.which("curl")
NO_CURL = "o curl não está instalado (no Debian/Ubuntu: apt-get install curl)"


def load(name: str):
    return load_example("dia3", name)


def swallowing_solution(dest: Path) -> Path:
    """Cópia da solução do Dia 3 em que o sse_stream captura BaseException, e não UPSTREAM_ERRORS."""
    shutil.copytree(REPO_ROOT / "solutions" / "dia03", dest, ignore=shutil.ignore_patterns("__pycache__"))
    template = dest / "template.py"
    text = template.read_text(encoding="utf-8")
    old = "    except UPSTREAM_ERRORS as exc:\n        # Passo 7: o status 200"
    assert text.count(old) == 1, "o sse_stream da solução mudou: atualize este teste"
    template.write_text(text.replace(old, "    except BaseException as exc:\n        # Passo 7: o status 200"),
                        encoding="utf-8")
    return dest


@pytest.fixture(scope="module")
def servers(tmp_path_factory, dia03_llm):
    """Nome do exemplo (ou SWALLOWS_CANCEL) -> servidor uvicorn rodando; todos sobem ao mesmo tempo."""
    llm_env = {"OPENAI_BASE_URL": dia03_llm.base_url, "OPENAI_API_KEY": "chave-de-teste",
               "DEFAULT_MODEL": "modelo-do-teste", "SECRET_KEY": secrets.token_urlsafe(32)}
    with ExitStack() as stack:
        started = {name: stack.enter_context(ServerProcess(app_dir=EXAMPLES, module=name, scrub_env=True))
                   for name in SERVED}
        started[SWALLOWS_CANCEL] = stack.enter_context(ServerProcess(
            app_dir=swallowing_solution(tmp_path_factory.mktemp("dia03") / "sol"), env=llm_env, scrub_env=True))
        for name, server in started.items():
            status = server.wait_ready(timeout=40)
            assert status == "pronto", f"{name} não subiu ({status}):\n{server.stderr_tail()}"
        yield started


def url(servers, name: str) -> str:
    return servers[name].url


def arrivals(stream: httpx.Response) -> list[tuple[float, str]]:
    """(instante de chegada, linha) de cada linha não vazia do corpo."""
    return [(time.monotonic(), line) for line in stream.iter_lines() if line]


def sse_events(address: str, method: str = "GET") -> list[tuple[str, str]]:
    with httpx.Client(timeout=10) as client, connect_sse(client, method, address) as source:
        return [(sse.event, sse.data) for sse in source.iter_sse()]


# --- Geradores assíncronos e StreamingResponse -------------------------------------------------

def test_contagem_chega_linha_a_linha(servers):
    started = time.monotonic()
    with httpx.stream("GET", f"{url(servers, 'contagem_stream')}/contagem?de=4&intervalo=0.15", timeout=10) as r:
        lines = arrivals(r)
    assert [line for _, line in lines] == ["4", "3", "2", "1", "fogo!"]
    first, last = lines[0][0] - started, lines[-1][0] - started
    assert last >= 0.6, "o gerador dorme 4 × 0,15 s"
    assert first < last / 3, f"a primeira linha chegou em {first:.2f} s, a última em {last:.2f} s: juntou tudo?"


def test_contagem_valida_a_query(servers):
    response = httpx.get(f"{url(servers, 'contagem_stream')}/contagem?de=0")
    assert response.status_code == 422


# --- curl sem -N: terminal, pipe e -N ----------------------------------------------------------

def curl_arrivals(args: list[str], terminal: bool) -> tuple[float, list[float]]:
    """Roda o curl com a saída num pseudo-terminal (como num terminal de verdade) ou num pipe.

    Devolve (instante em que o curl terminou, instantes em que cada leitura da saída trouxe bytes),
    contados desde o início.
    """
    started = time.monotonic()
    if terminal:
        reader, writer = pty.openpty()
        process = subprocess.Popen(args, stdout=writer, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        os.close(writer)
    else:
        process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        reader = process.stdout.fileno()
    times = []
    while True:
        try:
            chunk = os.read(reader, 65536)
        except OSError:  # o pseudo-terminal fecha com EIO quando o curl sai
            break
        if not chunk:
            break
        times.append(time.monotonic() - started)
    process.wait(timeout=10)
    if terminal:
        os.close(reader)
    return time.monotonic() - started, times


@pytest.mark.skipif(CURL is None, reason=NO_CURL)
def test_curl_sem_n_transmite_no_terminal_e_junta_no_pipe(servers):
    """O que GUIA_APRENDIZADO.md#dia3-buffering mostra: o buffer do curl depende de para onde vai a saída."""
    address = f"{url(servers, 'contagem_stream')}/contagem?de=4&intervalo=0.3"  # 5 linhas em ~1,2 s
    cases = {"terminal": ([CURL, "-s", address], True), "pipe": ([CURL, "-s", address], False),
             "pipe com -N": ([CURL, "-sN", address], False)}
    results: dict[str, tuple[float, list[float]]] = {}
    threads = [threading.Thread(target=lambda name=name, case=case: results.__setitem__(name, curl_arrivals(*case)))
               for name, case in cases.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    for name in ("terminal", "pipe com -N"):
        ended, times = results[name]
        assert ended >= 0.9, f"{name}: o curl terminou em {ended:.2f} s"
        assert len(times) >= 3 and times[0] < ended / 3, f"{name}: bytes em {times}, fim em {ended:.2f} s"
    ended, times = results["pipe"]
    assert ended >= 0.9 and times and times[0] >= ended * 0.75, f"pipe sem -N: bytes em {times}, fim em {ended:.2f} s"


# --- O formato SSE ---------------------------------------------------------------------------

def test_termometro_manda_eventos_nomeados_com_json(servers):
    address = f"{url(servers, 'sse_termometro')}/temperaturas?leituras=3&intervalo=0.05"
    raw = httpx.get(address, timeout=10)
    assert raw.headers["content-type"].startswith("text/event-stream")
    assert raw.text.startswith(": termômetro ligado\n\nevent: leitura\ndata: {")
    events = sse_events(address)  # o comentário não vira evento
    assert [name for name, _ in events] == ["leitura"] * 3 + ["fim"]
    readings = [json.loads(data) for _, data in events]
    assert [r["n"] for r in readings[:3]] == [1, 2, 3] and all(18 <= r["celsius"] <= 26 for r in readings[:3])
    assert readings[-1] == {"leituras": 3}


def test_evento_json_fica_numa_linha_so():
    assert load("sse_termometro").evento("nota", {"texto": "a\nb"}) == 'event: nota\ndata: {"texto": "a\\nb"}\n\n'


# --- Pydantic: Literal e listas com limite -----------------------------------------------------

def test_playlist_valida_literal_e_tamanho_da_lista(capsys):
    example = runpy.run_path(str(EXAMPLES / "playlist_pydantic.py"), run_name="__main__")
    assert capsys.readouterr().out.splitlines() == [
        "Playlist(nome='Domingo', publica=False, faixas=[Faixa(titulo='Aquarela', clima='calmo')], capa=None)",
        "faixas.0.clima: literal_error",
        "nome: string_too_short | faixas: too_long",
    ]
    assert example["Playlist"](nome="x").faixas == []


# --- PurePath e functools.cache (desafio B) ----------------------------------------------------

def test_icone_le_a_extensao_sem_abrir_e_monta_cada_estilo_uma_vez(capsys):
    example = runpy.run_path(str(EXAMPLES / "icone_por_extensao.py"), run_name="__main__")
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("→ ")[1] for line in lines[:6]] == [
        "ícone imagem, cor verde", "ícone texto, cor azul", "ícone generico, cor cinza",
        "ícone generico, cor cinza", "ícone generico, cor cinza", "ícone imagem, cor verde",
    ]
    assert lines[6] == "CacheInfo(hits=3, misses=3, maxsize=None, currsize=3)"
    assert example["icone"]("/caminho/que/nao/existe.PDF") == "documento"  # nada é aberto


# --- ast sem eval (desafio J) ------------------------------------------------------------------

def test_regra_segura_avalia_so_o_que_esta_na_lista(capsys):
    example = runpy.run_path(str(EXAMPLES / "regra_segura.py"), run_name="__main__")
    assert [line.split("→ ")[1] for line in capsys.readouterr().out.splitlines()] == [
        "True", "False", "recusada: não aceito Call numa regra", "recusada: não é uma expressão"]
    assert example["regra"]("open", {}) == "recusada: não aceito Name numa regra"  # nada de builtins
    assert example["regra"]("idade.real", {"idade": 1}) == "recusada: não aceito Attribute numa regra"


# --- LangChain: ainvoke, astream e os chunks vazios ---------------------------------------------

def scripted(tokens: list[str]) -> tuple[str, str]:
    """Um texto com o marcador que roteiriza a resposta do fake LLM; devolve (texto, nonce)."""
    nonce = secrets.token_hex(6)
    return f"Bom dia {make_marker(nonce=nonce, tokens=tokens, delay_ms=1)}", nonce


def fake_chat(fake_llm, **options) -> ChatOpenAI:
    """Um ChatOpenAI apontado para o fake LLM, com cliente HTTP próprio: cada asyncio.run tem um loop novo,
    e o cliente padrão (compartilhado entre instâncias) guardaria conexões de um loop já fechado."""
    return ChatOpenAI(model="m", base_url=fake_llm.base_url, api_key="x", http_async_client=httpx.AsyncClient(),
                      **options)


def test_astream_traz_chunks_vazios_e_tokens_so_de_espaco(dia03_llm):
    example = load("llm_traducao")
    tokens = ["Good", " morning", "\n", " ", "!"]
    text, _ = scripted(tokens)
    chunks = asyncio.run(example.pedacos(fake_chat(dia03_llm), text))
    assert chunks[0] == "" and chunks[-1] == "", chunks  # o papel no começo; o motivo do fim (e o uso) no fim
    assert [c for c in chunks if c] == tokens  # `if chunk.text:` guarda exatamente os tokens
    assert [c for c in chunks if c.strip()] != tokens  # `.strip()` jogaria fora o "\n" e o " "


def test_ainvoke_com_streaming_true_chama_o_provedor_em_stream(dia03_llm):
    """Por que o registro do fake LLM mostra "stream": true num /chat sem stream (GUIA, passo 6)."""
    example = load("llm_traducao")
    replies, modes = [], []
    for streaming in (False, True):
        text, nonce = scripted(["Good", " morning"])
        replies.append(asyncio.run(example.traduzir(fake_chat(dia03_llm, streaming=streaming), text)))
        modes.append([entry["stream"] for entry in dia03_llm.requests(nonce)])
    assert replies == ["Good morning", "Good morning"]
    assert modes == [[False], [True]]


def test_llm_traducao_roda_como_script(dia03_llm):
    """Como o aluno roda: `python3 docs/exemplos/dia3/llm_traducao.py "..."`, com o endereço no ambiente."""
    text, _ = scripted(["Good", " morning"])
    env = {"PATH": os.environ["PATH"], "COURSE_SKIP_DOTENV": "1", "OPENAI_BASE_URL": dia03_llm.base_url,
           "OPENAI_API_KEY": "x", "PYTHONPATH": str(REPO_ROOT)}
    result = subprocess.run([sys.executable, str(EXAMPLES / "llm_traducao.py"), text], env=env, cwd=REPO_ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["ainvoke: 'Good morning'", "astream: ['', 'Good', ' morning', '', '']"]


# --- Erros depois do 200 -----------------------------------------------------------------------

def test_erro_tratado_vira_evento_e_o_stream_termina(servers):
    events = sse_events(f"{url(servers, 'erro_depois_do_200')}/leituras")
    assert [name for name, _ in events] == ["leitura", "leitura", "erro", "fim"]
    assert "detail" in json.loads(events[2][1])


def test_erro_que_escapa_do_gerador_corta_a_conexao(servers):
    address = f"{url(servers, 'erro_depois_do_200')}/leituras-sem-tratar"
    seen = []
    with pytest.raises(httpx.RemoteProtocolError):
        with httpx.Client(timeout=10) as client, connect_sse(client, "GET", address) as source:
            seen.extend(sse.event for sse in source.iter_sse())
    assert seen == ["leitura", "leitura"]
    deadline = time.monotonic() + 5
    while "Exception in ASGI application" not in servers["erro_depois_do_200"].stderr_tail(64000):
        assert time.monotonic() < deadline, servers["erro_depois_do_200"].stderr_tail()
        time.sleep(0.05)


@pytest.mark.skipif(CURL is None, reason=NO_CURL)
def test_curl_avisa_a_conexao_cortada(servers):
    result = subprocess.run([CURL, "-sSN", f"{url(servers, 'erro_depois_do_200')}/leituras-sem-tratar"],
                            capture_output=True, text=True, timeout=10)
    assert result.returncode == 18, result
    assert "curl: (18) transfer closed with outstanding read data remaining" in result.stderr


# --- Cancelamento e desconexão ------------------------------------------------------------------

def test_except_base_exception_engole_o_cancelamento_de_uma_tarefa(capsys):
    asyncio.run(load("cancelamento").main())
    assert capsys.readouterr().out.splitlines() == [
        "baixar: ['parte 1', 'parte 2'] cancelada=True",
        "baixar_engolindo: ['parte 1', 'parte 2', 'falhou: CancelledError()', 'parte 4', 'parte 5'] cancelada=False",
    ]


def test_except_base_exception_no_astream_ainda_cancela_o_llm_e_so_mente_no_log(servers, dia03_llm):
    """Na rota de stream, o cancelamento atravessa o astream (fechando a chamada) antes de chegar ao except."""
    server = servers[SWALLOWS_CANCEL]
    token = httpx.post(f"{server.url}/login", json={"username": "aluno", "password": "aluno123"},
                       timeout=30).json()["access_token"]
    nonce = secrets.token_hex(6)
    body = {"prompt": f"oi {make_marker(nonce=nonce, n=200, delay_ms=50)}"}
    with httpx.Client(timeout=10) as client, connect_sse(
            client, "POST", f"{server.url}/api/generate", json=body, headers={"Authorization": f"Bearer {token}"}
    ) as source:
        for count, _ in enumerate(source.iter_sse(), start=1):
            if count == 3:
                break
    entry = dia03_llm.wait_for(nonce=nonce, predicate=lambda e: e["status"] != "running", timeout=3)
    assert entry["status"] == "client_closed" and entry["tokens_sent"] < 50, entry
    deadline = time.monotonic() + 3
    while "O LLM falhou durante o stream: CancelledError" not in server.stderr_tail():
        assert time.monotonic() < deadline, f"a linha de log enganosa não apareceu:\n{server.stderr_tail()}"
        time.sleep(0.05)


# --- Agentes ----------------------------------------------------------------------------------

def test_agente_chama_a_ferramenta_e_so_o_texto_do_modelo_vai_para_o_stream(dia03_llm):
    example = load("agente_ferramenta")
    question = "Quantas palavras tem: o rato roeu a roupa do rei"
    count = str(len(question.split()))

    async def run_all():
        llm = fake_chat(dia03_llm)
        return (await example.responder(llm, question), await example.tudo_que_passa(llm, question),
                await example.so_o_texto(llm, question))

    answer, passing, text_only = asyncio.run(run_all())
    assert answer == f" O resultado é {count}."
    assert ("ToolMessage", "tools", count) in passing
    assert any(kind == "AIMessageChunk" and text == "" for kind, _, text in passing)
    assert "".join(text_only) == answer


# --- Alternativas prontas ---------------------------------------------------------------------

def test_fastapi_sse_cabecalhos_linhas_e_json(servers):
    response = httpx.get(f"{url(servers, 'alternativas_sse')}/fastapi-sse", timeout=10)
    assert response.headers["cache-control"] == "no-cache" and response.headers["x-accel-buffering"] == "no"
    assert response.text.startswith("data: faltam 3\ndata: segundos\n\n")
    assert response.text.endswith('event: fim\ndata: "fogo!"\n\n')


def test_sse_starlette_cabecalhos_e_crlf(servers):
    response = httpx.get(f"{url(servers, 'alternativas_sse')}/sse-starlette", timeout=10)
    assert response.headers["cache-control"] == "no-store" and response.headers["x-accel-buffering"] == "no"
    assert response.text.startswith("data: faltam 3\r\ndata: segundos\r\n\r\n")


# --- Desafios extras: eventos tipados, tarefa e fila, fila com prazo ---------------------------

def test_build_manda_start_etapas_e_done(servers):
    events = sse_events(f"{url(servers, 'eventos_tipados')}/builds", method="POST")
    assert [name for name, _ in events] == ["start", "etapa", "etapa", "etapa", "done"]
    start, done = json.loads(events[0][1]), json.loads(events[-1][1])
    assert done["build_id"] == start["build_id"] and len(start["build_id"]) == 32
    assert done["etapas"] == ["instalar", "compilar", "testar"] and done["duration_ms"] >= 550


def wait_for_closed_source(base: str, download_id: str) -> None:
    deadline = time.monotonic() + 3
    while download_id not in httpx.get(f"{base}/fontes-fechadas").json():
        assert time.monotonic() < deadline, "a fonte do download não fechou"
        time.sleep(0.05)


def test_cancelar_pelo_id_fecha_a_fonte_e_encerra_o_stream(servers):
    base = url(servers, "tarefa_e_fila")
    names = []
    with httpx.Client(timeout=10) as client, connect_sse(client, "POST", f"{base}/downloads") as source:
        for sse in source.iter_sse():
            names.append(sse.event)
            if sse.event == "start":
                download_id = json.loads(sse.data)["id"]
            if sse.event == "parte":  # o stream está no meio: cancela por outra requisição
                assert httpx.post(f"{base}/downloads/{download_id}/cancelar").json() == {"cancelado": True}
    assert names[0] == "start" and names[-1] == "cancelled" and "done" not in names
    wait_for_closed_source(base, download_id)
    assert httpx.post(f"{base}/downloads/{download_id}/cancelar").status_code == 404
    assert httpx.post(f"{base}/downloads/nao-existe/cancelar").status_code == 404


def test_cliente_que_sai_tambem_fecha_a_fonte(servers):
    base = url(servers, "tarefa_e_fila")
    with httpx.Client(timeout=10) as client, connect_sse(client, "POST", f"{base}/downloads") as source:
        download_id = json.loads(next(source.iter_sse()).data)["id"]
    wait_for_closed_source(base, download_id)


def test_prazo_na_fila_manda_pings_sem_matar_a_fonte(servers):
    base = url(servers, "fila_com_prazo")
    results: dict[str, list[str]] = {}

    def read(path: str) -> None:
        with httpx.stream("GET", f"{base}{path}", timeout=10) as response:
            results[path] = [line for line in response.iter_lines() if line.startswith((":", "event:"))]

    paths = ["/certo?silencio=0.7", "/errado?silencio=0.7", "/certo?silencio=3"]
    threads = [threading.Thread(target=read, args=(path,)) for path in paths]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=15)
    certo, errado, calado = (results[path] for path in paths)
    assert certo.count(": ping") >= 2 and certo[-4:] == ["event: item"] * 3 + ["event: fim"], certo
    assert errado.count(": ping") == 1 and errado[-1] == "event: fim" and "event: item" not in errado, errado
    assert calado.count(": ping") >= 2 and calado[-1] == "event: erro" and "event: item" not in calado, calado
