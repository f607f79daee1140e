"""Moodle VPL: os arquivos de `python -m common.grader.vpl` rodando numa pasta montada como a do jail.

Como o VPL avalia (vpl_submission_CE.class.php do jcrodriguez-dis/moodle-mod_vpl, commit 8f6e8ecd, e
src/jail.cpp do vpl-jail-system, commit 040112ce): a pasta recebe os arquivos enviados, os arquivos
de execução, o vpl_environment.sh e o common_script.sh; o jail roda vpl_evaluate.sh; se ficou um
vpl_execution, apaga os arquivos de execução que não eram para ficar e roda o vpl_execution. A saída
é lida como o VPL lê (a última `Grade :=>>` é a nota; comentários são `Comment :=>>` e os blocos).
"""

from __future__ import annotations

import base64
import shutil
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from common.grader.vpl import build, time_budget
from tests.projeto.grader_runs import leftovers
from tests.projeto.plataformas import (BROKEN_CHECK, DAY, expectations, run_both, vpl_proposed_comment,
                                       vpl_proposed_grade, vpl_titles, write_submission)

GRADE_MAX = 10
EXECUTION_FILES = ("vpl_evaluate.sh", "vpl_run.sh", "corretor.zip")


def environment_script(submitted: list[str]) -> str:
    """O vpl_environment.sh que o VPL escreve para uma avaliação (prepare_execution_info)."""
    lines = ["#!/bin/bash", "export VPL_LANG='pt_BR.UTF-8'", "export MOODLE_USER_ID='42'",
             "export MOODLE_USER_NAME='Aluna Exemplo'", "export VPL_MAXTIME='90'", "export VPL_MAXMEMORY='2097152000'",
             "export VPL_MAXPROCESSES='400'", "export VPL_GRADEMIN='0'", f"export VPL_GRADEMAX='{GRADE_MAX}'"]
    lines += [f"export VPL_SUBFILE{i}='{name}'" for i, name in enumerate(submitted)]
    lines.append('export VPL_SUBFILES="' + "".join(f"{name}\n" for name in submitted) + '"')
    return "\n".join(lines) + "\n"


@dataclass
class JailRun:
    compile_output: str
    output: str
    jail: Path
    run_id: str


def run_in_jail(root: Path, activity: Path, kind: str | None, script: str = "vpl_evaluate.sh",
                submitted: tuple[str, ...] = ("template.py",)) -> JailRun:
    """Monta a pasta do jail, roda o script do VPL e depois o vpl_execution que ele deixou."""
    jail = root / "home" / "p10042"
    jail.mkdir(parents=True)
    for name in EXECUTION_FILES:
        shutil.copy2(activity / "execucao" / name, jail / name)
    if kind:
        write_submission(kind, root / "entrega")
        shutil.copy2(root / "entrega" / "template.py", jail / "template.py")
    (jail / "vpl_environment.sh").write_text(environment_script(list(submitted)), encoding="utf-8")
    (jail / "common_script.sh").write_text("#!/bin/bash\n. vpl_environment.sh\n", encoding="utf-8")
    run_id = uuid.uuid4().hex
    env = {"PATH": "/usr/bin:/bin", "HOME": str(jail), "COURSE_GRADER_RUN_ID": run_id, "NO_COLOR": "1"}
    compiled = subprocess.run(["bash", script], cwd=jail, env=env, capture_output=True, text=True, timeout=60)
    assert (jail / "vpl_execution").is_file(), compiled.stdout + compiled.stderr
    for name in EXECUTION_FILES:  # os arquivos de execução que não foram marcados para ficar
        (jail / name).unlink()
    executed = subprocess.run(["./vpl_execution"], cwd=jail, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, encoding="utf-8", timeout=150)
    return JailRun(compiled.stdout + compiled.stderr, executed.stdout, jail, run_id)


@pytest.fixture(scope="module")
def activity(tmp_path_factory) -> Path:
    # O Python do corretor no servidor de execução: aqui, o desta venv (que já tem as dependências).
    return build(DAY, tmp_path_factory.mktemp("vpl") / DAY, python=sys.executable)


@pytest.fixture(scope="module")
def runs(activity, tmp_path_factory) -> dict[str, JailRun]:
    return run_both(tmp_path_factory, run_in_jail, activity)


def test_a_atividade_tem_os_arquivos_de_execucao_e_os_pedidos(activity):
    assert sorted(p.name for p in (activity / "execucao").iterdir()) == sorted(EXECUTION_FILES)
    assert sorted(p.name for p in (activity / "pedidos").iterdir()) == ["template.py"]


def test_solucao_tira_a_nota_maxima_da_atividade(runs):
    run = runs["solucao"]
    assert vpl_proposed_grade(run.output) == str(GRADE_MAX), run.output + run.compile_output
    titles = vpl_titles(vpl_proposed_comment(run.output))
    total, _, _ = expectations()
    assert titles[0] == f"Nota no curso: {total}/{total} (todas passaram)"
    assert all(title.startswith("PASSOU ") for title in titles[1:])


def test_quebrada_tira_a_nota_parcial_com_a_dica(runs):
    run = runs["quebrada"]
    total, partial, mark = expectations()
    assert float(vpl_proposed_grade(run.output)) == pytest.approx(GRADE_MAX * partial / total), run.output
    comment = vpl_proposed_comment(run.output)
    failed = [title for title in vpl_titles(comment) if title.startswith("FALHOU")]
    assert len(failed) == 1 and failed[0].startswith(f"FALHOU 0/{mark.points} · ") and failed[0].endswith(f"[{BROKEN_CHECK}]")
    assert f"Dica: {mark.hint}" in comment.splitlines()
    assert any(line.startswith(">esperado: status 201") for line in comment.splitlines())


def test_a_saida_e_so_o_que_o_vpl_le(runs):
    for run in runs.values():
        lines = run.output.splitlines()
        assert lines[0] == "<|--" and lines[-2] == "--|>" and lines[-1].startswith("Grade :=>> ")
        assert sum(line.startswith("Grade :=>>") for line in lines) == 1


def test_nenhum_processo_sobra(runs):
    for run in runs.values():
        assert leftovers(run.run_id) == []


def test_botao_executar_mostra_o_relatorio_sem_nota(activity, tmp_path):
    run = run_in_jail(tmp_path, activity, "quebrada", script="vpl_run.sh")
    _, partial, mark = expectations()
    assert f"Nota: {partial}/" in run.output and f"Dica: {mark.hint}" in run.output
    assert vpl_proposed_grade(run.output) == ""


def test_sem_o_template_py_a_nota_e_a_minima_e_o_comentario_explica(activity, tmp_path):
    run = run_in_jail(tmp_path, activity, kind=None, submitted=("outro.py",))
    assert vpl_proposed_grade(run.output) == "0"
    assert "Entrega não encontrada: envie o arquivo template.py" in vpl_proposed_comment(run.output)


def test_servidor_sem_o_python_do_corretor_avisa_sem_dar_nota(tmp_path):
    activity = build(DAY, tmp_path / "atividade", python="/opt/nao-instalado/bin/python")
    run = run_in_jail(tmp_path, activity, "solucao")
    assert vpl_proposed_grade(run.output) == ""
    assert vpl_titles(vpl_proposed_comment(run.output)) == ["O corretor não está instalado neste servidor de execução"]


HIDDEN_CHECK = '''
from common.grader.checks import check, expect_status

@check("oculta.rota", points=5, hint="dia1-passo2")
def test_rota(api):
    """GET /rota-oculta responde 200"""
    expect_status(api.get("/rota-oculta"), 200)
'''


def test_verificacoes_ocultas_vao_no_pacote_e_contam_na_nota(tmp_path):
    hidden = tmp_path / "ocultas"
    hidden.mkdir()
    (hidden / "test_ocultas.py").write_text(HIDDEN_CHECK, encoding="utf-8")
    activity = build(DAY, tmp_path / "atividade", python=sys.executable, checks_dir=hidden)
    run = run_in_jail(tmp_path, activity, "solucao")
    total, _, _ = expectations()
    assert float(vpl_proposed_grade(run.output)) == pytest.approx(GRADE_MAX * total / (total + 5), abs=0.005), run.output
    comment = vpl_proposed_comment(run.output)
    assert "FALHOU 0/5 · GET /rota-oculta responde 200 [oculta.rota]" in vpl_titles(comment)
    assert "Dica: GUIA_APRENDIZADO.md#dia1-passo2" in comment.splitlines()


def test_vpl_antigo_que_entrega_o_zip_em_base64(activity, tmp_path):
    jail = tmp_path / "jail"
    jail.mkdir()
    shutil.copy2(activity / "execucao" / "vpl_evaluate.sh", jail)
    encoded = base64.encodebytes((activity / "execucao" / "corretor.zip").read_bytes())
    (jail / "corretor.zip.b64").write_bytes(encoded)
    done = subprocess.run(["bash", "vpl_evaluate.sh"], cwd=jail, env={"PATH": "/usr/bin:/bin"}, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (jail / ".corretor" / "corretor.json").is_file() and "--run avaliar" in (jail / "vpl_execution").read_text()


def test_o_tempo_da_correcao_cabe_no_tempo_da_atividade(monkeypatch):
    monkeypatch.delenv("VPL_MAXTIME", raising=False)
    assert time_budget() == []
    monkeypatch.setenv("VPL_MAXTIME", "60")
    assert time_budget() == ["--run-timeout", "50", "--startup-timeout", "20"]
    monkeypatch.setenv("VPL_MAXTIME", "12")
    assert time_budget() == ["--run-timeout", "10", "--startup-timeout", "5"]


def test_os_scripts_passam_no_shellcheck(runs, activity):
    if shutil.which("shellcheck") is None:
        pytest.skip("shellcheck não está instalado (apt-get install shellcheck; o .ci/run instala)")
    scripts = [activity / "execucao" / "vpl_evaluate.sh", activity / "execucao" / "vpl_run.sh",
               runs["solucao"].jail / "vpl_execution"]
    done = subprocess.run(["shellcheck", *map(str, scripts)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout
