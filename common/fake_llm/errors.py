"""Erros no formato da OpenAI, em pt-BR. Entrada ruim vira 400 com JSON claro, nunca um 500."""

import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

# Mensagens em pt-BR para os erros de validação mais comuns do Pydantic.
VALIDATION_MESSAGES = {
    "missing": "campo obrigatório ausente",
    "json_invalid": "o corpo não é um JSON válido",
    "too_short": "não pode ser vazio",
    "string_too_short": "não pode ser vazio",
    "bool_parsing": "deve ser true ou false",
    "literal_error": "valor não permitido",
    "string_type": "deve ser um texto",
    "bool_type": "deve ser true ou false",
    "list_type": "deve ser uma lista",
    "dict_type": "deve ser um objeto JSON",
    "model_attributes_type": "deve ser um objeto JSON",
}
HTTP_MESSAGES = {404: "Rota não encontrada no fake LLM.", 405: "Método não permitido nesta rota."}
UNION_TAG_RE = re.compile(r"^(str|int|float|bool|dict|list)(\[.*\])?$")


def error_body(message: str, *, type_: str = "invalid_request_error", param: str | None = None,
               code: str | None = None) -> dict[str, Any]:
    """Erro no formato da OpenAI: {"error": {"message", "type", "param", "code"}}."""
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


def invalid_request(message: str, param: str | None = None) -> JSONResponse:
    return JSONResponse(error_body(message, param=param), status_code=400)


def simulated_failure(message: str) -> JSONResponse:
    """500 pedido por marcador. `x-should-retry: false` faz o SDK da OpenAI não repetir."""
    body = error_body(message, type_="server_error", code="fake_llm_failure")
    return JSONResponse(body, status_code=500, headers={"x-should-retry": "false"})


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    first = exc.errors()[0]
    param = ".".join(str(part) for part in first.get("loc", ()) if not _is_noise(part)) or None
    reason = VALIDATION_MESSAGES.get(first.get("type"), first.get("msg", "valor inválido"))
    where = f" em '{param}'" if param else ""
    return invalid_request(f"Requisição inválida{where}: {reason}.", param)


def _is_noise(part: object) -> bool:
    """"body" e os rótulos de tipo das uniões ("str", "list[...]") não ajudam a achar o campo."""
    return part == "body" or bool(UNION_TAG_RE.match(str(part)))


async def _http_error(request: Request, exc: HTTPException) -> JSONResponse:
    message = HTTP_MESSAGES.get(exc.status_code, str(exc.detail))
    return JSONResponse(error_body(message, code=str(exc.status_code)), status_code=exc.status_code,
                        headers=exc.headers)
