"""GitHub Actions puro (fork do aluno): .github/workflows/corretor.yml.

O arquivo passa por um validador de workflow de verdade (check-jsonschema, com o esquema de
workflows do GitHub que ele traz, offline) e, com shellcheck, pelos comandos de cada passo. Depois
os próprios comandos do workflow rodam numa pasta montada como a de um runner: um fork com dois
commits (o push mexeu só no dia01), GITHUB_STEP_SUMMARY, GITHUB_OUTPUT e o shell que o GitHub usa.
Só o passo do pip fica de fora (sem rede nos testes): ele é conferido pelo texto.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from common.grader.actions import days_to_grade
from tests.projeto.grader_runs import REPO_ROOT, leftovers
from tests.projeto.plataformas import BROKEN_CHECK, DAY, expectations, run_both, write_submission

WORKFLOW = REPO_ROOT / ".github" / "workflows" / "corretor.yml"
BASH = ["bash", "--noprofile", "--norc", "-eo", "pipefail"]  # o shell padrão de `run:` no Linux
COURSE_FILES = ("common", "tests/dia01", "tests/dia02", "tests/dia03", "dia01", "dia02", "dia03",
                "requirements.txt", "pyproject.toml", "GUIA_APRENDIZADO.md", ".github")
REPOSITORY = "aluna-exemplo/curso-fastapi-langchain"


def load_workflow() -> dict:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    workflow["on"] = workflow.pop(True)  # o YAML 1.1 do PyYAML lê a chave `on` como True
    return workflow


def job_steps() -> list[dict]:
    (job,) = load_workflow()["jobs"].values()
    return job["steps"]


def step(name: str) -> dict:
    return next(s for s in job_steps() if s["name"] == name)


# ---------------------------------------------------------------- o arquivo


def check_jsonschema(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows",
                           str(path)], capture_output=True, text=True, timeout=60)


def test_o_workflow_passa_no_validador_de_workflows(tmp_path):
    done = check_jsonschema(WORKFLOW)
    assert done.returncode == 0, done.stdout + done.stderr
    broken = tmp_path / "quebrado.yml"  # controle: o validador recusa um passo com chave inventada
    broken.write_text(WORKFLOW.read_text(encoding="utf-8").replace("persist-credentials: false",
                                                                  "persist-credentials: false\n        chave-inventada: 1"),
                      encoding="utf-8")
    assert check_jsonschema(broken).returncode == 1


def test_os_comandos_dos_passos_passam_no_shellcheck(tmp_path):
    if shutil.which("shellcheck") is None:
        pytest.skip("shellcheck não está instalado (apt-get install shellcheck; o .ci/run instala)")
    scripts = []
    for index, item in enumerate(s for s in job_steps() if "run" in s):
        script = tmp_path / f"passo{index}.sh"
        script.write_text("#!/bin/bash\n" + item["run"], encoding="utf-8")
        scripts.append(str(script))
    done = subprocess.run(["shellcheck", "--shell=bash", *scripts], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout


def _evaluate(condition: str, context: dict[str, object]) -> bool:
    """Avalia o `if:` do job (só ||, == e nomes, que é o que ele usa) num contexto de evento."""
    def clause(text: str) -> bool:
        name, _, literal = (part.strip() for part in text.partition("=="))
        value = context.get(name)
        return value == literal.strip("'") if literal else bool(value)
    return any(clause(part) for part in condition.split("||"))


def test_nao_roda_no_repositorio_do_curso_e_roda_no_fork():
    (job,) = load_workflow()["jobs"].values()
    push = {"github.event_name": "push"}
    assert not _evaluate(job["if"], {**push, "github.event.repository.fork": False})  # o repositório do curso
    assert _evaluate(job["if"], {**push, "github.event.repository.fork": True})  # o fork do aluno
    assert _evaluate(job["if"], {**push, "github.event.repository.fork": False, "vars.CORRETOR": "ligado"})  # template
    assert _evaluate(job["if"], {"github.event_name": "workflow_dispatch"})  # o botão
    assert load_workflow()["on"]["push"]["paths"] == ["dia01/**", "dia02/**", "dia03/**"]


def test_nenhum_segredo_e_so_leitura():
    text = WORKFLOW.read_text(encoding="utf-8")
    assert "secrets." not in text and "GITHUB_TOKEN" not in text
    assert load_workflow()["permissions"] == {"contents": "read"}
    assert step("Baixar o código")["with"]["persist-credentials"] is False  # nenhum token no disco
    for item in job_steps():
        assert "${{" not in item.get("run", ""), "expressões vão em env:, nunca direto no script"
        if "uses" in item:
            assert re.fullmatch(r"actions/[a-z-]+@v\d+", item["uses"]), item["uses"]


def test_instala_so_o_requirements_e_o_artefato_e_a_saida_do_corretor():
    install = step("Instalar o que a correção precisa")["run"]
    assert "-r requirements.txt" in install and "requirements-dev" not in install
    out_dir = re.search(r"--saida (\S+)", step("Corrigir")["run"]).group(1)
    upload = step("Guardar o relatório")
    assert upload["with"]["path"].rstrip("/") == out_dir and upload["if"] == "${{ !cancelled() }}"


# ---------------------------------------------------------------- os comandos, num runner de mentira


@dataclass
class Run:
    returncode: int
    log: str
    summary: str
    outputs: dict[str, str]
    workspace: Path
    before: str
    run_id: str


def git(workspace: Path, *args: str) -> str:
    identity = ["-c", "user.name=Aluna", "-c", "user.email=aluna@example.com"]
    return subprocess.run(["git", "-C", str(workspace), *identity, *args], capture_output=True, text=True,
                          check=True).stdout.strip()


def fork_with_a_push(root: Path, kind: str) -> tuple[Path, str]:
    """Um fork do curso (commit 1) e um push que troca só o dia01 pela entrega (commit 2)."""
    workspace = root / "work" / "curso"
    for name in COURSE_FILES:
        source, target = REPO_ROOT / name, workspace / name
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    git(workspace, "init", "-q")
    git(workspace, "add", ".")
    git(workspace, "commit", "-qm", "fork do curso")
    before = git(workspace, "rev-parse", "HEAD")
    shutil.rmtree(workspace / DAY)
    write_submission(kind, workspace / DAY)
    git(workspace, "add", ".")
    git(workspace, "commit", "-qm", "meu dia 1")
    return workspace, before


def expressions(before: str) -> dict[str, str]:
    """O valor de cada expressão ${{ }} dos env: dos passos, num push (sem inputs)."""
    return {"inputs.dia": "", "github.event.before": before}


def run_steps(root: Path, kind: str) -> Run:
    workspace, before = fork_with_a_push(root, kind)
    bin_dir = root / "bin"  # o setup-python põe `python` no PATH
    bin_dir.mkdir()
    (bin_dir / "python").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n', encoding="utf-8")
    (bin_dir / "python").chmod(0o755)
    summary, outputs, run_id = root / "summary.md", root / "output", uuid.uuid4().hex
    summary.touch()
    outputs.touch()
    env = {
        "PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(root), "NO_COLOR": "1", "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(workspace), "RUNNER_TEMP": str(root), "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_OUTPUT": str(outputs), "GITHUB_EVENT_NAME": "push", "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": REPOSITORY, "GITHUB_SHA": git(workspace, "rev-parse", "HEAD"),
        "COURSE_GRADER_RUN_ID": run_id,
    }
    log, code = "", 0
    for item in job_steps():
        if "run" not in item or item["name"] == "Instalar o que a correção precisa":
            continue  # o pip precisa de rede; o texto do passo é conferido acima
        step_env = {key: expressions(before)[value.strip("${} ")] if "${{" in value else value
                    for key, value in item.get("env", {}).items()}
        script = root / f"{item['name']}.sh"
        script.write_text(item["run"], encoding="utf-8")
        done = subprocess.run([*BASH, str(script)], cwd=workspace, env={**env, **step_env},
                              capture_output=True, text=True, encoding="utf-8", timeout=180)
        log += done.stdout + done.stderr
        code = code or done.returncode
    pairs = (line.split("=", 1) for line in outputs.read_text(encoding="utf-8").splitlines())
    return Run(code, log, summary.read_text(encoding="utf-8"), dict(pairs), workspace, before, run_id)


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Run]:
    return run_both(tmp_path_factory, run_steps)


def test_solucao_nota_cheia_no_resumo_sem_anotacoes(runs):
    run = runs["solucao"]
    total, _, _ = expectations()
    assert run.returncode == 0, run.log
    assert f"| {DAY} | {total}/{total} |" in run.summary and f"**Nota: {total}/{total}**" in run.summary
    assert run.outputs == {DAY: f"{total}/{total}"}  # só o dia que mudou foi corrigido
    assert not re.search(r"^::(error|warning) ", run.log, re.MULTILINE)
    report = json.loads((run.workspace / "notas" / f"{DAY}.json").read_text(encoding="utf-8"))
    assert report["score"] == total and not (run.workspace / "notas" / "dia02.json").exists()


def test_quebrada_nota_parcial_dica_e_anotacao_no_arquivo(runs):
    run = runs["quebrada"]
    total, partial, mark = expectations()
    assert run.returncode == 1, run.log  # uma verificação falhou: o job fica vermelho
    assert f"| {DAY} | {partial}/{total} |" in run.summary and "## O que corrigir" in run.summary
    link = f"https://github.com/{REPOSITORY}/blob/{git(run.workspace, 'rev-parse', 'HEAD')}/{mark.hint}"
    assert f"Dica: {link}" in run.summary
    assert run.outputs == {DAY: f"{partial}/{total}"}
    (annotation,) = [line for line in run.log.splitlines() if line.startswith("::error ")]
    assert annotation.startswith(f"::error file={DAY}/template.py,title={BROKEN_CHECK}%3A falhou (0/{mark.points})::")
    assert annotation.endswith(f"%0ADica: {link}")
    assert (run.workspace / "notas" / f"{DAY}.md").read_text(encoding="utf-8").count("## O que corrigir") == 1
    report = json.loads((run.workspace / "notas" / f"{DAY}.json").read_text(encoding="utf-8"))
    assert report["score"] == partial


def test_o_relatorio_do_terminal_fica_com_os_comandos_desligados(runs):
    for run in runs.values():
        start = re.search(r"^::stop-commands::([0-9a-f]{32})$", run.log, re.MULTILINE)
        assert start, run.log
        resume = run.log.index(f"\n::{start.group(1)}::\n")
        assert start.end() < run.log.index("Correção de dia01") < resume
        assert all(match.start() > resume for match in re.finditer(r"^::error ", run.log, re.MULTILINE))


def test_nenhum_processo_sobra(runs):
    for run in runs.values():
        assert leftovers(run.run_id) == []


def test_quais_dias_corrigir(runs):
    run = runs["solucao"]
    assert days_to_grade(run.workspace, "", run.before) == [DAY]  # o push mexeu só no dia01
    assert days_to_grade(run.workspace, "", "0" * 40) == ["dia01", "dia02", "dia03"]  # branch novo
    assert days_to_grade(run.workspace, "", "f" * 40) == ["dia01", "dia02", "dia03"]  # commit desconhecido
    assert days_to_grade(run.workspace, "todos", run.before) == ["dia01", "dia02", "dia03"]
    assert days_to_grade(run.workspace, "dia02", run.before) == ["dia02"]
    assert os.path.isdir(run.workspace / ".git")
