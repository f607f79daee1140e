"""Cliente httpx de cada verificação: conexões novas, tempos limitados e corpo com teto de tamanho."""

from __future__ import annotations

import functools
import ssl

import certifi
import httpx

from .checks import CheckFailure

MAX_RESPONSE_BYTES = 1024 * 1024


class ResponseTooLarge(CheckFailure):
    """O servidor mandou mais bytes do que o teto: falha da verificação, não travamento do corretor."""


class _CappedStream(httpx.SyncByteStream):
    def __init__(self, inner: httpx.SyncByteStream, limit: int) -> None:
        self._inner = inner
        self._limit = limit

    def __iter__(self):
        received = 0
        for chunk in self._inner:
            received += len(chunk)
            if received > self._limit:
                raise ResponseTooLarge(
                    f"resposta grande demais: passou de {self._limit // 1024} KB "
                    "(o servidor mandou dados sem parar?)"
                )
            yield chunk

    def close(self) -> None:
        self._inner.close()


@functools.cache
def tls_context() -> ssl.SSLContext:
    """O contexto TLS de todos os clientes (o mesmo que o httpx monta por padrão), criado uma vez.

    Montá-lo lê as CAs do certifi: ~20 ms de CPU, e uma correção cria um cliente por verificação e por
    stream. O alvo costuma ser loopback em http; no modo --url com https, o certificado é verificado igual."""
    return ssl.create_default_context(cafile=certifi.where())


class CappedTransport(httpx.HTTPTransport):
    """Transporte que corta respostas acima de `limit` bytes (inclusive streams sem fim)."""

    def __init__(self, limit: int = MAX_RESPONSE_BYTES) -> None:
        # Sem keep-alive entre pedidos: depois de um 500 o uvicorn fecha a conexão,
        # e a verificação seguinte não pode herdar um socket morto.
        super().__init__(verify=tls_context(), limits=httpx.Limits(max_keepalive_connections=0))
        self._limit = limit

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        response.stream = _CappedStream(response.stream, self._limit)
        return response


def new_client(base_url: str, timeout: float = 10.0, limit: int = MAX_RESPONSE_BYTES) -> httpx.Client:
    """Um cliente novo para uma verificação (nenhuma conexão compartilhada com outra)."""
    return httpx.Client(
        base_url=base_url,
        transport=CappedTransport(limit),
        timeout=httpx.Timeout(timeout, connect=min(3.0, timeout)),
        follow_redirects=False,
        trust_env=False,  # nada de proxy do ambiente: o alvo é sempre loopback
    )
