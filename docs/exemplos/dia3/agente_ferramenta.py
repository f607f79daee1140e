"""Um agente (LangChain 1.x) com uma ferramenta: o modelo pede a ferramenta, lê o resultado e responde.

Com o fake LLM rodando (python3 -m common.fake_llm), na raiz do repositório:
    python3 docs/exemplos/dia3/agente_ferramenta.py "Quantas palavras tem: o rato roeu a roupa do rei"
"""

import asyncio
import sys

from langchain.agents import create_agent
from langchain_core.messages import AIMessageChunk, HumanMessage
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI

from common.config import get_settings


@tool
def contar_palavras(texto: str) -> str:
    """Conta as palavras de um texto. Exemplo: "o rato roeu" tem 3 palavras."""
    # A docstring é o manual que o modelo lê para decidir quando (e como) chamar a ferramenta.
    return str(len(texto.split()))


def agente(llm: ChatOpenAI):
    return create_agent(llm, tools=[contar_palavras])  # um grafo do LangGraph: nó "model" e nó "tools"


async def responder(llm: ChatOpenAI, pergunta: str) -> str:
    estado = await agente(llm).ainvoke({"messages": [HumanMessage(pergunta)]})
    return estado["messages"][-1].text  # o estado final traz a conversa toda; a última é a resposta


async def tudo_que_passa(llm: ChatOpenAI, pergunta: str) -> list[tuple[str, str, str]]:
    """(tipo, nó, texto) de cada mensagem do stream do agente: os bastidores inclusive."""
    stream = agente(llm).astream({"messages": [HumanMessage(pergunta)]}, stream_mode="messages")
    return [(type(chunk).__name__, meta["langgraph_node"], chunk.text) async for chunk, meta in stream]


async def so_o_texto(llm: ChatOpenAI, pergunta: str) -> list[str]:
    """Só o texto do modelo: nem o resultado cru da ferramenta, nem os pedaços sem texto."""
    stream = agente(llm).astream({"messages": [HumanMessage(pergunta)]}, stream_mode="messages")
    return [chunk.text async for chunk, _ in stream if isinstance(chunk, AIMessageChunk) and chunk.text]


async def main(pergunta: str) -> None:
    settings = get_settings()
    llm = ChatOpenAI(model=settings.default_model, base_url=settings.openai_base_url,
                     api_key=settings.openai_api_key)
    print("resposta:", repr(await responder(llm, pergunta)))
    for tipo, no, texto in await tudo_que_passa(llm, pergunta):
        print(f"{tipo:15} {no:6} {texto!r}")
    print("só o texto:", await so_o_texto(llm, pergunta))


if __name__ == "__main__":
    asyncio.run(main(" ".join(sys.argv[1:]) or "Quantas palavras tem: o rato roeu a roupa do rei"))
