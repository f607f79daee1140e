"""O /docs de cada dia funciona sem internet: o Swagger UI vem do próprio app (common/docs.py).

- Por HTTP, nos três templates, nas três soluções e no fake LLM: a página /docs só cita arquivos
  do próprio app, que ele serve iguais, byte a byte, aos de common/static/swagger-ui; o /redoc
  está desligado.
- Num Chromium de verdade, nas três soluções: toda requisição para fora de 127.0.0.1 é abortada
  pelo próprio navegador, antes de sair (e o resolvedor de nomes do Chromium não resolve nenhum
  outro nome): nenhum tráfego deixa a máquina. Mesmo assim o /docs mostra todas as operações, sem
  erro no console, e o botão Authorize faz login pelo /token.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi.openapi.docs import get_swagger_ui_html
from playwright.sync_api import Page, Route, expect, sync_playwright

from common.docs import ASSETS_DIR, ASSETS_URL

REPO_ROOT = Path(__file__).resolve().parents[2]
DAYS = ["dia01", "dia02", "dia03"]
APPS = DAYS + [f"solutions/{day}" for day in DAYS] + ["fake_llm"]
PAGE_ASSETS = ["swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png"]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--no-proxy-server",
    # Nenhuma consulta de DNS sai da máquina: todo nome que não seja 127.0.0.1 "não existe".
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
WAIT_MS = 15_000  # prazo das esperas no navegador: folgado, máquina de 2 núcleos carregada
# Uma operação que cada solução tem de mostrar (método, caminho).
OPERATION = {"dia01": ("post", "/prompts"), "dia02": ("post", "/prompts"), "dia03": ("post", "/api/generate")}
LOGIN_DAYS = {"dia02", "dia03"}  # os dias com o botão Authorize (OAuth2PasswordBearer)


@pytest.fixture(scope="module")
def template_urls(start_apps, dia02_auth_env) -> dict[str, str]:
    """Os três templates, intocados, subidos ao mesmo tempo."""
    return dict(zip(DAYS, start_apps(*(REPO_ROOT / day for day in DAYS), **dia02_auth_env)))


def solution_url(request: pytest.FixtureRequest, day: str) -> str:
    """A solução do dia, pelas fixtures de sessão do conftest (as mesmas dos outros testes)."""
    if day == "dia03":
        return request.getfixturevalue("dia03_server").url
    return request.getfixturevalue(f"{day}_url")


def app_url(request: pytest.FixtureRequest, app: str, template_urls: dict[str, str]) -> str:
    if app == "fake_llm":
        return request.getfixturevalue("dia03_llm").url
    return template_urls[app] if app in template_urls else solution_url(request, app.split("/")[1])


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- Por HTTP: templates e soluções -------------------------------------------------------------


@pytest.mark.parametrize("app", APPS)
def test_docs_so_cita_arquivos_servidos_pelo_proprio_app(app, request, template_urls):
    """/docs cita só o JS, o CSS e o ícone do próprio app, iguais aos de common/static/swagger-ui"""
    url = app_url(request, app, template_urls)
    with httpx.Client(base_url=url, timeout=30) as client:
        page = client.get("/docs")
        assert page.status_code == 200, f"{app}: /docs respondeu {page.status_code}"
        assert "://" not in page.text, f"{app}: esperado o /docs sem endereço de fora (CDN), recebido:\n{page.text}"
        cited = re.findall(r'(?:src|href)="([^"]+)"', page.text)
        assert sorted(cited) == sorted(f"{ASSETS_URL}/{name}" for name in PAGE_ASSETS), f"{app}: {cited}"
        for name in PAGE_ASSETS:
            asset = client.get(f"{ASSETS_URL}/{name}")
            assert asset.status_code == 200, f"{app}: {ASSETS_URL}/{name} respondeu {asset.status_code}"
            assert sha256(asset.content) == sha256((ASSETS_DIR / name).read_bytes()), f"{app}: {name} diferente"
        redoc = client.get("/redoc")
        assert redoc.status_code == 404, f"{app}: esperado /redoc desligado (404), recebido {redoc.status_code}"
        redirect = client.get("/docs/oauth2-redirect")
        assert redirect.status_code == 200 and "://" not in redirect.text, f"{app}: /docs/oauth2-redirect"


# --- No navegador: as soluções, com a internet cortada ------------------------------------------


@dataclass
class OfflineTab:
    """Uma aba em que nada sai de 127.0.0.1; guarda o que tentou sair e o que deu errado."""

    page: Page
    blocked: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def only_loopback(self, route: Route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:  # abortada aqui dentro: a requisição nunca chega à rede
            self.blocked.append(route.request.url)
            route.abort("internetdisconnected")


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Chromium não encontrado em /usr/bin/chromium: instale com `apt-get install chromium` "
                    "(o .ci/run instala) para testar o /docs no navegador.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def offline(browser) -> OfflineTab:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    tab = OfflineTab(context.new_page())
    context.route("**/*", tab.only_loopback)
    tab.page.set_default_timeout(WAIT_MS)
    tab.page.on("console", lambda message: message.type == "error" and tab.problems.append(message.text))
    tab.page.on("pageerror", lambda error: tab.problems.append(f"erro de JavaScript: {error}"))
    tab.page.on("requestfailed", lambda req: tab.problems.append(f"falhou: {req.url} ({req.failure})"))
    yield tab
    context.close()


def operation(page: Page, method: str, path: str):
    return page.locator(f".opblock-{method}:has(.opblock-summary-path[data-path='{path}'])")


def test_controle_o_docs_padrao_do_fastapi_fica_em_branco_sem_internet(offline, request):
    """Controle: a página padrão do FastAPI (arquivos no CDN) fica em branco nesta aba."""
    url = solution_url(request, "dia01")
    cdn_page = get_swagger_ui_html(openapi_url="/openapi.json", title="CDN").body
    offline.page.route(f"{url}/docs-do-cdn", lambda route: route.fulfill(body=cdn_page, content_type="text/html"))
    offline.page.goto(f"{url}/docs-do-cdn")  # espera o "load": os <script> e <link> já foram tentados
    assert any(urlsplit(u).hostname == "cdn.jsdelivr.net" for u in offline.blocked), offline.blocked
    assert offline.page.evaluate("typeof SwaggerUIBundle") == "undefined"
    expect(offline.page.locator(".opblock")).to_have_count(0)


@pytest.mark.parametrize("day", DAYS)
def test_docs_da_solucao_funciona_sem_internet(offline, request, day):
    """/docs mostra todas as operações, sem sair de 127.0.0.1 e sem erro; o Authorize faz login"""
    url = solution_url(request, day)
    schema = httpx.get(f"{url}/openapi.json", timeout=30).json()
    total = sum(len(methods) for methods in schema["paths"].values())
    offline.page.goto(f"{url}/docs")
    expect(operation(offline.page, *OPERATION[day])).to_be_visible(timeout=WAIT_MS)
    expect(offline.page.locator(".opblock")).to_have_count(total)
    if day in LOGIN_DAYS:  # na mesma aba: carregar o bundle de novo só gastaria tempo
        authorize_and_call_me(offline.page)
    assert offline.blocked == [], f"esperado nada fora de 127.0.0.1, recebido {offline.blocked}"
    assert offline.problems == [], f"esperado nenhum erro na página, recebido {offline.problems}"


def authorize_and_call_me(page: Page) -> None:
    """Authorize com admin/admin123 chama o /token; depois o GET /me, pelo Try it out, responde 200."""
    page.locator(".auth-wrapper button.authorize").click()
    dialog = page.locator(".dialog-ux")
    dialog.get_by_label("username:", exact=True).fill("admin")
    dialog.get_by_label("password:", exact=True).fill("admin123")
    with page.expect_response(lambda response: urlsplit(response.url).path == "/token") as token:
        dialog.locator("button.authorize").click()
    assert token.value.status == 200, f"esperado 200 do /token, recebido {token.value.status}"
    expect(dialog.get_by_role("heading", name="Authorized")).to_be_visible()
    dialog.locator("button.close-modal").click()

    me = operation(page, "get", "/me")
    me.locator(".opblock-summary").click()
    me.locator("button.try-out__btn").click()
    with page.expect_response(lambda response: urlsplit(response.url).path == "/me") as answer:
        me.locator("button.execute").click()
    assert answer.value.status == 200, f"esperado 200 do /me com o token, recebido {answer.value.status}"
    assert answer.value.request.header_value("authorization").startswith("Bearer ")
    assert answer.value.json()["username"] == "admin"
