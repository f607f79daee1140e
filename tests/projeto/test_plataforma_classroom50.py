"""Classroom 50: o autograder.py de `python -m common.grader.classroom50` rodando como o runner o roda.

A montagem segue o runner.py do Classroom 50 (foundation50/classroom50, commit 0c499034): a pasta
CLASSROOM/autograders/TAREFA vira TAREFA.tar.gz (como no Publish Pages), é extraída em
$RUNNER_TEMP/classroom50-runtime/, e `python autograder.py` roda no checkout do aluno com as
variáveis do runner. O result.json é validado pelo esquema (escrito a partir da wiki) e pelas regras
que o runner confere em código.
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
import tarfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import jsonschema_rs
import pytest

from common.grader.bundle import source_files
from common.grader.classroom50 import ENTRY_POINT, MAX_BUNDLE_BYTES, build, compressed_size
from tests.projeto.grader_runs import REPO_ROOT, leftovers
from tests.projeto.plataformas import BROKEN_CHECK, DAY, expectations, run_both, write_submission

SCHEMA = jsonschema_rs.validator_for(json.loads(
    (Path(__file__).parent / "schemas" / "classroom50-result-v1.schema.json").read_text(encoding="utf-8")))
SLUG, OWNER, SHA = "dia01", "aluna-exemplo", "0123456789abcdef0123456789abcdef01234567"
REPO_URL = f"https://github.com/turma-exemplo/curso-{SLUG}-{OWNER}"
RUNNER_ENV = {
    "CLASSROOM": "curso", "ASSIGNMENT": SLUG, "SUBMISSION_TAG": f"submit/2026-10-01T12-00-00Z-{SHA[:7]}",
    "COMMIT_URL": f"{REPO_URL}/commit/{SHA}", "RELEASE_URL": f"{REPO_URL}/releases/tag/submit%2F2026-10-01T12-00-00Z",
    "REVIEW_URL": f"{REPO_URL}/compare/{SHA[::-1]}...{SHA}", "USERNAME": OWNER, "OWNER": OWNER,
    "ASSIGNMENT_TYPE": "individual", "PAGES_BASE_URL": "https://turma-exemplo.github.io/classroom50",
    "GITHUB_REPOSITORY": f"turma-exemplo/curso-{SLUG}-{OWNER}", "GITHUB_SHA": SHA, "GITHUB_ACTIONS": "true",
}


@dataclass
class Run:
    process: subprocess.CompletedProcess
    workspace: Path
    outputs: dict[str, str]
    run_id: str

    @property
    def result(self) -> dict:
        return json.loads((self.workspace / "result.json").read_text(encoding="utf-8"))


def runner_rejects(result: dict) -> list[str]:
    """O que o validate_result do runner.py recusaria (as regras que o esquema não expressa)."""
    problems = []
    if (result["classroom"], result["assignment"], result["owner"]) != (RUNNER_ENV["CLASSROOM"], SLUG, OWNER):
        problems.append("identidade diferente da do repositório")
    numbers = [result["score"], result["max-score"], *(t[k] for t in result["tests"] for k in ("score", "max-score"))]
    if any(type(n) is not int for n in numbers):
        problems.append("pontos que não são int")
    if result["score"] > result["max-score"] or any(t["score"] > t["max-score"] for t in result["tests"]):
        problems.append("nota maior que a máxima")
    return problems


@pytest.fixture(scope="module")
def runtime(tmp_path_factory) -> Path:
    """$RUNNER_TEMP/classroom50-runtime com o pacote da tarefa extraído, como o runner deixa."""
    root = tmp_path_factory.mktemp("classroom50")
    folder = build(DAY, root / "classroom" / "autograders" / SLUG)
    archive = root / f"{SLUG}.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:  # tar -czf SLUG.tar.gz -C autograders SLUG
        tar.add(folder, arcname=SLUG)
    runtime_dir = root / "runner-temp" / "classroom50-runtime"
    with tarfile.open(archive) as tar:
        tar.extractall(runtime_dir, filter="data")
    return runtime_dir


def student_checkout(root: Path, kind: str | None) -> Path:
    """O repositório do aluno como o Classroom 50 o cria a partir do repositório do curso."""
    repo = root / "repo"
    (repo / ".github" / "workflows").mkdir(parents=True)
    (repo / ".classroom50.yaml").write_text(f"classroom: curso\nassignment: {SLUG}\n", encoding="utf-8")
    (repo / ".github" / "workflows" / "autograde.yaml").write_text("name: autograde\n", encoding="utf-8")
    (repo / "GUIA_APRENDIZADO.md").write_text((REPO_ROOT / "GUIA_APRENDIZADO.md").read_text(encoding="utf-8"), encoding="utf-8")
    # Um common/ mexido pelo aluno: o corretor tem de vir do pacote do professor, nunca daqui.
    (repo / "common").mkdir()
    (repo / "common" / "__init__.py").write_text('raise SystemExit("o corretor usou o common/ do aluno")\n', encoding="utf-8")
    if kind:
        write_submission(kind, repo / DAY)
    return repo


def run_autograder(root: Path, runtime: Path, kind: str | None, **env: str) -> Run:
    workspace, outputs, run_id = student_checkout(root, kind), root / "github_output", uuid.uuid4().hex
    outputs.touch()
    environment = {
        "PATH": "/usr/bin:/bin", "HOME": str(root), "NO_COLOR": "1", **RUNNER_ENV,
        "RUNNER_TEMP": str(runtime.parent), "GITHUB_WORKSPACE": str(workspace), "GITHUB_OUTPUT": str(outputs),
        "CLASSROOM50_BUNDLE_DIR": str(runtime / SLUG),
        # O Python que já tem as dependências (numa imagem ou num runner próprio): sem pip aqui, offline.
        "CURSO_CORRETOR_PYTHON": sys.executable, "COURSE_GRADER_RUN_ID": run_id, **env,
    }
    done = subprocess.run([sys.executable, str(runtime / SLUG / "autograder.py")], cwd=workspace, env=environment,
                          capture_output=True, text=True, encoding="utf-8", timeout=120)
    pairs = (line.split("=", 1) for line in outputs.read_text(encoding="utf-8").splitlines() if "=" in line)
    return Run(done, workspace, dict(pairs), run_id)


@pytest.fixture(scope="module")
def runs(runtime, tmp_path_factory) -> dict[str, Run]:
    return run_both(tmp_path_factory, run_autograder, runtime)


def _test(result: dict, check_id: str) -> dict:
    return next(t for t in result["tests"] if t["id"] == check_id)


def test_solucao_tira_a_nota_cheia(runs):
    run = runs["solucao"]
    assert run.process.returncode == 0, run.process.stdout + run.process.stderr
    result = run.result
    assert SCHEMA.is_valid(result), [e.message for e in SCHEMA.iter_errors(result)]
    assert runner_rejects(result) == []
    total, _, _ = expectations()
    assert result["score"] == result["max-score"] == total
    assert all(t["passed"] for t in result["tests"])
    assert result["submission"] == RUNNER_ENV["SUBMISSION_TAG"] and result["review"] == RUNNER_ENV["REVIEW_URL"]
    assert run.outputs["status"] == "success"


def test_entrega_quebrada_tira_a_nota_parcial_com_a_dica(runs):
    run = runs["quebrada"]
    assert run.process.returncode == 0, run.process.stdout + run.process.stderr  # falhar é nota, não erro
    result = run.result
    assert SCHEMA.is_valid(result), [e.message for e in SCHEMA.iter_errors(result)]
    assert runner_rejects(result) == []
    total, partial, mark = expectations()
    assert (result["score"], result["max-score"]) == (partial, total)
    failed = _test(result, BROKEN_CHECK)
    assert (failed["passed"], failed["score"], failed["max-score"]) == (False, 0, mark.points)
    link = f"{REPO_URL}/blob/{SHA}/{mark.hint}"  # a dica aponta para o guia no commit corrigido
    assert f"Dica: {link}" in failed["output"]
    body = (run.workspace / "release-body.md").read_text(encoding="utf-8")
    assert f"**Nota: {partial}/{total}**" in body and f"Dica: {link}" in body
    assert run.outputs["status"] == "failure"
    assert run.outputs["summary"].startswith(f"Corretor do curso: {partial}/{total}")


def test_o_log_desliga_os_comandos_de_workflow_durante_a_correcao(runs):
    for run in runs.values():
        out = run.process.stdout
        start = re.search(r"^::stop-commands::([0-9a-f]{32})$", out, re.MULTILINE)
        assert start, out
        resume = out.index(f"\n::{start.group(1)}::\n")
        assert start.end() < out.index("Correção de dia01") < out.index("Nota: ") < resume


def test_nenhum_processo_do_aluno_sobra(runs):
    for run in runs.values():
        assert leftovers(run.run_id) == []


def test_sem_entrega_a_nota_e_zero_com_o_total_do_dia_e_a_explicacao(runtime, tmp_path):
    run = run_autograder(tmp_path, runtime, kind=None)
    assert run.process.returncode == 0, run.process.stderr
    result = run.result
    assert SCHEMA.is_valid(result) and runner_rejects(result) == []
    total, _, _ = expectations()
    assert (result["score"], result["max-score"]) == (0, total)
    assert "Entrega não encontrada" in _test(result, f"{DAY}.servidor_sobe")["output"]


def test_fora_do_runner_e_erro_de_infraestrutura(runtime, tmp_path):
    run = run_autograder(tmp_path, runtime, "solucao", CLASSROOM="")
    assert run.process.returncode == 1
    assert "::error title=Corretor do curso::" in run.process.stdout
    assert "faltam variáveis do Classroom 50 (CLASSROOM)" in run.process.stderr
    assert not (run.workspace / "result.json").exists()


def test_python_antigo_no_runner_explica_o_que_fazer(monkeypatch, capsys):
    spec = importlib.util.spec_from_file_location("autograder_classroom50", ENTRY_POINT)
    autograder = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(autograder)
    monkeypatch.delenv("CURSO_CORRETOR_PYTHON", raising=False)
    monkeypatch.setattr(autograder, "MIN_PYTHON", (99, 0))
    assert autograder.main() == 1
    out = capsys.readouterr().out
    assert out.startswith("::error title=Corretor do curso::") and '"runtime": {"python": "3.11"}' in out


def test_o_pacote_leva_o_corretor_e_nenhuma_solucao(runtime):
    folder = runtime / SLUG
    files = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert {"autograder.py", "corretor.json", "requirements.txt", "pyproject.toml",
            "common/grader/classroom50.py", f"tests/{DAY}/test_{DAY}.py"} <= files
    assert not any(name.startswith(("solutions/", DAY + "/")) or name.endswith(".env") for name in files)
    assert (folder / "autograder.py").read_bytes() == ENTRY_POINT.read_bytes()
    assert json.loads((folder / "corretor.json").read_text(encoding="utf-8"))["day"] == DAY
    assert compressed_size(folder) < MAX_BUNDLE_BYTES
    # O Dia 3 serve a página a partir de REPO_ROOT/dia03/static: o pacote do dia a leva junto.
    assert REPO_ROOT / "dia03" / "static" / "index.html" in source_files("dia03")
