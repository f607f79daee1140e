"""Modo turma: corrige muitas entregas em paralelo (cada uma num processo do corretor).

`grade_many` é a peça reutilizável (os testes do corpus usam); `run_class` acrescenta a barra de
progresso, `notas.csv`, um feedback `.md` por aluno e o resumo com a taxa de acerto de cada verificação.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from common.config import REPO_ROOT
from common.launcher import ServerProcess

from . import report as reports
from .launcher import RUN_ID_VARIABLE
from .integrity import TamperedError, Tripwire
from .redact import redact_data
from .results import PASS, Report
from .sandbox import BWRAP, ON, SandboxUnavailable, choose
from .session import GraderError, checks_dir

RUN_TIMEOUT_S = 180.0
STARTUP_TIMEOUT_S = 20.0
GRACE_S = 30.0  # além do limite do próprio corretor: só para um corretor que travou de vez
BAR_WIDTH = 20


@dataclass(frozen=True)
class ClassOptions:
    """O que vale para todas as entregas da turma."""

    extras: bool = False
    checks_dirs: tuple[Path, ...] = ()
    run_timeout: float = RUN_TIMEOUT_S
    startup_timeout: float = STARTUP_TIMEOUT_S
    sandbox: str = ON  # a turma exige isolamento, a menos que o professor peça outra coisa


def _command(day: str, submission: Path, json_path: Path, options: ClassOptions) -> list[str]:
    command = [sys.executable, "-m", "common.grader", day, str(submission.resolve()), "--json", str(json_path),
               "--run-timeout", str(options.run_timeout), "--startup-timeout", str(options.startup_timeout),
               "--sandbox", options.sandbox]
    command += ["--extras"] if options.extras else []
    for folder in options.checks_dirs:
        command += ["--checks", str(Path(folder).resolve())]
    return command


def _kill_run(process: subprocess.Popen, run_id: str) -> None:
    """Mata o corretor, o servidor do aluno e quem mais herdou o COURSE_RUN_ID desta correção."""
    ServerProcess(app_dir=REPO_ROOT, run_id=run_id, process=process).stop()


def _failed_report(day: str, submission: Path, error: str) -> dict:
    return {"day": day, "submission": str(submission), "score": 0, "max_score": 0, "extras_score": 0,
            "extras_max_score": 0, "duration_s": 0.0, "checks": [], "error": error}


def grade_one(day: str, submission: Path, json_path: Path, options: ClassOptions = ClassOptions()) -> dict:
    """Corrige uma entrega num processo separado; nunca levanta exceção por causa da entrega."""
    run_id = uuid.uuid4().hex
    json_path.unlink(missing_ok=True)
    process = subprocess.Popen(
        _command(day, submission, json_path, options), cwd=REPO_ROOT,
        env={**os.environ, RUN_ID_VARIABLE: run_id, "NO_COLOR": "1"},
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        _, stderr = process.communicate(timeout=options.run_timeout + GRACE_S)
    except subprocess.TimeoutExpired:
        stderr = b"o corretor passou do tempo e foi interrompido"
    finally:
        _kill_run(process, run_id)
    if json_path.is_file():
        return redact_data(json.loads(json_path.read_text(encoding="utf-8")))
    detail = stderr.decode("utf-8", errors="replace").strip()[-2000:] or f"código de saída {process.returncode}"
    return redact_data(_failed_report(day, submission, detail))


def grade_many(day: str, submissions: dict[str, Path], out_dir: Path, jobs: int = 2, extras: bool = False,
               options: ClassOptions | None = None,
               on_done: Callable[[str, dict], None] | None = None,
               tripwire: Tripwire | None = None) -> dict[str, dict]:
    """Corrige várias entregas em paralelo; devolve nome → relatório (o mesmo dict do --json).

    Uma entrega que nem deixa o corretor rodar vira um relatório com nota 0 e a chave "error".
    Com `tripwire` (turma sem sandbox), a primeira entrega que mexer nas verificações, no venv ou em
    common/ para a turma inteira: as próximas correções rodariam o código que ela plantou.
    """
    options = options or ClassOptions(extras=extras)
    json_dir = Path(out_dir) / "json"
    json_dir.mkdir(parents=True, exist_ok=True)
    tampered: list[str] = []

    def job(name: str) -> tuple[str, dict | None]:
        if tampered:
            return name, None
        report = grade_one(day, submissions[name], json_dir / f"{name}.json", options)
        if tripwire is not None:
            try:
                tripwire.check()
            except TamperedError as exc:
                tampered.append(f"{name}: {exc}")
        if on_done:
            on_done(name, report)
        return name, report

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        results = dict(pool.map(job, sorted(submissions)))
    if tampered:
        raise GraderError("a turma parou: as verificações, o venv ou common/ mudaram durante a correção de "
                          f"{tampered[0]}\nConfira essas pastas (git status) e corrija com --sandbox on.")
    return results


class Progress:
    """Barra de progresso em texto puro (uma linha por entrega corrigida: funciona em log e no Windows)."""

    def __init__(self, total: int, stream=None) -> None:
        self.total, self.done = total, 0
        self.stream = stream or sys.stdout
        self._lock = threading.Lock()

    def __call__(self, name: str, report: dict) -> None:
        with self._lock:
            self.done += 1
            filled = round(BAR_WIDTH * self.done / self.total)
            bar = "#" * filled + "-" * (BAR_WIDTH - filled)
            percent = round(100 * self.done / self.total)
            outcome = "erro do corretor" if "error" in report else (
                f"{reports.number(report['score'])}/{reports.number(report['max_score'])}")
            print(f"[{bar}] {self.done:>3}/{self.total} {percent:>3}%  {name}: {outcome}", file=self.stream, flush=True)


def _check_columns(results: dict[str, dict]) -> list[str]:
    columns: list[str] = []
    for report in results.values():
        columns += [c["id"] for c in report["checks"] if c["id"] not in columns]
    return columns


def write_gradebook(results: dict[str, dict], path: Path) -> None:
    """notas.csv: aluno, nota, nota máxima, extras, uma coluna por verificação (pontos obtidos), observação."""
    columns = _check_columns(results)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["aluno", "nota", "nota_maxima", "extras", "extras_maximo", *columns, "observacao"])
        for name, report in sorted(results.items()):
            points = {c["id"]: c["points"] for c in report["checks"]}
            writer.writerow([name, report["score"], report["max_score"], report["extras_score"],
                             report["extras_max_score"], *(points.get(c, "") for c in columns), _remark(report)])


def _remark(report: dict) -> str:
    """A observação de uma linha do notas.csv: o erro do corretor, ou o aviso de que não houve sandbox."""
    if report.get("error"):
        return report["error"].splitlines()[-1]
    return "; ".join(warning.splitlines()[0] for warning in report.get("warnings", []))


def pass_rates(results: dict[str, dict]) -> list[tuple[str, str, int, int]]:
    """(id, título, quantos passaram, quantos rodaram) por verificação."""
    rows: dict[str, list] = {}
    for report in results.values():
        for c in report["checks"]:
            row = rows.setdefault(c["id"], [c["id"], c["title"], 0, 0])
            row[2] += c["status"] == PASS
            row[3] += 1
    return [tuple(row) for row in rows.values()]


def summary(day: str, results: dict[str, dict], elapsed: float) -> str:
    scores = sorted(r["score"] for r in results.values())
    failed = sorted(name for name, r in results.items() if "error" in r)
    warnings = sorted({w for r in results.values() for w in r.get("warnings", [])})
    lines = [f"# Resumo da turma — {day}", "",
             *[f"> **Aviso:** {line}" for w in warnings for line in w.splitlines()], *([""] if warnings else []),
             f"{len(results)} entregas corrigidas em {elapsed:.1f} s.", ""]
    if scores:
        lines.append(f"Nota média: {sum(scores) / len(scores):.1f} — mínima {reports.number(scores[0])}, "
                     f"máxima {reports.number(scores[-1])}")
    if failed:
        lines += ["", "Entregas que o corretor não conseguiu corrigir: " + ", ".join(failed)]
    lines += ["", "| Verificação | Título | Passaram | Taxa |", "|---|---|---|---|"]
    for check_id, title, passed, ran in pass_rates(results):
        lines.append(f"| `{check_id}` | {title.replace('|', chr(92) + '|')} | {passed}/{ran} | {100 * passed / ran:.0f}% |")
    return "\n".join(lines)


def write_feedback(results: dict[str, dict], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in results.items():
        if "error" in data:
            text = f"# Correção de {data['day']} — {name}\n\nO corretor não conseguiu corrigir esta entrega:\n\n```text\n{data['error']}\n```\n"
        else:
            text = reports.markdown(Report.from_dict(data)) + "\n"
        (folder / f"{name}.md").write_text(text, encoding="utf-8")


def students_in(class_dir: Path) -> dict[str, Path]:
    if not class_dir.is_dir():
        raise GraderError(f"a pasta da turma não existe: {class_dir}")
    found = {p.name: p for p in sorted(class_dir.iterdir())
             if p.is_dir() and not p.name.startswith((".", "_"))}
    if not found:
        raise GraderError(f"nenhuma entrega (subpasta) em {class_dir}")
    return found


def run_class(day: str, class_dir: Path, out_dir: Path, jobs: int, options: ClassOptions) -> int:
    """`python -m common.grader DIA --class PASTA --out PASTA`: sempre corrige a turma inteira."""
    students = students_in(class_dir)
    try:
        isolation = choose(options.sandbox)  # com --sandbox on (o padrão da turma), sem isolamento não começa
    except SandboxUnavailable as exc:
        raise GraderError(str(exc)) from exc
    if isolation.warning:
        print(f"!! AVISO: {isolation.warning}", flush=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    print(f"Corrigindo {len(students)} entregas de {day} ({jobs} em paralelo)...", flush=True)
    started = time.monotonic()
    tripwire = None
    if isolation.kind != BWRAP:  # sem sandbox, uma entrega pode plantar código para as próximas
        watched = [checks_dir(day), *options.checks_dirs, REPO_ROOT / "common", Path(sys.prefix)]
        tripwire = Tripwire(watched, shallow=[REPO_ROOT])
    results = grade_many(day, students, out_dir, jobs, options=options, on_done=Progress(len(students)),
                         tripwire=tripwire)
    text = summary(day, results, time.monotonic() - started)
    write_gradebook(results, out_dir / "notas.csv")
    write_feedback(results, out_dir / "feedback")
    (out_dir / "resumo.md").write_text(text + "\n", encoding="utf-8")
    print("\n" + text)
    print(f"\nArquivos: {out_dir / 'notas.csv'}, {out_dir / 'resumo.md'} e {out_dir / 'feedback'}/<aluno>.md")
    return 0
