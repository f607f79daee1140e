"""Onde vai a CPU: o custo por chunk e o custo fixo por requisição de cada jeito de ler o LLM (cProfile).

O upstream manda os chunks sem atraso; medimos o tempo de CPU do processo que lê, dividido pelo
número de chunks (ou de requisições). É a conta que decide quantos streams a 30 tok/s cabem num
núcleo: streams por núcleo ≈ 1 / (30 × custo por chunk). Roda no processo de carga, sozinho.
"""

from __future__ import annotations

import asyncio
import cProfile
import json
import time
from collections.abc import Awaitable, Callable

import httpx
import openai
from httpx_sse import aconnect_sse
from langchain_core.messages import HumanMessage
from langchain_openai import ChatOpenAI

from common.config import FAKE_API_KEY
from common.fake_llm import make_marker

from . import profiling

MODEL = "gpt-4o-mini"
REQUESTS = 100
Reader = Callable[[str], Awaitable[int]]


def _readers(base_url: str, http: httpx.AsyncClient, sdk: openai.AsyncOpenAI) -> dict[str, Reader]:
    """Cada leitor devolve quantos chunks com texto recebeu. Os clientes são os de um servidor de verdade."""

    async def langchain(prompt: str) -> int:  # como a referência: um ChatOpenAI por requisição
        llm = ChatOpenAI(model=MODEL, streaming=True, base_url=base_url, api_key=FAKE_API_KEY)
        return sum([1 async for chunk in llm.astream([HumanMessage(prompt)]) if chunk.text])

    async def openai_sdk(prompt: str) -> int:  # um AsyncOpenAI para o processo todo
        stream = await sdk.chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": prompt}], stream=True)
        return sum([1 async for chunk in stream if chunk.choices and chunk.choices[0].delta.content])

    async def httpx_sse(prompt: str) -> int:  # o mínimo: ler o SSE e decodificar o JSON de cada chunk
        body = {"model": MODEL, "stream": True, "messages": [{"role": "user", "content": prompt}]}
        count = 0
        async with aconnect_sse(http, "POST", "/chat/completions", json=body) as source:
            async for event in source.aiter_sse():
                if event.data != "[DONE]" and json.loads(event.data)["choices"][0]["delta"].get("content"):
                    count += 1
        return count

    return {"langchain": langchain, "openai_sdk": openai_sdk, "httpx_sse": httpx_sse}


async def _cpu_per_chunk(reader: Reader, prompt: str) -> tuple[float, int]:
    started = time.process_time()
    chunks = await reader(prompt)
    return (time.process_time() - started) / max(1, chunks), chunks


async def _cpu_per_request(reader: Reader) -> float:
    prompt = f"{make_marker(n=1, delay_ms=0)} Uma palavra."
    started = time.process_time()
    for _ in range(REQUESTS):
        await reader(prompt)
    return (time.process_time() - started) / REQUESTS


async def _profile(reader: Reader, prompt: str) -> dict:
    profiler = cProfile.Profile(time.thread_time)  # CPU, não parede: esperar a rede não conta
    profiler.enable()
    await reader(prompt)
    profiler.disable()
    return profiling.summarize(profiler)


async def _measure_all(base_url: str, tokens: int) -> dict:
    # Um único event loop: o ChatOpenAI guarda um cliente httpx em cache, preso ao loop em que nasceu.
    prompt = f"{make_marker(n=tokens, delay_ms=0)} Muitos tokens, sem atraso."
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as http, \
            openai.AsyncOpenAI(base_url=base_url, api_key=FAKE_API_KEY) as sdk:
        readers = _readers(base_url, http, sdk)
        for reader in readers.values():  # aquecimento: importações e caches fora da medida
            await reader(f"{make_marker(n=20, delay_ms=0)} aquecimento")
        costs = {}
        for name, reader in readers.items():
            seconds, chunks = await _cpu_per_chunk(reader, prompt)
            costs[name] = {"us_per_chunk": seconds * 1e6, "chunks": chunks,
                           "us_per_request": await _cpu_per_request(reader) * 1e6}
        return {"costs": costs, "requests": REQUESTS, "langchain_profile": await _profile(readers["langchain"], prompt)}


def _build_cost(base_url: str, samples: int = 200) -> float:
    """Segundos para construir um ChatOpenAI (a referência constrói um por requisição)."""
    started = time.perf_counter()
    for _ in range(samples):
        ChatOpenAI(model=MODEL, streaming=True, base_url=base_url, api_key=FAKE_API_KEY)
    return (time.perf_counter() - started) / samples


def measure_chunk_cost(base_url: str, tokens: int) -> dict:
    return asyncio.run(_measure_all(base_url, tokens)) | {"build_llm_us": _build_cost(base_url) * 1e6}
