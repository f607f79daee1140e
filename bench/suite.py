"""A sequência das medições; devolve um dicionário com tudo (o relatório e os gráficos saem dele)."""

from __future__ import annotations

import time
from contextlib import ExitStack
from dataclasses import asdict

from . import machine
from .chunk_cost import measure_chunk_cost
from .config import BenchConfig
from .contenders import Lab
from .grader_bench import run_grader_bench
from .knee import run_knees
from .load import LoadWorker
from .login_flood import run_login_flood
from .memory import run_memory
from .server_profile import run_profiles
from .streaming import build_spec, measure, run_matrix

WARM_UP_STREAMS = 5


def warm_up(worker: LoadWorker, lab: Lab, cfg: BenchConfig) -> None:
    """Primeiras requisições de cada servidor (importações, caches, conexões) ficam fora da medida."""
    for key in lab.measured():
        measure(worker, lab, key, build_spec(lab, key, WARM_UP_STREAMS, cfg.tokens, cfg))


class Phases:
    """Anota quanto tempo cada fase levou e escreve o progresso no terminal."""

    def __init__(self, log) -> None:
        self.log, self.seconds = log, {}
        self._started = time.monotonic()

    def run(self, name: str, action):
        self.log(f"[{time.monotonic() - self._started:6.1f} s] {name}...")
        started = time.monotonic()
        result = action()
        self.seconds[name] = time.monotonic() - started
        return result

    @property
    def total(self) -> float:
        return time.monotonic() - self._started


def run(cfg: BenchConfig, log, with_grader: bool = True) -> dict:
    phases = Phases(log)
    results: dict = {"config": asdict(cfg), "machine": machine.describe()}
    with ExitStack() as stack:
        worker = stack.enter_context(LoadWorker())
        lab = phases.run("subir o fake LLM e os servidores",
                         lambda: stack.enter_context(Lab(list(cfg.contenders), cfg.delay_ms)))
        results["not_measured"] = lab.not_measured
        phases.run("aquecimento", lambda: warm_up(worker, lab, cfg))
        # Memória primeiro, com os servidores ainda "novos": depois de 500 streams simultâneos o alocador
        # do Python já guardou memória de sobra, e abrir 300 streams não cresceria o RSS de nada.
        results["memory"] = phases.run("memória e vazamento", lambda: run_memory(lab, cfg, log))
        results["streaming"] = phases.run("streaming (TTFT, intervalos, vazão)",
                                          lambda: run_matrix(worker, lab, cfg, log))
        results["knee"] = phases.run("joelho", lambda: run_knees(worker, lab, cfg, log))
        results["chunk_cost"] = phases.run("custo por chunk e por requisição (perfil)", lambda: worker.call(
            measure_chunk_cost, lab.upstream.url + "/v1", cfg.chunk_cost_tokens))
        results["server_profile"] = phases.run("perfil do servidor numa rajada",
                                               lambda: run_profiles(worker, lab, cfg))
    results["login_flood"] = phases.run("enxurrada de logins (Dia 2)", lambda: run_login_flood(cfg, log))
    if with_grader:
        results["grader"] = phases.run("corretor", lambda: run_grader_bench(cfg, log))
    results["machine"]["load_end"] = machine.load_average()
    results["phases_s"] = phases.seconds
    results["elapsed_s"] = phases.total
    return results
