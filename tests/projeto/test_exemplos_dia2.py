"""Os exemplos de conceito do Dia 2 (docs/exemplos/dia2/) fazem o que o guia diz deles, e as demos do
guia do Dia 2 reproduzem como escritas.

Cada exemplo roda como o guia manda (`python3 arquivo.py` dentro da pasta) e é importado aqui para
testar o comportamento. A API de notas vai pelo TestClient; o pool de CPU, por um uvicorn de verdade
(só um servidor de verdade mostra o event loop parado). As demos (blocos <!-- demo: ... --> do guia)
rodam no bash, com curl, contra a solução do Dia 2.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from jose import JWTError, jwt

from common.config import REPO_ROOT
from tests.projeto.exemplos import load_example
from tests.projeto.uvicorn_thread import serve

EXAMPLES = REPO_ROOT / "docs" / "exemplos" / "dia2"
GUIDE = (REPO_ROOT / "GUIA_APRENDIZADO.md").read_text(encoding="utf-8")
# A saída de um exemplo, copiada no guia: <!-- saída: docs/exemplos/dia2/x.py --> e um bloco ```text.
OUTPUT = re.compile(r"<!-- saída: (\S+) -->\s*```text\n(.*?)```", re.S)
RELEASE_TIMEOUT = 10  # segundos: o máximo que um teste espera por algo que já devia ter acontecido


def load(name: str):
    return load_example("dia2", name)


def run_example(name: str) -> str:
    """`python3 <name>.py` dentro da pasta dos exemplos, como o guia manda; devolve a saída."""
    result = subprocess.run([sys.executable, f"{name}.py"], cwd=EXAMPLES, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


# ---------------------------------------------------------------- senha_hash.py


@pytest.fixture(scope="module")
def senha_hash():
    return load("senha_hash")


def test_senha_hash_guarda_so_um_hash_argon2id_com_sal(senha_hash):
    stored = senha_hash.notebooks["receitas"]
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert "farinha" not in stored
    assert senha_hash.hasher.hash("1234") != senha_hash.hasher.hash("1234")  # o sal muda a cada hash
    assert senha_hash.can_open("receitas", "farinha-ovos-e-leite")
    assert not senha_hash.can_open("receitas", "chute")


def test_senha_hash_argon2_custa_muito_mais_que_sha256(senha_hash):
    """O que o corretor mede em dia02.hash_lento: o argon2 custa milhares de vezes um sha256 (folga de 100x)."""
    output = run_example("senha_hash")
    assert output.startswith("$argon2id$v=19$m=19456,t=2,p=1$...\n")
    assert "mesma senha, hashes diferentes (o sal): True" in output
    assert "senha certa: True | errada: False" in output
    ratio = re.search(r"argon2 [\d.]+ ms, sha256 [\d.]+ ms \((\d+) vezes mais lento\)", output)
    assert ratio, output
    assert int(ratio.group(1)) >= 100, output


# ---------------------------------------------------------------- hash_dummy.py


class VerifySpy:
    """Um CryptContext que conta os verify (e os repassa ao de verdade)."""

    def __init__(self, real):
        self.real, self.hashes = real, []

    def verify(self, password: str, stored: str) -> bool:
        self.hashes.append(stored)
        return self.real.verify(password, stored)


@pytest.fixture
def hash_dummy(monkeypatch):
    module = load("hash_dummy")
    monkeypatch.setattr(module, "hasher", VerifySpy(module.hasher))
    return module


def test_hash_dummy_todo_login_faz_exatamente_um_verify(hash_dummy):
    assert hash_dummy.sign_in("ana@notas.dev", "uma-senha-longa-da-ana")
    assert not hash_dummy.sign_in("ana@notas.dev", "chute")
    assert not hash_dummy.sign_in("ninguem@notas.dev", "chute")
    # A senha do próprio dummy não abre conta nenhuma.
    assert not hash_dummy.sign_in("ninguem@notas.dev", "ninguem-tem-esta-senha")
    account = hash_dummy.accounts["ana@notas.dev"]
    assert hash_dummy.hasher.hashes == [account, account, hash_dummy.DUMMY_HASH, hash_dummy.DUMMY_HASH]


def test_hash_dummy_o_login_ingenuo_pula_o_hash_sem_conta(hash_dummy):
    assert not hash_dummy.naive_sign_in("ninguem@notas.dev", "chute")
    assert hash_dummy.hasher.hashes == []  # nenhum hash: volta na hora, e o tempo entrega quem não tem conta
    lines = run_example("hash_dummy").splitlines()
    assert [line.split(":")[0].strip() for line in lines] == ["naive_sign_in", "sign_in"]


# ---------------------------------------------------------------- jwt_link.py


@pytest.fixture
def jwt_link(monkeypatch):
    monkeypatch.setenv("LINK_KEY", "chave-do-teste-" + "x" * 32)
    return load("jwt_link")


def test_jwt_link_token_hs256_com_sub_texto_e_exp(jwt_link):
    token = jwt_link.create_share_token(42)
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    claims = jwt.decode(token, "chave-do-teste-" + "x" * 32, algorithms=["HS256"])
    assert claims["sub"] == "42"
    minutes = (claims["exp"] - datetime.now(timezone.utc).timestamp()) / 60
    assert 14 < minutes <= 15
    assert jwt_link.read_payload_without_key(token) == claims  # o payload não é segredo


def test_jwt_link_le_a_chave_do_ambiente_a_cada_chamada(jwt_link, monkeypatch):
    monkeypatch.setenv("LINK_KEY", "outra-chave-" + "y" * 32)
    token = jwt_link.create_share_token(7)
    assert jwt.decode(token, "outra-chave-" + "y" * 32, algorithms=["HS256"])["sub"] == "7"
    with pytest.raises(JWTError):
        jwt.decode(token, "chave-do-teste-" + "x" * 32, algorithms=["HS256"])
    monkeypatch.delenv("LINK_KEY")
    with pytest.raises(KeyError):  # sem a chave no ambiente, nada de uma chave escrita no código
        jwt_link.create_share_token(7)


def test_jwt_link_script_imprime_token_e_payload():
    token, payload = run_example("jwt_link").splitlines()
    assert token.count(".") == 2
    assert re.fullmatch(r"\{'sub': '42', 'exp': \d+\}", payload), payload


# ---------------------------------------------------------------- jwt_decode.py


@pytest.fixture(scope="module")
def jwt_decode():
    return load("jwt_decode")


def test_jwt_decode_a_saida_e_a_do_guia():
    outputs = dict(OUTPUT.findall(GUIDE))
    assert run_example("jwt_decode") == outputs["docs/exemplos/dia2/jwt_decode.py"]


@pytest.mark.parametrize("name", ["HS512 com a chave certa", 'alg "none", sem assinatura', "sem exp", "sem sub"])
def test_jwt_decode_algorithms_e_require_recusam(jwt_decode, name):
    with pytest.raises(JWTError):
        jwt_decode.safe_decode(jwt_decode.ATTACKS[name])


def test_jwt_decode_sem_a_lista_o_cabecalho_manda(jwt_decode):
    attacks = jwt_decode.ATTACKS
    assert jwt_decode.naive_decode(attacks["HS512 com a chave certa"])["sub"] == "42"
    with pytest.raises(Exception) as error:
        jwt_decode.naive_decode(attacks['alg "none", sem assinatura'])
    assert not isinstance(error.value, JWTError)  # escapa de um except JWTError: 500
    assert "exp" not in jwt_decode.naive_decode(attacks["sem exp"])


# ---------------------------------------------------------------- pool_cpu.py


@pytest.fixture(scope="module")
def pool_cpu():
    return load("pool_cpu")


@pytest.fixture
def pool_url(pool_cpu):
    with serve(pool_cpu.app) as url:
        yield url


class HeldWork:
    """Uma "conta pesada" que só termina quando o teste manda: sincronização, não sleep."""

    def __init__(self):
        self.started, self.release = threading.Event(), threading.Event()

    def __call__(self, texts: list[str]) -> bytes:
        self.started.set()
        self.release.wait(RELEASE_TIMEOUT)
        return b"compactado"


def test_pool_cpu_compacta_de_verdade(pool_cpu):
    sample = pool_cpu.notes[:2000]
    assert len(pool_cpu.compress(sample)) < len("\n".join(sample).encode()) / 3


@pytest.mark.parametrize("route, health_answers", [("/exportar", True), ("/exportar-travando", False)])
def test_pool_cpu_health_durante_a_conta(pool_cpu, pool_url, monkeypatch, route, health_answers):
    """No pool, o loop atende o /health durante a conta; dentro do `async def`, o servidor inteiro para."""
    work = HeldWork()
    monkeypatch.setattr(pool_cpu, "compress", work)
    with ThreadPoolExecutor(1) as background, httpx.Client(base_url=pool_url, timeout=RELEASE_TIMEOUT) as api:
        export = background.submit(api.get, route)
        assert work.started.wait(RELEASE_TIMEOUT), "a conta não começou"
        try:
            if health_answers:
                assert api.get("/health", timeout=RELEASE_TIMEOUT).status_code == 200
                assert not export.done()  # e a conta ainda nem acabou
            else:
                with pytest.raises(httpx.TimeoutException):
                    api.get("/health", timeout=1.0)  # o loop está preso na conta: ninguém atende
        finally:
            work.release.set()
        response = export.result(RELEASE_TIMEOUT)
    assert response.status_code == 200
    assert response.json() == {"notas": len(pool_cpu.notes), "bytes": len(b"compactado")}


def test_pool_cpu_prazo_vencido_vira_503_com_retry_after(pool_cpu, pool_url, monkeypatch):
    work = HeldWork()
    monkeypatch.setattr(pool_cpu, "compress", work)
    monkeypatch.setattr(pool_cpu, "DEADLINE_SECONDS", 0.3)
    try:
        started = time.monotonic()
        response = httpx.get(f"{pool_url}/exportar", timeout=RELEASE_TIMEOUT)
        assert time.monotonic() - started < RELEASE_TIMEOUT
    finally:
        work.release.set()
    assert response.status_code == 503
    assert response.headers["retry-after"] == "0.3"


# ---------------------------------------------------------------- notas_protegidas.py


@pytest.fixture(scope="module")
def notas():
    module = load("notas_protegidas")
    with TestClient(module.app) as client:
        yield client


def session(client: TestClient, author: str) -> dict[str, str]:
    response = client.post("/sessoes", json={"author": author})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer nao-existe"},
                                     {"Authorization": "Basic YW5hOmFuYQ=="}, {"Authorization": "Bearer"}])
def test_notas_sem_sessao_valida_401_com_www_authenticate(notas, headers):
    response = notas.post("/notas", json={"text": "oi"}, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_notas_dono_vem_da_sessao_e_ler_e_publico(notas):
    note = notas.post("/notas", json={"text": "minha", "owner": "ana"}, headers=session(notas, "bia")).json()
    assert note["owner"] == "bia"  # um "owner" no corpo não vale nada
    assert note in notas.get("/notas").json()
    assert notas.post("/sessoes", json={"author": "zé"}).status_code == 404


def test_notas_403_para_quem_nao_e_dona_nem_editor(notas):
    ana, bia = session(notas, "ana"), session(notas, "bia")
    from_ana = notas.post("/notas", json={"text": "da ana"}, headers=ana).json()
    assert notas.delete(f"/notas/{from_ana['id']}", headers=bia).status_code == 403
    assert from_ana in notas.get("/notas").json()
    from_bia = notas.post("/notas", json={"text": "da bia"}, headers=bia).json()
    assert notas.delete(f"/notas/{from_bia['id']}", headers=ana).status_code == 204  # editor apaga qualquer uma
    assert notas.delete(f"/notas/{from_bia['id']}", headers=ana).status_code == 404


def test_notas_autores_so_para_editor_e_sem_email(notas):
    assert notas.get("/autores").status_code == 401  # a cadeia para no 401 antes do 403
    assert notas.get("/autores", headers=session(notas, "bia")).status_code == 403
    response = notas.get("/autores", headers=session(notas, "ana"))
    assert response.json() == [{"name": "ana", "role": "editor"}, {"name": "bia", "role": "autor"}]


def test_notas_fastapi_puro_le_o_corpo_antes_do_login(notas):
    """O que o guia conta em "A ordem": JSON quebrado para antes do login (422); JSON errado, depois (401)."""
    broken = notas.post("/notas", content=b"{quebrado", headers={"Content-Type": "application/json"})
    assert broken.status_code == 422
    assert broken.json()["detail"][0]["type"] == "json_invalid"
    assert notas.post("/notas", json={}).status_code == 401


# ---------------------------------------------------------------- as demos do guia do Dia 2
# Cada bloco marcado <!-- demo: nome --> roda como está escrito: bash, `python3` do .venv, de dentro de
# uma pasta dia02/ (aqui, com a solução como template.py), contra um servidor novo. Só a porta muda.

DEMO = re.compile(r"<!-- demo: ([\w-]+) -->\s*```bash\n(.*?)```(?:\s*```text\n(.*?)```)?", re.S)
GUIDE_URL = "http://127.0.0.1:8000"


def guide_demo(name: str) -> tuple[str, str | None]:
    """(comandos, saída mostrada logo abaixo no guia, se houver) do bloco <!-- demo: name -->."""
    found = {demo: (script, output or None) for demo, script, output in DEMO.findall(GUIDE)}
    return found[name]


@pytest.fixture(scope="module")
def dia02_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("guia_dia2") / "dia02"
    folder.mkdir()
    shutil.copy(REPO_ROOT / "solutions" / "dia02" / "template.py", folder / "template.py")
    return folder


@pytest.fixture(scope="module")
def demo_server(start_apps, dia02_folder, dia02_auth_env) -> str:
    """A solução do Dia 2 recém-ligada (os ids dos prompts começam em 1), com a SECRET_KEY das demos."""
    return start_apps(dia02_folder, **dia02_auth_env)[0]


def run_demo(script: str, cwd, secret_key: str, url: str | None = None) -> str:
    """Roda os comandos no bash com o .venv no PATH (o `python3` dele) e só a SECRET_KEY no ambiente."""
    env = {"PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}", "SECRET_KEY": secret_key,
           "COURSE_SKIP_DOTENV": "1", "LANG": "C.UTF-8"}
    if url:
        script = script.replace(GUIDE_URL, url)
    result = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", script], cwd=cwd, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, f"{script}\n{result.stderr}"
    return result.stdout


def statuses(output: str) -> list[int]:
    return [int(code) for code in re.findall(r"^HTTP/1\.1 (\d{3})", output, re.M)]


@pytest.mark.parametrize("name", ["dia2-passo1", "dia2-passo2"])
def test_demo_sem_servidor_imprime_o_que_o_guia_mostra(name, dia02_folder, dia02_auth_env):
    """Passo 1 (USERS só com hash) e passo 2 (gerar e ler um token antes de existir o login)."""
    script, shown = guide_demo(name)
    assert shown, f"o guia não mostra a saída de {name}"
    assert run_demo(script, dia02_folder, dia02_auth_env["SECRET_KEY"]) == shown


def test_demo_passo3_login(demo_server, dia02_folder, dia02_auth_env):
    output = run_demo(guide_demo("dia2-passo3")[0], dia02_folder, dia02_auth_env["SECRET_KEY"], demo_server)
    assert statuses(output) == [401, 401]
    assert output.count("www-authenticate: Bearer") == 2
    wrong, unknown = re.findall(r"^\{\"detail\":\"[^\n]*$", output, re.M)[:2]
    assert wrong == unknown  # o mesmo corpo para senha errada e usuário inexistente
    assert '"type":"string_too_long"' in output and "a" * 129 not in output  # 422 sem eco da senha
    assert output.count('"token_type":"bearer"') == 2  # /login e /token


def test_demo_passo4_token_gerado_vale_e_os_ruins_dao_401(demo_server, dia02_folder, dia02_auth_env):
    output = run_demo(guide_demo("dia2-passo4")[0], dia02_folder, dia02_auth_env["SECRET_KEY"], demo_server)
    assert output.startswith('{"username":"admin","role":"admin"}')  # o token do python3 -c vale no servidor
    assert statuses(output) == [401, 401, 401]
    assert output.count("www-authenticate: Bearer") == 3


def test_demo_passos_5_e_6(demo_server, dia02_folder, dia02_auth_env):
    login = guide_demo("dia2-passo5")[0]
    key = dia02_auth_env["SECRET_KEY"]
    me, users, aluno_status, anonymous_status = run_demo(login, dia02_folder, key, demo_server).splitlines()
    assert me == '{"username":"aluno","role":"aluno"}'
    assert users == '[{"username":"admin","role":"admin"},{"username":"aluno","role":"aluno"}]'
    assert (aluno_status, anonymous_status) == ("403", "401")
    lines = run_demo(login + guide_demo("dia2-passo6")[0], dia02_folder, key, demo_server).splitlines()[4:]
    anonymous, from_aluno, from_admin, aluno_deletes, admin_deletes = lines
    assert anonymous == "401"
    assert '"id":1' in from_aluno and '"owner":"aluno"' in from_aluno
    assert '"id":2' in from_admin and '"owner":"admin"' in from_admin
    assert (aluno_deletes, admin_deletes) == ("403", "204")


def test_demo_testes_rapidos(demo_server, dia02_folder, dia02_auth_env):
    output = run_demo(guide_demo("dia2-testes")[0], dia02_folder, dia02_auth_env["SECRET_KEY"], demo_server)
    assert statuses(output) == [401, 401, 401, 401, 401, 401]  # login x2, /me x3, o corpo quebrado sem token
    assert '"owner":"admin"' in output and '"password_hash"' not in output
    # O 422 formatado pelo json.tool: acentos inteiros (--no-ensure-ascii), e nada da senha de volta.
    assert '"msg": "Texto longo demais: o máximo é 128 caracteres."' in output
    assert "\\u00e1" not in output and "a" * 129 not in output


def test_demo_notas(dia02_folder):
    with serve(load("notas_protegidas").app) as url:
        output = run_demo(guide_demo("dia2-notas")[0], dia02_folder, "nao-usada", url)
    assert statuses(output) == [401]
    assert "www-authenticate: Bearer" in output
    assert '"owner":"bia"' in output
    assert output.rstrip().endswith('{"detail":"Só editores"}')
