"""Os relatórios de uma correção: terminal, --json, --gradescope (results.json) e --junit."""

from __future__ import annotations

import json
import os
import sys
import xml.etree.ElementTree as ET
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
    if check.status != PASS and check.message:
        lines += [f"                   {line}" for line in check.message.splitlines()]
    if check.status in (FAIL, TIMEOUT, ERROR) and check.hint:
        lines.append(f"                   Dica: {check.hint}")
    return lines


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
            lines += _check_lines(check, color)
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
        lines += [f"### {c.title} (`{c.id}`)", "", "```text", c.message or WORDS[c.status], "```"]
        lines += [f"Dica: {c.hint}", ""] if c.hint else [""]
    return "\n".join(lines)


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
