"""Memória: quanto RSS cada stream aberto custa, e o teste de vazamento (abrir e abortar 1000 streams).

Aqui o tempo não importa, então o cliente roda no próprio orquestrador (asyncio + httpx-sse).
O RSS é lido de fora, pelo psutil; as tarefas asyncio vivas, pela rota /_bench/estado das variações.
"""

from __future__ import annotations

import asyncio
import time

import httpx
import numpy
import psutil
from httpx_sse import aconnect_sse

from common.fake_llm import FakeLLMClient, make_marker

from .config import BenchConfig
from .contenders import Endpoint, Lab

OPEN_TIMEOUT_S = 60.0
SETTLE_TIMEOUT_S = 5.0
LEAK_TOLERANCE_BYTES = 1024 * 1024  # uma arena do alocador do Python (1 MiB): menos que isso não se vê
HOLD_PROMPT = f"{make_marker(n=5000, delay_ms=250)} Stream longo, para ficar aberto."
QUICK_PROMPT = f"{make_marker(n=5000, delay_ms=20)} Stream abortado logo no primeiro token."


class OpenStreams:
    """Streams que ficam abertos (já receberam o primeiro token) até `abort_all()`."""

    def __init__(self, client: httpx.AsyncClient, endpoint: Endpoint) -> None:
        self.client, self.endpoint = client, endpoint
        self._release = asyncio.Event()
        self._tasks: list[asyncio.Task] = []

    async def open(self, count: int, prompt: str) -> None:
        """Abre `count` streams e volta quando todos já receberam o primeiro token."""
        loop = asyncio.get_running_loop()
        firsts = [loop.create_future() for _ in range(count)]
        self._tasks += [asyncio.create_task(self._hold(prompt, first)) for first in firsts]
        await asyncio.wait_for(asyncio.gather(*firsts), OPEN_TIMEOUT_S)

    async def _hold(self, prompt: str, first: asyncio.Future) -> None:
        headers = {"Authorization": f"Bearer {self.endpoint.token}"}
        try:
            async with aconnect_sse(self.client, "POST", "/api/generate", json={"prompt": prompt},
                                    headers=headers) as source:
                if source.response.status_code != 200:
                    raise RuntimeError(f"o servidor respondeu {source.response.status_code} ao abrir o stream")
                async for event in source.aiter_sse():
                    if event.data:
                        break
                first.set_result(True)
                await self._release.wait()
            # Sair do `async with` no meio do stream fecha a conexão: é o "abortar" do cliente.
        except Exception as exc:  # noqa: BLE001 - o erro vai para quem espera o primeiro token
            if not first.done():
                first.set_exception(exc)

    async def abort_all(self) -> None:
        self._release.set()
        await asyncio.gather(*self._tasks)
        self._tasks.clear()
        self._release = asyncio.Event()


def _client(endpoint: Endpoint) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=endpoint.url, timeout=OPEN_TIMEOUT_S,
                             limits=httpx.Limits(max_connections=None, max_keepalive_connections=0))


def rss(pid: int) -> int:
    return psutil.Process(pid).memory_info().rss


async def _state(client: httpx.AsyncClient, collect: bool = False) -> dict:
    return (await client.get("/_bench/estado", params={"collect": collect})).json()


async def measure_rss_per_stream(endpoint: Endpoint, levels: tuple[int, ...]) -> dict:
    """RSS do servidor com 0, L1, L2... streams abertos; a inclinação da reta = bytes por stream."""
    async with _client(endpoint) as client:
        streams = OpenStreams(client, endpoint)
        await streams.open(10, QUICK_PROMPT)  # aquecimento: importações e caches do primeiro uso
        await streams.abort_all()
        points = [(0, rss(endpoint.pid))]
        for level in levels:
            await streams.open(level - points[-1][0], HOLD_PROMPT)
            points.append((level, rss(endpoint.pid)))
        await streams.abort_all()
    # A primeira leva inclui o pico de memória temporária da rajada e as arenas novas do alocador, que as
    # levas seguintes reaproveitam; o custo de cada stream a mais é a inclinação a partir dela (marginal).
    steady = points[1:]
    slope = float(numpy.polyfit([p[0] for p in steady], [p[1] for p in steady], 1)[0]) if len(steady) > 1 else None
    first = (points[1][1] - points[0][1]) / points[1][0]
    return {"points": points, "bytes_per_stream": slope if slope is not None else first,
            "first_step_bytes_per_stream": first}


async def _settle(client: httpx.AsyncClient, tasks_before: int) -> dict:
    """Espera as tarefas asyncio voltarem à linha de base (com prazo); devolve o último estado."""
    deadline = time.monotonic() + SETTLE_TIMEOUT_S
    while True:
        state = await _state(client)
        if state["tasks"] <= tasks_before or time.monotonic() > deadline:
            return state
        await asyncio.sleep(0.1)


async def _abort_waves(streams: OpenStreams, total: int, wave: int) -> None:
    for _ in range(max(1, total // wave)):
        await streams.open(wave, QUICK_PROMPT)
        await streams.abort_all()


async def _snapshot(client: httpx.AsyncClient, endpoint: Endpoint, tasks_before: int) -> dict:
    """Tarefas, objetos vivos e RSS depois de as tarefas assentarem e de um `gc.collect()` no servidor
    (sem ele, a contagem de objetos inclui lixo que o coletor ainda não passou para buscar)."""
    await _settle(client, tasks_before)
    return await _state(client, collect=True) | {"rss": rss(endpoint.pid)}


async def leak_check(endpoint: Endpoint, upstream_url: str, total: int, cfg: BenchConfig) -> dict:
    """Abre e aborta `total` streams em duas metades iguais e compara RSS, tarefas e objetos.

    A primeira metade ainda pode crescer o RSS por causa do alocador (uma arena nova do Python tem
    1 MiB); um vazamento de verdade cresce de novo, do mesmo tanto, na segunda metade.
    """
    async with _client(endpoint) as client:
        streams = OpenStreams(client, endpoint)
        idle = await _state(client)
        await _abort_waves(streams, cfg.leak_wave, cfg.leak_wave)  # aquecimento: uma onda
        before = await _snapshot(client, endpoint, idle["tasks"])
        started = time.monotonic()
        await _abort_waves(streams, total // 2, cfg.leak_wave)
        middle = await _snapshot(client, endpoint, before["tasks"])
        await _abort_waves(streams, total - total // 2, cfg.leak_wave)
        elapsed = time.monotonic() - started
        await _settle(client, before["tasks"])
        upstream = upstream_statuses(upstream_url)  # antes de qualquer gc.collect(): o que o servidor fez sozinho
        after = await _snapshot(client, endpoint, before["tasks"])
        after_gc = upstream_statuses(upstream_url) if upstream.get("running") else None
    second_half = after["rss"] - middle["rss"]
    objects = after["objects"] - middle["objects"]
    return {"streams": total, "wave": cfg.leak_wave, "elapsed_s": elapsed, "before": before, "middle": middle,
            "after": after, "rss_growth": after["rss"] - before["rss"], "rss_growth_second_half": second_half,
            "upstream": upstream, "upstream_after_gc": after_gc,
            "met": (second_half <= LEAK_TOLERANCE_BYTES and objects < (total - total // 2)
                    and after["tasks"] <= before["tasks"] and not upstream.get("running"))}


def upstream_statuses(upstream_url: str) -> dict[str, int]:
    """Como terminaram os pedidos no fake LLM (o log guarda os últimos 1000): nenhum deve seguir `running`."""
    deadline = time.monotonic() + SETTLE_TIMEOUT_S
    with FakeLLMClient(upstream_url) as upstream:
        while True:
            counts: dict[str, int] = {}
            for entry in upstream.requests():
                counts[entry["status"]] = counts.get(entry["status"], 0) + 1
            if not counts.get("running") or time.monotonic() > deadline:
                return counts
            time.sleep(0.1)


def run_memory(lab: Lab, cfg: BenchConfig, log) -> dict:
    results = {}
    for key in cfg.memory_contenders:
        if key not in lab.endpoints:
            continue
        endpoint = lab.endpoints[key]
        per_stream = asyncio.run(measure_rss_per_stream(endpoint, cfg.memory_levels))
        log(f"  memória · {key}: {per_stream['bytes_per_stream'] / 1024:.1f} KB por stream aberto")
        total = cfg.leak_streams if key == "referencia" else cfg.leak_streams_variants
        leak = asyncio.run(leak_check(endpoint, lab.upstream.url, total, cfg))
        log(f"  vazamento · {key}: RSS {leak['rss_growth'] / 1024:+.0f} KB, tarefas "
            f"{leak['before']['tasks']} → {leak['after']['tasks']}, upstream {leak['upstream']}")
        results[key] = {"per_stream": per_stream, "leak": leak}
    return results
