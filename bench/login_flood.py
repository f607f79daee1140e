"""Enxurrada de logins: N logins errados ao mesmo tempo na solução do Dia 2 (a meta da issue 10).

Mede, de fora (psutil), o RSS do servidor antes, no pico e depois de duas enxurradas seguidas, e a latência
de `GET /health` e de `GET /me` (com token) durante elas. Dois contendores:

- **antes**: o desenho antigo, com as rotas de login em `def` chamando o argon2 direto. O FastAPI as roda
  no threadpool de 40 threads: até 40 hashes de 19 MiB ao mesmo tempo, e o `/health` (também `def`) na fila;
- **referência**: a solução de hoje, com o argon2 no pool do hash (`run_hash`: HASH_WORKERS threads).

O cliente roda no próprio orquestrador (asyncio + httpx): o servidor é quem mais gasta, em argon2.
"""

from __future__ import annotations

import asyncio
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import psutil

from common.auth import HASH_WORKERS
from common.config import REPO_ROOT
from common.launcher import ServerProcess

from .config import BenchConfig
from .stats import percentile

SOLUTION = REPO_ROOT / "solutions" / "dia02" / "template.py"
PROBE_INTERVAL_S = 0.01
SAMPLE_INTERVAL_S = 0.005
REQUEST_TIMEOUT_S = 120.0
ADMIN = {"username": "admin", "password": "admin123"}
# O desenho antigo, reconstruído a partir da solução de hoje: só as trocas que tiram o pool do hash.
OLD_DESIGN = (
    ("user = await run_hash(authenticate_user, credentials.username, credentials.password)",
     "user = authenticate_user(credentials.username, credentials.password)"),
    ("async def issue_token(", "def issue_token("),
    ("async def login(credentials: LoginRequest) -> Token:\n    return await issue_token(credentials)",
     "def login(credentials: LoginRequest) -> Token:\n    return issue_token(credentials)"),
    ("async def login_form(credentials: Annotated[LoginRequest, Form()]) -> Token:\n"
     "    return await issue_token(credentials)",
     "def login_form(credentials: Annotated[LoginRequest, Form()]) -> Token:\n    return issue_token(credentials)"),
)
CONTENDERS = {"antes": "login em `def` no threadpool do FastAPI (o desenho antigo)",
              "referencia": "a solução do Dia 2: login `async def` + pool do hash (`run_hash`)"}


def old_design_dir(root: Path) -> Path:
    """Uma pasta com a solução do Dia 2 no desenho antigo (falha alto se a solução mudou de forma)."""
    text = SOLUTION.read_text(encoding="utf-8")
    for old, new in OLD_DESIGN:
        assert text.count(old) == 1, f"o trecho do desenho antigo não está na solução: {old!r}"
        text = text.replace(old, new)
    folder = root / "antes"
    folder.mkdir()
    (folder / "template.py").write_text(text, encoding="utf-8")
    return folder


class PeakRSS:
    """Lê o RSS de um processo a cada poucos milissegundos, numa thread, e guarda o maior."""

    def __init__(self, pid: int) -> None:
        self.process, self.peak = psutil.Process(pid), 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.process.memory_info().rss)
            self._stop.wait(SAMPLE_INTERVAL_S)

    def __enter__(self) -> PeakRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join()


async def probe(client: httpx.AsyncClient, path: str, headers: dict, until: asyncio.Future) -> list[float]:
    """Latências (s) de GET `path`, uma a cada PROBE_INTERVAL_S, até a enxurrada acabar."""
    latencies = []
    while not until.done():
        started = time.perf_counter()
        response = await client.get(path, headers=headers)
        latencies.append(time.perf_counter() - started)
        response.raise_for_status()
        await asyncio.sleep(PROBE_INTERVAL_S)
    return latencies


async def flood(url: str, logins: int, token: str) -> dict:
    """`logins` logins errados de uma vez (metade de usuário inexistente), com as sondas rodando junto."""
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=None)
    async with httpx.AsyncClient(base_url=url, timeout=REQUEST_TIMEOUT_S, limits=limits) as client, \
            httpx.AsyncClient(base_url=url, timeout=REQUEST_TIMEOUT_S) as prober:
        started = time.monotonic()
        tasks = [asyncio.create_task(client.post("/login", json={
            "username": "admin" if n % 2 else f"fantasma{n}", "password": f"errada-{n}"})) for n in range(logins)]
        done = asyncio.ensure_future(asyncio.gather(*tasks))
        health, me = await asyncio.gather(probe(prober, "/health", {}, done),
                                          probe(prober, "/me", {"Authorization": f"Bearer {token}"}, done))
        responses = await done
        duration = time.monotonic() - started
    return {"statuses": dict(Counter(r.status_code for r in responses)), "duration_s": duration,
            "health": latency_summary(health), "me": latency_summary(me)}


def latency_summary(latencies: list[float]) -> dict:
    ms = [value * 1000 for value in latencies]
    return {"n": len(ms), "p50": percentile(ms, 50), "p95": percentile(ms, 95), "max": max(ms, default=None)}


def measure(folder: Path, logins: int, log) -> dict:
    env = {"SECRET_KEY": "chave-do-benchmark-" + "x" * 24}
    with ServerProcess(app_dir=folder, env=env, scrub_env=True) as server:
        status = server.wait_ready(timeout=30)
        if status != "pronto":
            raise RuntimeError(f"{folder} não subiu ({status}):\n{server.stderr_tail()}")
        token = httpx.post(f"{server.url}/login", json=ADMIN, timeout=30).json()["access_token"]
        process = psutil.Process(server.process.pid)
        baseline = process.memory_info().rss
        rounds = []
        for _ in range(2):  # a segunda mostra se a memória cresce com mais logins (não deve)
            with PeakRSS(server.process.pid) as peak:
                result = asyncio.run(flood(server.url, logins, token))
            rounds.append(result | {"peak_rss": peak.peak, "rss_after": process.memory_info().rss})
            log(f"    {logins} logins: pico {(peak.peak - baseline) / 2**20:+.0f} MiB, depois "
                f"{(rounds[-1]['rss_after'] - baseline) / 2**20:+.0f} MiB; /health p95 "
                f"{result['health']['p95']:.0f} ms; status {result['statuses']}")
    return {"baseline_rss": baseline, "rounds": rounds}


def run_login_flood(cfg: BenchConfig, log) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-logins-") as tmp:
        folders = {"antes": old_design_dir(Path(tmp)), "referencia": SOLUTION.parent}
        results = {}
        for key, folder in folders.items():
            log(f"  enxurrada de logins · {key}")
            results[key] = measure(folder, cfg.login_flood_logins, log)
    return {"logins": cfg.login_flood_logins, "hash_workers": HASH_WORKERS, "contenders": results}
