"""Entregas hostis (tests/projeto/corpus/hostis): o corretor termina dentro do seu limite, explica o
que houve, não deixa processo nenhum para trás e nenhum segredo do professor chega a arquivo algum.

Todas são corrigidas de uma vez (3 em paralelo), cada uma com `python -m common.grader`, com chaves
falsas "do professor" no ambiente e uma "chave SSH" plantada numa HOME falsa. Cada entrega conta o que
conseguiu pelo próprio HTTP (`relato.py`): o corretor cita a resposta na mensagem de uma falha, e o
teste lê o relato no --json. As de ataque (ler segredos, plantar código, fork bomb, memória, rede)
rodam com --sandbox on e são puladas numa máquina sem bubblewrap; as de redação, com --sandbox off.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from common.grader.integrity import snapshot
from common.grader.sandbox import probe
from common.grader.servers import DATA_MB, NPROC_SANDBOX
from tests.projeto.corpus import HOSTILE_DIR
from tests.projeto.grader_runs import (
    REPO_ROOT,
    GraderRun,
    grader_command,
    grader_env,
    leftovers,
    processes_with_run_id,
    run_grader,
)

RUN_TIMEOUT = 60  # limite da correção inteira (--run-timeout) em cada entrega hostil
MARGIN = 15  # folga para o corretor encerrar tudo depois do limite, numa máquina carregada
MAX_MESSAGE_CHARS = 5000
TOKEN = secrets.token_hex(8)
INSTRUCTOR_ENV = {
    "OPENAI_API_KEY": f"sk-sentinela-professor-{TOKEN}",
    "ANTHROPIC_API_KEY": f"sk-ant-sentinela-professor-{TOKEN}",
    "LANGSMITH_API_KEY": f"lsv2-sentinela-professor-{TOKEN}",
    "AWS_SECRET_ACCESS_KEY": f"aws-sentinela-professor-{TOKEN}",
    "GITHUB_TOKEN": f"gh-sentinela-professor-{TOKEN}",
}
SSH_KEY = f"sentinela-chave-ssh-do-professor-{TOKEN}"  # numa HOME falsa: só o sandbox a protege
BWRAP = probe().bwrap
NO_BWRAP = "sem bubblewrap nesta máquina (sudo apt install bubblewrap; o .ci/run instala): " + (probe().reason or "")
RELATO = re.compile(r"RELATO(\{.*?\})FIM")


@dataclass(frozen=True)
class Case:
    day: str
    startup_timeout: float = 20.0  # quem nunca fica pronto usa um limite curto (deixa o teste rápido)
    sandbox: str = "auto"  # "on": ataque que só o sandbox contém (pula sem bwrap); "off": prova a redação
    folder: str = ""  # a pasta em corpus/hostis (padrão: o nome do caso)


CASES = {
    "sintaxe": Case("dia01"),
    "import_falha": Case("dia01"),
    "loop_no_import": Case("dia01", startup_timeout=4),
    "nunca_escuta": Case("dia01", startup_timeout=4),
    "trava_tudo": Case("dia01", startup_timeout=4),
    "health_sem_fim": Case("dia01", startup_timeout=4),
    "stream_sem_fim": Case("dia03"),
    "resposta_50mb": Case("dia01"),
    "inunda_stdout": Case("dia01"),
    "daemoniza": Case("dia01"),
    "le_ambiente": Case("dia01"),
    "ambiente_ancestrais": Case("dia01", sandbox="on"),
    "env_do_repositorio": Case("dia01", sandbox="on"),
    "home_real": Case("dia01", sandbox="on"),
    "planta_codigo": Case("dia01", sandbox="on"),
    "devora_memoria": Case("dia01", sandbox="on"),
    "fork_bomba": Case("dia01", sandbox="on"),
    "rede": Case("dia01", sandbox="on"),
    "caca_segredos": Case("dia03", sandbox="on"),
    "ambiente_ancestrais_sem_sandbox": Case("dia01", sandbox="off", folder="ambiente_ancestrais"),
    "caca_segredos_sem_sandbox": Case("dia03", sandbox="off", folder="caca_segredos"),
}
ATTACKS = [name for name, case in CASES.items() if case.sandbox == "on"]
CLASS_RUN = "turma_sem_sandbox"
OUTPUTS = {"json": "relatorio.json", "gradescope": "results.json", "junit": "junit.xml"}


@dataclass
class Outcome:
    run: GraderRun
    report: dict
    left: list[str]
    folder: Path
    texts: dict[str, str] = field(default_factory=dict)  # todo arquivo de saída (e o terminal), por nome

    def check(self, check_id: str) -> dict:
        return next(c for c in self.report["checks"] if c["id"] == check_id)

    def relato(self) -> dict:
        """O que a entrega contou (o primeiro RELATO{...}FIM nas mensagens do --json)."""
        for check in self.report["checks"]:
            if match := RELATO.search(check["message"] or ""):
                return json.loads(match.group(1))
        raise AssertionError("nenhum relato no relatório:\n" + "\n".join(str(c["message"]) for c in self.report["checks"]))


@dataclass
class Batch:
    outcomes: dict[str, Outcome]
    marker: Path
    listener_connections: int
    repo_before: str
    repo_after: str
    venv_changes: list[str]
    ssh_key_file: Path


def _tree_digest(root: Path) -> str:
    """sha256 do conteúdo de cada arquivo do repositório (sem .git, .venv e __pycache__), byte a byte."""
    digest = hashlib.sha256()
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in {".git", ".venv", "__pycache__"})
        for name in sorted(files):
            path = Path(folder, name)
            digest.update(str(path.relative_to(root)).encode())
            digest.update(os.readlink(path).encode() if path.is_symlink() else path.read_bytes())
    return digest.hexdigest()


def _prepare(name: str, root: Path, targets: dict) -> Path:
    """A cópia da entrega, com o relato.py e o alvos.json que o teste dá a ela."""
    folder = root / name
    shutil.copytree(HOSTILE_DIR / (CASES[name].folder or name), folder / "entrega")
    shutil.copy(HOSTILE_DIR / "relato.py", folder / "entrega")
    (folder / "entrega" / "alvos.json").write_text(json.dumps(targets), encoding="utf-8")
    return folder


def _outputs(folder: Path, run: GraderRun) -> dict[str, str]:
    texts = {"terminal": run.stdout, "stderr": run.stderr}
    for path in sorted(folder.rglob("*")):
        inputs = {"entrega", "turma"} & set(path.relative_to(folder).parts)
        if path.is_file() and path.suffix in {".json", ".xml", ".md", ".csv"} and not inputs:
            texts[str(path.relative_to(folder))] = path.read_text(encoding="utf-8", errors="replace")
    return texts


def _grade(name: str, folder: Path, env: dict[str, str]) -> Outcome:
    case = CASES[name]
    outputs = [arg for kind, file in OUTPUTS.items() for arg in (f"--{kind}", folder / file)]
    run = run_grader(case.day, folder / "entrega", *outputs, "--startup-timeout", case.startup_timeout,
                     "--run-timeout", RUN_TIMEOUT, "--sandbox", case.sandbox, env=env, timeout=RUN_TIMEOUT + 60)
    report_path = folder / OUTPUTS["json"]
    report = json.loads(report_path.read_text(encoding="utf-8")) if report_path.is_file() else {}
    return Outcome(run, report, leftovers(run.run_id), folder, _outputs(folder, run))


def _grade_class(folder: Path, env: dict[str, str]) -> Outcome:
    """O modo turma sem sandbox: notas.csv, resumo.md e os feedbacks também não podem ter segredo."""
    turma = folder / "turma"
    shutil.copytree(folder / "entrega", turma / "aluno_hostil")
    run = run_grader("dia03", "--class", turma, "--out", folder / "notas", "--jobs", 1, "--sandbox", "off",
                     "--run-timeout", RUN_TIMEOUT, env=env, timeout=RUN_TIMEOUT + 90)
    report_path = folder / "notas" / "json" / "aluno_hostil.json"
    report = json.loads(report_path.read_text(encoding="utf-8")) if report_path.is_file() else {}
    return Outcome(run, report, leftovers(run.run_id), folder, _outputs(folder / "notas", run))


def _clean_plants() -> list[str]:
    """Se o sandbox falhou, o que a entrega plantou sai daqui (e o teste falha dizendo o quê)."""
    paths = [REPO_ROOT / "tests" / "dia03" / "conftest.py", REPO_ROOT / "tests" / "dia01" / "conftest.py",
             REPO_ROOT / "common" / "plantado_pelo_aluno.py", Path(sys.prefix) / "bin" / "plantado_pelo_aluno",
             *Path(sys.prefix).glob("lib/python*/site-packages/zz_plantado_pelo_aluno.pth")]
    found = [str(path) for path in paths if path.exists()]
    for path in found:
        Path(path).unlink()
    return found


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> Batch:
    root = tmp_path_factory.mktemp("hostis")
    home = root / "home-do-professor"
    (home / ".ssh").mkdir(parents=True)
    ssh_key_file = home / ".ssh" / "id_ed25519"
    ssh_key_file.write_text(f"-----BEGIN OPENSSH PRIVATE KEY-----\n{SSH_KEY}\n-----END OPENSSH PRIVATE KEY-----\n")
    marker = root / "marcador-do-codigo-plantado"
    listener = socket.create_server(("127.0.0.1", 0))  # só loopback: o alvo que a entrega "rede" tenta alcançar
    targets = {"home_files": [str(ssh_key_file)], "marcador": str(marker), "porta": listener.getsockname()[1]}
    env = {**INSTRUCTOR_ENV, "HOME": str(home)}
    names = [name for name, case in CASES.items() if case.sandbox != "on" or BWRAP]
    # Sem sandbox a home é legível (só o sandbox a protege): as entregas "off" nem recebem o caminho dela.
    unsandboxed = {key: value for key, value in targets.items() if key != "home_files"}
    folders = {name: _prepare(name, root, unsandboxed if CASES[name].sandbox == "off" else targets) for name in names}
    folders[CLASS_RUN] = _prepare("caca_segredos", root / CLASS_RUN, unsandboxed)
    repo_before, venv_before = _tree_digest(REPO_ROOT), snapshot(Path(sys.prefix), bytecode=False)
    try:
        with ThreadPoolExecutor(max_workers=3) as pool:
            jobs = {name: pool.submit(_grade, name, folders[name], env) for name in names}
            jobs[CLASS_RUN] = pool.submit(_grade_class, folders[CLASS_RUN], env)
            outcomes = {name: job.result() for name, job in jobs.items()}
    finally:
        plants = _clean_plants()
    assert not plants, f"a entrega planta_codigo conseguiu escrever (e o teste apagou): {plants}"
    venv_after = snapshot(Path(sys.prefix), bytecode=False)
    changes = sorted(set(venv_after.items()) ^ set(venv_before.items()))
    listener.setblocking(False)
    connections = 0
    while True:
        try:
            listener.accept()[0].close()
            connections += 1
        except BlockingIOError:
            break
    listener.close()
    return Batch(outcomes, marker, connections, repo_before, _tree_digest(REPO_ROOT), [p for p, _ in changes],
                 ssh_key_file)


def _leaked(outcome: Outcome, values: list[str]) -> list[str]:
    return [f"{value!r} em {where}" for where, text in outcome.texts.items() for value in values if value in text]


def _repo_dotenv_values() -> list[str]:
    """Os valores do .env de quem roda os testes (menos os de exemplo): também não podem sair em relatório."""
    from common.grader.redact import MIN_SECRET_CHARS, _dotenv_values

    public = set(_dotenv_values(REPO_ROOT / ".env.example").values())
    return [v for v in _dotenv_values(REPO_ROOT / ".env").values() if len(v) >= MIN_SECRET_CHARS and v not in public]


def _needs(name: str) -> None:
    if CASES.get(name, Case("dia01")).sandbox == "on" and not BWRAP:
        pytest.skip(NO_BWRAP)


# ---------------------------------------------------------------- todas as entregas


@pytest.mark.parametrize("name", CASES)
def test_corretor_termina_relata_e_nao_deixa_processos(batch, name):
    _needs(name)
    outcome = batch.outcomes[name]
    context = f"{name}:\nstdout:\n{outcome.run.stdout[-3000:]}\nstderr:\n{outcome.run.stderr[-3000:]}"
    assert outcome.run.returncode == 1, context  # correu até o fim e reprovou (nem 0, nem erro do corretor)
    assert outcome.run.elapsed < RUN_TIMEOUT + MARGIN, context
    assert outcome.report["checks"], context
    assert not outcome.left, f"{name}: processos sobraram: {outcome.left}"
    for check in outcome.report["checks"]:
        # Tudo o que a entrega faz é culpa dela (fail/timeout), nunca "erro da verificação".
        assert check["status"] != "error", f"{name}: {check}"
        assert len(check["message"] or "") < MAX_MESSAGE_CHARS, f"{name}: mensagem enorme em {check['id']}"
    assert "Nota:" in outcome.run.stdout, context
    if BWRAP and CASES[name].sandbox != "off":
        assert outcome.report["sandbox"] == "bwrap" and not outcome.report["warnings"], context


@pytest.mark.parametrize("name", [*CASES, CLASS_RUN])
def test_nenhum_segredo_do_professor_em_arquivo_de_saida_algum(batch, name):
    """Terminal, --json, --gradescope, --junit (e, no modo turma, notas.csv, resumo.md e feedback)."""
    _needs(name)
    outcome = batch.outcomes[name]
    values = [*INSTRUCTOR_ENV.values(), *_repo_dotenv_values()]
    if CASES.get(name, Case("dia01", sandbox="off")).sandbox != "off":
        values.append(SSH_KEY)  # arquivos da home: só o sandbox os protege
    assert not _leaked(outcome, values)
    assert len(outcome.texts) >= (6 if name == CLASS_RUN else 5), sorted(outcome.texts)


def test_repositorio_e_venv_iguais_byte_a_byte(batch):
    assert batch.repo_after == batch.repo_before, "o repositório mudou durante as correções hostis"
    assert not batch.venv_changes, f"o venv mudou: {batch.venv_changes[:5]}"


# ---------------------------------------------------------------- robustez (com ou sem sandbox)


STARTUP_FAILURES = {
    "sintaxe": "SyntaxError",
    "import_falha": "falha proposital no import da entrega hostil",
    "loop_no_import": "não respondeu GET /health dentro do tempo de subida",
    "nunca_escuta": "não respondeu GET /health dentro do tempo de subida",
    "trava_tudo": "não respondeu GET /health dentro do tempo de subida",
}


@pytest.mark.parametrize("name", STARTUP_FAILURES)
def test_servidor_que_nao_sobe_mostra_o_motivo_e_pula_o_resto(batch, name):
    outcome = batch.outcomes[name]
    first = outcome.check("dia01.servidor_sobe")
    assert first["status"] in {"fail", "timeout"}
    assert STARTUP_FAILURES[name] in first["message"], first["message"]
    for check in outcome.report["checks"][1:]:
        assert check["status"] == "skip" and "depende de dia01.servidor_sobe" in check["message"], check


def test_erro_de_sintaxe_aponta_o_arquivo_do_aluno(batch):
    """O traceback fala do template.py do aluno, não da cópia que o corretor roda (nem do /entrega do sandbox)."""
    outcome = batch.outcomes["sintaxe"]
    message = outcome.check("dia01.servidor_sobe")["message"]
    assert f'File "{outcome.folder}/entrega/template.py"' in message, message
    assert '"/entrega/' not in message and "corretor-" not in message, message


def test_health_sem_fim_custa_so_o_health(batch):
    """O servidor subiu (o /health responde 200); o corpo sem fim é cortado e só o servidor_sobe reprova por ele."""
    outcome = batch.outcomes["health_sem_fim"]
    first = outcome.check("dia01.servidor_sobe")
    assert first["status"] == "fail" and "resposta grande demais" in first["message"], first
    for check in outcome.report["checks"][1:]:
        assert "servidor_sobe" not in (check["message"] or ""), check  # medidas sem ele, não puladas por ele
        assert check["status"] != "timeout", check


def test_stream_sem_fim_reprova_sem_travar(batch):
    outcome = batch.outcomes["stream_sem_fim"]
    assert outcome.check("dia03.servidor_sobe")["status"] == "pass"
    assert outcome.check("dia03.generate_sse")["status"] in {"fail", "timeout"}


def test_resposta_de_50mb_e_cortada(batch):
    messages = [c["message"] or "" for c in batch.outcomes["resposta_50mb"].report["checks"]]
    assert any("grande demais" in m for m in messages), messages


def test_inundacao_de_stdout_nao_derruba_o_corretor(batch):
    outcome = batch.outcomes["inunda_stdout"]
    assert outcome.check("dia01.servidor_sobe")["status"] == "pass"
    assert len(outcome.run.stdout) < 50_000  # a saída do aluno não vaza para o relatório


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork duplo + setsid só existe em POSIX")
def test_filho_daemonizado_morre_junto(batch):
    outcome = batch.outcomes["daemoniza"]
    assert outcome.relato() == {"daemon_vivo": True}  # ele existiu durante a correção...
    assert not outcome.left  # ...e nenhum processo da correção sobrou


def test_nenhuma_chave_do_professor_chega_ao_aluno(batch):
    relato = batch.outcomes["le_ambiente"].relato()
    for environment in (relato["proprio"], relato["filho"]):
        assert environment["key"] == "sk-corretor-chave-falsa"
        assert environment["url"].startswith("http://127.0.0.1:")
        assert environment["outras"] == []


@pytest.mark.skipif(os.name == "nt", reason="SIGTERM de verdade só em POSIX")
def test_corretor_morto_com_sigterm_derruba_o_servidor_do_aluno():
    """Um `timeout` ou um CI cancelado manda SIGTERM: o corretor limpa antes de sair."""
    run_id = uuid.uuid4().hex
    grader = subprocess.Popen(grader_command("dia01", HOSTILE_DIR / "trava_tudo", "--startup-timeout", 30),
                              cwd=REPO_ROOT, env=grader_env(run_id), stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while not processes_with_run_id(run_id) and time.monotonic() < deadline:
        time.sleep(0.05)  # espera o servidor do aluno existir (sondagem com prazo)
    assert processes_with_run_id(run_id), "o servidor do aluno nem chegou a subir"
    grader.send_signal(signal.SIGTERM)
    _, stderr = grader.communicate(timeout=20)
    assert "interrompido" in stderr
    assert not leftovers(run_id)


# ---------------------------------------------------------------- ataques que só o sandbox contém


@pytest.mark.skipif(not BWRAP, reason=NO_BWRAP)
def test_ambiente_do_corretor_e_dos_ancestrais_fica_invisivel(batch):
    relato = batch.outcomes["ambiente_ancestrais"].relato()
    assert relato["segredos"] == 0 and relato["pid1_ambiente"] == 0, relato
    assert relato["pids"] <= 6, relato  # só os processos do próprio sandbox


@pytest.mark.skipif(not BWRAP, reason=NO_BWRAP)
def test_env_do_repositorio_fica_invisivel(batch):
    relato = batch.outcomes["env_do_repositorio"].relato()
    assert relato["env_existe"] is False and relato["valores"] == 0, relato
    venv = Path(sys.prefix)
    allowed = {"common", "dia03", *([venv.relative_to(REPO_ROOT).parts[0]] if venv.is_relative_to(REPO_ROOT) else [])}
    assert set(relato["visiveis"]) <= allowed, relato  # nada de .env, tests/, .git


@pytest.mark.skipif(not BWRAP, reason=NO_BWRAP)
def test_arquivos_da_home_real_ficam_invisiveis(batch):
    assert batch.outcomes["home_real"].relato() == {"lidos": 0, "segredos": 0}


@pytest.mark.skipif(not BWRAP, reason=NO_BWRAP)
def test_codigo_plantado_nao_e_escrito_nem_roda(batch):
    relato = batch.outcomes["planta_codigo"].relato()
    assert relato["escritos"] == [], relato
    assert set(relato["erros"]) == {"conftest_dia03", "conftest_dia01", "common", "pth", "venv_bin"}, relato
    assert not batch.marker.exists(), batch.marker.read_text()


@pytest.mark.skipif(not BWRAP, reason=NO_BWRAP)
def test_devorador_de_memoria_para_no_limite(batch):
    relato = batch.outcomes["devora_memoria"].relato()
    assert relato["erro"] == "MemoryError" and relato["mb"] < DATA_MB, relato


@pytest.mark.skipif(not BWRAP, reason=NO_BWRAP)
def test_fork_bomb_para_no_limite_de_processos(batch):
    relato = batch.outcomes["fork_bomba"].relato()
    assert relato["erro"] == "EAGAIN" and 0 < relato["filhos"] < NPROC_SANDBOX, relato


@pytest.mark.skipif(not BWRAP, reason=NO_BWRAP)
def test_rede_so_lo_sem_rota_e_sem_alcancar_o_loopback_da_maquina(batch):
    relato = batch.outcomes["rede"].relato()
    assert relato == {"interfaces": ["lo"], "rotas_para_fora": 0, "alcancou_o_host": False}
    assert batch.listener_connections == 0  # o listener do teste, no loopback da máquina, não viu ninguém


@pytest.mark.skipif(not BWRAP, reason=NO_BWRAP)
def test_entrega_do_dia3_que_caca_segredos_nao_acha_nenhum(batch):
    relato = batch.outcomes["caca_segredos"].relato()
    assert relato == {"segredos": 0, "env_do_curso": False}


# ---------------------------------------------------------------- redação: mesmo sem sandbox


@pytest.mark.parametrize("name", ["ambiente_ancestrais_sem_sandbox", "caca_segredos_sem_sandbox", CLASS_RUN])
def test_sem_sandbox_os_segredos_achados_somem_dos_relatorios(batch, name):
    outcome = batch.outcomes[name]
    assert outcome.relato()["segredos"] >= 1  # sem sandbox ela achou (as chaves do corretor, pelo /proc)...
    assert "[segredo removido]" in json.dumps(outcome.report)  # ...e o relatório saiu redigido
    assert outcome.report["sandbox"] == "none" and "SUAS permissões" in outcome.report["warnings"][0]


def test_sem_sandbox_o_fim_da_saida_do_servidor_tambem_sai_redigido(batch):
    """A entrega escreve o que achou no stderr e cai: o corretor mostra o fim da saída, sem os segredos."""
    messages = [c["message"] or "" for c in batch.outcomes["ambiente_ancestrais_sem_sandbox"].report["checks"]]
    tails = [m for m in messages if "Últimas linhas da saída do servidor" in m and "achei:" in m]
    assert tails and "[segredo removido]" in tails[0], messages
