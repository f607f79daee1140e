"""ChatOpenAI para outra tarefa, traduzir: `ainvoke` devolve a resposta inteira; `astream`, os pedaços.

Com o fake LLM rodando (python3 -m common.fake_llm), na raiz do repositório:
    python3 docs/exemplos/dia3/llm_traducao.py "Bom dia, mundo"
"""

import asyncio
import sys

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from langchain_openai import ChatOpenAI

from common.config import get_settings


def tradutor() -> ChatOpenAI:
    """O modelo, o endereço e a chave vêm do ambiente (.env): trocar de provedor não muda o código."""
    settings = get_settings()
    return ChatOpenAI(model=settings.default_model, base_url=settings.openai_base_url,
                      api_key=settings.openai_api_key)


def pedido(texto: str) -> list[BaseMessage]:
    # O modelo não guarda nada entre chamadas: cada uma leva a conversa inteira, em mensagens.
    return [SystemMessage("Traduza para o inglês. Responda só com a tradução."), HumanMessage(texto)]


async def traduzir(llm: ChatOpenAI, texto: str) -> str:
    resposta = await llm.ainvoke(pedido(texto))  # um AIMessage, quando o modelo termina
    return resposta.text


async def pedacos(llm: ChatOpenAI, texto: str) -> list[str]:
    """O texto de cada AIMessageChunk, na ordem em que chegam (inclusive os vazios)."""
    return [chunk.text async for chunk in llm.astream(pedido(texto))]


async def main(texto: str) -> None:
    llm = tradutor()
    print("ainvoke:", repr(await traduzir(llm, texto)))
    print("astream:", await pedacos(llm, texto))


if __name__ == "__main__":
    asyncio.run(main(" ".join(sys.argv[1:]) or "Bom dia, mundo"))
