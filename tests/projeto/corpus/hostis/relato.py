"""Como uma entrega hostil conta ao teste o que conseguiu: no corpo de toda resposta (menos /health).

O teste copia este arquivo, e um `alvos.json` com caminhos e portas, para a cópia de cada entrega
hostil. O corretor cita o corpo da resposta na mensagem da primeira verificação que falha, e o teste
lê o relato no relatório `--json`: `RELATO{...}FIM`, seguido do que a entrega achou, cru (é isso que
a redação de segredos do corretor precisa apagar de todo arquivo de saída).
"""
import json
import os
import re
import sys
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse

HERE = Path(__file__).parent
TARGETS = json.loads((HERE / "alvos.json").read_text(encoding="utf-8")) if (HERE / "alvos.json").is_file() else {}
SENTINEL = re.compile(r"[\w.\-]*sentinela[\w.\-]*")  # todo segredo plantado pelo teste contém "sentinela"


def sentinels(text: str) -> set[str]:
    return set(SENTINEL.findall(text))


def read(path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def app_with(report: dict, raw: str = "", fall_on: int | None = None) -> FastAPI:
    """Um app com /health normal e todas as outras rotas respondendo 418 com o relato.

    Com `fall_on=N`, a N-ésima requisição escreve o que foi achado no stderr e derruba o servidor: o
    corretor mostra o fim da saída do servidor na próxima falha (outro canal que precisa sair redigido).
    """
    app = FastAPI()
    served = []

    @app.get("/health")
    async def health() -> dict:
        return {"status": "ok"}

    @app.api_route("/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    async def tell(path: str, request: Request) -> PlainTextResponse:
        served.append(path)
        if len(served) == fall_on:
            print("achei:", raw, file=sys.stderr, flush=True)
            os._exit(1)
        body = "RELATO" + json.dumps(report, separators=(",", ":")) + "FIM " + raw
        return PlainTextResponse(body, status_code=418)

    return app
