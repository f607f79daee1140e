"""O `/docs` sem internet: o Swagger UI servido pelo próprio app, não por um CDN.

Por padrão o FastAPI monta o `/docs` com o JavaScript e o CSS do Swagger UI vindos de um CDN:
sem internet, a página fica em branco. Aqui o app serve esses arquivos, copiados do pacote npm
`swagger-ui-dist` para `common/static/swagger-ui/` (veja o README de lá). Uso, logo depois de
criar o app:

    app = FastAPI(title="...")
    serve_docs_offline(app)

É a receita "Self-Hosting JavaScript and CSS for docs" da documentação do FastAPI
(https://fastapi.tiangolo.com/how-to/custom-docs-ui-assets/), guardada numa função só para os
três dias não repetirem o mesmo código.
"""

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS_DIR = Path(__file__).resolve().parent / "static" / "swagger-ui"
ASSETS_URL = "/docs-static"


async def swagger_ui_page(request: Request) -> HTMLResponse:
    """A página do Swagger UI do FastAPI, com o JS, o CSS e o ícone servidos por este app."""
    app: FastAPI = request.app
    # root_path: o prefixo de um proxy na frente do app (ex.: /api), como o /docs do FastAPI faz.
    root = request.scope.get("root_path", "").rstrip("/")
    redirect_url = app.swagger_ui_oauth2_redirect_url
    return get_swagger_ui_html(
        openapi_url=root + app.openapi_url,
        title=f"{app.title} - Swagger UI",
        swagger_js_url=f"{root}{ASSETS_URL}/swagger-ui-bundle.js",
        swagger_css_url=f"{root}{ASSETS_URL}/swagger-ui.css",
        swagger_favicon_url=f"{root}{ASSETS_URL}/favicon-32x32.png",
        oauth2_redirect_url=root + redirect_url if redirect_url else None,
        init_oauth=app.swagger_ui_init_oauth,
        swagger_ui_parameters=app.swagger_ui_parameters,
    )


def serve_docs_offline(app: FastAPI) -> None:
    """Troca o `/docs` do FastAPI por um que não precisa de internet, e desliga o `/redoc`."""
    # Ao ser criado, o app já registrou o /docs e o /redoc que buscam os arquivos no CDN: saem os
    # dois. O /docs/oauth2-redirect do FastAPI fica como está: é HTML sem nada de fora.
    cdn_pages = {app.docs_url, app.redoc_url} - {None}
    app.router.routes[:] = [route for route in app.router.routes if getattr(route, "path", None) not in cdn_pages]
    app.redoc_url = None
    if app.openapi_url and app.docs_url:  # um app criado com docs_url=None continua sem /docs
        app.add_route(app.docs_url, swagger_ui_page, include_in_schema=False)
        app.mount(ASSETS_URL, StaticFiles(directory=ASSETS_DIR), name="swagger-ui")
