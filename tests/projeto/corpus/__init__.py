"""Corpus de entregas para provar o corretor.

Uma entrega quebrada é a solução de referência com UM defeito, descrito como trocas
de texto (`patches`). Assim o corpus não copia a solução inteira, e se a solução mudar
a troca falha alto (o texto antigo precisa aparecer exatamente uma vez).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from common.grader.classroom import ClassOptions, grade_many
from common.grader.sandbox import AUTO

REPO_ROOT = Path(__file__).resolve().parents[3]
HOSTILE_DIR = Path(__file__).resolve().parent / "hostis"
SOLUTION, TEMPLATE = "_solucao", "_template"
# Correções em paralelo. Boa parte de cada uma é espera (tokens roteirizados com atraso), então 3
# cabem em 2 CPUs; as verificações de tempo usam margens largas para aguentar a máquina carregada.
JOBS = 3


@dataclass(frozen=True)
class Broken:
    name: str
    day: str
    defect: str  # o defeito, em pt-BR, como aparece na mensagem do teste
    patches: tuple[tuple[str, str], ...]
    fails: Mapping[str, str]  # verificação que DEVE falhar (e só elas) → âncora do guia que a dica deve apontar
    skips: frozenset[str] = frozenset()  # as que o defeito impede de medir: puladas, com "depende de" e o motivo
    extras: bool = False
    file: str = "template.py"  # o arquivo da solução que as trocas editam (ex.: extras.py no Dia 3)


def materialize(entry: Broken, dest_root: Path) -> Path:
    """Escreve a entrega quebrada em dest_root/<name>/ e devolve a pasta."""
    solution_dir = REPO_ROOT / "solutions" / entry.day
    text = (solution_dir / entry.file).read_text(encoding="utf-8")
    for old, new in entry.patches:
        count = text.count(old)
        assert count == 1, f"{entry.name}: o trecho a trocar aparece {count} vezes em {entry.file}: {old!r}"
        text = text.replace(old, new)
    dest = dest_root / entry.name
    shutil.copytree(solution_dir, dest, ignore=shutil.ignore_patterns("__pycache__"))
    (dest / entry.file).write_text(text, encoding="utf-8")
    return dest


def unexpected_outcomes(report: dict, entry: Broken) -> list[str]:
    """Compara o relatório JSON do corretor com o defeito esperado; lista o que destoa."""
    problems = []
    checks = {c["id"]: c for c in report["checks"]}
    failed = {i for i, c in checks.items() if c["status"] in {"fail", "timeout", "error"}}
    skipped = {i for i, c in checks.items() if c["status"] == "skip"}
    for missing in sorted(set(entry.fails) - failed):
        problems.append(f"{missing} deveria falhar, mas não falhou")
    for extra in sorted(failed - set(entry.fails)):
        problems.append(f"{extra} falhou sem ser o defeito deste caso")
    for check_id, anchor in entry.fails.items():
        hint = (checks.get(check_id) or {}).get("hint") or ""
        if check_id in failed and not hint.endswith(f"#{anchor}"):
            problems.append(f"{check_id}: a dica aponta {hint!r}, e não a seção #{anchor}")
    # Um defeito custa só os pontos das suas verificações: nenhuma outra é pulada por tabela, a não ser as
    # que ele impede de medir (declaradas em `skips`, com o motivo na mensagem).
    for check_id in sorted(skipped ^ entry.skips):
        status = checks.get(check_id, {}).get("status")
        problems.append(f"{check_id} {'foi pulada (cobrada em dobro)' if check_id in skipped else f'deveria ser pulada, veio {status}'}")
    for check_id in sorted(skipped & entry.skips):
        if "depende de" not in (checks[check_id]["message"] or ""):
            problems.append(f"{check_id} foi pulada sem dizer de que depende: {checks[check_id]['message']}")
    return problems


def copy_submission(source: Path, dest: Path) -> Path:
    """Copia uma pasta de entrega (sem __pycache__) e devolve o destino."""
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def grade_corpus(day: str, entries: Iterable[Broken], root: Path, *, solutions: int = 1, extras: bool = False) -> dict[str, dict]:
    """Corrige numa só rodada do modo turma: as entregas do corpus, a solução (`solutions` cópias,
    `_solucao`, `_solucao_2`...) e o template intocado. Devolve nome -> relatório JSON."""
    submissions = {entry.name: materialize(entry, root) for entry in entries}
    for copy in solution_names(solutions):
        submissions[copy] = copy_submission(REPO_ROOT / "solutions" / day, root / copy)
    submissions[TEMPLATE] = copy_submission(REPO_ROOT / day, root / TEMPLATE)
    # Com bwrap (o .ci/run o instala), todo o corpus é corrigido no sandbox; sem ele, como antes.
    return grade_many(day, submissions, root / "saida", jobs=JOBS, options=ClassOptions(extras=extras, sandbox=AUTO))


def solution_names(count: int) -> list[str]:
    return [SOLUTION] + [f"{SOLUTION}_{n}" for n in range(2, count + 1)]


def summary(report: dict) -> str:
    """Uma linha por verificação (status, id, mensagem curta), para as mensagens dos asserts."""
    lines = [f"erro do corretor: {report['error']}"] if report.get("error") else []
    for check in report.get("checks", []):
        message = (check["message"] or "").replace("\n", " | ")[:300]
        lines.append(f"  {check['status']:7} {check['id']}: {message}")
    return "\n".join(lines)


def assert_only_the_defect(report: dict, entry: Broken) -> None:
    """Falha (com o resumo do relatório) se o defeito não reprovou exatamente as suas verificações."""
    problems = unexpected_outcomes(report, entry)
    assert not problems, f"{entry.defect}\n" + "\n".join(problems) + "\n" + summary(report)


def assert_template_scores_low(report: dict, max_score: int) -> None:
    """O template intocado: /health passa, o resto falha ou é pulado, e o corretor não quebra."""
    assert "error" not in report, summary(report)
    assert {c["status"] for c in report["checks"]} <= {"pass", "fail", "skip"}, summary(report)
    assert report["checks"][0]["status"] == "pass", "o template já serve /health:\n" + summary(report)
    assert 0 < report["score"] <= max_score, summary(report)


def assert_unfinished_routes_blame_the_todo(report: dict) -> None:
    """No template, uma rota ainda com `raise todo(...)` responde 501: a ajuda diz para apagar essa linha,
    e não a dica normal da verificação (que falaria, por exemplo, do status_code=201)."""
    failed_with_501 = [c for c in report["checks"] if c["status"] == "fail" and "recebido: status 501" in c["message"]]
    assert failed_with_501, "o template tem rotas com raise todo(...), que respondem 501:\n" + summary(report)
    for check in failed_with_501:
        assert "apague a linha" in check["message"] and "raise todo(...)" in check["message"], summary(report)


def assert_corpus_covers(entries: Iterable[Broken], check_ids: set[str]) -> None:
    """Toda verificação tem ao menos uma entrega quebrada que a reprova."""
    covered = set().union(*(set(entry.fails) for entry in entries))
    assert covered == check_ids, (
        f"sem entrega quebrada: {sorted(check_ids - covered)}; ids desconhecidos: {sorted(covered - check_ids)}"
    )
