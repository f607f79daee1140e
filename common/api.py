"""Infraestrutura HTTP dos três dias: o 422 do curso, o 401 antes do 422 e o 401 no /docs.

Cada app usa `app.router.route_class = CourseRoute` logo depois de criado; um APIRouter, `route_class=CourseRoute`
(é o ponto de extensão documentado do FastAPI: https://fastapi.tiangolo.com/how-to/custom-request-and-route/).

- **422 para todo corpo malformado.** JSON inválido, bytes que não são UTF-8, aninhamento fundo demais
  ou um "surrogate" isolado (`"\\ud800"`, que nenhum UTF-8 representa). Sem isso, os do meio davam 400 e
  o último, um 500: o 422 padrão tentava repetir o texto recusado na resposta.
- **O 422 não repete o que o cliente mandou.** O FastAPI põe o valor recusado em `input`: uma senha
  errada voltaria na resposta, e um campo de 1 MB voltaria inteiro. Aqui sai só onde (`loc`), o quê
  (`type`) e uma mensagem em português (`msg`).
- **401 antes de 422 nas rotas com login.** O FastAPI lê o corpo ANTES de rodar as dependências; a
  validação dos campos é que vem depois delas. Um JSON ilegível, então, dava 422 a quem nem mandou
  token. Aqui, antes desse 422, a rota confere o login.
- **O /docs mostra o 401** de toda rota com login.

Veja GUIA_APRENDIZADO.md#dia2-ordem.
"""

import inspect
import json
from collections.abc import Awaitable, Callable
from typing import Any

import pydantic_core
from fastapi import Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.dependencies.models import Dependant
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.routing import APIRoute
from fastapi.security.base import SecurityBase

__all__ = ["CourseRoute", "EventStream", "error_response", "event_stream", "validation_error"]


# O corpo de todo erro que não é de validação: {"detail": "<mensagem em português>"}.
ERROR_SCHEMA = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}


def error_response(description: str, **extra: Any) -> dict[str, Any]:
    """Uma resposta de erro para o `responses=` de uma rota (é o que aparece no /docs).

    O esquema vai escrito (e não como `model`): assim ele é JSON mesmo numa rota de stream.
    """
    return {"description": description, "content": {"application/json": {"schema": ERROR_SCHEMA}}, **extra}


class EventStream(StreamingResponse):
    """Para o /docs: `response_class=EventStream` documenta a rota como `text/event-stream` (SSE).

    A rota continua devolvendo o seu StreamingResponse; o FastAPI só não tem como adivinhar o tipo.
    """

    media_type = "text/event-stream"


def event_stream(description: str, event_names: list[str]) -> dict[str, Any]:
    """Uma resposta SSE para o `responses=` de uma rota, descrita como o FastAPI descreve as suas
    (OpenAPI 3.2): `itemSchema` é um evento ({"event", "data"}); `schema`, o stream inteiro (a lista)."""
    event = {"type": "object", "required": ["data"],
             "properties": {"event": {"enum": event_names}, "data": {"type": "string"}}}
    stream = {"itemSchema": event, "schema": {"type": "array", "items": event}}
    return {"description": description, "content": {"text/event-stream": stream}}


# O 401 que CourseRoute acrescenta às rotas com login.
UNAUTHORIZED = error_response(
    "Sem login: falta o token, ou ele é inválido ou venceu",
    headers={"WWW-Authenticate": {"description": "Sempre `Bearer`", "schema": {"type": "string"}}},
)

# As mensagens em português dos erros mais comuns do Pydantic; `ctx` preenche os {campos}.
MESSAGES = {
    "missing": "Campo obrigatório.",
    "json_invalid": "O corpo não é um JSON válido ({error}).",
    "string_type": "Deve ser um texto.",
    "string_too_short": "Texto curto demais: o mínimo é {min_length} caractere(s).",
    "string_too_long": "Texto longo demais: o máximo é {max_length} caracteres.",
    "too_short": "Lista curta demais: o mínimo é {min_length} item(ns).",
    "too_long": "Lista longa demais: o máximo é {max_length} itens.",
    "list_type": "Deve ser uma lista.",
    "model_attributes_type": "Deve ser um objeto JSON.",
    "dict_type": "Deve ser um objeto JSON.",
    "bool_type": "Deve ser true ou false.",
    "bool_parsing": "Deve ser true ou false.",
    "int_type": "Deve ser um número inteiro.",
    "int_parsing": "Deve ser um número inteiro.",
    "greater_than_equal": "Deve ser maior ou igual a {ge}.",
    "less_than_equal": "Deve ser menor ou igual a {le}.",
    "literal_error": "Valor não permitido: use {expected}.",
}


def translated(error: dict[str, Any]) -> str:
    """A mensagem do erro em português (ou a original, para um tipo fora da tabela)."""
    try:
        return MESSAGES[error["type"]].format(**error.get("ctx", {}))
    except (KeyError, IndexError):
        return error["msg"]


def validation_error(exc: RequestValidationError) -> JSONResponse:
    """O 422 do curso: loc, type, msg (em português) e ctx; nunca o `input` que o cliente mandou."""
    detail = [
        {"loc": error["loc"], "type": error["type"], "msg": translated(error)}
        | ({"ctx": error["ctx"]} if "ctx" in error else {})
        for error in exc.errors()
    ]
    return JSONResponse(status_code=422, content={"detail": jsonable_encoder(detail)})


class StrictJSONRequest(Request):
    """Lê o corpo como o JSON da RFC 8259: UTF-8, sem NaN, sem surrogate isolado, aninhamento limitado."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            try:
                # O leitor do Pydantic (o mesmo de model_validate_json) recusa tudo isso com ValueError.
                self._json = pydantic_core.from_json(await self.body(), allow_inf_nan=False)
            except ValueError as error:
                # JSONDecodeError é o erro que o FastAPI transforma num 422 "json_invalid".
                raise json.JSONDecodeError(str(error), "", 0) from None
        return self._json


LoginCheck = Callable[[Request], Awaitable[None]]


def find_login(dependant: Dependant) -> LoginCheck | None:
    """A conferência de login da rota: a dependência (get_current_user) que usa um esquema de segurança.

    Devolve uma função que roda esse esquema (o Bearer) e essa dependência como o FastAPI rodaria; um
    token ruim levanta o 401 dela. None se a rota não tem login.
    """
    for sub in dependant.dependencies:
        for inner in sub.dependencies:
            if isinstance(inner.call, SecurityBase):
                return _login_check(inner.call, inner.name, sub.call)
        if (found := find_login(sub)) is not None:
            return found
    return None


def _login_check(scheme: SecurityBase, param: str | None, get_user: Callable[..., Any]) -> LoginCheck:
    async def check(request: Request) -> None:
        credentials = {param: await scheme(request)}
        if inspect.iscoroutinefunction(get_user):
            await get_user(**credentials)
        else:
            await run_in_threadpool(get_user, **credentials)

    return check


class CourseRoute(APIRoute):
    """A rota do curso: corpo lido como JSON estrito, o 422 sem `input` e, com login, 401 antes de 422."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if find_login(self.dependant) is not None:
            self.responses = {401: UNAUTHORIZED, **self.responses}

    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        handler = super().get_route_handler()
        check_login = find_login(self.dependant)

        async def handle(request: Request) -> Response:
            request = StrictJSONRequest(request.scope, request.receive)
            try:
                return await handler(request)
            except RequestValidationError as error:
                # Um corpo ilegível é recusado ANTES das dependências: o login ainda não foi conferido.
                if check_login is not None and _unreadable_body(error):
                    await check_login(request)  # sem token válido, o 401 sai daqui
                return validation_error(error)

        return handle


def _unreadable_body(error: RequestValidationError) -> bool:
    return any(item["type"] == "json_invalid" for item in error.errors())
