"""Leitura de Server-Sent Events para as verificações, com httpx + httpx-sse.

    with open_sse(api, "POST", "/api/generate", json=body, headers=auth) as stream:
        stream.response.status_code          # status e cabeçalhos antes de ler o corpo
        result = stream.read_all(max_seconds=5)
        result.text, result.done, result.errors

O leitor é liberal com o estilo e rígido com o comportamento:
- o texto é interpretado exatamente como diz a especificação SSE (httpx-sse):
  `data:x` vale "x" e `data:  x` guarda um espaço (o espaço inicial do token);
- linhas terminadas em CRLF (sse-starlette) funcionam; comentários (`: ping`) e
  blocos sem `data` (ex.: só `retry:`) não viram eventos;
- um dado que é uma string JSON (como o `fastapi.sse` envia) é decodificado, então
  `"[DONE]"` e `[DONE]` são o mesmo fim de stream;
- há limite de bytes e de tempo: um stream sem fim falha, nunca trava o corretor.
"""

from __future__ import annotations

import codecs
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

# Os decodificadores de linha e de evento do httpx-sse (os mesmos de EventSource.iter_sse).
# Usamos as peças em vez de iter_sse para checar os limites a cada pedaço recebido da rede
# (um servidor que manda bytes sem nunca fechar uma linha não pode segurar o corretor).
from httpx_sse._decoders import SSEDecoder, SSELineDecoder

from common.grader.checks import CheckFailure, shorten
from common.sse_data import decode_data

DONE = "[DONE]"
MAX_STREAM_BYTES = 2 * 1024 * 1024
DEFAULT_MAX_SECONDS = 10.0
DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)


class StreamTooLarge(CheckFailure):
    """O stream passou do limite de bytes."""


class StreamTooLong(CheckFailure):
    """O stream passou do limite de tempo (ex.: nunca manda o [DONE] nem fecha)."""


@dataclass(frozen=True)
class Event:
    """Um evento SSE já normalizado. `at` é o time.monotonic() da chegada."""

    event: str  # "message" quando o servidor não manda `event:`
    data: str
    at: float

    @property
    def is_done(self) -> bool:
        return self.event == "message" and self.data == DONE

    @property
    def is_token(self) -> bool:
        """Evento de dado comum (sem nome), que não é o [DONE]."""
        return self.event == "message" and self.data != DONE


@dataclass
class SSEResult:
    events: list[Event] = field(default_factory=list)
    done: bool = False  # chegou o [DONE]
    text: str = ""  # concatenação dos dados dos eventos comuns (sem [DONE] e sem eventos nomeados)
    errors: list[Event] = field(default_factory=list)  # eventos `event: error`
    elapsed: float = 0.0  # do início da leitura até o fim
    first_at: float | None = None  # chegada do primeiro evento de token
    last_at: float | None = None  # chegada do último evento de token

    @property
    def tokens(self) -> list[Event]:
        return [event for event in self.events if event.is_token]




class _SpecDecoder(SSEDecoder):
    """O SSEDecoder do httpx-sse, mas só despacha blocos que tiveram alguma linha `data`.

    A especificação manda ignorar um bloco sem dados (ex.: só `retry: 3000`); o
    httpx-sse o entregaria como um evento vazio. Já `data:` sozinho é um evento de
    dado vazio, e é assim que um chunk vazio repassado aparece para as verificações.
    """

    def __init__(self) -> None:
        super().__init__()
        self._saw_data = False

    def decode(self, line: str):
        if line.partition(":")[0] == "data":
            self._saw_data = True
        event = super().decode(line)
        if event is None:
            return None
        saw_data, self._saw_data = self._saw_data, False
        return event if saw_data else None


class SSEStream:
    """Um stream aberto por `open_sse`: a resposta e os eventos, com limites."""

    def __init__(self, response: httpx.Response, max_bytes: int = MAX_STREAM_BYTES) -> None:
        self.response = response
        self.max_bytes = max_bytes
        self.started_at = time.monotonic()
        self._consumed = False

    @property
    def content_type(self) -> str:
        return self.response.headers.get("content-type", "").partition(";")[0].strip().lower()

    def require_event_stream(self, help: str | None = None) -> None:
        """Falha (mostrando o corpo) se não veio 200 com Content-Type text/event-stream."""
        ok = self.response.status_code == 200 and self.content_type == "text/event-stream"
        if ok:
            return
        got = f"status {self.response.status_code}, Content-Type {self.content_type or '(nenhum)'}"
        body = self.peek_body()
        if body:
            got += f" — corpo: {body}"
        raise CheckFailure(f"esperado: status 200 com Content-Type text/event-stream; recebido: {got}"
                           + (f"\n{help}" if help else ""))

    def peek_body(self, limit: int = 2000) -> str:
        """Lê até `limit` bytes do corpo (para mensagens de erro) sem esperar o resto."""
        if self._consumed:
            return ""
        self._consumed = True
        collected = b""
        try:
            for chunk in self.response.iter_bytes():
                collected += chunk
                if len(collected) >= limit:
                    break
        except httpx.HTTPError:
            pass
        return shorten(collected[:limit].decode("utf-8", errors="replace").strip())

    def events(self, max_seconds: float = DEFAULT_MAX_SECONDS) -> Iterator[Event]:
        """Gera os eventos conforme chegam. Passar de `max_seconds` ou do limite de bytes falha."""
        if self._consumed:
            raise RuntimeError("este stream já foi lido")
        self._consumed = True
        deadline = self.started_at + max_seconds
        text_decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        lines, events = SSELineDecoder(), _SpecDecoder()
        first = True
        for chunk in self.response.iter_bytes():
            now = time.monotonic()
            self._enforce_limits(now, deadline, max_seconds)
            text = text_decoder.decode(chunk)
            if first and text:
                text, first = text.removeprefix("\ufeff"), False  # BOM inicial é ignorado (spec)
            for line in lines.decode(text) if text else ():
                if (sse := events.decode(line)) is not None:
                    yield Event(sse.event, decode_data(sse.data), now)
        for line in lines.flush():  # o fim do stream fecha a última linha, não o último evento
            events.decode(line)

    def read_all(self, max_seconds: float = DEFAULT_MAX_SECONDS, stop_at_done: bool = True) -> SSEResult:
        """Lê até o [DONE] (ou até o servidor fechar) e resume o que chegou."""
        result = SSEResult()
        try:
            for event in self.events(max_seconds):
                result.events.append(event)
                if event.event == "error":
                    result.errors.append(event)
                if event.is_done:
                    result.done = True
                    if stop_at_done:
                        break
        finally:
            result.elapsed = time.monotonic() - self.started_at
        tokens = result.tokens
        result.text = "".join(event.data for event in tokens)
        if tokens:
            result.first_at, result.last_at = tokens[0].at, tokens[-1].at
        return result

    def read_some(self, min_tokens: int, max_seconds: float) -> list[Event]:
        """Lê até chegarem `min_tokens` eventos de token, ou até `max_seconds`, o que vier antes.

        Nunca falha por tempo: serve para "ler um pouco e desconectar". Um tempo de leitura
        (read timeout) curto no `open_sse` faz o mesmo quando o servidor não manda nada.
        """
        received: list[Event] = []
        try:
            for event in self.events(max_seconds):
                received.append(event)
                if event.is_done or sum(e.is_token and e.data != "" for e in received) >= min_tokens:
                    break
        except (StreamTooLong, httpx.ReadTimeout):
            pass
        return received

    def _enforce_limits(self, now: float, deadline: float, max_seconds: float) -> None:
        if self.response.num_bytes_downloaded > self.max_bytes:
            raise StreamTooLarge(
                f"esperado: um stream de no máximo {self.max_bytes // 1024} KB; recebido: mais que isso "
                "(resposta grande demais)"
            )
        if now > deadline:
            raise StreamTooLong(
                f"esperado: o stream terminar (com [DONE]) em até {max_seconds:g} s; recebido: ainda "
                "aberto depois disso\nTodo stream precisa terminar com `data: [DONE]` e fechar a conexão."
            )


@contextmanager
def open_sse(client: httpx.Client, method: str, url: str, *, max_bytes: int = MAX_STREAM_BYTES,
             **kwargs) -> Iterator[SSEStream]:
    """Abre um pedido em streaming (como httpx_sse.connect_sse) e entrega um SSEStream.

    Não exige Content-Type de SSE ao abrir: as verificações também olham respostas 401/422.
    """
    headers = {"Accept": "text/event-stream", **kwargs.pop("headers", {})}
    kwargs.setdefault("timeout", DEFAULT_TIMEOUT)
    with client.stream(method, url, headers=headers, **kwargs) as response:
        yield SSEStream(response, max_bytes=max_bytes)


class Background:
    """Roda `function(*args)` numa thread de apoio (ex.: dois streams ao mesmo tempo numa verificação).

        other = Background(read_stream, client, body)
        ...                                  # a verificação segue em paralelo
        result = other.result(timeout=15)    # o valor, ou a exceção da thread levantada aqui
    """

    def __init__(self, function: Callable[..., Any], *args: Any) -> None:
        self._outcome: list[Any] = []
        self._thread = threading.Thread(target=self._run, args=(function, args), daemon=True)
        self._thread.start()

    def _run(self, function: Callable[..., Any], args: tuple) -> None:
        try:
            self._outcome.append(function(*args))
        except BaseException as exc:  # noqa: BLE001 - levantada de novo em result()
            self._outcome.append(exc)

    def result(self, timeout: float) -> Any:
        self._thread.join(timeout)
        if not self._outcome:
            raise CheckFailure(f"esperado: o stream de apoio terminar em até {timeout:g} s; recebido: ainda aberto")
        if isinstance(self._outcome[0], BaseException):
            raise self._outcome[0]
        return self._outcome[0]
