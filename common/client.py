"""Cliente de terminal do Dia 3: faz login e mostra a resposta chegando, token a token.

    python -m common.client "Explique SSE em 3 bullets"
    python -m common.client --endpoint generate "Escreva uma função Python"
    python -m common.client --no-stream "Oi"          # resposta inteira, em JSON
    python -m common.client --url http://127.0.0.1:8080 "Oi"   # através do nginx

Cada token vai para a saída padrão assim que chega (com flush). Mensagens de erro vão
para a saída de erro, em português. Códigos de saída:

    0  a resposta terminou com [DONE]         3  não conectou no servidor
    1  erro do servidor (HTTP ou event: error) 4  login recusado / token inválido (401)
    2  uso errado da linha de comando          5  o stream acabou sem [DONE]
    130 interrompido com Ctrl-C

O SSE é lido com httpx-sse: nada de parser feito à mão.
"""

from __future__ import annotations

import argparse
import os
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
from httpx_sse import ServerSentEvent, SSEError, connect_sse

from common.argparse_ptbr import PortugueseArgumentParser
from common.sse_data import decode_data

EXIT_OK = 0
EXIT_SERVER_ERROR = 1
EXIT_USAGE = 2
EXIT_CONNECTION = 3
EXIT_AUTH = 4
EXIT_INCOMPLETE = 5
EXIT_INTERRUPTED = 130

DONE = "[DONE]"
# Conectar é rápido; já entre dois tokens um modelo real pode pensar bastante.
TIMEOUT = httpx.Timeout(10.0, read=300.0)


class ClientError(Exception):
    """Erro com mensagem pronta para a pessoa e o código de saída certo."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass
class StreamResult:
    text: str = ""
    done: bool = False
    error: str | None = None  # detalhe de um `event: error`


# As mensagens de erro mais comuns do argparse, traduzidas.
def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = PortugueseArgumentParser(
        prog="python -m common.client",
        description="Faz login na API do Dia 3 e mostra a resposta do modelo chegando token a token.",
    )
    parser.add_argument("question", metavar="pergunta", help="o que perguntar ao modelo")
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="endereço da API (padrão: %(default)s)")
    parser.add_argument("--user", default="admin", help="usuário (padrão: %(default)s)")
    parser.add_argument("--password", default="admin123", help="senha (padrão: %(default)s)")
    parser.add_argument(
        "--endpoint",
        choices=("chat", "generate"),
        default="chat",
        help="chat = POST /chat; generate = POST /api/generate (padrão: %(default)s)",
    )
    parser.add_argument("--no-stream", action="store_true", help="pede a resposta inteira em JSON (só com /chat)")
    args = parser.parse_args(argv)
    if not args.question.strip():
        parser.error("a pergunta não pode ser vazia")
    if args.no_stream and args.endpoint == "generate":
        parser.error("--no-stream só vale com --endpoint chat: /api/generate sempre transmite em stream")
    return args


def error_detail(response: httpx.Response) -> str:
    """O `detail` do JSON de erro do FastAPI, ou o começo do corpo."""
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        detail = None
    if detail is None:
        return response.text.strip()[:300]
    if isinstance(detail, list):  # 422: lista de erros de validação
        return "; ".join(str(item.get("msg", item)) for item in detail if isinstance(item, dict))
    return str(detail)


def raise_for_status(response: httpx.Response, action: str) -> None:
    """Traduz um status de erro numa mensagem em português."""
    if response.is_success:
        return
    response.read()  # numa resposta em stream, o corpo (o JSON do erro) ainda não foi lido
    detail = error_detail(response)
    if response.status_code == 401:
        raise ClientError(f"{action}: não autorizado (401). {detail}".strip(), EXIT_AUTH)
    raise ClientError(f"{action}: o servidor respondeu {response.status_code}. {detail}".strip(), EXIT_SERVER_ERROR)


def login(client: httpx.Client, user: str, password: str) -> str:
    response = client.post("/login", json={"username": user, "password": password})
    if response.status_code == 401:
        raise ClientError(f"login recusado: usuário ou senha incorretos para {user!r}.", EXIT_AUTH)
    raise_for_status(response, "login")
    return json_field(response, "access_token")


def json_field(response: httpx.Response, field: str) -> str:
    """Um campo de texto do JSON da resposta; se não vier, um erro claro (e não um traceback)."""
    try:
        value = response.json()[field]
    except (ValueError, KeyError, TypeError):
        value = None
    if not isinstance(value, str):
        raise ClientError(f"{response.request.url.path}: resposta sem o campo {field!r} no JSON.", EXIT_SERVER_ERROR)
    return value



def event_error_detail(sse: ServerSentEvent) -> str:
    try:
        return str(json.loads(sse.data)["detail"])
    except (ValueError, KeyError, TypeError):
        return sse.data


def stream_events(client: httpx.Client, path: str, body: dict, token: str) -> Iterator[ServerSentEvent]:
    headers = {"Authorization": f"Bearer {token}"}
    with connect_sse(client, "POST", path, json=body, headers=headers) as event_source:
        raise_for_status(event_source.response, f"POST {path}")
        yield from event_source.iter_sse()


def print_stream(events: Iterator[ServerSentEvent], result: StreamResult) -> None:
    """Escreve cada token na hora (flush) e para no [DONE]."""
    for sse in events:
        if sse.event == "error":
            result.error = event_error_detail(sse)
            continue  # o servidor ainda manda o [DONE]
        if sse.event != "message":
            continue  # eventos que este cliente não usa
        data = decode_data(sse.data)
        if data == DONE:
            result.done = True
            break
        result.text += data
        sys.stdout.write(data)
        sys.stdout.flush()


def finish_line(text: str) -> None:
    """Termina a linha, para o prompt do terminal não grudar no texto."""
    if text and not text.endswith("\n"):
        sys.stdout.write("\n")
        sys.stdout.flush()


def run(args: argparse.Namespace) -> int:
    with httpx.Client(base_url=args.url, timeout=TIMEOUT) as client:
        token = login(client, args.user, args.password)
        if args.no_stream:
            response = client.post("/chat", json={"message": args.question}, headers={"Authorization": f"Bearer {token}"})
            raise_for_status(response, "POST /chat")
            text = json_field(response, "response")
            sys.stdout.write(text)
            finish_line(text)
            return EXIT_OK
        if args.endpoint == "generate":
            path, body = "/api/generate", {"prompt": args.question}
        else:
            path, body = "/chat", {"message": args.question, "stream": True}
        result = StreamResult()
        try:
            print_stream(stream_events(client, path, body, token), result)
        finally:
            finish_line(result.text)  # também no Ctrl-C: o aviso começa numa linha nova
    if result.error is not None:
        raise ClientError(f"o modelo falhou no meio da resposta: {result.error}", EXIT_SERVER_ERROR)
    if not result.done:
        raise ClientError("a transmissão acabou antes do fim: o [DONE] não chegou.", EXIT_INCOMPLETE)
    return EXIT_OK


def fail(message: str, exit_code: int) -> int:
    print(f"erro: {message}", file=sys.stderr, flush=True)
    return exit_code


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # Windows: um caractere que o console não sabe mostrar vira "?" em vez de derrubar o programa.
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="replace")
    try:
        return run(args)
    except ClientError as exc:
        return fail(str(exc), exc.exit_code)
    except httpx.ConnectError:
        return fail(f"não foi possível conectar em {args.url}. O servidor está rodando? (make run)", EXIT_CONNECTION)
    except httpx.TimeoutException:
        return fail("o servidor demorou demais para responder.", EXIT_CONNECTION)
    except SSEError:
        return fail("a resposta não veio como SSE (Content-Type deveria ser text/event-stream).", EXIT_SERVER_ERROR)
    except httpx.TransportError as exc:  # conexão caiu no meio (ex.: servidor reiniciado)
        return fail(f"a conexão caiu antes do fim da resposta ({type(exc).__name__}).", EXIT_INCOMPLETE)
    except KeyboardInterrupt:
        # Os `with` acima já fecharam a conexão: o servidor vê a desconexão e cancela o LLM.
        return fail("interrompido (Ctrl-C); a conexão foi fechada.", EXIT_INTERRUPTED)
    except BrokenPipeError:
        # Quem lia a saída foi embora (ex.: `... | head`): fechar a conexão basta; nada de traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
