"""O que todas as variações compartilham: a solução de referência carregada e uma rota de depuração."""

import asyncio
import cProfile
import gc
import json
import time
from collections.abc import AsyncIterator

from fastapi import FastAPI
from langchain_core.messages import BaseMessage

from bench import profiling
from common.run import import_solution

DONE = "[DONE]"


ref = import_solution()[0]  # o template.py da solução do Dia 3 (uma vez por processo)


def add_debug_route(app: FastAPI) -> FastAPI:
    """Rotas só do benchmark: estado (teste de vazamento) e um cProfile do event loop sob carga."""
    profiler: list[cProfile.Profile] = []

    @app.post("/_bench/perfil", include_in_schema=False)
    async def start_profile() -> dict[str, bool]:
        # Tudo roda na thread do event loop: perfilar esta thread é perfilar o servidor inteiro.
        # Relógio de CPU da thread: o tempo parado no epoll esperando a rede não conta.
        profiler[:] = [cProfile.Profile(time.thread_time)]
        profiler[0].enable()
        return {"perfilando": True}

    @app.delete("/_bench/perfil", include_in_schema=False)
    async def stop_profile() -> dict:
        profiler[0].disable()
        return profiling.summarize(profiler.pop())

    @app.get("/_bench/estado", include_in_schema=False)
    async def bench_state(collect: bool = False) -> dict[str, int]:
        if collect:  # força o coletor de lixo: finaliza geradores que ninguém fechou
            gc.collect()
        return {"tasks": len(asyncio.all_tasks()), "objects": len(gc.get_objects())}

    return app


def base_app(title: str) -> FastAPI:
    """/health, /login e a rota de depuração; cada variação acrescenta o seu /api/generate."""
    app = FastAPI(title=title)
    app.add_api_route("/health", ref.health, methods=["GET"])
    app.include_router(ref.auth_router)
    return add_debug_route(app)


async def sse_items(messages: list[BaseMessage], model: str | None) -> AsyncIterator[tuple[str | None, str]]:
    """(evento, dado) na mesma ordem da referência: tokens, um `error` se o LLM falhar, e [DONE].

    Cada variação só traduz estes pares para o formato do seu ajudante de SSE.
    """
    try:
        async for token in ref.stream_llm(messages, model):
            yield None, token
    except ref.UPSTREAM_ERRORS as exc:
        yield "error", json.dumps({"detail": ref.upstream_error_detail(exc)}, ensure_ascii=False)
    yield None, DONE
