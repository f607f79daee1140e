"""O corretor: tempo por dia (sandbox ligado e desligado), custo de subir um sandbox, modo turma com N
cópias e --jobs 1/2/4, e notas com a CPU ocupada.

Cada correção roda pelo comando de verdade (`python -m common.grader ...`), como um professor rodaria.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from common.config import REPO_ROOT
from common.grader import bwrap, sandbox

from .config import BenchConfig
from .stats import Spread

GRADER = [sys.executable, "-m", "common.grader"]
RUN_TIMEOUT_S = 600.0
BURN = "while True: pass"  # um núcleo a 100%, até ser morto


def _run(args: list[str]) -> float:
    """Roda o corretor e devolve o tempo de parede (o código de saída não importa: a nota é lida do arquivo)."""
    started = time.perf_counter()
    subprocess.run(GRADER + args, cwd=REPO_ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=RUN_TIMEOUT_S, check=False)
    return time.perf_counter() - started


def grade_once(day: str, submission: Path, workdir: Path, sandbox: str = "auto") -> dict:
    report_path = workdir / f"{day}-{time.monotonic_ns()}.json"
    wall = _run([day, str(submission), "--json", str(report_path), "--sandbox", sandbox])
    report = json.loads(report_path.read_text(encoding="utf-8")) if report_path.is_file() else {}
    return {"wall_s": wall, "score": report.get("score"), "max_score": report.get("max_score"),
            "duration_s": report.get("duration_s"), "sandbox": report.get("sandbox")}


def _wall(runs: list[dict]) -> dict:
    return Spread.of([r["wall_s"] for r in runs]).as_dict()


def time_days(cfg: BenchConfig, workdir: Path, log) -> dict:
    """Tempo de parede para corrigir a solução de referência de cada dia, com o sandbox ligado e desligado.

    As rodadas se alternam (ligado, desligado, desligado, ligado...), para que uma máquina que fica mais
    ou menos ocupada no meio da medição não pese só num dos lados. Sem bwrap, só a coluna "desligado".
    """
    sandboxed = sandbox.probe().bwrap is not None
    results = {}
    for day in cfg.grader_days:
        solution = REPO_ROOT / "solutions" / day
        on, off = [], []
        for index in range(cfg.grader_repeats):
            order = ("on", "off") if index % 2 == 0 else ("off", "on")
            for mode in order:
                if mode == "off":
                    off.append(grade_once(day, solution, workdir, "off"))
                elif sandboxed:
                    on.append(grade_once(day, solution, workdir, "on"))
        main = on or off
        results[day] = {"wall_s": _wall(main), "runs": main, "sandbox": sandboxed,
                        "off_wall_s": _wall(off), "off_runs": off}
        if on:
            results[day]["overhead_pct"] = 100 * (results[day]["wall_s"]["median"] / _wall(off)["median"] - 1)
        log(f"  corretor · {day}: {results[day]['wall_s']['median']:.1f} s com sandbox, "
            f"{results[day]['off_wall_s']['median']:.1f} s sem (notas {sorted({r['score'] for r in on + off}, key=str)})")
    return results


def sandbox_start(samples: int = 20) -> dict | None:
    """Quanto custa subir um sandbox vazio, do jeito que o corretor sobe (mesmas opções; como root, a troca de usuário)."""
    found = sandbox.probe().bwrap
    if found is None:
        return None
    command = bwrap.probe_command(found, sandbox.account_for_root())
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        subprocess.run(command, env={}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append((time.perf_counter() - started) * 1000)
    return {"ms": Spread.of(times).as_dict(), "version": ".".join(map(str, found.version)),
            "root": sandbox.account_for_root() is not None}


def make_class(day: str, copies: int, root: Path) -> Path:
    """Uma turma de mentira: `copies` alunos, todos com a solução de referência."""
    class_dir = root / f"turma-{day}-{copies}"
    if not class_dir.is_dir():
        source = REPO_ROOT / "solutions" / day
        for i in range(copies):
            shutil.copytree(source, class_dir / f"aluno_{i + 1:03d}", ignore=shutil.ignore_patterns("__pycache__"))
    return class_dir


def class_scores(notas_csv: Path) -> list[float]:
    if not notas_csv.is_file():
        return []
    with notas_csv.open(encoding="utf-8") as handle:
        return [float(row["nota"]) for row in csv.DictReader(handle)]


def time_class(cfg: BenchConfig, workdir: Path, log) -> list[dict]:
    results = []
    for day, copies, jobs in cfg.class_plan:
        class_dir = make_class(day, copies, workdir)
        out_dir = workdir / f"notas-{day}-{copies}-{jobs}"
        wall = _run([day, "--class", str(class_dir), "--out", str(out_dir), "--jobs", str(jobs), "--sandbox", "auto"])
        scores = class_scores(out_dir / "notas.csv")
        results.append({"day": day, "copies": copies, "jobs": jobs, "wall_s": wall,
                        "per_submission_s": wall / copies, "graded": len(scores),
                        "scores": dict(Counter(scores)), "identical": len(set(scores)) == 1 and len(scores) == copies})
        log(f"  turma · {copies} cópias de {day}, --jobs {jobs}: {wall:.1f} s, "
            f"notas {dict(Counter(scores))}")
    return results


def scores_under_load(cfg: BenchConfig, workdir: Path, log) -> dict:
    """Corrige a mesma solução várias vezes com outro processo ocupando todos os núcleos."""
    burners = [subprocess.Popen([sys.executable, "-c", BURN]) for _ in range(os.cpu_count() or 2)]
    try:
        runs = [grade_once(cfg.load_day, REPO_ROOT / "solutions" / cfg.load_day, workdir)
                for _ in range(cfg.load_runs)]
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()
    scores = [r["score"] for r in runs]
    log(f"  corretor com a CPU ocupada · {cfg.load_day}: notas {scores}")
    return {"day": cfg.load_day, "burners": len(burners), "runs": runs, "scores": scores,
            "wall_s": Spread.of([r["wall_s"] for r in runs]).as_dict(), "identical": len(set(scores)) == 1}


def run_grader_bench(cfg: BenchConfig, log) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-corretor-") as tmp:
        workdir = Path(tmp)
        start = sandbox_start()
        if start:
            log(f"  sandbox vazio (bwrap {start['version']} ... true): {start['ms']['median']:.1f} ms")
        return {"days": time_days(cfg, workdir, log), "sandbox_start": start, "classes": time_class(cfg, workdir, log),
                "under_load": scores_under_load(cfg, workdir, log) if cfg.load_runs else None}
