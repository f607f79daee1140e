"""Contendor extra: a referência sem LangChain no caminho quente — o SDK `openai` direto.

Mostra o custo por chunk do LangChain e o que um aluno pode fazer quando ele pesa: o mesmo
SSE, a mesma autenticação, mas um único AsyncOpenAI reaproveitado e nenhuma conversão de mensagens
por token.
"""

from collections.abc import AsyncIterator

from langchain_core.messages import BaseMessage
from openai import AsyncOpenAI

from ._shared import add_debug_route, ref

# Um cliente para o processo inteiro: o pool de conexões é reaproveitado entre requisições.
client = AsyncOpenAI(base_url=ref.settings.openai_base_url, api_key=ref.settings.openai_api_key)
ROLES = {"human": "user", "ai": "assistant", "system": "system"}


async def sdk_stream_llm(messages: list[BaseMessage], model: str | None) -> AsyncIterator[str]:
    stream = await client.chat.completions.create(
        model=model or ref.settings.default_model, stream=True,
        messages=[{"role": ROLES[m.type], "content": m.text} for m in messages],
    )
    async with stream:  # fecha a conexão com o upstream também se o cliente desistir
        async for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                yield chunk.choices[0].delta.content


ref.stream_llm = sdk_stream_llm
app = add_debug_route(ref.app)
