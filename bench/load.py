"""Gerador de carga: N streams ao mesmo tempo, medindo TTFT, intervalo entre tokens e erros.

Roda num processo só dele (`LoadWorker`): assim o cliente não disputa o event loop com o
servidor medido nem com o orquestrador. Dois tipos de alvo:
- "sse": a nossa rota `POST /api/generate` (lida com httpx-sse);
- "openai": um servidor compatível com a OpenAI (fake LLM direto, LiteLLM), lido pelo SDK `openai`;
- "json": `POST /chat` sem streaming — o "primeiro token" só chega com a resposta inteira.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import httpx
import openai
from httpx_sse import aconnect_sse

from common.fake_llm import make_marker

DONE_VALUES = {"[DONE]", '"[DONE]"'}  # fastapi.sse manda o [DONE] com ou sem aspas, conforme o uso
TIMED_OUT = "tempo esgotado"


@dataclass(frozen=True)
class LoadSpec:
    """Uma rodada: `concurrency` clientes, cada um fazendo `rounds` streams seguidos."""

    target: str  # "sse" | "openai" | "json"
    url: str  # raiz do servidor ("sse"/"json") ou base_url com /v1 ("openai")
    concurrency: int
    tokens: int  # tokens roteirizados por resposta (marcador do fake LLM)
    delay_ms: int  # atraso entre tokens no upstream (33 ms ≈ 30 tok/s)
    rounds: int = 1
    ramp_s: float = 0.0  # os clientes começam espalhados neste intervalo
    deadline_s: float = 30.0  # a rodada inteira para aqui, terminando ou não
    steady_after_s: float = 0.0  # só conta intervalos que terminam depois disto (regime, sem a rampa)
    token: str | None = None  # Bearer para a nossa rota
    model: str = "gpt-4o-mini"
    api_key: str = "chave-falsa-do-curso"

    @property
    def prompt(self) -> str:
        return f"{make_marker(n=self.tokens, delay_ms=self.delay_ms)} Explique SSE."


@dataclass
class StreamSample:
    """Um stream: quando começou, quando chegou cada token e como terminou."""

    started: float = 0.0
    arrivals: list[float] = field(default_factory=list)
    done: bool = False
    error: str | None = None

    def outcome(self, expected_tokens: int) -> str | None:
        """None = stream completo; senão, o motivo (em pt-BR) de contar como erro."""
        if self.error:
            return self.error
        if not self.done:
            return "terminou sem [DONE]"
        if len(self.arrivals) < expected_tokens:
            return "tokens faltando"
        return None


@dataclass
class LoadResult:
    """O que volta do processo de carga (pequeno: só números)."""

    ttfts: list[float]
    gaps: list[float]
    tokens: int
    streams: int
    errors: dict[str, int]
    wall_s: float
    client_cpu_s: float

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


# --- Um stream de cada tipo -----------------------------------------------------------------------

async def _sse_stream(client: httpx.AsyncClient, spec: LoadSpec, sample: StreamSample) -> None:
    headers = {"Authorization": f"Bearer {spec.token}"}
    async with aconnect_sse(client, "POST", "/api/generate", json={"prompt": spec.prompt}, headers=headers) as source:
        if source.response.status_code != 200:
            sample.error = f"HTTP {source.response.status_code}"
            return
        async for event in source.aiter_sse():
            now = time.perf_counter()
            if event.event == "error":
                sample.error = "evento error"
            elif event.data in DONE_VALUES:
                sample.done = True
                return
            elif event.data:
                sample.arrivals.append(now)


async def _openai_stream(client: openai.AsyncOpenAI, spec: LoadSpec, sample: StreamSample) -> None:
    stream = await client.chat.completions.create(
        model=spec.model, messages=[{"role": "user", "content": spec.prompt}], stream=True)
    async with stream:
        async for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                sample.arrivals.append(time.perf_counter())
    sample.done = True  # o SDK só termina o laço normalmente depois do [DONE]


async def _json_reply(client: httpx.AsyncClient, spec: LoadSpec, sample: StreamSample) -> None:
    headers = {"Authorization": f"Bearer {spec.token}"}
    response = await client.post("/chat", json={"message": spec.prompt}, headers=headers)
    if response.status_code != 200:
        sample.error = f"HTTP {response.status_code}"
        return
    # Sem streaming, o "primeiro token" é a resposta inteira: todos chegam juntos.
    sample.arrivals = [time.perf_counter()] * spec.tokens
    sample.done = True


STREAMERS = {"sse": _sse_stream, "openai": _openai_stream, "json": _json_reply}
CLIENT_ERRORS = (httpx.HTTPError, openai.OpenAIError)


# --- A rodada -------------------------------------------------------------------------------------

async def _one_stream(client, spec: LoadSpec, samples: list[StreamSample]) -> None:
    sample = StreamSample(started=time.perf_counter())
    samples.append(sample)  # antes de começar: se a rodada for cortada, o stream conta como erro
    try:
        await STREAMERS[spec.target](client, spec, sample)
    except CLIENT_ERRORS as exc:
        sample.error = type(exc).__name__
    except asyncio.CancelledError:
        sample.error = TIMED_OUT
        raise


async def _client_worker(index: int, client, spec: LoadSpec, samples: list[StreamSample]) -> None:
    await asyncio.sleep(spec.ramp_s * index / max(1, spec.concurrency))
    for _ in range(spec.rounds):
        await _one_stream(client, spec, samples)


def _make_client(spec: LoadSpec):
    # Sem limite de conexões no cliente: quem deve limitar (ou não) é o servidor medido.
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=spec.concurrency)
    http = httpx.AsyncClient(base_url=spec.url, limits=limits, timeout=httpx.Timeout(spec.deadline_s))
    if spec.target == "openai":
        return openai.AsyncOpenAI(base_url=spec.url, api_key=spec.api_key, http_client=http, max_retries=0)
    return http


async def run_load_async(spec: LoadSpec) -> tuple[list[StreamSample], float, float]:
    samples: list[StreamSample] = []
    async with _make_client(spec) as client:
        started = time.perf_counter()
        workers = [asyncio.create_task(_client_worker(i, client, spec, samples)) for i in range(spec.concurrency)]
        _, pending = await asyncio.wait(workers, timeout=spec.deadline_s)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        return samples, started, time.perf_counter() - started


def summarize(spec: LoadSpec, samples: list[StreamSample], wall_s: float, cpu_s: float,
              started: float) -> LoadResult:
    errors: Counter[str] = Counter()
    ttfts, gaps, tokens = [], [], 0
    steady = started + spec.steady_after_s
    for sample in samples:
        if sample.arrivals:
            ttfts.append(sample.arrivals[0] - sample.started)
            gaps += [b - a for a, b in zip(sample.arrivals, sample.arrivals[1:]) if b >= steady]
            tokens += len(sample.arrivals)
        if reason := sample.outcome(spec.tokens):
            errors[reason] += 1
    expected = spec.concurrency * spec.rounds
    if missing := expected - len(samples):
        errors["não começou (" + TIMED_OUT + ")"] += missing
    if spec.target == "json":
        gaps = []  # sem streaming não há intervalo entre tokens para medir
    return LoadResult(ttfts, gaps, tokens, expected, dict(errors), wall_s, cpu_s)


def run_load(spec: LoadSpec) -> LoadResult:
    """Ponto de entrada do processo de carga: roda uma rodada e devolve só os números."""
    cpu_before = time.process_time()
    samples, started, wall_s = asyncio.run(run_load_async(spec))
    return summarize(spec, samples, wall_s, time.process_time() - cpu_before, started)


def _import_everything() -> None:
    from . import chunk_cost  # noqa: F401 - importa LangChain agora, fora de qualquer medida


class LoadWorker:
    """Um processo de carga reaproveitado entre rodadas (subir Python + httpx + openai custa ~1 s)."""

    def __init__(self) -> None:
        self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
        self._pool.submit(_import_everything)  # o processo sobe e importa enquanto os servidores sobem

    def run(self, spec: LoadSpec) -> LoadResult:
        return self.call(run_load, spec, timeout=spec.deadline_s + 60)

    def call(self, function, *args, timeout: float = 300.0):
        """Roda `function(*args)` no processo de carga (a função precisa ser importável)."""
        return self._pool.submit(function, *args).result(timeout=timeout)

    def close(self) -> None:
        self._pool.shutdown(cancel_futures=True)

    def __enter__(self) -> LoadWorker:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
