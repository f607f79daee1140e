"""`python -m common.run` (o que o `make run` faz depois do setup).

Sobe o fake LLM e a solução de referência do Dia 3 em http://127.0.0.1:8000 e mostra
como fazer login e ver o streaming. Ctrl-C encerra os dois.

    python -m common.run [--port 8000] [--llm-port 8001] [--real]

Com `--real`, o fake LLM não sobe: vale o provedor do ambiente ou do .env
(OPENAI_API_KEY para a OpenAI; OPENAI_BASE_URL para Ollama, Groq, OpenRouter...).
"""

import argparse
import asyncio
import importlib
import logging
import os
import signal
import socket
import sys
from contextlib import ExitStack
from types import ModuleType

from common.argparse_ptbr import PortugueseArgumentParser
import uvicorn

from common.config import FAKE_API_KEY, FAKE_LLM_BASE_URL, REPO_ROOT, get_settings
from common.fake_llm import FakeLLMServer

HOST = "127.0.0.1"
SOLUTION_DIR = REPO_ROOT / "solutions" / "dia03"
DEMO_PROMPT = "Explique SSE em 3 bullets"
# Ao parar, um stream ainda aberto tem este tempo (s) para terminar antes de ser cortado.
GRACEFUL_SHUTDOWN_SECONDS = 2


def import_solution() -> tuple[ModuleType, ModuleType]:
    """(template, extras) da solução do Dia 3, importados neste processo (testes e benchmarks).

    Os dois se importam pelo nome (`import extras`, `from template import ...`), como sob o
    `uvicorn --app-dir solutions/dia03`; depois os nomes saem de sys.modules, para não colidirem
    com outro `template` importado no mesmo processo.
    """
    sys.path.insert(0, str(SOLUTION_DIR))
    try:
        template = importlib.import_module("template")
        return template, sys.modules["extras"]
    finally:
        sys.path.remove(str(SOLUTION_DIR))
        for name in ("template", "extras"):
            sys.modules.pop(name, None)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = PortugueseArgumentParser(
        prog="python -m common.run",
        description="Sobe a solução do Dia 3 com o fake LLM e mostra como testar o streaming.",
    )
    parser.add_argument("--port", type=int, default=8000, help="porta da API do Dia 3 (padrão: 8000)")
    parser.add_argument("--llm-port", type=int, default=8001, help="porta do fake LLM (padrão: 8001)")
    parser.add_argument(
        "--real", action="store_true",
        help="não sobe o fake LLM: usa o provedor do ambiente/.env (OPENAI_API_KEY ou OPENAI_BASE_URL)",
    )
    return parser.parse_args(argv)


def port_in_use(port: int) -> bool:
    """Alguém já atende nesta porta? (um uvicorn esquecido em outro terminal, por exemplo)"""
    try:
        with socket.create_connection((HOST, port), timeout=0.5):
            return True
    except OSError:
        return False


def busy_ports(args: argparse.Namespace) -> list[str]:
    wanted = {"--port": args.port} if args.real else {"--port": args.port, "--llm-port": args.llm_port}
    return [f"{HOST}:{port} (troque com {flag})" for flag, port in wanted.items() if port_in_use(port)]


def provider_line(args: argparse.Namespace) -> str:
    if not args.real:
        return f"Fake LLM ... http://{HOST}:{args.llm_port}/v1  (offline, sem chave de API)"
    base_url = get_settings().openai_base_url
    if base_url is None:
        return "LLM ....... OpenAI (OPENAI_API_KEY do ambiente)"
    if base_url == FAKE_LLM_BASE_URL:
        return (f"LLM ....... nenhum provedor configurado: a API vai procurar o fake LLM em {base_url}\n"
                "              (ligue-o com `python -m common.fake_llm` ou defina OPENAI_API_KEY / OPENAI_BASE_URL)")
    return f"LLM ....... {base_url} (OPENAI_BASE_URL)"


def instructions(args: argparse.Namespace) -> str:
    api = f"http://{HOST}:{args.port}"
    client_url = "" if args.port == 8000 else f" --url {api}"
    return f"""
======================================================================
 Dia 3 no ar: solução de referência (solutions/dia03/template.py)
   API ....... {api}   (documentação interativa: {api}/docs)
   {provider_line(args)}

 1) Faça login (aluno/aluno123 ou admin/admin123) e guarde o token:

    TOKEN=$(curl -s -X POST {api}/login -H "Content-Type: application/json" \\
      -d '{{"username": "aluno", "password": "aluno123"}}' \\
      | python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')

 2) Veja os tokens chegando um a um (-N desliga o buffer do curl):

    curl -N -X POST {api}/api/generate -H "Authorization: Bearer $TOKEN" \\
      -H "Content-Type: application/json" -d '{{"prompt": "{DEMO_PROMPT}"}}'

 3) No navegador: {api}/

 4) No terminal (com o .venv ativado):

    python -m common.client{client_url} "{DEMO_PROMPT}"

 Ctrl-C encerra tudo.
======================================================================
""".rstrip("\n")


async def serve_solution(args: argparse.Namespace) -> None:
    """Roda o uvicorn com a solução e mostra as instruções assim que ele estiver pronto."""
    sys.path.insert(0, str(SOLUTION_DIR))  # o mesmo que `uvicorn --app-dir solutions/dia03`
    config = uvicorn.Config(
        "template:app", host=HOST, port=args.port, timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    while not (server.started or serving.done()):
        await asyncio.sleep(0.05)
    if server.started:
        print(instructions(args), flush=True)
    await serving


def stop_like_ctrl_c(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def quiet_fake_llm_lifecycle() -> None:
    """O fake LLM é um segundo uvicorn neste processo: sem isto, "Shutting down" sairia duas vezes."""
    logging.getLogger("uvicorn.error").addFilter(lambda record: not record.threadName.startswith("fake-llm-"))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if busy := busy_ports(args):
        print("Porta já em uso: " + ", ".join(busy) + ".\n"
              "Encerre o outro servidor (Ctrl-C no terminal dele) ou escolha outra porta.", file=sys.stderr)
        return 1
    # `kill` (SIGTERM) encerra do mesmo jeito que o Ctrl-C: os dois servidores param em ordem.
    signal.signal(signal.SIGTERM, stop_like_ctrl_c)
    quiet_fake_llm_lifecycle()
    try:
        with ExitStack() as stack:
            if not args.real:
                llm = stack.enter_context(FakeLLMServer(port=args.llm_port))
                # Antes de importar a solução: ela lê a configuração ao ser importada.
                os.environ["OPENAI_BASE_URL"] = llm.base_url
                os.environ["OPENAI_API_KEY"] = FAKE_API_KEY
            asyncio.run(serve_solution(args))
    except KeyboardInterrupt:
        pass
    print("\nServidores encerrados. Até a próxima!", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
