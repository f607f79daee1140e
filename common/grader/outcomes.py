"""Traduz a exceção de uma verificação em (status, mensagem em pt-BR)."""

from __future__ import annotations

import json
import traceback

import httpx
import pytest

from .checks import CheckFailure, shorten
from .results import ERROR, FAIL, TIMEOUT


class CheckTimeout(Exception):
    """A verificação passou do seu tempo limite (ou do tempo total da correção)."""


def _where(exc: httpx.HTTPError) -> str:
    try:
        return f" ({exc.request.method} {exc.request.url.path})"
    except RuntimeError:  # exceção sem pedido associado
        return ""


def _http_failure(exc: httpx.HTTPError) -> tuple[str, str]:
    where = _where(exc)
    if isinstance(exc, httpx.TimeoutException):
        return TIMEOUT, f"o servidor não respondeu a tempo{where}"
    if isinstance(exc, httpx.ConnectError):
        return FAIL, f"não foi possível conectar ao servidor{where}: ele caiu ou não subiu?"
    if isinstance(exc, httpx.RemoteProtocolError):
        return FAIL, f"o servidor fechou a conexão sem completar a resposta{where}"
    if isinstance(exc, httpx.NetworkError):
        return FAIL, f"a conexão com o servidor caiu no meio do pedido{where}"
    return FAIL, f"erro HTTP{where}: {type(exc).__name__}: {shorten(str(exc))}"


def _location(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    return f" [{frames[-1].filename}:{frames[-1].lineno}]" if frames else ""


def classify(exc: BaseException) -> tuple[str, str]:
    """(status, mensagem) para uma exceção levantada por uma verificação ou fixture."""
    if isinstance(exc, CheckTimeout):
        return TIMEOUT, str(exc)
    if isinstance(exc, CheckFailure):
        return FAIL, str(exc)
    if isinstance(exc, pytest.fail.Exception):  # pytest.fail("...") numa verificação
        return FAIL, shorten(exc.msg or "a verificação falhou", 600)
    if isinstance(exc, httpx.HTTPError):
        return _http_failure(exc)
    if isinstance(exc, json.JSONDecodeError):
        return FAIL, f"esperado: resposta em JSON válido; recebido: {shorten(exc.doc) or '(corpo vazio)'}"
    if isinstance(exc, TimeoutError):  # ex.: llm.wait_for não viu o pedido esperado a tempo
        return FAIL, shorten(str(exc) or "o evento esperado não aconteceu a tempo", 600)
    if isinstance(exc, AssertionError):
        return FAIL, shorten(str(exc).strip() or "uma condição da verificação não foi satisfeita", 600)
    detail = f"{type(exc).__name__}: {shorten(str(exc))}{_location(exc)}"
    return ERROR, f"erro inesperado na própria verificação (avise o professor): {detail}"
