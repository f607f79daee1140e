"""Ajudantes dos testes das plataformas (Classroom 50, GitHub Actions, Moodle VPL).

Cada plataforma é provada com a mesma dupla de entregas do Dia 1 (o dia mais rápido de subir): a
solução de referência (nota cheia) e uma entrega do corpus com um defeito (nota parcial e a dica da
verificação que falhou). Pontos e dica vêm da marca da própria verificação, não de números fixos aqui.
"""

from __future__ import annotations

import ast
import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from tests.projeto.corpus import materialize
from tests.projeto.corpus.quebrados_dia01 import ENTRIES
from tests.projeto.grader_runs import REPO_ROOT

DAY = "dia01"
KINDS = ("solucao", "quebrada")
BROKEN = next(entry for entry in ENTRIES if entry.name == "d1_post_200")  # POST /prompts responde 200
(BROKEN_CHECK,) = BROKEN.fails


@dataclass(frozen=True)
class CheckMark:
    points: float
    hint: str  # como aparece nos relatórios: GUIA_APRENDIZADO.md#ancora


def check_marks(day: str) -> dict[str, dict]:
    """id -> argumentos da marca @check de cada verificação de tests/DIA (lidos do código, sem importar)."""
    marks = {}
    for path in sorted((REPO_ROOT / "tests" / day).glob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            for decorator in getattr(node, "decorator_list", []):
                if isinstance(decorator, ast.Call) and getattr(decorator.func, "id", "") == "check":
                    kwargs = {k.arg: ast.literal_eval(k.value) for k in decorator.keywords if k.arg != "depends"}
                    marks[ast.literal_eval(decorator.args[0])] = kwargs
    return marks


def expectations() -> tuple[float, float, CheckMark]:
    """(nota máxima do núcleo, nota da entrega quebrada, marca da verificação que ela reprova)."""
    marks = check_marks(DAY)
    total = sum(kwargs["points"] for kwargs in marks.values() if not kwargs.get("extra"))
    broken = marks[BROKEN_CHECK]
    return total, total - broken["points"], CheckMark(broken["points"], f"GUIA_APRENDIZADO.md#{broken['hint']}")


def write_submission(kind: str, dest: Path) -> Path:
    """Copia para `dest` a solução (kind="solucao") ou a entrega quebrada (kind="quebrada") do Dia 1."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    if kind == "solucao":
        shutil.copytree(REPO_ROOT / "solutions" / DAY, dest, ignore=shutil.ignore_patterns("__pycache__"))
    else:
        built = materialize(BROKEN, dest.parent / "_corpus")
        shutil.move(built, dest)
    return dest


def run_both(tmp_path_factory, run: Callable, *args) -> dict:
    """`run(pasta, *args, tipo)` para a solução e a entrega quebrada ao mesmo tempo (o Dia 1 é leve)."""
    with ThreadPoolExecutor(len(KINDS)) as pool:
        futures = {kind: pool.submit(run, tmp_path_factory.mktemp(kind), *args, kind) for kind in KINDS}
    return {kind: future.result() for kind, future in futures.items()}


# ---------------------------------------------------------------- a leitura que o VPL faz da saída
# Porte de mod_vpl_submission::proposedgrade/proposedcomment (vpl_submission.class.php do
# jcrodriguez-dis/moodle-mod_vpl, commit 871102ef0b2e1cfc39f800bea6edb22ecac70c2d).

GRADE_TAG, COMMENT_TAG, BEGIN_TAG, END_TAG = "Grade :=>>", "Comment :=>>", "<|--", "--|>"


def vpl_proposed_grade(text: str) -> str:
    """A última linha que começa (na coluna 0) com `Grade :=>>`, sem o rótulo e aparada."""
    grade = ""
    for line in text.splitlines():
        if line.startswith(GRADE_TAG):
            grade = line[len(GRADE_TAG):].strip()
    return grade


def vpl_proposed_comment(text: str) -> str:
    """As linhas `Comment :=>>` e as de dentro dos blocos `<|--` ... `--|>`, como o VPL junta."""
    in_comment, out = False, []
    for raw in text.splitlines():
        line = raw.rstrip()
        if in_comment:
            if line.strip() == END_TAG:
                in_comment = False
            else:
                out.append(line)
        elif line.startswith(COMMENT_TAG):
            out.append(line[len(COMMENT_TAG):])
        elif line.strip() == BEGIN_TAG:
            in_comment = True
    return "\n".join(out) + ("\n" if out else "")


def vpl_titles(comment: str) -> list[str]:
    """Os títulos (linhas que começam com '-', como no result_to_html do VPL)."""
    return [line[1:].strip() for line in comment.splitlines() if len(line) > 1 and line[0] == "-"]
