"""O caminho de streaming: cada contendor em 1, 10, 100 e 500 streams simultâneos, lado a lado.

As repetições são intercaladas (repetição → concorrência → contendor): uma oscilação da máquina
atinge todos os contendores da mesma forma, e as razões entre eles continuam válidas.
"""

from __future__ import annotations

import httpx
import psutil

from .config import BenchConfig
from .contenders import BY_KEY, MODEL, Lab
from .load import LoadResult, LoadSpec, LoadWorker
from .stats import Spread, percentile

IDLE_TIMEOUT_S = 60.0


def cpu_seconds(pid: int | None) -> float:
    if pid is None:
        return 0.0
    try:
        times = psutil.Process(pid).cpu_times()
    except psutil.Error:
        return 0.0
    return times.user + times.system + times.children_user + times.children_system


def wait_idle(lab: Lab, key: str) -> None:
    """Espera o servidor voltar a responder /health (o bloqueante ainda pode estar preso no laço)."""
    endpoint = lab.endpoints[key]
    if endpoint.pid is None or BY_KEY[key].target == "openai":
        return
    httpx.get(f"{endpoint.url}/health", timeout=IDLE_TIMEOUT_S)


def build_spec(lab: Lab, key: str, concurrency: int, tokens: int, cfg: BenchConfig, rounds: int = 1,
               ramp_s: float = 0.0, steady_after_s: float = 0.0) -> LoadSpec:
    endpoint = lab.endpoints[key]
    api_key = {"api_key": endpoint.token} if BY_KEY[key].target == "openai" and endpoint.token else {}
    return LoadSpec(target=BY_KEY[key].target, url=endpoint.url, token=endpoint.token, model=MODEL, **api_key,
                    concurrency=concurrency, rounds=rounds, tokens=tokens, delay_ms=cfg.delay_ms,
                    ramp_s=ramp_s, deadline_s=cfg.deadline(ramp_s, rounds, tokens),
                    steady_after_s=steady_after_s)


def measure(worker: LoadWorker, lab: Lab, key: str, spec: LoadSpec) -> dict:
    """Uma rodada, com a CPU gasta pelo servidor, pelo fake LLM e pelo cliente de carga."""
    wait_idle(lab, key)
    server_pid, upstream_pid = lab.endpoints[key].pid, lab.upstream.process.pid
    before = cpu_seconds(server_pid), cpu_seconds(upstream_pid)
    result = worker.run(spec)
    after = cpu_seconds(server_pid), cpu_seconds(upstream_pid)
    server_cpu_s = after[0] - before[0]
    return metrics(result, spec) | {
        "server_cpu": server_cpu_s / result.wall_s,
        "upstream_cpu": (after[1] - before[1]) / result.wall_s,
        # CPU do servidor por token entregue: inclui o custo de abrir cada stream (auth, validação, cliente).
        "server_us_per_token": server_cpu_s / result.tokens * 1e6 if result.tokens and server_pid else None,
    }


def metrics(result: LoadResult, spec: LoadSpec) -> dict:
    """Os números de uma rodada (tempos em ms)."""
    ms = [t * 1000 for t in result.ttfts]
    gaps = [g * 1000 for g in result.gaps]
    return {
        "concurrency": spec.concurrency, "streams": result.streams,
        "ttft_p50": percentile(ms, 50), "ttft_p99": percentile(ms, 99),
        "gap_p50": percentile(gaps, 50), "gap_p99": percentile(gaps, 99),
        "tokens_per_s": result.tokens / result.wall_s, "ideal_tokens_per_s": ideal_tokens_per_s(spec),
        "errors": result.error_count,
        "error_kinds": result.errors, "wall_s": result.wall_s, "client_cpu": result.client_cpu_s / result.wall_s,
    }


def ideal_tokens_per_s(spec: LoadSpec) -> float:
    """Vazão se nada atrasasse além do upstream: todos os tokens no tempo da rampa + streams em sequência."""
    nominal = spec.ramp_s + spec.rounds * spec.tokens * spec.delay_ms / 1000
    return spec.concurrency * spec.rounds * spec.tokens / nominal


def run_matrix(worker: LoadWorker, lab: Lab, cfg: BenchConfig, log) -> dict:
    """resultado[contendor][nível] = lista de métricas, uma por repetição."""
    runs: dict[str, dict[int, list[dict]]] = {key: {} for key in lab.measured()}
    for repeat in range(cfg.repeats):
        for level in cfg.levels:
            for key in lab.measured():
                if level not in cfg.levels_for(key) or repeat >= cfg.repeats_at(level):
                    continue
                spec = build_spec(lab, key, level, cfg.tokens, cfg, rounds=cfg.rounds_at(level),
                                  ramp_s=cfg.ramp_at(level))
                run = measure(worker, lab, key, spec)
                runs[key].setdefault(level, []).append(run)
                log(f"  repetição {repeat + 1}/{cfg.repeats_at(level)} · {level:>3} streams · {key}: "
                    f"TTFT p50 {_fmt(run['ttft_p50'])} ms, p99 {_fmt(run['ttft_p99'])} ms, "
                    f"erros {run['errors']}")
    return {key: {level: summarize_runs(per_level[level]) for level in per_level}
            for key, per_level in runs.items()}


def summarize_runs(runs: list[dict]) -> dict:
    """Mediana e dispersão de cada número ao longo das repetições (mais as rodadas cruas)."""
    names = ("ttft_p50", "ttft_p99", "gap_p50", "gap_p99", "tokens_per_s", "errors", "server_cpu",
             "upstream_cpu", "client_cpu", "wall_s", "server_us_per_token", "ideal_tokens_per_s")
    summary = {name: _as_dict(Spread.of([run[name] for run in runs])) for name in names}
    summary["error_kinds"] = _merge_counts(run["error_kinds"] for run in runs)
    summary["streams"] = sum(run["streams"] for run in runs)
    summary["runs"] = runs  # cruas, na ordem das repetições: para razões pareadas (mesma repetição)
    return summary


def _merge_counts(counts) -> dict[str, int]:
    merged: dict[str, int] = {}
    for count in counts:
        for kind, n in count.items():
            merged[kind] = merged.get(kind, 0) + n
    return merged


def _as_dict(spread: Spread | None) -> dict | None:
    return spread.as_dict() if spread else None


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"
