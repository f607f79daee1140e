"""O sandbox do corretor: modos e diagnósticos, a linha do bwrap, a ponte, a redação de segredos e as
verificações intocáveis. Os testes que sobem um sandbox de verdade pulam sem bubblewrap (com o motivo).

As entregas hostis (tests/projeto/test_grader_hostis.py) provam o sandbox de ponta a ponta; aqui ficam
as peças, uma a uma, e o que se vê de dentro dele.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import pytest

from common.grader import bwrap, sandbox, servers
from common.grader.bwrap import Plan, bwrap_args, command
from common.grader.cli import main
from common.grader.integrity import TamperedError, Tripwire
from common.grader.launcher import FAKE_OPENAI_KEY, LaunchOptions, SandboxFailure, launch
from common.grader.redact import MASK, Redactor, collect_secrets, redact_data, redact_report
from common.grader.relay import Relay
from common.grader.results import CheckResult, Report
from common.grader.sandbox import AUTO, NONE, OFF, ON, USER, Account, Bubblewrap, Isolation, SandboxUnavailable
from common.grader.servers import DATA_MB, FSIZE_MB, NPROC_SANDBOX, NPROC_USER
from tests.projeto.grader_runs import REPO_ROOT, run_grader

APPS = Path(__file__).parent / "apps"
BWRAP = sandbox.probe().bwrap
NO_BWRAP = "sem bubblewrap nesta máquina (sudo apt install bubblewrap; o .ci/run instala): " + sandbox.probe().reason
needs_bwrap = pytest.mark.skipif(BWRAP is None, reason=NO_BWRAP)


@pytest.fixture
def fresh_probe():
    """A sondagem é feita uma vez por processo; aqui cada teste sonda de novo (e deixa limpo depois)."""
    sandbox.probe.cache_clear()
    yield
    sandbox.probe.cache_clear()


# ---------------------------------------------------------------- modos e diagnósticos


def test_opcao_vence_variavel_que_vence_o_padrao(monkeypatch):
    monkeypatch.delenv(sandbox.MODE_VARIABLE, raising=False)
    assert sandbox.resolve_mode(None, ON) == ON
    monkeypatch.setenv(sandbox.MODE_VARIABLE, "off")
    assert sandbox.resolve_mode(None, ON) == OFF
    assert sandbox.resolve_mode("auto", ON) == AUTO
    monkeypatch.setenv(sandbox.MODE_VARIABLE, "talvez")
    with pytest.raises(SandboxUnavailable, match="COURSE_GRADER_SANDBOX='talvez' não vale"):
        sandbox.resolve_mode(None, AUTO)


def _diagnosis(values: dict[str, str], container: bool = False) -> str:
    return "\n".join(sandbox.diagnose("bwrap: falhou", read=values.get, in_container=lambda: container))


def test_diagnostico_ubuntu_24_aponta_o_perfil_do_apparmor():
    text = _diagnosis({"/proc/sys/kernel/apparmor_restrict_unprivileged_userns": "1"})
    assert "AppArmor" in text and "bwrap-userns-restrict" in text and "apparmor_parser -r" in text


def test_diagnostico_user_namespaces_desligados_nomeia_os_sysctls():
    text = _diagnosis({"/proc/sys/kernel/unprivileged_userns_clone": "0", "/proc/sys/user/max_user_namespaces": "0"})
    assert "kernel.unprivileged_userns_clone=1" in text and "user.max_user_namespaces=15000" in text


def test_diagnostico_em_conteiner_fala_do_seccomp():
    text = _diagnosis({}, container=True)
    assert "seccomp" in text and sandbox.DEDICATED_USER in text


def test_sem_bwrap_instalado_diz_como_instalar(monkeypatch, fresh_probe):
    monkeypatch.setenv(sandbox.BWRAP_VARIABLE, "/nao/existe/bwrap")
    found = sandbox.probe()
    assert found.bwrap is None and "não está instalado" in found.reason and "apt install bubblewrap" in found.fix


def test_on_sem_isolamento_recusa_com_o_motivo_e_o_conserto(monkeypatch, fresh_probe):
    monkeypatch.setenv(sandbox.BWRAP_VARIABLE, "/nao/existe/bwrap")
    monkeypatch.setattr(sandbox, "_can_run_python", lambda account: False)
    with pytest.raises(SandboxUnavailable) as error:
        sandbox.choose(ON)
    assert "não está instalado" in str(error.value) and "apt install bubblewrap" in str(error.value)


def test_auto_sem_bwrap_roda_com_aviso_alto_e_off_diz_que_roda_com_suas_permissoes(monkeypatch, fresh_probe):
    monkeypatch.setenv(sandbox.BWRAP_VARIABLE, "/nao/existe/bwrap")
    monkeypatch.setattr(sandbox, "account_for_root", lambda: None)
    fallback = sandbox.choose(AUTO)
    assert fallback.kind == NONE and "SEM SANDBOX" in fallback.warning and "apt install bubblewrap" in fallback.warning
    off = sandbox.choose(OFF)
    assert off.kind == NONE and "SUAS permissões" in off.warning


def test_aluno_no_macos_ou_windows_ve_uma_linha_so(monkeypatch, fresh_probe):
    monkeypatch.setattr(sys, "platform", "darwin")
    monkeypatch.setattr(sandbox, "account_for_root", lambda: None)
    isolation = sandbox.choose(AUTO)
    assert isolation.kind == NONE and "\n" not in isolation.warning and "sem sandbox neste sistema" in isolation.warning


def test_como_root_sem_bwrap_o_servidor_roda_com_o_usuario_sem_privilegios(monkeypatch, fresh_probe):
    monkeypatch.setenv(sandbox.BWRAP_VARIABLE, "/nao/existe/bwrap")
    monkeypatch.setattr(sandbox, "account_for_root", lambda: Account(4321, 4321, sandbox.DEDICATED_USER))
    monkeypatch.setattr(sandbox, "_can_run_python", lambda account: True)
    isolation = sandbox.choose(ON)  # o Gradescope: sem bwrap, mas com o usuário do setup.sh
    assert isolation.kind == USER and isolation.account.uid == 4321 and sandbox.DEDICATED_USER in isolation.warning


# ---------------------------------------------------------------- a linha do bwrap


def _plan(tmp_path: Path, version: tuple[int, ...], account: Account | None = None) -> Plan:
    for name in ("etc", "llm", "entrega", "palco"):
        (tmp_path / name).mkdir(exist_ok=True)
    return Plan(bwrap=Bubblewrap("/usr/bin/bwrap", version), readonly=[Path(sys.prefix), REPO_ROOT / "common"],
                etc_dir=tmp_path / "etc", llm_dir=tmp_path / "llm", submission=tmp_path / "entrega", scratch=tmp_path,
                env={"SECRET_KEY": "x"}, command=["python", "entry.py"], account=account, stage_dir=tmp_path / "palco")


def _pairs(args: list[str], option: str) -> list[tuple[str, str]]:
    return [(args[i + 1], args[i + 2]) for i, arg in enumerate(args) if arg == option]


def test_bwrap_08_isola_tudo_com_teto_de_tamanho(tmp_path):
    args = bwrap_args(_plan(tmp_path, (0, 8, 0)))
    for option in ("--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent", "--new-session",
                   "--clearenv"):
        assert option in args
    assert args[args.index("--uid") + 1] == args[args.index("--gid") + 1] == "65534"
    assert args[args.index("--cap-drop") + 1] == "ALL"
    assert args.count("--size") == 3  # /tmp, $HOME e /entrega
    assert ("/tmp", "/tmp") not in _pairs(args, "--bind")
    readonly = dict((dest, src) for src, dest in _pairs(args, "--ro-bind"))
    assert readonly["/usr"] == "/usr" and str(REPO_ROOT / "common") in readonly and "/run/corretor/original" in readonly
    mounted = {dest for _, dest in _pairs(args, "--ro-bind") + _pairs(args, "--bind")}
    assert not {str(REPO_ROOT), str(REPO_ROOT / ".env"), str(REPO_ROOT / "tests"), str(Path.home())} & mounted
    # O tmpfs de /tmp vem antes do que pode morar dentro de /tmp (o repositório, o venv): senão os esconderia.
    tmp_at = args.index("--tmpfs")
    assert args[tmp_at + 1] == "/tmp"
    assert all(args.index(str(path)) > tmp_at for path in (Path(sys.prefix), REPO_ROOT / "common"))


def test_bwrap_06_do_ubuntu_22_nao_recebe_opcoes_que_nao_tem(tmp_path):
    args = bwrap_args(_plan(tmp_path, (0, 6, 1)))
    assert "--disable-userns" not in args and "--size" not in args and "--unshare-user" in args
    binds = dict((dest, src) for src, dest in _pairs(args, "--bind"))
    assert binds["/entrega"] == str(tmp_path / "entrega")  # sem --size: pastas em disco, não tmpfs sem teto
    assert binds["/tmp"] == str(tmp_path / "tmp") and binds["/home/aluno"] == str(tmp_path / "home")


def test_como_root_o_bwrap_roda_como_o_usuario_sem_privilegios_e_le_por_palcos(tmp_path):
    plan = _plan(tmp_path, (0, 8, 0), Account(65534, 65534, "nobody"))
    line = command(plan)
    assert Path(line[0]).name == "unshare" and "--mount" in line
    assert "--reuid=65534" in line and "--regid=65534" in line and "--clear-groups" in line
    assert line.index("--reuid=65534") < line.index("/usr/bin/bwrap")
    staged = dict(plan.stages)
    assert staged[Path(sys.prefix)].parent == tmp_path / "palco"  # o venv chega ao bwrap por um palco
    inner = line[line.index("/usr/bin/bwrap"):]
    assert (str(staged[Path(sys.prefix)]), str(Path(sys.prefix))) in _pairs(inner, "--ro-bind")


def test_filtro_seccomp_bloqueia_o_keyring_e_outras_arquiteturas():
    program = bwrap.seccomp_filter("x86_64")
    instructions = [struct.unpack("<HBBI", program[i:i + 8]) for i in range(0, len(program), 8)]
    deny = len(instructions) - 1
    assert instructions[deny] == (0x06, 0, 0, 0x00050001) and instructions[deny - 1] == (0x06, 0, 0, 0x7FFF0000)
    jumps = {k: index + 1 + jt for index, (code, jt, _, k) in enumerate(instructions) if code in (0x15, 0x35)}
    assert all(jumps[number] == deny for number in (248, 249, 250, bwrap.X32_SYSCALL_BIT))  # add_key, request_key, keyctl
    assert jumps[0xC000003E] == 3  # arquitetura certa: segue; qualquer outra cai no "ret" seguinte (nega)
    assert bwrap.seccomp_filter("riscv64") is None


# ---------------------------------------------------------------- a ponte


def _unix_server(path: str, on_connection) -> socket.socket:
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen()
    threading.Thread(target=lambda: on_connection(server.accept()[0]), daemon=True).start()
    return server


def test_ponte_repassa_na_hora_e_propaga_o_fechamento(tmp_path):
    """Cada pedaço chega antes de o próximo sair; quando o cliente fecha, o outro lado vê o EOF na hora."""
    path = str(tmp_path / "s.sock")
    sent_at, eof_at = [], []

    def upstream(conn: socket.socket) -> None:
        with conn:
            conn.recv(100)
            for index in range(3):
                sent_at.append(time.monotonic())
                conn.sendall(f"pedaco{index};".encode())
                time.sleep(0.3)
            while conn.recv(100):
                pass
            eof_at.append(time.monotonic())

    server = _unix_server(path, upstream)
    relay = Relay()
    port = relay.add(0, path)
    relay.start()
    try:
        client = socket.create_connection(("127.0.0.1", port))
        client.sendall(b"oi")
        received_at = []
        while len(received_at) < 3:
            if client.recv(100):
                received_at.append(time.monotonic())
        assert all(received_at[i] < sent_at[i] + 0.25 for i in range(3)), (sent_at, received_at)
        closed = time.monotonic()
        client.close()
        deadline = time.monotonic() + 2
        while not eof_at and time.monotonic() < deadline:
            time.sleep(0.01)
        assert eof_at and eof_at[0] - closed < 1.0
    finally:
        relay.stop()
        server.close()


def test_ponte_sem_ninguem_do_outro_lado_fecha_como_porta_recusada(tmp_path):
    relay = Relay()
    port = relay.add(0, str(tmp_path / "ninguem.sock"))
    relay.start()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as client:
            client.settimeout(2)
            assert client.recv(10) == b""  # fecha na hora, sem travar
    finally:
        relay.stop()


# ---------------------------------------------------------------- redação


def test_redacao_tira_segredos_do_ambiente_do_env_e_chaves_com_cara_de_chave(tmp_path):
    (tmp_path / ".env").write_text("SECRET_KEY=segredo-do-env-123\nDEFAULT_MODEL=gpt-4o-mini\nX=30\n")
    (tmp_path / ".env.example").write_text("DEFAULT_MODEL=gpt-4o-mini\n")
    environ = {"MEU_TOKEN": "token-do-ambiente-456", "HOME": "/home/prof", "PATH": "/usr/bin"}
    redact = Redactor(collect_secrets(environ, [tmp_path / ".env"], tmp_path / ".env.example"), {FAKE_OPENAI_KEY})
    text = ("a token-do-ambiente-456 b segredo-do-env-123 c gpt-4o-mini d 30 e /home/prof "
            f"f sk-proj-{'a' * 40} g AKIAABCDEFGHIJKLMNOP h {FAKE_OPENAI_KEY}")
    result = redact(text)
    assert "token-do-ambiente-456" not in result and "segredo-do-env-123" not in result
    assert "sk-proj-" not in result and "AKIA" not in result and result.count(MASK) == 4
    for public in ("gpt-4o-mini", " 30 ", "/home/prof", FAKE_OPENAI_KEY):  # nem tudo some: só os segredos
        assert public in result


def test_redacao_pega_o_segredo_cortado_e_o_escapado_em_json():
    redact = Redactor({"minha-chave-secreta-789"})
    assert "minha-chave" not in redact("corpo: {'k': 'minha-chave-sec… (+120 caracteres)")
    assert redact(json.dumps({"k": "minha-chave-secreta-789"})).count(MASK) == 1
    assert redact("chave") == "chave"  # um pedaço curto demais não é vazamento


def test_redacao_cobre_todo_o_relatorio_e_os_dados_da_turma():
    redact = Redactor({"vazou-o-segredo-42"})
    check = CheckResult("a.b", "t", "fail", 1, message="recebido: vazou-o-segredo-42")
    report = redact_report(Report("dia01", "x", [check], warnings=["aviso vazou-o-segredo-42"]), redact)
    assert MASK in report.checks[0].message and MASK in report.warnings[0]
    data = redact_data({"error": "vazou-o-segredo-42", "checks": [{"message": "x vazou-o-segredo-42"}], "n": 3}, redact)
    assert "vazou" not in json.dumps(data) and data["n"] == 3


# ---------------------------------------------------------------- verificações intocáveis


def test_tripwire_ve_conftest_novo_arquivo_alterado_e_pyc_plantado(tmp_path):
    (tmp_path / "test_x.py").write_text("x = 1\n")
    (tmp_path / "__pycache__").mkdir()
    wire = Tripwire([tmp_path])
    wire.check()
    (tmp_path / "conftest.py").write_text("import os\n")
    (tmp_path / "__pycache__" / "test_x.cpython-311.pyc").write_bytes(b"\0")
    with pytest.raises(TamperedError) as error:
        wire.check()
    assert "novo:" in str(error.value) and "conftest.py" in str(error.value) and ".pyc" in str(error.value)
    relaxed = Tripwire([tmp_path], bytecode=False)
    (tmp_path / "__pycache__" / "outro.pyc").write_bytes(b"\0")
    relaxed.check()  # com o sandbox, .pyc de quem roda os testes não conta
    os.utime(tmp_path / "test_x.py", (0, 0))  # até "voltar o relógio" muda o ctime
    with pytest.raises(TamperedError, match="alterado:"):
        relaxed.check()


def test_pasta_de_onde_se_chamou_so_vigia_o_que_o_python_importaria(tmp_path):
    """Sem sandbox, corrigir de uma pasta movimentada (como a /tmp) não dá falso "mudou"; um módulo plantado, sim."""
    (tmp_path / "log.txt").write_text("uma linha\n")
    (tmp_path / "pasta-de-outro-programa").mkdir()
    wire = Tripwire([], on_path=[tmp_path])
    (tmp_path / "log.txt").write_text("mais uma linha\n")
    (tmp_path / ".DS_Store").write_bytes(b"\0")
    (tmp_path / "pasta-de-outro-programa" / "cache.bin").write_bytes(b"\0")
    wire.check()  # nada disso seria importado
    (tmp_path / "httpx.py").write_text("import os  # plantado\n")
    (tmp_path / "common").mkdir()  # sem __init__.py ainda é pacote (de namespace) e esconderia o common do curso
    with pytest.raises(TamperedError) as error:
        wire.check()
    assert "httpx.py" in str(error.value) and "common" in str(error.value)


CHECK = '''
from common.grader.checks import check

@check("oculta.health", points=1)
def test_health(api):
    """GET /health responde"""
    assert api.get("/health").status_code == 200
'''


def test_so_roda_conftest_que_veio_com_as_verificacoes(dia01_url, tmp_path):
    """Um conftest.py acima da pasta --checks (que o pytest carregaria sozinho) nunca roda; o de dentro, sim."""
    marker = tmp_path / "rodou"
    checks = tmp_path / "professor" / "ocultas"
    checks.mkdir(parents=True)
    (checks / "test_ocultas.py").write_text(CHECK, encoding="utf-8")
    (checks / "conftest.py").write_text("def pytest_collection_modifyitems(items):\n    items.reverse()\n")
    (tmp_path / "professor" / "conftest.py").write_text(f"open({str(marker)!r}, 'w').write('x')\n")
    out = tmp_path / "r.json"
    run = run_grader("dia01", "--url", dia01_url, "--checks", checks, "--json", out)
    assert run.returncode == 0, run.stdout + run.stderr
    assert not marker.exists()
    assert json.loads(out.read_text())["checks"][0]["id"] == "oculta.health"  # o conftest de dentro reordenou


PLANTER = '''
from pathlib import Path
from fastapi import FastAPI

Path({target!r}).write_text("import os  # plantado pelo aluno\\n")
app = FastAPI()

@app.get("/health")
def health():
    return {{"status": "ok"}}
'''


def test_sem_sandbox_verificacao_alterada_durante_a_correcao_sai_com_2(tmp_path):
    """Sem sandbox o aluno escreve onde quem corrige escreve: a correção não vale, e o corretor diz por quê."""
    checks = tmp_path / "ocultas"
    checks.mkdir()
    (checks / "test_ocultas.py").write_text(CHECK, encoding="utf-8")
    submission = tmp_path / "entrega"
    submission.mkdir()
    (submission / "template.py").write_text(PLANTER.format(target=str(checks / "conftest.py")), encoding="utf-8")
    run = run_grader("dia01", submission, "--checks", checks, "--sandbox", "off", "--json", tmp_path / "r.json")
    assert run.returncode == 2, run.stdout + run.stderr
    assert "mudaram durante a correção" in run.stderr and "conftest.py" in run.stderr
    assert not (tmp_path / "r.json").exists()  # nunca uma nota silenciosa


def test_sem_sandbox_corrigir_de_uma_pasta_movimentada_vale(tmp_path):
    """Chamado da /tmp (ou de outra pasta onde programas escrevem), o corretor sem sandbox não anula a nota
    por um arquivo que nenhum import leria; um módulo plantado ali ele acusa (o teste acima e o de integrity)."""
    busy = tmp_path / "tmp"
    busy.mkdir()
    submission = tmp_path / "entrega"
    submission.mkdir()
    (submission / "template.py").write_text(PLANTER.format(target=str(busy / "log-de-outro-programa.txt")),
                                            encoding="utf-8")
    run = run_grader("dia01", submission, "--only", "dia01.servidor_sobe", "--sandbox", "off", cwd=busy)
    assert run.returncode == 0, run.stdout + run.stderr
    assert (busy / "log-de-outro-programa.txt").is_file()  # o arquivo foi escrito durante a correção


def test_turma_exige_isolamento_por_padrao(monkeypatch, tmp_path, capsys):
    """Sem bwrap e sem um usuário sem privilégios que rode o Python, o --class nem começa (saída 2)."""
    monkeypatch.delenv(sandbox.MODE_VARIABLE, raising=False)
    monkeypatch.setattr(sandbox, "probe", lambda: sandbox.Probe(None, "o bubblewrap (bwrap) não está instalado",
                                                                "sudo apt install bubblewrap"))
    monkeypatch.setattr(sandbox, "_can_run_python", lambda account: False)
    (tmp_path / "turma" / "aluno").mkdir(parents=True)
    code = main(["dia01", "--class", str(tmp_path / "turma"), "--out", str(tmp_path / "notas")])
    error = capsys.readouterr().err
    assert code == 2 and "--sandbox on" in error and "apt install bubblewrap" in error
    assert not (tmp_path / "notas" / "notas.csv").exists()


# ---------------------------------------------------------------- de dentro do sandbox


def _plant_session_key() -> bool:
    """Uma "chave do professor" no keyring da sessão deste processo (que o corretor e o sandbox herdam)."""
    import ctypes
    import platform

    numbers = {"x86_64": (248, 250), "aarch64": (217, 219)}.get(platform.machine())
    if numbers is None:
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall(numbers[1], 1, None)  # um keyring de sessão novo, só deste processo de teste
    key = libc.syscall(numbers[0], b"user", b"sentinela-keyring", b"segredo", 7, ctypes.c_int(-3))
    return key > 0


@pytest.fixture(scope="module")
def inside() -> dict:
    """O que o app de sondagem vê, servido de dentro de um sandbox de verdade."""
    if BWRAP is None:
        pytest.skip(NO_BWRAP)
    _plant_session_key()
    isolation = Isolation(sandbox.BWRAP, bwrap=BWRAP, account=sandbox.account_for_root())
    with launch(LaunchOptions(APPS / "sonda_sandbox.py", isolation=isolation, eager_llm=False)) as launched:
        target = launched.target()
        assert target.startup == "pronto", target.stderr_tail()
        return httpx.get(f"{target.base_url}/sonda", timeout=30).json()


def test_de_dentro_usuario_sem_privilegios_sem_capacidades_e_sem_namespaces_aninhados(inside):
    assert (inside["uid"], inside["gid"]) == (65534, 65534) and set(inside["groups"]) <= {65534}
    assert inside["cap_eff"] == "0000000000000000" and inside["no_new_privs"] == "1"
    assert inside["user_namespace_aninhado"] is (BWRAP.disable_userns is False)
    assert inside["hostname"] == "sandbox"
    assert inside["keyring_da_sessao"] == "EPERM"  # o keyring de quem corrige (herdado) fica fora de alcance


def test_de_dentro_o_ambiente_e_so_o_do_corretor(inside):
    assert inside["pid1_environ"] == 0  # o PID 1 do sandbox (o bwrap) não mostra o ambiente de ninguém
    injected = {"OPENAI_BASE_URL", "OPENAI_API_BASE", "OPENAI_API_KEY", "DEFAULT_MODEL", "SECRET_KEY",
                "ACCESS_TOKEN_EXPIRE_MINUTES", "HEARTBEAT_SECONDS", "STREAM_IDLE_TIMEOUT_SECONDS", "MAX_STREAMS_PER_USER",
                "COURSE_RUN_ID", "COURSE_SKIP_DOTENV", "COURSE_GRADER_APP", "COURSE_GRADER_PORT"}
    basics = {"PATH", "HOME", "PWD", "LANG", "LC_ALL", "TMPDIR", "TEMP", "TMP", "PYTHONPATH", "PYTHONUNBUFFERED",
              "PYTHONIOENCODING", "PYTHONDONTWRITEBYTECODE"}
    assert injected <= set(inside["env"]) <= injected | basics
    assert inside["home"] == "/home/aluno" and inside["cwd"] == "/entrega"
    assert inside["client"] == "127.0.0.1"  # request.client continua de loopback atrás da ponte


def test_de_dentro_limites_de_disco_memoria_e_processos(inside):
    assert inside["tmp_80mb"] == "ENOSPC"  # /tmp é um tmpfs com teto
    assert inside["arquivo_70mb"] == "EFBIG"  # nenhum arquivo passa de FSIZE_MB
    assert inside["entrega_gravavel"] == "ok" and inside["venv"] == "EROFS"
    mb = 1024 * 1024
    assert inside["limites"] == {"nproc": NPROC_SANDBOX, "data": DATA_MB * mb, "fsize": FSIZE_MB * mb, "core": 0}


@needs_bwrap
def test_caminho_do_bwrap_06_funciona_com_a_entrega_em_disco(tmp_path):
    """Sem --size (bwrap 0.6 do Ubuntu 22.04) a entrega, /tmp e $HOME ficam em pastas de disco: e tudo roda."""
    old = Bubblewrap(BWRAP.path, (0, 6, 1))
    isolation = Isolation(sandbox.BWRAP, bwrap=old, account=sandbox.account_for_root())
    with launch(LaunchOptions(REPO_ROOT / "solutions" / "dia01", isolation=isolation, eager_llm=False)) as launched:
        target = launched.target()
        assert target.startup == "pronto", target.stderr_tail()
        created = httpx.post(f"{target.base_url}/prompts", json={"title": "t", "text": "x", "tags": []})
        assert created.status_code == 201, created.text


def test_como_root_sem_bwrap_o_servidor_roda_como_o_usuario_sem_privilegios_de_verdade():
    """O caminho do Gradescope (o seccomp do contêiner barra o bwrap): o servidor roda como outro usuário."""
    account = sandbox.account_for_root()
    if account is None:
        pytest.skip("só como root: um usuário comum não tem para quem trocar")
    if not sandbox._can_run_python(account):
        pytest.skip(f"o usuário {account.name} não consegue rodar este Python (ex.: instalado numa home fechada)")
    planted = _plant_session_key()
    isolation = Isolation(USER, account=account)
    with launch(LaunchOptions(APPS / "sonda_sandbox.py", isolation=isolation, eager_llm=False)) as launched:
        target = launched.target()
        assert target.startup == "pronto", target.stderr_tail()
        seen = httpx.get(f"{target.base_url}/sonda", timeout=30).json()
    assert (seen["uid"], seen["gid"], seen["groups"]) == (account.uid, account.gid, [])
    assert seen["cap_eff"] == "0000000000000000" and seen["entrega_gravavel"] == "ok"
    assert seen["limites"]["nproc"] == NPROC_USER and seen["limites"]["data"] == DATA_MB * 1024 * 1024
    if planted:  # o keyring de sessão do root não vem junto (o entry.py entra num keyring novo)
        assert "sentinela-keyring" not in seen["keyring_da_sessao"], seen["keyring_da_sessao"]


@needs_bwrap
def test_sandbox_que_nao_monta_e_erro_do_corretor_e_nao_da_entrega(monkeypatch):
    """Se o bwrap passa na sondagem mas não monta o sandbox desta correção, o aluno não leva a culpa (saída 2)."""
    monkeypatch.setattr(servers, "readonly_paths", lambda: [Path("/nao/existe/um-venv")])
    isolation = Isolation(sandbox.BWRAP, bwrap=BWRAP, account=sandbox.account_for_root())
    with launch(LaunchOptions(REPO_ROOT / "solutions" / "dia01", isolation=isolation, eager_llm=False)) as launched:
        with pytest.raises(SandboxFailure, match="não é culpa da entrega"):
            launched.target()


@needs_bwrap
def test_corretor_rodando_como_usuario_comum_isola_do_mesmo_jeito():
    """O caminho de quem corrige sem ser root: o próprio bwrap cria o user namespace (e o limite de
    processos vale dentro dele). Aqui, um usuário sem privilégios roda o corretor inteiro."""
    account = sandbox.account_for_root()
    if account is None or shutil.which("setpriv") is None or not sandbox._can_run_python(account):
        pytest.skip("precisa de root, do setpriv e de um usuário sem privilégios que consiga rodar este Python")
    out = Path(tempfile.mkdtemp(prefix="corretor-usuario-comum-", dir="/tmp"))
    os.chmod(out, 0o777)
    try:
        done = subprocess.run(
            ["setpriv", f"--reuid={account.uid}", f"--regid={account.gid}", "--clear-groups", sys.executable, "-m",
             "common.grader", "dia01", str(REPO_ROOT / "solutions" / "dia01"), "--sandbox", "on", "--json",
             str(out / "r.json")],
            cwd=REPO_ROOT, env={"PATH": "/usr/bin:/bin", "HOME": str(out), "LANG": "C.UTF-8"},
            capture_output=True, text=True, timeout=120)
        report = json.loads((out / "r.json").read_text())
    finally:
        shutil.rmtree(out, ignore_errors=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert report["sandbox"] == "bwrap" and report["score"] == 100
