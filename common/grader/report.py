"""Os relatórios de uma correção: terminal, --json, --gradescope (results.json), --junit, Markdown
e as saídas das plataformas (Classroom 50, anotações do GitHub Actions, Moodle VPL)."""

from __future__ import annotations

import dataclasses
import json
import math
import os
import re
import sys
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from .results import ERROR, FAIL, PASS, SKIP, TIMEOUT, CheckResult, Report

WORDS = {PASS: "PASSOU", FAIL: "FALHOU", SKIP: "PULADA", TIMEOUT: "TEMPO", ERROR: "ERRO"}
COLORS = {PASS: "32", FAIL: "31", SKIP: "33", TIMEOUT: "31", ERROR: "35"}


def number(value: float) -> str:
    """10 e não 10.0; 2.5 fica 2.5."""
    return f"{value:g}"


def use_color(stream: TextIO) -> bool:
    """Cor só num terminal de verdade, sem NO_COLOR; no Windows, só no Windows Terminal (entende ANSI)."""
    if os.environ.get("NO_COLOR") or not stream.isatty():
        return False
    return os.name != "nt" or "WT_SESSION" in os.environ


def _status_word(status: str, color: bool) -> str:
    word = f"{WORDS[status]:<7}"
    return f"\033[{COLORS[status]}m{word}\033[0m" if color else word


def _check_lines(check: CheckResult, color: bool) -> list[str]:
    points = f"{number(check.points)}/{number(check.max_points)}"
    lines = [f"  {_status_word(check.status, color)} {points:>7}  {check.title}  [{check.id}]"]
    if check.message:  # numa que passou, só as observações ("Obs.: ...")
        lines += [f"                   {line}" for line in check.message.splitlines()]
    if check.status in (FAIL, TIMEOUT, ERROR) and check.hint:
        lines.append(f"                   Dica: {check.hint}")
    return lines


def _not_attempted_line(checks: list[CheckResult], color: bool) -> list[str]:
    """Os extras que o aluno nem começou (rota 404 ou 501) numa linha só, em vez de uma falha cada."""
    skipped = [c for c in checks if c.not_attempted]
    if not skipped:
        return []
    points = f"0/{number(sum(c.max_points for c in skipped))}"
    names = ", ".join(c.id.rsplit(".", 1)[-1] for c in skipped)
    return [f"  {_status_word(SKIP, color)} {points:>7}  Não tentados (a rota responde 404 ou 501): {names}"]


_COUNT_WORDS = ((FAIL, "falhou", "falharam"), (TIMEOUT, "esgotou o tempo", "esgotaram o tempo"),
                (ERROR, "com erro", "com erro"), (SKIP, "pulada", "puladas"))


def _counts(checks: list[CheckResult]) -> str:
    parts = []
    for status, singular, plural in _COUNT_WORDS:
        count = sum(c.status == status for c in checks)
        if count:
            parts.append(f"{count} {singular if count == 1 else plural}")
    return ", ".join(parts) or "todas passaram"


def warning_lines(report: Report, prefix: str = "") -> list[str]:
    """Os avisos do relatório (ex.: sem sandbox), um por linha, para todo formato de saída."""
    return [f"{prefix}{line}" for warning in report.warnings for line in warning.splitlines()]


def terminal(report: Report, stream: TextIO | None = None) -> str:
    """O relatório legível (sem cor se não for um terminal ou se NO_COLOR estiver definido)."""
    color = use_color(stream or sys.stdout)
    core = [c for c in report.checks if not c.extra]
    extras = [c for c in report.checks if c.extra]
    lines = [*warning_lines(report, "!! AVISO: "), f"Correção de {report.day} — {report.submission}", ""]
    for check in core:
        lines += _check_lines(check, color)
    if extras:
        lines += ["", "Desafios extras (fora da nota de 100):"]
        for check in extras:
            if not check.not_attempted:
                lines += _check_lines(check, color)
        lines += _not_attempted_line(extras, color)
    lines += [
        "",
        f"Nota: {number(report.score)}/{number(report.max_score)} ({_counts(core)}) em {report.duration_s:.1f} s",
    ]
    if extras:
        lines.append(f"Extras: {number(report.extras_score)}/{number(report.extras_max_score)} ({_counts(extras)})")
    return "\n".join(lines)


def markdown(report: Report) -> str:
    """Feedback de um aluno em Markdown (modo turma)."""
    lines = [f"# Correção de {report.day} — {report.submission}", "",
             *[f"> **Aviso:** {line}" for line in warning_lines(report)], *([""] if report.warnings else []),
             f"**Nota: {number(report.score)}/{number(report.max_score)}**"]
    if report.extras_max_score:
        lines.append(f"**Extras: {number(report.extras_score)}/{number(report.extras_max_score)}**")
    lines += ["", "| Situação | Pontos | Verificação |", "|---|---|---|"]
    for c in report.checks:
        title = c.title.replace("|", "\\|")
        extra = " (extra)" if c.extra else ""
        lines.append(f"| {WORDS[c.status]} | {number(c.points)}/{number(c.max_points)} | {title}{extra} `{c.id}` |")
    problems = [c for c in report.checks if c.status in (FAIL, TIMEOUT, ERROR)]
    if problems:
        lines += ["", "## O que corrigir", ""]
    if any(c.status == SKIP for c in report.checks):
        lines += ["As verificações puladas dependem de outras que falharam: corrija aquelas primeiro.", ""]
    for c in problems:
        text = c.message or WORDS[c.status]
        lines += [f"### {c.title} (`{c.id}`)", "", f"{_fence(text)}text", text, _fence(text)]
        lines += [f"Dica: {c.hint}", ""] if c.hint else [""]
    return "\n".join(lines)


def _fence(text: str) -> str:
    """Uma cerca de código mais longa que qualquer sequência de crases do texto (a mensagem traz
    trechos da resposta do servidor do aluno, que não podem fechar o bloco e virar Markdown)."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def with_hint_links(report: Report, base_url: str) -> Report:
    """O mesmo relatório com as dicas como endereços completos (`base_url`/GUIA_APRENDIZADO.md#...),
    para quem lê o relatório fora do repositório do curso (um release, o VPL)."""
    base = base_url.rstrip("/")
    checks = [dataclasses.replace(c, hint=f"{base}/{c.hint}") if c.hint else c for c in report.checks]
    return dataclasses.replace(report, checks=checks)


def write_json(report: Report, path: Path) -> None:
    _write(path, json.dumps(report.to_dict(), ensure_ascii=False, indent=2))


def _check_output(check: CheckResult) -> str:
    parts = [WORDS[check.status]]
    if check.message:
        parts.append(check.message)
    if check.hint and check.status != PASS:
        parts.append(f"Dica: {check.hint}")
    return "\n".join(parts)


def gradescope_results(report: Report) -> dict:
    """results.json do Gradescope. Extras entram com max_score 0 (aparecem, mas a nota é só a do núcleo)."""
    tests = [
        {
            "name": f"{'[extra] ' if c.extra else ''}{c.id} — {c.title}",
            "score": c.points,
            "max_score": 0 if c.extra else c.max_points,
            "status": "passed" if c.status == PASS else "failed",
            "output": _check_output(c),
            "visibility": "visible",
        }
        for c in report.checks
    ]
    summary = f"Nota: {number(report.score)}/{number(report.max_score)}"
    if report.extras_max_score:
        summary += f" — extras: {number(report.extras_score)}/{number(report.extras_max_score)}"
    summary = "\n".join([*warning_lines(report, "AVISO: "), summary])
    return {
        "score": report.score,
        "execution_time": round(report.duration_s, 3),
        "output": summary,
        "stdout_visibility": "visible",
        "tests": tests,
    }


def gradescope_error(message: str) -> dict:
    """results.json quando a entrega nem pôde ser corrigida (o Gradescope precisa de um arquivo)."""
    return {"score": 0, "output": f"O corretor não conseguiu corrigir esta entrega: {message}", "tests": []}


def write_gradescope_error(message: str, path: Path) -> None:
    _write(path, json.dumps(gradescope_error(message), ensure_ascii=False, indent=2))


def write_gradescope(report: Report, path: Path) -> None:
    _write(path, json.dumps(gradescope_results(report), ensure_ascii=False, indent=2))


def junit_xml(report: Report) -> str:
    suite = ET.Element(
        "testsuite",
        name=report.day,
        tests=str(len(report.checks)),
        failures=str(sum(c.status in (FAIL, TIMEOUT) for c in report.checks)),
        errors=str(sum(c.status == ERROR for c in report.checks)),
        skipped=str(sum(c.status == SKIP for c in report.checks)),
        time=f"{report.duration_s:.3f}",
    )
    for c in report.checks:
        case = ET.SubElement(suite, "testcase", classname=report.day, name=c.id, time=f"{c.duration_s:.3f}")
        ET.SubElement(case, "properties").extend(
            ET.Element("property", name=key, value=str(value))
            for key, value in (("title", c.title), ("points", c.points), ("max_points", c.max_points), ("extra", c.extra))
        )
        if c.status in (FAIL, TIMEOUT, ERROR):
            tag = "error" if c.status == ERROR else "failure"
            ET.SubElement(case, tag, message=f"{WORDS[c.status]}: {c.title}", type=c.status).text = _check_output(c)
        elif c.status == SKIP:
            ET.SubElement(case, "skipped", message=c.message or "")
    if report.warnings:
        ET.SubElement(suite, "system-err").text = "\n".join(warning_lines(report, "AVISO: "))
    return ET.tostring(ET.ElementTree(suite).getroot(), encoding="unicode", xml_declaration=True)


def write_junit(report: Report, path: Path) -> None:
    _write(path, junit_xml(report))


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n", encoding="utf-8")


# ---------------------------------------------------------------- Classroom 50 (GitHub Actions)

CLASSROOM50_SCHEMA = "classroom50/result/v1"
# Identidade da entrega: vem das variáveis de ambiente que o runner do Classroom 50 passa.
CLASSROOM50_IDENTITY = ("classroom", "assignment", "assignment_type", "owner", "submission",
                        "commit", "release", "review", "datetime")


def _whole_points(value: float) -> int:
    """O Classroom 50 só aceita pontos inteiros: meio ponto arredonda para cima."""
    return math.floor(value + 0.5)


def classroom50_tests(report: Report) -> list[dict]:
    """Um teste por verificação. Extras valem 0 (aparecem, mas a nota é só a do núcleo); `id`,
    `status` e `output` são campos a mais, que o Classroom 50 guarda como vieram."""
    tests = []
    for c in report.checks:
        max_score = 0 if c.extra else _whole_points(c.max_points)
        tests.append({
            "test-name": f"{'[extra] ' if c.extra else ''}{c.id} — {c.title}",
            "passed": c.status == PASS,
            "score": max_score if c.status == PASS else 0,
            "max-score": max_score,
            "id": c.id,
            "status": c.status,
            "output": _check_output(c),
        })
    return tests


def classroom50_result(report: Report, identity: Mapping[str, str]) -> dict:
    """O result.json do Classroom 50 (classroom50/result/v1): identidade da entrega e nota por verificação."""
    tests = classroom50_tests(report)
    return {
        "schema": CLASSROOM50_SCHEMA,
        **{key: identity[key] for key in CLASSROOM50_IDENTITY},
        "score": sum(t["score"] for t in tests),
        "max-score": sum(t["max-score"] for t in tests),
        "tests": tests,
    }


def classroom50_status(report: Report) -> tuple[str, str]:
    """(status, resumo) do commit no Classroom 50: success quando nenhuma verificação do núcleo falhou."""
    core = [c for c in report.checks if not c.extra]
    passed = sum(c.status == PASS for c in core)
    summary = (f"Corretor do curso: {number(report.score)}/{number(report.max_score)} — "
               f"{passed} de {len(core)} verificações passaram")
    return ("failure" if report.core_failed else "success"), summary


# ---------------------------------------------------------------- GitHub Actions (anotações)


def _command_data(text: str) -> str:
    """Escapa a mensagem de um comando de workflow (tudo numa linha só)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _command_property(text: str) -> str:
    """Escapa o valor de uma propriedade (file=, title=) de um comando de workflow."""
    return _command_data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotations(report: Report, path: str) -> list[str]:
    """Uma anotação por verificação que não passou, presa ao arquivo `path`: `::error` no núcleo,
    `::warning` nos extras. As puladas (dependem de outra que falhou) não viram anotação."""
    lines = []
    for c in report.checks:
        if c.status not in (FAIL, TIMEOUT, ERROR):
            continue
        level = "warning" if c.extra else "error"
        title = f"{c.id}: {WORDS[c.status].lower()} ({number(c.points)}/{number(c.max_points)})"
        body = "\n".join(part for part in (c.title, c.message, f"Dica: {c.hint}" if c.hint else "") if part)
        lines.append(f"::{level} file={_command_property(path)},title={_command_property(title)}::{_command_data(body)}")
    return lines


# ---------------------------------------------------------------- Moodle VPL (Grade :=>> e comentários)

VPL_GRADE, VPL_COMMENT, VPL_BEGIN, VPL_END = "Grade :=>>", "Comment :=>>", "<|--", "--|>"


def _vpl_preformatted(text: str) -> list[str]:
    """Texto que pode trazer trechos do aluno: cada linha começa com '>', que o VPL mostra como texto
    pré-formatado. Assim nenhuma linha vira título, nota ou fim do bloco de comentários."""
    return [">" + line.rstrip() for line in text.splitlines() or [""]]


def _vpl_title(text: str) -> str:
    """Um título de comentário do VPL (linha que começa com '-'), sempre numa linha só."""
    return "-" + " ".join(text.split())


def _vpl_check_lines(check: CheckResult) -> list[str]:
    extra = " (extra)" if check.extra else ""
    points = f"{number(check.points)}/{number(check.max_points)}"
    lines = [_vpl_title(f"{WORDS[check.status]} {points} · {check.title}{extra} [{check.id}]")]
    if check.status != PASS and check.message:
        lines += _vpl_preformatted(check.message)
    if check.status in (FAIL, TIMEOUT, ERROR) and check.hint:
        lines.append(f"Dica: {check.hint}")
    return lines


def vpl_grade(report: Report, grade_min: float = 0.0, grade_max: float = 10.0) -> float:
    """A nota na escala da atividade do Moodle: a fração dos pontos do núcleo entre a mínima e a máxima."""
    if not report.max_score:
        return grade_min
    return grade_min + (grade_max - grade_min) * report.score / report.max_score


def vpl_evaluation(report: Report, grade_min: float = 0.0, grade_max: float = 10.0) -> str:
    """A saída que o VPL lê: um bloco de comentários (uma verificação por título) e a linha `Grade :=>>`."""
    core = [c for c in report.checks if not c.extra]
    extras = [c for c in report.checks if c.extra]
    lines = [VPL_BEGIN, _vpl_title(f"Nota no curso: {number(report.score)}/{number(report.max_score)} ({_counts(core)})")]
    if any(c.status == SKIP for c in core):
        lines.append("As verificações puladas dependem de outras que falharam: corrija aquelas primeiro.")
    for check in core:
        lines += _vpl_check_lines(check)
    if extras:
        lines.append(_vpl_title(f"Desafios extras (fora da nota): {number(report.extras_score)}/"
                                f"{number(report.extras_max_score)} ({_counts(extras)})"))
        for check in extras:
            lines += _vpl_check_lines(check)
    grade = f"{vpl_grade(report, grade_min, grade_max):.2f}".rstrip("0").rstrip(".")
    return "\n".join([*lines, VPL_END, f"{VPL_GRADE} {grade}"])


def vpl_error(message: str) -> str:
    """Quando o corretor não consegue corrigir: só o comentário, sem nota (não é culpa do aluno)."""
    lines = [VPL_BEGIN, _vpl_title("O corretor não conseguiu corrigir esta entrega"), *_vpl_preformatted(message),
             "Avise o professor: este erro é do ambiente de correção, não do seu código.", VPL_END]
    return "\n".join(lines)
