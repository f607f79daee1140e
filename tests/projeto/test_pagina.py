"""A página de chat (dia03/static) num navegador de verdade, contra a solução do Dia 3.

Chromium do Debian (/usr/bin/chromium) dirigido pelo Playwright. O fake LLM roteiriza os
tokens: a página manda o que a pessoa digita, então o marcador vai no texto da mensagem.
Nada de sleep: cada espera tem prazo (expect / wait_for_function / llm.wait_for).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from uuid import uuid4

import pytest

from common.fake_llm import make_marker

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]

if not CHROMIUM.exists():
    pytest.skip(
        "Chromium não encontrado em /usr/bin/chromium: instale com `apt-get install chromium` "
        "(o .ci/run instala) para rodar os testes da página no navegador.",
        allow_module_level=True,
    )

from playwright.sync_api import Page, Route, expect, sync_playwright  # noqa: E402

# Prazo das esperas no navegador (ms). Folgado: máquina de 2 núcleos carregada.
WAIT_MS = 10_000


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def chat_page(browser, dia03_server) -> Page:
    """Uma aba só para o módulo inteiro: cada login custa um hash argon2 (lento de propósito)."""
    context = browser.new_context(viewport={"width": 1000, "height": 720}, locale="pt-BR")
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(dia03_server.url + "/")
    yield page
    context.close()


@pytest.fixture
def page(chat_page: Page) -> Page:
    """A aba do módulo, logada como admin, numa conversa nova e sem respostas forjadas."""
    chat_page.unroute_all(behavior="ignoreErrors")
    if chat_page.locator("#login-view").is_visible():
        log_in(chat_page, "admin123")
        expect(chat_page.locator("#message")).to_be_focused()
    chat_page.click("#new-chat")
    return chat_page


def log_in(page: Page, password: str) -> None:
    page.fill("#username", "admin")
    page.fill("#password", password)
    page.press("#password", "Enter")


def nonce() -> str:
    return uuid4().hex[:10]


def send(page: Page, text: str) -> None:
    page.fill("#message", text)
    page.press("#message", "Enter")


def reply_text(page: Page) -> str:
    return page.locator(".message.assistant .text").last.text_content()


def wait_reply_finished(page: Page) -> None:
    expect(page.locator("#stop")).to_be_hidden()
    expect(page.locator("#send")).to_be_visible()


def sample_growth(page: Page) -> list[tuple[float, str]]:
    """Amostra o texto da resposta a cada mudança, até o stream acabar: [(instante, texto)]."""
    samples = []
    text = ""
    while page.locator("#stop").is_visible():
        page.wait_for_function(
            """previous => {
                const nodes = document.querySelectorAll('.message.assistant .text');
                const text = nodes.length ? nodes[nodes.length - 1].textContent : '';
                return text !== previous || document.getElementById('stop').hidden;
            }""",
            arg=text,
        )
        text = reply_text(page)
        samples.append((time.monotonic(), text))
    return samples


# --- Login --------------------------------------------------------------------------------------


def test_login_errado_mostra_erro_e_o_certo_abre_o_chat(chat_page, dia03_server):
    page = chat_page
    expect(page.locator("#password")).to_be_focused()
    log_in(page, "senha-errada")
    expect(page.locator("#login-error")).to_have_text("Usuário ou senha incorretos.")
    expect(page.locator("#chat-view")).to_be_hidden()
    log_in(page, "admin123")
    expect(page.locator("#chat-view")).to_be_visible()
    expect(page.locator("#whoami")).to_have_text("Conectado como admin")
    expect(page.locator("#message")).to_be_focused()
    assert page.evaluate("typeof state.token === 'string' && state.token.length > 20")
    assert page.evaluate("localStorage.length + sessionStorage.length") == 0, "o token fica só na memória"


# --- Streaming ----------------------------------------------------------------------------------


def test_resposta_cresce_no_dom_e_termina_igual_ao_roteiro(page, dia03_llm):
    tag = nonce()
    tokens = [f"Olá {tag}", ",", " turma", "!\n", "\n", "- primeiro", " item", "\n", "- segundo",
              " item", "\n\n", "```python\n", "print(", "'ok')", "\n```", " ✓"]
    delay_ms = 70
    # Shift+Enter quebra a linha sem enviar; Enter envia.
    page.fill("#message", "Mostre uma lista")
    page.press("#message", "Shift+Enter")
    page.keyboard.insert_text(make_marker(tokens=tokens, delay_ms=delay_ms, nonce=tag))
    message = page.input_value("#message")
    assert message.startswith("Mostre uma lista\n[[fake-llm"), "Shift+Enter deveria inserir uma quebra de linha"
    assert page.locator(".message.user").count() == 0, "Shift+Enter não pode enviar a mensagem"

    page.press("#message", "Enter")
    expect(page.locator("#typing")).to_be_visible()
    samples = sample_growth(page)
    wait_reply_finished(page)

    final = reply_text(page)
    expected = "".join(tokens)
    assert final == expected, "o texto final deve ser exatamente o roteirizado, com as quebras de linha"
    partials = [(at, text) for at, text in samples if text and text != expected]
    assert len({text for _, text in partials}) >= 3, f"o texto deveria crescer aos poucos; amostras: {samples}"
    previous = ""
    for _, text in partials:
        assert expected.startswith(text) and len(text) >= len(previous), "cada amostra continua a anterior"
        previous = text
    scripted = delay_ms * (len(tokens) - 1) / 1000
    spread = partials[-1][0] - partials[0][0]
    assert spread >= 0.4 * scripted, f"parciais em {spread:.2f} s; o roteiro dura {scripted:.2f} s"

    expect(page.locator("#typing")).to_be_hidden()
    expect(page.locator("#message")).to_be_focused()
    assert page.locator(".message.user .text").last.text_content() == message
    entry = dia03_llm.wait_for(nonce=tag)
    assert entry["stream"] is True
    assert entry["messages"][-1] == {"role": "user", "content": message}


def requests_since(llm, before: int, *prompts: str) -> list[dict]:
    """Pedidos que chegaram ao fake LLM depois de `before` e terminam com um destes prompts."""
    return [e for e in llm.requests()[before:] if e["messages"][-1]["content"] in prompts]


def test_historico_e_enviado_e_a_pagina_fica_bonita(page, dia03_llm, tmp_path_factory):
    before = len(dia03_llm.requests())  # sem nonce (é a demo de verdade): só os pedidos de agora em diante
    first_prompt, second_prompt = "Explique SSE em 3 bullets", "Agora uma função em Python"
    send(page, first_prompt)
    wait_reply_finished(page)
    (first,) = requests_since(dia03_llm, before, first_prompt)
    first_reply = reply_text(page)
    assert first_reply == first["reply"]
    assert first_reply.count("\n- ") == 3, "a demo de 3 bullets deve mostrar 3 linhas de lista"

    send(page, second_prompt)
    wait_reply_finished(page)
    (second,) = requests_since(dia03_llm, before, second_prompt)
    history = [(m["role"], m["content"]) for m in second["messages"]]
    assert history == [("user", first_prompt), ("assistant", first_reply), ("user", second_prompt)], (
        "a página deve mandar a conversa anterior em `history`"
    )

    scroll = page.evaluate("""() => {
        const box = document.getElementById('messages');
        return {overflow: box.scrollHeight - box.clientHeight, gap: box.scrollHeight - box.scrollTop - box.clientHeight};
    }""")
    assert scroll["overflow"] > 0 and scroll["gap"] < 5, f"a rolagem deveria seguir o texto até o fim: {scroll}"

    folder = tmp_path_factory.mktemp("pagina")
    page.screenshot(path=folder / "chat.png")
    page.set_viewport_size({"width": 390, "height": 760})
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, "no celular a página não pode rolar para o lado"
    page.screenshot(path=folder / "chat_celular.png")
    print(f"\ncapturas de tela: {folder / 'chat.png'} e {folder / 'chat_celular.png'}")


def test_parar_encerra_o_stream_e_o_llm_ve_a_desconexao(page, dia03_llm):
    tag = nonce()
    send(page, "Texto longo " + make_marker(n=400, delay_ms=40, nonce=tag))
    expect(page.locator(".message.assistant .text").last).not_to_be_empty()
    page.click("#stop")
    expect(page.locator(".message.assistant .note").last).to_have_text("Resposta interrompida por você.")
    wait_reply_finished(page)
    entry = dia03_llm.wait_for(nonce=tag, predicate=lambda e: e["status"] != "running", timeout=3)
    assert entry["status"] == "client_closed" and entry["client_closed"] is True
    assert entry["tokens_sent"] < 400
    assert page.locator(".message.assistant .error").count() == 0, "parar não é um erro"


def test_erro_do_modelo_no_meio_aparece_em_portugues(page, dia03_llm):
    tag = nonce()
    send(page, "Vai falhar " + make_marker(n=10, fail_after=3, delay_ms=10, nonce=tag))
    alert = page.locator(".message.assistant .error").last
    expect(alert).to_contain_text("O modelo falhou no meio da resposta")
    wait_reply_finished(page)
    entry = dia03_llm.wait_for(nonce=tag, predicate=lambda e: e["status"] != "running")
    assert reply_text(page) == entry["reply"], "os tokens que chegaram antes do erro continuam na tela"
    assert page.locator(".message.assistant .error").count() == 1, "o [DONE] veio: não é conexão cortada"


# --- Erros HTTP e SSE variado (respostas forjadas com page.route) --------------------------------


def fulfill_with(status: int, body: str, content_type: str = "application/json"):
    def handler(route: Route) -> None:
        route.fulfill(status=status, body=body, content_type=content_type)
    return handler


@pytest.mark.parametrize(
    ("status", "body", "content_type", "message"),
    [
        (429, '{"detail": "limite de streams"}', "application/json",
         "Muitas respostas ao mesmo tempo. Espere um pouco e tente de novo. Detalhe: limite de streams"),
        (500, "Internal Server Error", "text/plain", "O servidor falhou (erro 500). Tente de novo em instantes."),
        (502, '{"detail": "O modelo caiu"}', "application/json", "O servidor falhou (erro 502)"),
        (200, "data: meio\n\n", "text/event-stream", "A conexão caiu antes do fim da resposta"),
        (200, '{"response": "oi"}', "application/json",
         "O servidor não respondeu em stream (Content-Type: application/json)"),
    ],
    ids=["429", "500", "502", "sem-DONE", "json-em-vez-de-sse"],
)
def test_erros_http_e_stream_cortado_aparecem_em_portugues(page, status, body, content_type, message):
    page.route("**/chat", fulfill_with(status, body, content_type))
    send(page, "Oi")
    expect(page.locator(".message.assistant .error").last).to_contain_text(message)
    wait_reply_finished(page)


def test_401_no_chat_volta_para_o_login(page):
    page.route("**/chat", fulfill_with(401, '{"detail": "Token inválido ou expirado."}'))
    send(page, "Oi")
    expect(page.locator("#login-view")).to_be_visible()
    expect(page.locator("#login-error")).to_have_text("Sua sessão expirou. Entre de novo.")
    expect(page.locator("#password")).to_be_focused()


def test_servidor_fora_do_ar_aparece_em_portugues(page):
    page.route("**/chat", lambda route: route.abort("connectionrefused"))
    send(page, "Oi")
    expect(page.locator(".message.assistant .error").last).to_have_text(
        "Não foi possível falar com o servidor. Ele está rodando?"
    )


def test_pagina_entende_crlf_comentarios_multilinhas_e_json(page):
    body = (
        ": ping\r\n\r\n"
        "data: Olá\r\n\r\n"
        'data: " mundo"\r\n\r\n'          # texto codificado em JSON (estilo fastapi.sse)
        "data: linha 1\r\ndata: linha 2\r\n\r\n"  # duas linhas data: = um "\n" no texto
        "event: start\ndata: {}\n\n"        # evento que a página não usa
        "data:  <b>x</b>\r\r"               # só CR; "<b>" tem que aparecer como texto
        ': ping\n\ndata: "[DONE]"\n\n'
    )
    page.route("**/chat", fulfill_with(200, body, "text/event-stream"))
    send(page, "Oi")
    wait_reply_finished(page)
    assert reply_text(page) == "Olá mundolinha 1\nlinha 2 <b>x</b>"
    assert page.locator(".message.assistant b").count() == 0, "texto do modelo nunca vira HTML"
    assert page.locator(".message.assistant .error").count() == 0


def test_pagina_mostra_especialista_e_codigo_do_evento_done_dos_extras(page):
    reply = "Veja:\n```python\nx = 1\n```"
    done = {"stream_id": "s1", "response": reply, "tokens": 2, "duration_ms": 5, "specialist": "python",
            "provider": "principal", "code_blocks": ["x = 1"]}
    body = (
        'event: start\ndata: {"stream_id": "s1", "specialist": "python"}\n\n'
        + "".join(f"event: token\ndata: {json.dumps({'token': token})}\n\n" for token in ("Veja:\n", reply[6:]))
        + f"event: done\ndata: {json.dumps(done)}\n\n"
    )
    page.route("**/chat", fulfill_with(200, body, "text/event-stream"))
    send(page, "Oi")
    wait_reply_finished(page)
    assert reply_text(page) == reply
    expect(page.locator(".message.assistant .note").last).to_have_text("Especialista: python")
    expect(page.locator(".message.assistant pre.code-block")).to_have_text("x = 1")
    expect(page.locator(".message.assistant .text code.code")).to_have_text("```python\nx = 1\n```")
    assert page.locator(".message.assistant .error").count() == 0, "done sem [DONE] é um fim normal"


def test_parser_sse_aguenta_pedacos_partidos_em_qualquer_ponto(page):
    stream = ('data: a\r\ndata: b\r\n\r\n: ping\n\nevent: error\ndata: {"detail": "x"}\n\n'
              "data\n\nretry: 100\n\ndata:sem espaço\r\r")
    expected = [
        {"event": "message", "data": "a\nb"},
        {"event": "error", "data": '{"detail": "x"}'},
        {"event": "message", "data": ""},
        {"event": "message", "data": "sem espaço"},
    ]
    # Um caractere por vez: todo "\r\n" chega partido entre dois pedaços.
    events = page.evaluate(
        """text => {
            const parser = createSseParser();
            return [...text].flatMap(char => parser.feed(char));
        }""",
        stream,
    )
    assert events == expected
    assert page.evaluate("text => createSseParser().feed(text)", stream) == expected  # tudo de uma vez
    assert page.evaluate("""[decodeData('"[DONE]"'), decodeData('"Ol\\\\u00e1"'), decodeData('"a" e "b"')]""") == [
        "[DONE]", "Olá", '"a" e "b"'
    ]
