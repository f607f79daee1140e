"""Contendor 4: a mesma rota com `fastapi.sse` (a rota é um gerador; o FastAPI monta os eventos)."""

from collections.abc import AsyncIterable

from fastapi.sse import EventSourceResponse, ServerSentEvent
from langchain_core.messages import HumanMessage

from ._shared import DONE, base_app, ref, sse_items

app = base_app("Dia 3 com fastapi.sse")


@app.post("/api/generate", response_class=EventSourceResponse)
async def generate(body: ref.GenerateRequest, user: ref.CurrentUser) -> AsyncIterable[ServerSentEvent]:
    async for event, data in sse_items([HumanMessage(body.prompt)], body.model):
        if event or data == DONE:
            yield ServerSentEvent(raw_data=data, event=event)  # sem aspas: `data: [DONE]`
        else:
            yield ServerSentEvent(data=data)  # o jeito da documentação: o token vai como JSON
