"""O perfil (cProfile) do servidor durante uma rajada de streams: onde o event loop gasta a CPU."""

from __future__ import annotations

import httpx

from .config import BenchConfig
from .contenders import Lab
from .load import LoadWorker
from .streaming import build_spec, measure

def profile_burst(worker: LoadWorker, lab: Lab, key: str, cfg: BenchConfig) -> dict:
    url = lab.endpoints[key].url
    httpx.post(f"{url}/_bench/perfil", timeout=30).raise_for_status()
    try:
        run = measure(worker, lab, key, build_spec(lab, key, cfg.profile_level, cfg.tokens, cfg,
                                                   ramp_s=cfg.ramp_at(cfg.profile_level)))
    finally:
        summary = httpx.delete(f"{url}/_bench/perfil", timeout=60).json()
    return summary | {"level": cfg.profile_level, "ttft_p50": run["ttft_p50"]}


def run_profiles(worker: LoadWorker, lab: Lab, cfg: BenchConfig) -> dict:
    return {key: profile_burst(worker, lab, key, cfg) for key in cfg.profile_contenders if key in lab.endpoints}
