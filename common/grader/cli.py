"""Linha de comando do corretor (o contrato está no docstring de `build_parser`)."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import traceback
from pathlib import Path

from common.argparse_ptbr import PortugueseArgumentParser

from . import report as reports
from .redact import redactor
from .sandbox import AUTO, MODES, ON, SandboxUnavailable, resolve_mode
from .session import DAYS, GradeOptions, GraderError, grade

USAGE = """\
python -m common.grader DIA ENTREGA [--json ARQ] [--gradescope ARQ] [--junit ARQ] [--extras] [--checks PASTA]
                               [--only ID] [--sandbox auto|on|off]
       python -m common.grader DIA [ENTREGA] --url URL [--llm-url URL] [...]
       python -m common.grader DIA --class PASTA --out PASTA [--jobs N] [--extras] [--checks PASTA] [--sandbox ...]"""

DESCRIPTION = """\
Corretor automático do curso: sobe o servidor da ENTREGA (uma pasta com template.py, ou um
arquivo .py; o app é <nome do arquivo>:app) num subprocesso, com um fake LLM do corretor, e
roda as verificações de tests/DIA contra ele via HTTP."""

EPILOG = """\
códigos de saída: 0 = nenhuma verificação do núcleo falhou (os extras não contam); 1 = alguma
falhou (ou esgotou o tempo); 2 = erro de uso ou o corretor não conseguiu rodar (inclusive: --sandbox on
sem isolamento possível, ou as verificações, o venv ou common/ mudaram durante a correção).

sandbox (código de outras pessoas): o servidor da entrega roda num bubblewrap (bwrap), sem rede,
sem ver seus arquivos nem suas chaves. auto (padrão numa entrega): isola quando o bwrap funciona e,
senão, avisa e roda sem isolamento; on (padrão no --class e no Gradescope): recusa corrigir sem
isolamento; off: o código do aluno roda com as SUAS permissões. Também por COURSE_GRADER_SANDBOX.

modo --url (servidor que você mesmo subiu): o corretor não conhece a sua SECRET_KEY nem controla
o seu LLM, então as verificações que precisam disso são puladas (e dizem por quê). Para liberar
as verificações de streaming, suba um fake LLM e aponte o seu servidor para ele:
    python -m common.fake_llm --port 8001
    OPENAI_BASE_URL=http://127.0.0.1:8001/v1 uvicorn template:app --port 8000
      (PowerShell: $env:OPENAI_BASE_URL="http://127.0.0.1:8001/v1"; uvicorn template:app --port 8000)
    python -m common.grader dia03 --url http://127.0.0.1:8000 --llm-url http://127.0.0.1:8001

exemplos:
    python -m common.grader dia03 dia03
    python -m common.grader dia03 solutions/dia03 --extras --json nota.json
    python -m common.grader dia01 dia01 --only dia01.criar_prompt
    python -m common.grader dia02 --class entregas/ --out notas/ --jobs 4"""



def _positive(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("precisa ser maior que zero")
    return value


def build_parser() -> PortugueseArgumentParser:
    parser = PortugueseArgumentParser(prog="python -m common.grader", usage=USAGE, description=DESCRIPTION, epilog=EPILOG)
    add = parser.add_argument
    add("day", metavar="DIA", choices=DAYS, help="dia01, dia02 ou dia03")
    add("submission", metavar="ENTREGA", nargs="?", type=Path, help="pasta com template.py, ou um arquivo .py")
    add("--json", type=Path, metavar="ARQ", help="grava o relatório em JSON")
    add("--gradescope", type=Path, metavar="ARQ", help="grava o results.json do Gradescope")
    add("--junit", type=Path, metavar="ARQ", help="grava o relatório JUnit XML (para CI)")
    add("--extras", action="store_true", help="roda também os desafios extras (nota à parte)")
    add("--checks", type=Path, action="append", default=[], metavar="PASTA",
        help="pasta com verificações extras/ocultas do professor (pode repetir)")
    add("--only", action="append", default=[], metavar="ID",
        help="roda só a verificação com este id, ou as que começam com ele (ex.: dia03.chat); pode repetir")
    add("--url", help="corrige um servidor já rodando neste endereço, sem subir nada (a ENTREGA, se dada, é ignorada)")
    add("--llm-url", metavar="URL", help="com --url: o fake LLM que o seu servidor usa (o corretor o roteiriza)")
    add("--class", dest="class_dir", type=Path, metavar="PASTA", help="modo turma: cada subpasta é um aluno")
    add("--out", type=Path, metavar="PASTA", help="modo turma: onde gravar notas.csv, resumo e feedbacks")
    add("--jobs", type=int, metavar="N", help="modo turma: correções em paralelo (padrão: nº de CPUs)")
    add("--startup-timeout", type=_positive, default=20.0, metavar="S",
        help="segundos para o servidor responder GET /health (padrão: 20)")
    add("--run-timeout", type=_positive, default=180.0, metavar="S",
        help="limite de tempo da correção inteira, em segundos (padrão: 180)")
    add("--sandbox", choices=MODES, metavar="MODO",
        help="auto, on ou off (padrão: auto numa entrega, on no --class; ou COURSE_GRADER_SANDBOX)")
    return parser


def _validate(parser: PortugueseArgumentParser, args: argparse.Namespace) -> None:
    if args.class_dir is not None and (args.submission is not None or args.url is not None):
        parser.error("--class não combina com ENTREGA nem com --url")
    if args.submission is None and args.url is None and args.class_dir is None:
        parser.error("informe a ENTREGA (pasta ou .py), --url URL ou --class PASTA")
    if args.class_dir is not None and args.out is None:
        parser.error("--class precisa de --out PASTA")
    if args.class_dir is None and (args.out is not None or args.jobs is not None):
        parser.error("--out e --jobs só valem com --class")
    if args.only and args.class_dir is not None:
        parser.error("--only vale para uma entrega; no --class a nota de cada aluno precisa de todas as verificações")
    if args.llm_url and not args.url:
        parser.error("--llm-url só vale com --url")
    if args.jobs is not None and args.jobs < 1:
        parser.error("--jobs precisa ser pelo menos 1")


def _mode(args: argparse.Namespace, default: str) -> str:
    try:
        return resolve_mode(args.sandbox, default)
    except SandboxUnavailable as exc:
        raise GraderError(str(exc)) from exc


def _grade_one(args: argparse.Namespace) -> int:
    options = GradeOptions(
        day=args.day, submission=args.submission, url=args.url, llm_url=args.llm_url, extras=args.extras,
        checks_dirs=tuple(args.checks), startup_timeout=args.startup_timeout, run_timeout=args.run_timeout,
        sandbox=_mode(args, AUTO), only=tuple(args.only),
    )
    try:
        report = grade(options)
    except GraderError as exc:
        if args.gradescope:
            reports.write_gradescope_error(redactor()(str(exc)), args.gradescope)
        raise
    print(reports.terminal(report, sys.stdout))
    for path, write in ((args.json, reports.write_json), (args.gradescope, reports.write_gradescope),
                        (args.junit, reports.write_junit)):
        if path:
            write(report, path)
    return 1 if report.core_failed else 0


def _cleanup_on_sigterm() -> None:
    """SIGTERM (ex.: `timeout`, um CI cancelado) vira Ctrl+C: a saída do `with` derruba o servidor do aluno."""
    def interrupt(signum, frame):
        raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, interrupt)


def main(argv: list[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        try:  # acentos num console Windows antigo não derrubam o corretor
            stream.reconfigure(errors="replace")
        except (AttributeError, ValueError, OSError):
            pass
    sys.dont_write_bytecode = True  # o corretor não escreve .pyc: um .pyc novo numa pasta vigiada é de outra pessoa
    parser = build_parser()
    args = parser.parse_args(argv)
    _validate(parser, args)
    _cleanup_on_sigterm()
    try:
        if args.class_dir is not None:
            from .classroom import ClassOptions, run_class

            options = ClassOptions(args.extras, tuple(args.checks), args.run_timeout, args.startup_timeout,
                                   _mode(args, ON))
            return run_class(args.day, args.class_dir, args.out, args.jobs or os.cpu_count() or 2, options)
        return _grade_one(args)
    except GraderError as exc:
        print(f"corretor: erro: {redactor()(str(exc))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # Ctrl+C: o servidor do aluno já foi derrubado na saída do `with`
        # No stderr de verdade: a thread do pytest pode ainda estar capturando o sys.stderr.
        print("\ncorretor: interrompido", file=sys.__stderr__ or sys.stderr, flush=True)
        return 2
    except Exception:  # noqa: BLE001 - qualquer outra falha do corretor também sai com 2
        print(redactor()(traceback.format_exc()), file=sys.stderr, end="")
        print("corretor: erro interno do corretor (veja o traceback acima)", file=sys.stderr)
        return 2
