"""Ponte de bytes: cada conexão TCP em 127.0.0.1:<porta> é repassada a um Unix socket, na hora.

Só biblioteca padrão: este arquivo também roda dentro do sandbox (importado por `entry.py`).
Os dois usos:
- no corretor: 127.0.0.1:<porta> (a URL que as verificações usam) → o socket do servidor do aluno;
- dentro do sandbox: 127.0.0.1:<porta do fake LLM> → o socket do fake LLM do corretor.

Cada direção repassa o que chega assim que chega (o streaming continua streaming) e propaga o fim:
quando um lado termina de mandar, o outro recebe EOF; um erro num lado fecha os dois. É assim que
"o cliente desconectou" atravessa a ponte e chega ao fake LLM em milissegundos.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading

CHUNK_BYTES = 64 * 1024
BACKLOG = 128


class Relay:
    """Uso: `relay = Relay(); port = relay.add(0, "/caminho/do.sock"); relay.start()` ... `relay.stop()`."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self._routes: list[tuple[socket.socket, str]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._servers: list[asyncio.AbstractServer] = []
        self._transports: set[asyncio.BaseTransport] = set()
        self._ready = threading.Event()

    def add(self, port: int, unix_path: str) -> int:
        """Escuta já em host:port (0 = uma porta livre) e devolve a porta; conecta em unix_path a cada conexão."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, port))
        listener.listen(BACKLOG)
        self._routes.append((listener, unix_path))
        return listener.getsockname()[1]

    def start(self) -> Relay:
        """Roda a ponte numa thread própria (com o seu event loop) e volta quando ela já aceita conexões."""
        self._thread = threading.Thread(target=self._run, name="corretor-ponte", daemon=True)
        self._thread.start()
        self._ready.wait(10)
        return self

    def stop(self) -> None:
        """Fecha as portas e todas as conexões em andamento."""
        if self._loop is not None and self._thread is not None and self._thread.is_alive():
            with contextlib.suppress(RuntimeError):  # o loop já terminou
                self._loop.call_soon_threadsafe(self._shutdown)
            self._thread.join(5)
        for listener, _ in self._routes:
            listener.close()

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()
        try:
            self._loop.run_until_complete(self._listen())
            self._ready.set()
            self._loop.run_forever()
        finally:
            self._ready.set()
            self._loop.close()

    async def _listen(self) -> None:
        for listener, path in self._routes:
            handler = self._handler(path)
            self._servers.append(await asyncio.start_server(handler, sock=listener, limit=CHUNK_BYTES))

    def _shutdown(self) -> None:
        for server in self._servers:
            server.close()
        for transport in list(self._transports):
            transport.abort()
        self._loop.stop()

    def _handler(self, path: str):
        async def handle(client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
            try:
                upstream_reader, upstream_writer = await asyncio.open_unix_connection(path, limit=CHUNK_BYTES)
            except OSError:  # do outro lado ninguém escuta (ainda, ou mais): fecha, como uma porta recusada
                client_writer.transport.abort()
                return
            transports = {client_writer.transport, upstream_writer.transport}
            self._transports |= transports
            try:
                await asyncio.gather(_pump(client_reader, upstream_writer, transports),
                                     _pump(upstream_reader, client_writer, transports))
            finally:
                for transport in transports:
                    transport.close()
                self._transports -= transports

        return handle


async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, both: set) -> None:
    """Copia reader → writer até o EOF (que vira EOF do outro lado); um erro derruba as duas pontas."""
    try:
        while data := await reader.read(CHUNK_BYTES):
            writer.write(data)
            await writer.drain()
        if writer.can_write_eof() and not writer.transport.is_closing():
            writer.write_eof()
    except (OSError, RuntimeError):  # conexão resetada, ou escrita depois do fechamento
        for transport in both:
            transport.abort()
