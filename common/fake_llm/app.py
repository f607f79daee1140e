"""O app FastAPI do fake LLM: API compatível com a OpenAI + endpoint de admin (observabilidade)."""

import os

from fastapi import FastAPI, Request
from fastapi.responses import Response

from common.docs import serve_docs_offline

from .completion import complete
from .errors import install_error_handlers, invalid_request, simulated_failure
from .job import start_job
from .log import RequestLog
from .markers import is_sendable
from .plan import plan_reply
from .schemas import ChatRequest
from .stream import stream_response

DEFAULT_DELAY_MS = 30
DEFAULT_NAME = "principal"  # o nome só importa para o marcador fail_on=<nome> (dois fake LLMs)
MODELS = ["gpt-4o-mini", "gpt-4o", "fake-llm"]


def create_app(delay_ms: int | None = None, name: str = DEFAULT_NAME) -> FastAPI:
    """App novo, com log próprio. `delay_ms=None` → variável FAKE_LLM_DELAY_MS (padrão 30).

    `name` identifica o servidor quando há dois (principal e reserva): veja o marcador `fail_on`.
    """
    app = FastAPI(title="Fake LLM do curso", version="1.0.0",
                  description="Servidor compatível com a API da OpenAI, offline e determinístico.")
    app.state.log = RequestLog()
    app.state.delay_ms = resolve_delay_ms(delay_ms)
    app.state.name = name
    install_error_handlers(app)
    _add_openai_routes(app)
    _add_admin_routes(app)
    serve_docs_offline(app)
    return app


def resolve_delay_ms(delay_ms: int | None) -> int:
    """Atraso entre tokens: o argumento, senão FAKE_LLM_DELAY_MS, senão 30 ms."""
    raw = delay_ms if delay_ms is not None else os.environ.get("FAKE_LLM_DELAY_MS", DEFAULT_DELAY_MS)
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if value < 0:
        raise ValueError(f"o atraso entre tokens (FAKE_LLM_DELAY_MS ou --delay-ms) deve ser "
                         f"um inteiro >= 0 (recebido: {raw!r}).")
    return value


def _add_openai_routes(app: FastAPI) -> None:
    @app.post("/v1/chat/completions")
    async def chat_completions(body: ChatRequest, request: Request) -> Response:
        # O que chega vai para o log (e, na resposta padrão, de volta ao cliente): precisa caber num UTF-8.
        if not is_sendable(body.model_dump()):
            return invalid_request("As mensagens têm um surrogate isolado (como \\ud800), que nenhum "
                                   "UTF-8 representa: não dá para registrar nem transmitir.", param="messages")
        try:
            plan = plan_reply(body, app.state.name)
        except ValueError as exc:  # marcador com valor inválido
            return invalid_request(str(exc), param="messages")
        job = start_job(app.state.log, body, plan, app.state.delay_ms)
        if plan.script.fail_before:
            job.finish("failed")
            return simulated_failure("Falha simulada pelo fake LLM antes do primeiro token "
                                     "(marcador fail=before).")
        return stream_response(job) if body.stream else await complete(job, request)

    @app.get("/v1/models")
    def list_models() -> dict:
        models = [{"id": name, "object": "model", "created": 0, "owned_by": "fake-llm"}
                  for name in MODELS]
        return {"object": "list", "data": models}

    @app.get("/health")
    def health() -> dict:
        return {"status": "ok"}


def _add_admin_routes(app: FastAPI) -> None:
    @app.get("/admin/requests")
    def list_requests(nonce: str | None = None) -> dict:
        """Requisições recebidas, em ordem de chegada (filtre com ?nonce=...)."""
        return {"requests": app.state.log.snapshot(nonce)}

    @app.delete("/admin/requests")
    def clear_requests() -> dict:
        app.state.log.clear()
        return {"cleared": True}
