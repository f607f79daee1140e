"""Contendor 5: o ERRO clássico, de propósito — `llm.stream()` síncrono dentro de `async def`.

Cada `next()` do gerador síncrono espera o próximo token dentro do event loop: enquanto isso,
nenhuma outra requisição anda. Só esta peça muda; o resto é a solução de referência.
"""

from collections.abc import AsyncIterator

from langchain_core.messages import BaseMessage

from ._shared import add_debug_route, ref


async def blocking_stream_llm(messages: list[BaseMessage], model: str | None) -> AsyncIterator[str]:
    for chunk in ref.build_llm(model).stream(messages):  # ERRADO: bloqueia o event loop
        if chunk.text:
            yield chunk.text


ref.stream_llm = blocking_stream_llm  # sse_stream() da referência procura stream_llm no módulo
app = add_debug_route(ref.app)
