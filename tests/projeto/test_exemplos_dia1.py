"""Os exemplos do Dia 1 (docs/exemplos/dia1/) fazem o que o guia diz, e as demonstrações do guia
reproduzem como estão escritas nas versões travadas.

- Cada exemplo FastAPI roda num TestClient, carregado do arquivo (um namespace novo por teste, então
  cada teste começa com o "banco" do exemplo intacto).
- Os scripts (`python3 contador_ids.py`...) rodam num subprocesso, e a saída é a do bloco
  `<!-- saída: ... -->` do guia.
- Os "Testes rápidos do Dia 1" rodam com o curl de verdade contra a solução num uvicorn real, e cada
  status anotado no bloco (`# 422`) confere, com a frase que o uvicorn manda no Python corrente.
- O que o guia afirma sobre um corpo num 204, a frase do 422 e o `json.tool --no-ensure-ascii`.
"""

from __future__ import annotations

import difflib
import http
import json
import re
import runpy
import shutil
import subprocess
import sys
import time
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

import httpx
import pytest
from fastapi import FastAPI, status
from fastapi.testclient import TestClient
from starlette.exceptions import StarletteDeprecationWarning

from common.launcher import ServerProcess

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = REPO_ROOT / "docs" / "exemplos" / "dia1"
GUIDE = (REPO_ROOT / "GUIA_APRENDIZADO.md").read_text(encoding="utf-8")
GUIDE_URL = "http://127.0.0.1:8000"


def example(name: str) -> dict:
    """Os nomes definidos pelo arquivo do exemplo, executado do zero."""
    return runpy.run_path(str(EXAMPLES / f"{name}.py"))


def client(name: str) -> TestClient:
    return TestClient(example(name)["app"])


def numbers(response: httpx.Response) -> list[int]:
    assert response.status_code == 200, response.text
    return [note["number"] for note in response.json()]


def guide_block(after: str, language: str) -> str:
    """O primeiro bloco ```language do guia depois do texto `after`."""
    start = GUIDE.index(after)
    match = re.compile(rf"```{language}\n(.*?)```", re.S).search(GUIDE, start)
    assert match, f"nenhum bloco {language} depois de {after!r}"
    return match.group(1)


# ---------------------------------------------------------------- os exemplos


def test_primeira_rota():
    response = client("primeira_rota").get("/about")
    assert response.status_code == 200
    assert response.json() == {"name": "Bloco de notas", "version": "1.0"}


def test_notas_pydantic_valida_a_entrada_e_monta_a_saida():
    api = client("notas_pydantic")
    response = api.post("/notes/preview", json={"body": "Comprar pão"})
    assert response.status_code == 200, response.text
    note = response.json()
    assert {k: note[k] for k in ("body", "pinned", "labels", "number")} == {
        "body": "Comprar pão", "pinned": False, "labels": [], "number": 1}
    assert note["saved_at"].endswith("Z") and datetime.fromisoformat(note["saved_at"]).tzinfo
    assert api.post("/notes/preview", json={"body": "x" * 280}).status_code == 200

    for invalid in ({}, {"body": ""}, {"body": "x" * 281}, {"body": "x", "labels": "a,b"}):
        assert api.post("/notes/preview", json=invalid).status_code == 422, invalid
    # O 422 de um app FastAPI puro vem em inglês e repete o valor recusado (o guia contrasta com o do curso).
    [error] = api.post("/notes/preview", json={"body": ""}).json()["detail"]
    assert (error["type"], error["loc"], error["input"]) == ("string_too_short", ["body", "body"], "")
    assert error["msg"] == "String should have at least 1 character"


def test_lista_padrao_de_um_modelo_pydantic_nao_e_compartilhada():
    note_in = example("notas_pydantic")["NoteIn"]
    first, second = note_in(body="a"), note_in(body="b")
    first.labels.append("casa")
    assert second.labels == [] and note_in(body="c").labels == []


@pytest.mark.parametrize("script", ["contador_ids", "notas_model_copy"])
def test_script_imprime_o_que_o_guia_mostra(script):
    """Roda como o guia manda (`python3 <script>.py`, dentro da pasta) e compara com o bloco de saída."""
    done = subprocess.run([sys.executable, f"{script}.py"], cwd=EXAMPLES, capture_output=True,
                          text=True, encoding="utf-8", timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout == guide_block(f"<!-- saída: docs/exemplos/dia1/{script}.py -->", "text")


def test_notas_criar_responde_201_com_numeros_crescentes():
    api = client("notas_criar")
    created = [api.post("/notes", json={"body": body}) for body in ("Comprar pão", "Ligar para a Ana")]
    assert [r.status_code for r in created] == [201, 201]
    assert [r.json()["number"] for r in created] == [1, 2]
    assert all(datetime.fromisoformat(r.json()["saved_at"]).tzinfo for r in created)
    assert numbers(api.get("/notes")) == [1, 2]
    assert api.post("/notes", json={"body": ""}).status_code == 422


@pytest.mark.parametrize(("query", "wanted"), [
    ("", [1, 2, 3, 4, 5]),
    ("q=LEITE", [1, 3]),
    ("pinned=true", [1, 4]),
    ("pinned=false&limit=2", [2, 3]),
    ("limit=2&offset=2", [3, 4]),
    ("q=leite&limit=1&offset=1", [3]),  # a página conta só o que passou no filtro
    ("offset=5", []),
])
def test_notas_query_filtra_e_depois_pagina(query, wanted):
    assert numbers(client("notas_query").get(f"/notes?{query}")) == wanted


@pytest.mark.parametrize("query", ["limit=0", "limit=51", "limit=abc", "offset=-1", "pinned=talvez"])
def test_notas_query_recusa_fora_da_faixa(query):
    assert client("notas_query").get(f"/notes?{query}").status_code == 422


def test_notas_404():
    api = client("notas_404")
    assert api.get("/notes/1").json() == {"number": 1, "body": "Comprar pão"}
    missing = api.get("/notes/99")
    assert (missing.status_code, missing.json()) == (404, {"detail": "Nota 99 não encontrada"})
    assert api.get("/notes/abc").status_code == 422


def test_notas_204_sem_corpo_e_depois_404():
    api = client("notas_204")
    deleted = api.delete("/notes/1")
    assert (deleted.status_code, deleted.content) == (204, b"")
    assert api.delete("/notes/1").status_code == 404
    assert api.delete("/notes/2").status_code == 204  # só a nota 1 tinha saído


# ---------------------------------------------------------------- o que o guia afirma


def test_204_com_status_no_decorador_descarta_o_que_a_funcao_devolve():
    app = FastAPI()

    @app.delete("/x", status_code=204)
    def delete_x():
        return {"ok": True}

    response = TestClient(app).delete("/x")
    assert (response.status_code, response.content) == (204, b"")


def test_204_com_tipo_de_retorno_com_corpo_nem_sobe():
    app = FastAPI()
    with pytest.raises(AssertionError, match="Status code 204 must not have a response body"):
        @app.delete("/x", status_code=204)
        def delete_x() -> dict:
            return {"ok": True}


RAW_204_APP = '''
from fastapi import FastAPI
from fastapi.responses import JSONResponse

app = FastAPI()


@app.delete("/x")
def delete_x():
    return JSONResponse({"ok": True}, status_code=204)
'''


def test_204_com_resposta_pronta_o_uvicorn_recusa_o_corpo(tmp_path):
    (tmp_path / "raw204.py").write_text(RAW_204_APP, encoding="utf-8")
    with ServerProcess(app_dir=tmp_path, module="raw204", scrub_env=True) as server:
        assert server.wait_ready(timeout=30) == "pronto", server.stderr_tail()
        response = httpx.delete(f"{server.url}/x", timeout=10)
        assert (response.status_code, response.content) == (204, b"")
        deadline = time.monotonic() + 10  # o log do servidor chega por um pipe, logo depois da resposta
        while "LocalProtocolError" not in server.stderr_tail() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "LocalProtocolError: Too much data for declared Content-Length" in server.stderr_tail()


def test_nomes_do_422_no_modulo_status():
    assert status.HTTP_422_UNPROCESSABLE_CONTENT == 422
    # Um UserWarning (aparece sem -W), não um DeprecationWarning: o aluno vê o aviso no terminal.
    with pytest.warns(StarletteDeprecationWarning, match="HTTP_422_UNPROCESSABLE_CONTENT"):
        assert status.HTTP_422_UNPROCESSABLE_ENTITY == 422


def test_frase_do_422_no_python_corrente():
    """A frase que o uvicorn manda é a do http.HTTPStatus; o guia diz qual é em cada Python."""
    expected = "Unprocessable Content" if sys.version_info >= (3, 13) else "Unprocessable Entity"
    assert http.HTTPStatus(422).phrase == expected


@pytest.mark.parametrize(("flags", "shown"), [([], '"sem opini\\u00e3o"'), (["--no-ensure-ascii"], '"sem opinião"')])
def test_json_tool_e_os_acentos(flags, shown):
    done = subprocess.run([sys.executable, "-m", "json.tool", *flags], input='{"text": "sem opinião"}',
                          capture_output=True, text=True, encoding="utf-8", timeout=60)
    assert done.returncode == 0, done.stderr
    assert f'"text": {shown}' in done.stdout


# ---------------------------------------------------------------- os comandos do guia, com curl de verdade


def template_after(step: int) -> str:
    """O template do Dia 1 com os passos 1..step feitos como na solução (os outros intocados).

    Cada trecho do diff template -> solução pertence ao passo do comentário "# Passo N" que o precede.
    """
    template = (REPO_ROOT / "dia01" / "template.py").read_text(encoding="utf-8").splitlines(keepends=True)
    solution = (REPO_ROOT / "solutions" / "dia01" / "template.py").read_text(encoding="utf-8").splitlines(keepends=True)
    owner, current = [], 0
    for line in template:
        current = int(m.group(1)) if (m := re.match(r"# Passo (\d+) ", line)) else current
        owner.append(current)
    merged = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, template, solution, autojunk=False).get_opcodes():
        hunk_step = owner[i1 - 1] if tag == "insert" else owner[i1]
        merged += solution[j1:j2] if tag != "equal" and 1 <= hunk_step <= step else template[i1:i2]
    return "".join(merged)


def shell_commands(anchor: str, end: str) -> list[tuple[str, int | None, list[str]]]:
    """(comando, status anotado, trechos esperados) de cada comando do 1º bloco bash entre `anchor` e `end`.

    `curl ...  # 404` anota o status da 1ª linha do `curl -i`; uma linha `# {"detail": ...` logo depois
    do comando é a saída esperada, em que `...` pula um trecho.
    """
    start = GUIDE.index(anchor)
    section = GUIDE[start:GUIDE.index(end, start + len(anchor))]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1).replace("\\\n", " ")
    commands: list[tuple[str, int | None, list[str]]] = []
    for line in filter(str.strip, block.splitlines()):
        if line.startswith("# "):
            commands[-1][2].extend(part.strip() for part in line[2:].split("...") if part.strip())
            continue
        command, _, comment = line.partition("  #")
        annotated = re.match(r"\s*(\d{3})\b", comment)
        commands.append((command.strip(), int(annotated.group(1)) if annotated else None, []))
    return commands


ISO_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z")


def without_dates(text: str) -> str:
    """Troca cada data ISO 8601 em UTC por um marcador: o guia mostra uma data qualquer."""
    return ISO_UTC.sub("<data>", text)


def run_commands(commands, base_url: str, guide_url: str = GUIDE_URL, cwd: Path | None = None) -> list[str]:
    """Roda cada comando no bash contra `base_url`, confere o que o guia anota e devolve as saídas.

    O `python3` dos comandos é o Python do ambiente do curso (o guia supõe o `.venv` ativo).
    """
    outputs = []
    for command, annotated, fragments in commands:
        runnable = re.sub(r"(^|\| )python3 ", rf"\g<1>{sys.executable} ", command).replace(guide_url, base_url)
        done = subprocess.run(["bash", "-o", "pipefail", "-c", runnable], cwd=cwd,
                              capture_output=True, text=True, encoding="utf-8", timeout=60)
        assert done.returncode == 0, f"{command}\n{done.stderr}"
        if annotated is not None:
            assert " -i " in command, f"o guia anota um status que o comando não mostra (falta -i): {command}"
            status_line = done.stdout.splitlines()[0].strip()
            assert status_line == f"HTTP/1.1 {annotated} {http.HTTPStatus(annotated).phrase}", command
            if annotated == 204:  # "sem corpo": nada depois da linha em branco que fecha os cabeçalhos
                assert done.stdout.endswith("\n\n"), f"{command}\n{done.stdout!r}"
        position, output = 0, without_dates(done.stdout)
        for fragment in map(without_dates, fragments):
            found = output.find(fragment, position)
            assert found >= 0, f"{command}\nesperado {fragment!r} em:\n{done.stdout}"
            position = found + len(fragment)
        outputs.append(done.stdout)
    return outputs


STEPS = range(1, 8)
needs_curl = pytest.mark.skipif(not (shutil.which("curl") and shutil.which("bash")), reason="sem curl ou bash nesta máquina")


class Running(NamedTuple):
    url: str
    folder: Path  # a pasta do template.py que ele roda


@pytest.fixture(scope="module")
def servers(tmp_path_factory) -> dict[str, Running]:
    """Um uvicorn novo por estado do template (depois de cada passo) e um da solução, todos de uma vez."""
    apps = {"solução": REPO_ROOT / "solutions" / "dia01"}
    for step in STEPS:
        apps[f"passo{step}"] = tmp_path_factory.mktemp(f"passo{step}")
        (apps[f"passo{step}"] / "template.py").write_text(template_after(step), encoding="utf-8")
    with ExitStack() as stack:
        started = {name: stack.enter_context(ServerProcess(app_dir=path, scrub_env=True)) for name, path in apps.items()}
        for name, server in started.items():
            assert server.wait_ready(timeout=30) == "pronto", f"{name}:\n{server.stderr_tail()}"
        yield {name: Running(server.url, apps[name]) for name, server in started.items()}


def test_os_passos_somados_sao_a_solucao():
    assert template_after(0) == (REPO_ROOT / "dia01" / "template.py").read_text(encoding="utf-8")
    assert "    raise todo(" not in template_after(7)
    for step in STEPS:  # cada passo tira exatamente o seu raise todo(...) (os passos 1 e 2 não têm)
        assert f"    raise todo({step}," not in template_after(step)
        assert all(f"    raise todo({later}," in template_after(step) for later in range(max(step + 1, 3), 8))


@needs_curl
@pytest.mark.parametrize("step", STEPS)
def test_pronto_quando_de_cada_passo_reproduz(servers, step):
    """O "Pronto quando" do passo N, contra o template com os passos 1..N feitos (a partir do 4, depois
    dos dois POSTs do passo 3, como o guia manda), de dentro da pasta do template (o passo 2 importa o
    template.py)."""
    commands = shell_commands(f'<a id="dia1-passo{step}"></a>', "<details>")
    posts = shell_commands('<a id="dia1-passo3"></a>', "<details>")[:2] if step >= 4 else []
    url, folder = servers[f"passo{step}"]
    outputs = run_commands([(command, None, []) for command, _, _ in posts] + commands, url, cwd=folder)
    if step == 6:  # o GET mostra o título novo com o mesmo id e created_at; o PUT inválido não muda nada
        gets = [json.loads(output) for (command, _, _), output in zip(posts + commands, outputs)
                if command == f"curl -s {GUIDE_URL}/prompts/1"]
        assert len(gets) == 3, gets
        before, after, after_invalid_put = gets
        assert after["title"] != before["title"], gets
        assert (after["id"], after["created_at"]) == (before["id"], before["created_at"]), gets
        assert after_invalid_put == after, gets


@needs_curl
def test_testes_rapidos_do_guia_reproduzem(servers):
    commands = shell_commands('<a id="dia1-testes"></a>', "<a id=")
    assert sum(status is not None for _, status, _ in commands) >= 5, commands
    assert any("json.tool --no-ensure-ascii" in command for command, _, _ in commands), commands
    outputs = dict(zip((command for command, _, _ in commands), run_commands(commands, servers["solução"].url)))
    pretty = next(output for command, output in outputs.items() if "json.tool --no-ensure-ascii" in command)
    assert "opinião" in pretty and "\\u00" not in pretty, pretty


def test_o_que_a_tabela_de_problemas_afirma(servers):
    with httpx.Client(base_url=servers["solução"].url, timeout=10) as api:
        slash = api.get("/prompts/")
        assert slash.status_code == 307 and slash.headers["location"].endswith("/prompts")
        # curl -d sem -H "Content-Type: application/json" manda um formulário
        form = api.post("/prompts", content=b'{"title": "a", "text": "b"}',
                        headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert form.status_code == 422 and form.json()["detail"][0]["msg"] == "Deve ser um objeto JSON."


SERVED_EXAMPLES = ["primeira_rota", "notas_pydantic", "notas_criar", "notas_query", "notas_404", "notas_204"]


@needs_curl
def test_curls_dos_conceitos_reproduzem():
    """O bloco de curl logo depois de cada exemplo, contra o exemplo num uvicorn de verdade (o guia usa
    a porta 8010)."""
    with ExitStack() as stack:
        started = {name: stack.enter_context(ServerProcess(app_dir=EXAMPLES, module=name, scrub_env=True))
                   for name in SERVED_EXAMPLES}
        for name, server in started.items():
            assert server.wait_ready(timeout=30) == "pronto", f"{name}:\n{server.stderr_tail()}"
        for name, server in started.items():
            commands = shell_commands(f"<!-- exemplo: docs/exemplos/dia1/{name}.py -->", "<a id=")
            assert commands, name
            run_commands(commands, server.url, guide_url="http://127.0.0.1:8010")


def test_docs_dos_exemplos_usam_cdn_e_o_do_template_nao():
    """O guia: o /docs de um exemplo (FastAPI puro) busca o Swagger UI num CDN; o do template, no próprio app."""
    external = re.compile(r"""(?:src|href)=["'](https?://[^"']+)""")
    assert any("cdn" in url for url in external.findall(client("notas_criar").get("/docs").text))
    template = runpy.run_path(str(REPO_ROOT / "dia01" / "template.py"))["app"]
    page = TestClient(template).get("/docs")
    assert page.status_code == 200 and "swagger-ui-bundle.js" in page.text
    assert external.findall(page.text) == []
