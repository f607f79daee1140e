"""Streaming através de um nginx de verdade (o do Debian), com o deploy/nginx.conf do curso.

Cada nginx roda no loopback com um prefixo temporário (`-p`): pid e arquivos temporários
ficam lá dentro, nada do sistema é tocado. O arquivo do curso é usado como está; o teste
só troca as portas (e, na demonstração, liga o buffer).

A demonstração mostra o bug que os alunos vão encontrar em produção: atrás de um nginx
"ingênuo" (só `proxy_pass`, com os padrões: buffer ligado e HTTP/1.0 até o upstream) e com
um servidor que NÃO manda `X-Accel-Buffering: no`, os tokens chegam todos juntos no fim.
Qualquer uma das defesas (a config do curso ou o cabeçalho) basta para chegarem um a um.

Por que o HTTP/1.0 entra na conta: com `proxy_http_version 1.1` o uvicorn responde em
pedaços (chunked) e o nginx 1.22 repassa cada pedaço completo mesmo com o buffer ligado.
Sem tamanho conhecido e sem chunked (HTTP/1.0), o buffer só sai cheio ou no fim.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from uuid import uuid4

import httpx
import pytest

from common.config import REPO_ROOT
from common.fake_llm import make_marker
from common.grader.sse import SSEResult, open_sse
from common.launcher import ServerProcess, free_port
from tests.projeto.corpus import Broken, materialize

NGINX = Path("/usr/sbin/nginx")
CONFIG = REPO_ROOT / "deploy" / "nginx.conf"

if not NGINX.exists():
    pytest.skip(
        "nginx não encontrado em /usr/sbin/nginx: instale com `apt-get install nginx` "
        "(o .ci/run instala) para rodar os testes de streaming através do proxy.",
        allow_module_level=True,
    )

# A solução com o cabeçalho trocado por um inofensivo: o servidor "esqueceu" o X-Accel-Buffering.
WITHOUT_HEADER = Broken(
    name="sem_x_accel_buffering",
    day="dia03",
    defect="não manda X-Accel-Buffering: no",
    patches=(('"X-Accel-Buffering": "no"', '"X-Cabecalho-Esquecido": "no"'),),
    fails=frozenset(),
)

TOKENS = 6
DELAY_MS = 150
SCRIPTED_S = (TOKENS - 1) * DELAY_MS / 1000  # do 1º ao último token, no upstream


def replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"deploy/nginx.conf deveria ter exatamente um {old!r}"
    return text.replace(old, new)


def render_config(upstream_port: int, listen_port: int, naive: bool = False) -> str:
    """O deploy/nginx.conf com as portas do teste.

    naive=True volta as duas linhas de streaming aos padrões do nginx (buffer ligado,
    HTTP/1.0 até o upstream): é a config de quem só escreveu `proxy_pass`.
    """
    text = CONFIG.read_text(encoding="utf-8")
    text = replace_once(text, "server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream_port};")
    text = replace_once(text, "listen 127.0.0.1:8080;", f"listen 127.0.0.1:{listen_port};")
    if naive:
        text = replace_once(text, "proxy_buffering off;", "proxy_buffering on;")
        text = replace_once(text, "proxy_http_version 1.1;", "proxy_http_version 1.0;")
    return text


def wait_listening(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        assert process.poll() is None, f"o nginx saiu:\n{log.read_text()}"
        try:
            httpx.get(url + "/health", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.02)
    pytest.fail(f"o nginx não abriu a porta em 10 s:\n{log.read_text()}")


@contextmanager
def running_nginx(upstream_url: str, naive: bool = False) -> Iterator[str]:
    """Um nginx na frente de `upstream_url`; devolve a URL do nginx."""
    prefix = Path(tempfile.mkdtemp(prefix="curso-nginx-"))
    prefix.chmod(0o755)  # rodando como root, os workers do nginx são o usuário nobody
    port = free_port()
    config = prefix / "nginx.conf"
    config.write_text(render_config(httpx.URL(upstream_url).port, port, naive), encoding="utf-8")
    log = prefix / "erros.log"
    command = [str(NGINX), "-p", str(prefix), "-c", str(config), "-e", str(log), "-g", "daemon off;"]
    with open(prefix / "saida.log", "wb") as output:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_listening(url, process, log)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(prefix, ignore_errors=True)


@pytest.fixture(scope="module", autouse=True)
def server_without_header(dia03_llm, tmp_path_factory) -> Iterator[ServerProcess]:
    """A variante sobe logo no início do módulo, sem esperar: importa o LangChain enquanto os
    primeiros testes rodam. Quem a usa espera com `wait_ready` (fixture `tokens`)."""
    app_dir = materialize(WITHOUT_HEADER, tmp_path_factory.mktemp("variante"))
    env = {"OPENAI_BASE_URL": dia03_llm.base_url, "SECRET_KEY": uuid4().hex * 2}
    with ServerProcess(app_dir=app_dir, env=env, scrub_env=True) as server:
        yield server


def stream_through(url: str, token: str, llm) -> tuple[SSEResult, float, dict]:
    """POST /api/generate roteirizado; devolve o resultado, o início da leitura e o log do fake LLM."""
    tag = uuid4().hex[:10]
    body = {"prompt": "Oi " + make_marker(n=TOKENS, delay_ms=DELAY_MS, nonce=tag)}
    with httpx.Client(base_url=url) as client:
        started = time.monotonic()
        with open_sse(client, "POST", "/api/generate", json=body,
                      headers={"Authorization": f"Bearer {token}"}) as stream:
            stream.require_event_stream()
            result = stream.read_all(max_seconds=10)
    entry = llm.wait_for(nonce=tag, predicate=lambda e: e["status"] == "completed")
    assert result.done and result.text == entry["reply"] and len(result.tokens) == TOKENS
    return result, started, entry


def spread(result: SSEResult) -> float:
    return result.last_at - result.first_at


# --- O arquivo do curso -------------------------------------------------------------------------


def test_config_do_curso_e_valida():
    prefix = Path(tempfile.mkdtemp(prefix="curso-nginx-"))
    try:
        config = prefix / "nginx.conf"
        config.write_text(render_config(8000, free_port()), encoding="utf-8")
        check = subprocess.run([str(NGINX), "-t", "-p", str(prefix), "-c", str(config), "-e", "stderr"],
                               capture_output=True, text=True, timeout=30)
        assert check.returncode == 0, check.stderr
    finally:
        shutil.rmtree(prefix, ignore_errors=True)


def test_pagina_login_e_tokens_um_a_um_pelo_nginx(dia03_server, dia03_llm, login):
    with running_nginx(dia03_server.url) as url:
        page = httpx.get(url + "/", timeout=10)
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
        with httpx.Client(base_url=url, timeout=30) as api:
            token = login(api, "aluno", "aluno123")  # o login também passa pelo nginx
        result, _, _ = stream_through(url, token, dia03_llm)
    assert spread(result) >= 0.5 * SCRIPTED_S, (
        f"os tokens chegaram em {spread(result):.2f} s; no upstream levaram {SCRIPTED_S:.2f} s"
    )
    assert len({round(event.at, 2) for event in result.tokens}) >= TOKENS // 2, "chegadas em instantes diferentes"


# --- Demonstração: nginx ingênuo x X-Accel-Buffering -------------------------------------------


@pytest.fixture(scope="module")
def tokens(dia03_server, server_without_header, login):
    """Token de login em cada servidor (as SECRET_KEY são diferentes)."""
    assert server_without_header.wait_ready(timeout=30) == "pronto", server_without_header.stderr_tail()
    tokens = {}
    for server in (dia03_server, server_without_header):
        with httpx.Client(base_url=server.url, timeout=30) as api:
            tokens[server.url] = login(api, "aluno", "aluno123")
    return tokens


@pytest.mark.parametrize(
    ("naive", "with_header"),
    [(False, False), (True, True)],
    ids=["config-do-curso-salva-o-servidor-sem-cabecalho", "cabecalho-salva-o-nginx-ingenuo"],
)
def test_uma_defesa_basta_para_o_stream_andar(naive, with_header, dia03_server, server_without_header,
                                                dia03_llm, tokens):
    upstream = dia03_server if with_header else server_without_header
    # O nginx não repassa cabeçalhos X-Accel-*: olhamos direto no servidor (só os cabeçalhos).
    with httpx.stream("POST", upstream.url + "/api/generate", json={"prompt": "x"}, timeout=10,
                      headers={"Authorization": f"Bearer {tokens[upstream.url]}"}) as response:
        assert response.status_code == 200
        assert ("x-accel-buffering" in response.headers) is with_header
    with running_nginx(upstream.url, naive=naive) as url:
        result, _, _ = stream_through(url, tokens[upstream.url], dia03_llm)
    assert spread(result) >= 0.5 * SCRIPTED_S, f"chegaram em {spread(result):.2f} s de {SCRIPTED_S:.2f} s"


def test_nginx_ingenuo_sem_cabecalho_tudo_chega_de_uma_vez(server_without_header, dia03_llm, tokens):
    """O bug de produção: o nginx guarda a resposta inteira e só então entrega."""
    with running_nginx(server_without_header.url, naive=True) as url:
        result, started, entry = stream_through(url, tokens[server_without_header.url], dia03_llm)
    assert spread(result) < 0.25 * SCRIPTED_S, (
        f"com buffer, os tokens deveriam chegar juntos; chegaram espalhados em {spread(result):.2f} s"
    )
    waited = result.first_at - started
    assert waited >= 0.75 * SCRIPTED_S, (
        f"o primeiro token chegou {waited:.2f} s após o pedido; o upstream levou {SCRIPTED_S:.2f} s para gerar tudo"
    )
