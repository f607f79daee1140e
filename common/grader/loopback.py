"""O app do aluno como o uvicorn o serve dentro do sandbox: `uvicorn common.grader.loopback:app`.

Lá dentro o uvicorn atende num Unix socket (a ponte do corretor liga 127.0.0.1:<porta> a ele), e num
Unix socket o ASGI não tem endereço de cliente: `request.client` seria None e um `request.client.host`
do aluno viraria um 500 que fora do sandbox não acontece. Este invólucro devolve ao app o que ele veria
numa porta TCP de loopback, e nada mais muda: o app do aluno é importado como o uvicorn importaria.
"""

from __future__ import annotations

import os

from uvicorn.importer import import_from_string

APP_VARIABLE = "COURSE_GRADER_APP"  # ex.: "template:app"
PORT_VARIABLE = "COURSE_GRADER_PORT"  # a porta da ponte, do lado do corretor
LOOPBACK = "127.0.0.1"


class LoopbackAddress:
    """Middleware ASGI: põe `client` e `server` de loopback nos escopos que vêm do Unix socket."""

    def __init__(self, inner, port: int) -> None:
        self.inner = inner
        self.port = port

    async def __call__(self, scope, receive, send):
        if scope["type"] in ("http", "websocket") and not scope.get("client"):
            scope = {**scope, "client": (LOOPBACK, 0), "server": (LOOPBACK, self.port)}
        await self.inner(scope, receive, send)


if APP_VARIABLE in os.environ:  # no processo do uvicorn do aluno (o corretor só importa os nomes acima)
    app = LoopbackAddress(import_from_string(os.environ[APP_VARIABLE]), int(os.environ.get(PORT_VARIABLE, "0")))
