"""Contendor 3: a mesma rota com sse-starlette (EventSourceResponse monta os eventos)."""

from langchain_core.messages import HumanMessage
from sse_starlette import EventSourceResponse, ServerSentEvent

from ._shared import base_app, ref, sse_items

app = base_app("Dia 3 com sse-starlette")


@app.post("/api/generate")
async def generate(body: ref.GenerateRequest, user: ref.CurrentUser) -> EventSourceResponse:
    async def events():
        async for event, data in sse_items([HumanMessage(body.prompt)], body.model):
            # sse-starlette divide `data` com quebras de linha em várias linhas `data:` sozinho.
            yield ServerSentEvent(data=data, event=event)

    return EventSourceResponse(events(), headers={"X-Accel-Buffering": "no"})
