"""API para quem escreve verificações (em tests/diaNN/test_*.py).

Uma verificação é uma função pytest pequena; a docstring é o título em pt-BR:

    @check("dia01.criar_prompt", points=15, depends=["dia01.servidor_sobe"], hint="dia1-passo3")
    def test_criar_prompt(api):
        \"\"\"POST /prompts cria um prompt e responde 201\"\"\"
        response = api.post("/prompts", json={...})
        expect_status(response, 201)

Falhas usam `expect*`: a mensagem sempre diz o que era esperado e o que veio (truncado).

Um defeito é cobrado uma vez só. `depends` pula a verificação quando o que ela precisa não existe
(sem login, nada de /me); `after` só ordena. Quando uma verificação mede algo que é de outra (o 404 é
de `dia01.buscar_por_id`), a dona registra o aspecto e as outras o consultam pela fixture `facets`:

    facets.record("404 para um id que não existe", response.status_code == 404)   # na dona
    if facets.works("404 para um id que não existe", owner="dia01.buscar_por_id"):  # nas outras
        expect_not_found(api.put(...))

Se a dona falhou naquele aspecto, as outras não o cobram de novo e anotam por quê (uma "Obs.").
"""

from __future__ import annotations

from collections.abc import Iterable

import httpx
import pytest

MAX_SHOWN_CHARS = 300
_ANCHOR_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-_")


class CheckFailure(AssertionError):
    """Falha de verificação: a mensagem já está pronta para o aluno ler.

    `anchor` troca a dica da verificação quando ESTA causa é explicada em outra seção do guia.
    """

    def __init__(self, message: str, anchor: str | None = None) -> None:
        super().__init__(message)
        self.anchor = anchor


def check(
    id: str,
    points: float,
    depends: Iterable[str] = (),
    hint: str = "",
    timeout: float = 10.0,
    extra: bool = False,
    after: Iterable[str] = (),
) -> pytest.MarkDecorator:
    """Marca uma função de teste como verificação com id estável, pontos e dependências.

    `depends`: roda depois destas e é pulada se alguma não passou. `after`: só roda depois delas.
    """
    if not isinstance(id, str) or not id or " " in id:
        raise ValueError(f"id de verificação inválido: {id!r}")
    if isinstance(depends, str) or isinstance(after, str):
        raise TypeError(f"{id}: depends e after devem ser listas de ids, não uma string")
    if points < 0 or timeout <= 0:
        raise ValueError(f"{id}: points deve ser >= 0 e timeout > 0")
    if hint and not set(hint) <= _ANCHOR_CHARS:
        raise ValueError(f"{id}: hint é o id de uma âncora do guia (ex.: 'dia3-passo4'), não {hint!r}")
    return pytest.mark.check(
        id=id, points=points, depends=tuple(depends), after=tuple(after), hint=hint, timeout=float(timeout),
        extra=extra,
    )


def shorten(value: object, limit: int = MAX_SHOWN_CHARS) -> str:
    """Texto de um valor para mensagens: strings como estão, o resto com repr; corta o excesso."""
    text = value if isinstance(value, str) else repr(value)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… (+{len(text) - limit} caracteres)"


def shown_list(items: Iterable[object], limit: int = 5) -> str:
    """Os primeiros itens de uma lista para uma mensagem, e quantos ficaram de fora: "[a, b] … (+3)"."""
    items = list(items)
    more = f" … (+{len(items) - limit})" if len(items) > limit else ""
    return f"[{', '.join(map(str, items[:limit]))}]{more}"


NOT_IMPLEMENTED_HELP = (
    "A rota ainda responde 501 (Not Implemented): é a linha `raise todo(...)` do template. Escreva o código "
    "do passo no lugar dela e apague a linha (enquanto ela existir, nada depois dela roda)."
)


def expect(condition: object, expected: object, got: object, help: str | None = None,
           anchor: str | None = None) -> None:
    """Falha com "esperado: X; recebido: Y" (e uma linha de ajuda) se a condição for falsa."""
    if condition:
        return
    if isinstance(got, str) and got.startswith("status 501"):  # describe_response de uma rota do template
        help = NOT_IMPLEMENTED_HELP  # a ajuda da verificação falaria de outra coisa (ex.: do status_code=201)
    message = f"esperado: {shorten(expected)}; recebido: {shorten(got)}"
    if help:
        message += f"\n{help}"
    raise CheckFailure(message, anchor)


def expect_equal(got: object, expected: object, what: str = "valor", help: str | None = None,
                 anchor: str | None = None) -> None:
    """Compara valores; a mensagem diz qual valor estava errado."""
    if got == expected:
        return
    message = f"{what}: esperado {shorten(expected)!s}; recebido {shorten(got)!s}"
    if help:
        message += f"\n{help}"
    raise CheckFailure(message, anchor)


def describe_response(response: httpx.Response) -> str:
    """"status 500 — corpo: ..." (o corpo só se já foi lido; streams não são consumidos aqui)."""
    summary = f"status {response.status_code}"
    try:
        body = response.text
    except httpx.ResponseNotRead:
        return summary
    return f"{summary} — corpo: {shorten(body.strip())}" if body.strip() else summary


def expect_status(response: httpx.Response, expected: int | Iterable[int], help: str | None = None,
                  anchor: str | None = None) -> None:
    """Confere o status HTTP; aceita um número ou um conjunto de números."""
    allowed = {expected} if isinstance(expected, int) else set(expected)
    if response.status_code in allowed:
        return
    wanted = " ou ".join(f"status {code}" for code in sorted(allowed))
    request = response.request
    got = f"{describe_response(response)} (em {request.method} {request.url.path})"
    expect(False, wanted, got, help, anchor)


def login(api: httpx.Client, username: str, password: str) -> str:
    """Faz POST /login e devolve o access_token; falha com mensagem clara se não der."""
    response = api.post("/login", json={"username": username, "password": password})
    expect_status(response, 200, help=f"O login de {username!r} com a senha certa deve funcionar.")
    try:
        token = response.json().get("access_token")
    except (ValueError, AttributeError):
        token = None
    expect(
        isinstance(token, str) and token,
        'JSON com "access_token" (string)',
        describe_response(response),
    )
    return token
