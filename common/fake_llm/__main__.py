"""`python -m common.fake_llm [--port 8001] [--host 127.0.0.1] [--delay-ms N] [--name NOME]`."""

import argparse
import sys

from common.argparse_ptbr import PortugueseArgumentParser
from .server import bind_socket, build_server


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = PortugueseArgumentParser(
        prog="python -m common.fake_llm",
        description="Fake LLM do curso: API compatível com a OpenAI, sem chave e sem internet.")
    parser.add_argument("--host", default="127.0.0.1", help="endereço (padrão: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8001, help="porta (padrão: 8001; 0 = uma livre)")
    parser.add_argument("--delay-ms", type=int, default=None,
                        help="atraso entre tokens em ms (padrão: FAKE_LLM_DELAY_MS ou 30)")
    parser.add_argument("--name", default="principal",
                        help="nome do servidor (padrão: principal); o marcador fail_on=<nome> "
                             "só falha no servidor com esse nome (ex.: um segundo fake LLM 'reserva')")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        server = build_server(args.delay_ms, log_level="info", name=args.name)
        sock = bind_socket(args.host, args.port)
    except ValueError as exc:
        print(f"Erro: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"Erro: não consegui abrir {args.host}:{args.port} ({exc.strerror}). "
              "A porta já está em uso? Tente outra com --port.", file=sys.stderr)
        return 1
    url = f"http://{args.host}:{sock.getsockname()[1]}"
    print(f"Fake LLM ouvindo em {url} — aponte o ChatOpenAI para ele com "
          f"OPENAI_BASE_URL={url}/v1 (qualquer OPENAI_API_KEY serve).", flush=True)
    server.run(sockets=[sock])
    return 0


if __name__ == "__main__":
    sys.exit(main())
