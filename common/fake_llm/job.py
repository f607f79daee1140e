"""Uma requisição em andamento: o plano da resposta, o ritmo dos tokens e a entrada no log."""

from dataclasses import dataclass
from typing import Any

from .log import RequestLog
from .plan import Plan
from .replies import tokenize
from .schemas import ChatRequest
from .wire import Meta, tool_call_deltas, usage


@dataclass(frozen=True)
class Job:
    log: RequestLog
    entry_id: int
    plan: Plan
    meta: Meta
    delay_ms: int
    prompt_tokens: int

    @property
    def finish_reason(self) -> str:
        return "tool_calls" if self.plan.tool_call else "stop"

    def units(self) -> list[tuple[dict[str, Any], str]]:
        """Os pedaços da resposta: (delta do chunk, texto que entra em `reply`)."""
        if self.plan.tool_call:
            return [(delta, "") for delta in tool_call_deltas(self.plan.tool_call)]
        return [({"content": token}, token) for token in self.plan.tokens]

    def usage(self) -> dict[str, int]:
        return usage(self.prompt_tokens, len(self.units()))

    def finish(self, status: str) -> None:
        self.log.finish(self.entry_id, status)


def start_job(log: RequestLog, request: ChatRequest, plan: Plan, default_delay_ms: int) -> Job:
    """Registra a requisição no log (status `running`) e monta o Job."""
    entry_id = log.add(
        nonce=plan.script.nonce, model=request.model, stream=request.stream,
        messages=[message.for_log() for message in request.messages],
        tools=[tool.function.name for tool in request.tools or []],
        tool_call=_tool_call_for_log(plan),
    )
    meta = Meta(id=f"chatcmpl-fake-{entry_id}", model=request.model,
                include_usage=request.stream and request.include_usage)
    delay_ms = plan.script.delay_ms if plan.script.delay_ms is not None else default_delay_ms
    prompt_tokens = sum(len(tokenize(message.text())) for message in request.messages)
    return Job(log, entry_id, plan, meta, delay_ms, prompt_tokens)


def _tool_call_for_log(plan: Plan) -> dict[str, str] | None:
    call = plan.tool_call
    return {"id": call.call_id, "name": call.name, "arguments": call.arguments} if call else None
