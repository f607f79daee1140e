"""O joelho: quantos streams a 30 tok/s um processo aguenta com o p99 entre tokens abaixo de 100 ms.

Busca curta: dobra a concorrência até falhar e depois divide o intervalo ao meio algumas vezes.
Os intervalos contam só depois da rampa (todos os streams já começaram): é o regime sustentado.
Uma sonda "passa" se nenhum stream deu erro e o p99 do intervalo entre tokens ficou abaixo do limite;
uma sonda que falha é repetida uma vez antes de valer como falha.
"""

from __future__ import annotations

from .config import BenchConfig
from .contenders import Lab
from .load import LoadWorker
from .streaming import build_spec, measure


def probe(worker: LoadWorker, lab: Lab, key: str, concurrency: int, cfg: BenchConfig) -> dict:
    """Uma sonda; se falhar, repete uma vez (numa máquina compartilhada, um soluço alheio não é o joelho)."""
    # Só os intervalos depois da rampa: o regime sustentado, sem a rajada de streams começando.
    spec = build_spec(lab, key, concurrency, cfg.knee_tokens, cfg, ramp_s=cfg.knee_ramp_s,
                      steady_after_s=cfg.knee_ramp_s)
    for attempt in (1, 2):
        run = measure(worker, lab, key, spec)
        gap = run["gap_p99"]
        run["passed"] = run["errors"] == 0 and gap is not None and gap < cfg.knee_gap_limit_ms
        run["attempts"] = attempt
        if run["passed"]:
            break
    return run


def find_knee(worker: LoadWorker, lab: Lab, key: str, cfg: BenchConfig, log) -> dict:
    probes: list[dict] = []

    def passes(n: int) -> bool:
        run = probe(worker, lab, key, n, cfg)
        probes.append(run)
        log(f"  joelho · {key} · {n:>3} streams: p99 entre tokens {run['gap_p99'] or 0:.0f} ms, "
            f"erros {run['errors']} → {'passa' if run['passed'] else 'não passa'}")
        return run["passed"]

    good, bad = 0, None
    n = cfg.knee_start
    while n <= cfg.knee_max:  # fase 1: dobra até falhar
        if not passes(n):
            bad = n
            break
        good, n = n, n * 2
    if bad is not None:  # fase 2: bissecção entre o último que passou e o primeiro que falhou
        for _ in range(cfg.knee_bisect_steps):
            middle = (good + bad) // 2
            if middle in (good, bad):
                break
            good, bad = (middle, bad) if passes(middle) else (good, middle)
    return {"knee": good, "first_failure": bad, "capped": bad is None, "probes": probes}


def run_knees(worker: LoadWorker, lab: Lab, cfg: BenchConfig, log) -> dict:
    return {key: find_knee(worker, lab, key, cfg, log) for key in cfg.knee_contenders if key in lab.endpoints}
