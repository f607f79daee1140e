"""A página de chat (dia03/static) num navegador de verdade, contra a solução do Dia 3.

Chromium do Debian (/usr/bin/chromium) dirigido pelo Playwright. O fake LLM roteiriza os
tokens: a página manda o que a pessoa digita, então o marcador vai no texto da mensagem.
Nada de sleep: cada espera tem prazo (expect / wait_for_function / llm.wait_for).

A resposta do assistente aparece como Markdown renderizado; o Markdown cru (o que o modelo
mandou) é o que a página guarda em `state.history` e reenvia como histórico.
"""

from __future__ import annotations

import json
import re
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

from playwright.sync_api import Page, Request, Route, expect, sync_playwright  # noqa: E402

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
    """O texto que a pessoa vê na última resposta (innerText: um <br> vira quebra de linha)."""
    return page.locator(".message.assistant .text").last.inner_text()


def reply_markdown(page: Page) -> str:
    """O Markdown cru da última resposta terminada, como a página o guarda no histórico."""
    return page.evaluate("state.history.at(-1).content")


def wait_reply_finished(page: Page) -> None:
    expect(page.locator("#stop")).to_be_hidden()
    expect(page.locator("#send")).to_be_visible()


# O texto da última resposta sem os botões "Copiar" (que não fazem parte do que o modelo disse).
SHOWN_TEXT_JS = """() => {
    const nodes = document.querySelectorAll('.message.assistant .text');
    if (!nodes.length) return '';
    const copy = nodes[nodes.length - 1].cloneNode(true);
    copy.querySelectorAll('button').forEach(button => button.remove());
    return copy.textContent;
}"""


def sample_growth(page: Page) -> list[tuple[float, str]]:
    """Amostra o texto da resposta a cada mudança, até o stream acabar: [(instante, texto)]."""
    samples = []
    text = ""
    while page.locator("#stop").is_visible():
        page.wait_for_function(
            f"previous => ({SHOWN_TEXT_JS})() !== previous || document.getElementById('stop').hidden",
            arg=text,
        )
        text = page.evaluate(SHOWN_TEXT_JS)
        samples.append((time.monotonic(), text))
    return samples


def letters(text: str) -> str:
    """Só letras e dígitos: o que sobra do texto quando o Markdown vira HTML."""
    return re.sub(r"\W", "", text)


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
    tokens = [f"Olá **{tag}**", ",", " turma", "!\n", "\n", "- primeiro", " item", "\n", "- segundo",
              " item com `código`", "\n\n", "```python\n", "print(", "'ok')", "\n```", "\n", "Pronto ✓"]
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

    expected = "".join(tokens)
    assert reply_markdown(page) == expected, "a página guarda o Markdown exatamente como roteirizado"
    reply = page.locator(".message.assistant .text").last
    expect(reply.locator("strong")).to_have_text(tag)
    expect(reply.locator("ul > li")).to_have_text(["primeiro item", "segundo item com código"])
    expect(reply.locator("li code")).to_have_text("código")
    assert reply.locator("pre > code").text_content() == "print('ok')\n"
    assert reply.locator("p").last.text_content() == "Pronto ✓"
    assert "```" not in reply.inner_text() and "- " not in reply.inner_text(), "o Markdown não aparece cru"

    # Enquanto chega, o texto visível só cresce: sem a marcação, cada amostra começa a final.
    final = page.evaluate(SHOWN_TEXT_JS)
    partials = [(at, text) for at, text in samples if text and text != final]
    assert len({text for _, text in partials}) >= 3, f"o texto deveria crescer aos poucos; amostras: {samples}"
    previous = ""
    for _, text in partials:
        assert letters(final).startswith(letters(text)), f"cada amostra continua a anterior: {text!r}"
        assert len(letters(text)) >= len(previous), f"o texto não pode encolher: {text!r}"
        previous = letters(text)
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
    first_reply = reply_markdown(page)
    assert first_reply == first["reply"]
    expect(page.locator(".message.assistant").last.locator(".text li")).to_have_count(3)

    send(page, second_prompt)
    wait_reply_finished(page)
    (second,) = requests_since(dia03_llm, before, second_prompt)
    history = [(m["role"], m["content"]) for m in second["messages"]]
    assert history == [("user", first_prompt), ("assistant", first_reply), ("user", second_prompt)], (
        "a página deve mandar a conversa anterior em `history`, com o Markdown cru do assistente"
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
    assert reply_markdown(page) == entry["reply"], "os tokens que chegaram antes do erro continuam"
    assert letters(reply_text(page)) == letters(entry["reply"]), "e continuam na tela"
    assert page.locator(".message.assistant .error").count() == 1, "o [DONE] veio: não é conexão cortada"



# --- Markdown seguro ----------------------------------------------------------------------------

# O que o código malicioso tentaria ligar; depois do teste, os dois sinais têm de estar intactos.
ATTACK = "window.xss=1;document.title='XSS'"


def test_resposta_maliciosa_nao_executa_nada(page, dia03_server):
    """Resposta com o que um prompt injetado faria o modelo escrever: nada roda, nada é baixado."""
    tokens = [
        "Resumo da página que você pediu:\n\n",
        "<img src=x on", f'error="{ATTACK}">\n\n',  # o ataque chega partido entre dois tokens
        f"<script>{ATTACK}</script>\n\n",
        f"[clique aqui](javascript:{ATTACK}) ou [o guia](https://fastapi.tiangolo.com/)\n\n",
        f'<a href="javascript:{ATTACK}">outro</a> <svg onload="{ATTACK}"></svg>\n\n',
        f"![gráfico]({dia03_server.url}/static/vaza.png?conversa=segredo)\n",
    ]
    title = page.title()
    page.evaluate("""() => {
        window.cspViolations = [];
        document.addEventListener('securitypolicyviolation', e => cspViolations.push(e.violatedDirective));
    }""")
    requested = []

    def record(request: Request) -> None:
        requested.append(request.url)

    page.on("request", record)
    try:
        send(page, "Resuma esta página " + make_marker(tokens=tokens, delay_ms=20, nonce=nonce()))
        wait_reply_finished(page)
        page.get_by_text("clique aqui").click()
    finally:
        page.remove_listener("request", record)
    reply = page.locator(".message.assistant .text").last

    assert page.evaluate("window.xss") is None and page.title() == title, "o código do modelo rodou"
    assert page.evaluate("cspViolations") == [], "nada de perigoso pode nem chegar ao Content-Security-Policy"
    assert [url for url in requested if not url.endswith("/chat")] == [], "a resposta fez o navegador baixar algo"
    expect(reply.locator("img, script, svg, iframe, object, embed")).to_have_count(0)
    shown = reply_text(page)
    assert '<img src=x onerror="' in shown and "<script>" in shown, "HTML cru aparece como texto"
    attributes = reply.evaluate("""node => [...node.querySelectorAll('*')].flatMap(
        element => [...element.attributes].map(a => `${element.tagName.toLowerCase()} ${a.name}=${a.value}`))""")
    assert not [a for a in attributes if " on" in a or "javascript:" in a.lower()], attributes
    links = reply.locator("a")
    expect(links).to_have_text(["clique aqui", "o guia", "gráfico"])  # o <a> cru virou texto
    assert links.nth(0).get_attribute("href") is None, "link javascript: perde o href"
    assert links.nth(1).get_attribute("href") == "https://fastapi.tiangolo.com/"
    assert links.nth(2).get_attribute("href").startswith(dia03_server.url + "/static/vaza.png"), (
        "a imagem vira um link: só baixa se a pessoa clicar"
    )
    for safe in (links.nth(1), links.nth(2)):  # não clicamos: o teste não sai do 127.0.0.1
        assert safe.get_attribute("target") == "_blank"
        assert safe.get_attribute("rel") == "noopener noreferrer"


SANITIZE_CASES = {
    "<img src=x onerror=alert(1)>": "",
    '<a href="javascript:alert(1)">x</a>': "<a>x</a>",
    '<a href=" JaVaScRiPt:alert(1)">x</a>': "<a>x</a>",
    '<a href="data:text/html,<script>alert(1)</script>">x</a>': "<a>x</a>",
    '<a href="https://example.com/?q=1" onclick="alert(1)" title="t">x</a>':
        '<a href="https://example.com/?q=1" title="t" target="_blank" rel="noopener noreferrer">x</a>',
    '<a href="mailto:ana@example.com">x</a>':
        '<a href="mailto:ana@example.com" target="_blank" rel="noopener noreferrer">x</a>',
    '<iframe src="javascript:alert(1)"></iframe><svg onload=alert(1)><script>alert(2)</script></svg>': "",
    '<math><mi xlink:href="javascript:alert(1)">m</mi></math>': "",
    '<form action="https://example.com"><input name=x><button>b</button></form>': "b",
    '<details open ontoggle=alert(1)>d</details>': "d",
    # estilo e classes da página (uma bolha de erro falsa) e ids que "sobrescrevem" variáveis globais
    '<p style="position:fixed" class="error" id="messages" name="x">t</p>': "<p>t</p>",
    '<ol start="3"><li>a</li></ol><pre><code class="language-py">x</code></pre>':
        '<ol start="3"><li>a</li></ol><pre><code>x</code></pre>',
}


def test_sanitizador_limpa_html_perigoso_mesmo_sem_o_marked(page):
    """A segunda camada sozinha: HTML perigoso direto no DOMPurify, sem o escape do marked."""
    cleaned = page.evaluate(
        """cases => cases.map(html => {
            const box = document.createElement('div');
            box.append(sanitize(html));
            return box.innerHTML;
        })""",
        list(SANITIZE_CASES),
    )
    assert dict(zip(SANITIZE_CASES, cleaned)) == SANITIZE_CASES


def test_csp_bloqueia_o_que_escapasse_das_outras_camadas(page):
    """A terceira camada: um onerror que chegasse ao DOM é barrado pelo Content-Security-Policy."""
    directive = page.evaluate(
        """() => new Promise((resolve, reject) => {
            document.addEventListener('securitypolicyviolation', e => resolve(e.violatedDirective), {once: true});
            setTimeout(() => reject(new Error('o CSP não barrou o onerror')), 5000);  // prazo, não espera
            const box = document.createElement('div');
            box.innerHTML = "<img src=nao-existe.png onerror=\\"window.xss=1\\">";  // o que o sanitizador evita
            document.getElementById('messages').append(box);
        })"""
    )
    assert directive.startswith("script-src")
    assert page.evaluate("window.xss") is None


def test_botao_copiar_copia_o_codigo(page, dia03_server):
    code = "def soma(a, b):\n    return a + b"
    tokens = ["Use assim:\n\n", "```python\n", "def soma(a, b):\n", "    return a + b\n", "```\n"]
    context = page.context
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=dia03_server.url)
    try:
        send(page, "Uma função " + make_marker(tokens=tokens, delay_ms=5, nonce=nonce()))
        wait_reply_finished(page)
        button = page.locator(".message.assistant .code-box button").last
        expect(button).to_have_text("Copiar")
        button.click()
        expect(button).to_have_text("Copiado!")
        assert page.evaluate("navigator.clipboard.readText()") == code

        # Sem área de transferência (página em http fora do localhost): o código fica selecionado.
        page.evaluate("Object.defineProperty(navigator, 'clipboard', {value: undefined, configurable: true})")
        button.click()
        expect(button).to_have_text("Use Ctrl+C")
        assert page.evaluate("getSelection().toString()").rstrip("\n") == code
    finally:
        page.evaluate("delete navigator.clipboard")
        context.clear_permissions()


def test_markdown_e_redesenhado_no_maximo_uma_vez_por_quadro(page):
    """Muitos tokens seguidos: a página junta o texto e desenha uma vez por quadro, não por token."""
    n = 300
    page.evaluate("""() => {
        window.counts = {renders: 0, frames: 0, ticking: true};
        window.originalRender = renderMarkdown;
        renderMarkdown = text => { counts.renders++; return originalRender(text); };
        const tick = () => { counts.frames++; if (counts.ticking) requestAnimationFrame(tick); };
        requestAnimationFrame(tick);
    }""")
    try:
        send(page, "Texto longo " + make_marker(n=n, delay_ms=1, nonce=nonce()))
        wait_reply_finished(page)
        counts = page.evaluate("counts")
    finally:
        page.evaluate("() => { counts.ticking = false; renderMarkdown = originalRender; }")
    assert len(reply_markdown(page).split()) >= n // 2, "a resposta inteira deveria ter chegado"
    assert counts["renders"] >= 2, f"a resposta deveria aparecer enquanto chega: {counts}"
    assert counts["renders"] <= counts["frames"] + 2, f"mais desenhos do que quadros: {counts}"
    assert counts["renders"] < n / 2, f"um desenho por token: {counts}"

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
    assert reply_markdown(page) == "Olá mundolinha 1\nlinha 2 <b>x</b>"
    assert reply_text(page) == "Olá mundolinha 1\nlinha 2 <b>x</b>", "HTML cru do modelo aparece como texto"
    assert page.locator(".message.assistant b").count() == 0, "HTML cru do modelo nunca vira HTML"
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
    assert reply_markdown(page) == reply
    expect(page.locator(".message.assistant .note").last).to_have_text("Especialista: python")
    code = page.locator(".message.assistant pre")
    expect(code).to_have_count(1)  # o bloco do evento done já está na resposta: não aparece duas vezes
    assert code.text_content() == "x = 1\n"
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
