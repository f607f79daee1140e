"""Modo sem streaming: o objeto `chat.completion` inteiro, depois do tempo que os tokens levariam."""

import asyncio
import math
import time

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from .errors import error_body, simulated_failure
from .job import Job
from .wire import completion, tool_call_message

POLL_S = 0.05  # de quanto em quanto tempo conferimos se o cliente ainda está lá


async def complete(job: Job, request: Request) -> Response:
    script = job.plan.script
    if script.fail_after is not None:
        job.finish("failed")
        return simulated_failure("Falha simulada pelo fake LLM (marcador fail_after, sem streaming).")
    if not await wait_while_connected(request, _generation_time(job)):
        job.finish("client_closed")
        return JSONResponse(error_body("O cliente desconectou antes da resposta."), status_code=499)
    job.log.set_reply(job.entry_id, "".join(job.plan.tokens), len(job.units()))
    job.finish("completed")
    return JSONResponse(completion(job.meta, _message(job), job.finish_reason, job.usage()))


async def wait_while_connected(request: Request, seconds: float) -> bool:
    """Espera `seconds` (pode ser infinito); devolve False se o cliente desconectar antes."""
    deadline = time.monotonic() + seconds
    while not await request.is_disconnected():
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return True
        await asyncio.sleep(min(POLL_S, remaining))
    return False


def _generation_time(job: Job) -> float:
    if job.plan.script.hang:
        return math.inf
    return (job.plan.script.first_delay_ms + job.delay_ms * len(job.units())) / 1000


def _message(job: Job) -> dict:
    if job.plan.tool_call:
        return tool_call_message(job.plan.tool_call)
    return {"role": "assistant", "content": "".join(job.plan.tokens), "refusal": None}
