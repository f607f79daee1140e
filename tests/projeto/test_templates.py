"""Os templates dos alunos, intocados: importam, sobem, servem /health e respondem 501
com uma dica em português (o TODO e o passo do guia) em cada rota ainda não feita.
Também confere que cada dica aponta para uma âncora que existe no guia.
"""

import re

import httpx
import pytest

from common.config import REPO_ROOT

VALID_PROMPT = {"title": "Resumo", "text": "Resuma o texto.", "tags": []}
ALUNO = {"username": "aluno", "password": "aluno123"}

# (método, caminho, argumentos do httpx, passo do TODO que a dica deve citar)
UNIMPLEMENTED = {
    "dia01": [
        ("POST", "/prompts", {"json": VALID_PROMPT}, 3),
        ("GET", "/prompts", {}, 4),
        ("GET", "/prompts/1", {}, 5),
        ("PUT", "/prompts/1", {"json": VALID_PROMPT}, 6),
        ("DELETE", "/prompts/1", {}, 7),
    ],
    "dia02": [
        ("POST", "/login", {"json": ALUNO}, 3),
        ("POST", "/token", {"data": ALUNO}, 3),
        ("GET", "/me", {"headers": {"Authorization": "Bearer qualquer"}}, 4),
        ("GET", "/admin/users", {}, 4),
    ],
    "dia03": [
        ("POST", "/api/generate", {"json": {"prompt": "Explique SSE"}}, 5),
        ("POST", "/chat", {"json": {"message": "Olá"}}, 6),
        ("GET", "/", {}, 8),
    ],
}
HINT = re.compile(r"^TODO (\d+): .+ — veja GUIA_APRENDIZADO\.md#dia(\d)-passo(\d+)$")
# O "(?![\w{-])" ignora o molde das dicas no código: f"...#dia1-passo{step}".
GUIDE_LINK = re.compile(r"GUIA_APRENDIZADO\.md#([\w-]+)(?![\w{-])")


@pytest.fixture(scope="module", params=sorted(UNIMPLEMENTED))
def day(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def template_urls(start_apps, dia02_auth_env) -> dict[str, str]:
    """Os três templates, subidos ao mesmo tempo (o do Dia 3 importa o LangChain: é o mais lento)."""
    days = sorted(UNIMPLEMENTED)
    return dict(zip(days, start_apps(*(REPO_ROOT / day for day in days), **dia02_auth_env)))


@pytest.fixture(scope="module")
def template(day, template_urls):
    with httpx.Client(base_url=template_urls[day], timeout=30) as client:
        yield client


def test_template_serves_health(template):
    response = template.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_unimplemented_routes_answer_501_with_a_hint(template, day):
    for method, path, kwargs, step in UNIMPLEMENTED[day]:
        response = template.request(method, path, **kwargs)
        assert response.status_code == 501, f"{method} {path}: {response.status_code} {response.text}"
        hint = HINT.match(response.json()["detail"])
        assert hint, f"{method} {path}: dica fora do formato: {response.json()['detail']!r}"
        assert hint.groups() == (str(step), day[-1], str(step)), f"{method} {path}: {hint.group(0)!r}"


def test_every_guide_link_in_the_day_points_to_an_existing_anchor(day):
    guide = (REPO_ROOT / "GUIA_APRENDIZADO.md").read_text(encoding="utf-8")
    anchors = set(re.findall(r'<a id="([\w-]+)"></a>', guide))
    files = [REPO_ROOT / day / "template.py", REPO_ROOT / "solutions" / day / "template.py",
             REPO_ROOT / day / "README.md"]
    links = {link for path in files for link in GUIDE_LINK.findall(path.read_text(encoding="utf-8"))}
    assert links, f"nenhum link para o guia em {day}"
    assert links <= anchors, f"âncoras que faltam no guia: {sorted(links - anchors)}"
