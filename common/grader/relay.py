"""Ponte de bytes: cada conexão TCP em 127.0.0.1:<porta> é repassada a um Unix socket, na hora.

Só biblioteca padrão: este arquivo também roda dentro do sandbox (importado por `entry.py`).
Os dois usos:
- no corretor: 127.0.0.1:<porta> (a URL que as verificações usam) → o socket do servidor do aluno;
- dentro do sandbox: 127.0.0.1:<porta do fake LLM> → o socket do fake LLM do corretor.

Cada pedaço que chega de um lado é escrito no outro no mesmo instante (o streaming continua streaming),
e o fim também atravessa: quando um lado termina de mandar, o outro recebe EOF; quando um lado cai, o
outro é fechado. É assim que "o cliente desconectou" chega ao fake LLM em milissegundos. Se um lado
escreve mais rápido do que o outro lê, a leitura pausa (controle de fluxo do asyncio).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading

BACKLOG = 128


class _Side(asyncio.Protocol):
    """Uma ponta da conexão; `peer` é a outra."""

    def __init__(self, pair: _Pair) -> None:
        self.pair = pair
        self.transport: asyncio.Transport | None = None
        self.peer: _Side | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:
        self.transport = transport
        self.pair.transports.add(transport)

    def data_received(self, data: bytes) -> None:
        if not self.peer.transport.is_closing():
            self.peer.transport.write(data)

    def eof_received(self) -> bool:
        if self.peer.transport.can_write_eof() and not self.peer.transport.is_closing():
            self.peer.transport.write_eof()
        self.pair.half_closed()
        return True  # meio fechada: o outro sentido continua até terminar

    def connection_lost(self, exc: Exception | None) -> None:
        self.pair.transports.discard(self.transport)
        if self.peer is not None and self.peer.transport is not None:
            self.peer.transport.close()

    def pause_writing(self) -> None:
        self.peer.transport.pause_reading()

    def resume_writing(self) -> None:
        self.peer.transport.resume_reading()


class _Pair:
    """As duas pontas de uma conexão repassada."""

    def __init__(self, transports: set, path: str) -> None:
        self.transports = transports
        self.eofs = 0
        self.client = _Client(self, path)
        self.upstream = _Side(self)
        self.client.peer, self.upstream.peer = self.upstream, self.client

    def half_closed(self) -> None:
        self.eofs += 1
        if self.eofs == 2:  # os dois sentidos terminaram
            self.client.transport.close()
            self.upstream.transport.close()


class _Client(_Side):
    """A ponta TCP: guarda o que chegar até o Unix socket do outro lado estar conectado."""

    def __init__(self, pair: _Pair, path: str) -> None:
        super().__init__(pair)
        self.path = path
        self.early: list[bytes] = []  # o que o cliente mandou antes de o outro lado conectar
        self.early_eof = False

    def connection_made(self, transport: asyncio.Transport) -> None:
        super().connection_made(transport)
        asyncio.get_running_loop().create_task(self._connect())

    def data_received(self, data: bytes) -> None:
        if self.peer.transport is None:
            self.early.append(data)
            self.transport.pause_reading()  # um pedaço basta até conectar (o resto espera no socket)
            return
        super().data_received(data)

    def eof_received(self) -> bool:
        if self.peer.transport is None:
            self.early_eof = True
            return True
        return super().eof_received()

    async def _connect(self) -> None:
        try:
            await asyncio.get_running_loop().create_unix_connection(lambda: self.pair.upstream, self.path)
        except OSError:  # do outro lado ninguém escuta (ainda, ou mais): fecha, como uma porta recusada
            self.transport.abort()
            return
        for data in self.early:
            super().data_received(data)
        if self.early_eof:
            super().eof_received()
        elif not self.transport.is_closing():
            self.transport.resume_reading()


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
            for listener, path in self._routes:
                factory = (lambda path=path: _Pair(self._transports, path).client)
                self._servers.append(self._loop.run_until_complete(self._loop.create_server(factory, sock=listener)))
            self._ready.set()
            self._loop.run_forever()
        finally:
            self._ready.set()
            self._loop.close()

    def _shutdown(self) -> None:
        for server in self._servers:
            server.close()
        for transport in list(self._transports):
            transport.abort()
        self._loop.stop()
