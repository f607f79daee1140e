"""Modo streaming: chunks SSE no formato da OpenAI, token a token, com o log ao vivo."""

import asyncio
from collections.abc import AsyncIterator

from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from .errors import error_body
from .job import Job
from .wire import chunk, sse, usage_chunk


class ClosingStreamingResponse(StreamingResponse):
    """Fecha o gerador sempre, mesmo quando o cliente some no meio.

    Sem isso, um gerador parado num `yield` só seria finalizado pelo coletor de lixo,
    e o log demoraria a marcar `client_closed`.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self.body_iterator.aclose()


def stream_response(job: Job) -> StreamingResponse:
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return ClosingStreamingResponse(stream_body(job), media_type="text/event-stream", headers=headers)


async def stream_body(job: Job) -> AsyncIterator[str]:
    """Gera os eventos; se o gerador for interrompido (cliente saiu), o status é `client_closed`."""
    status = "client_closed"
    try:
        yield sse(chunk(job.meta, {"role": "assistant", "content": ""}))
        await _wait_first_token(job)
        async for event in _token_events(job):
            yield event
        if job.plan.script.fail_after is not None:
            status = "failed"
            yield sse(_mid_stream_error(job))
            return
        for event in _closing_events(job):
            yield event
        status = "completed"
        yield sse("[DONE]")
    except Exception:
        status = "failed"
        raise
    finally:
        job.finish(status)


async def _wait_first_token(job: Job) -> None:
    if job.plan.script.hang:
        await asyncio.Event().wait()  # nunca termina: só o cancelamento (cliente saiu) tira daqui
    await asyncio.sleep(job.plan.script.first_delay_ms / 1000)


async def _token_events(job: Job) -> AsyncIterator[str]:
    """Um chunk por token, com `delay_ms` antes de cada um; para em `fail_after`, se pedido."""
    units = job.units()
    limit = job.plan.script.fail_after
    for delta, text in units if limit is None else units[:limit]:
        await asyncio.sleep(job.delay_ms / 1000)
        job.log.add_token(job.entry_id, text)
        yield sse(chunk(job.meta, delta))


def _closing_events(job: Job) -> list[str]:
    events = [sse(chunk(job.meta, {}, job.finish_reason))]
    if job.meta.include_usage:
        events.append(sse(usage_chunk(job.meta, job.usage())))
    return events


def _mid_stream_error(job: Job) -> dict:
    """`data: {"error": ...}`: o SDK da OpenAI transforma este evento em exceção (APIError)."""
    message = (f"Falha simulada pelo fake LLM no meio do streaming, depois de "
               f"{job.plan.script.fail_after} token(s) (marcador fail_after).")
    return error_body(message, type_="server_error", code="fake_llm_failure")
