"""`python -m bench [--quick] [--out docs/BENCHMARKS.md]` — roda os benchmarks e escreve o relatório."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from common.argparse_ptbr import PortugueseArgumentParser
from common.config import REPO_ROOT

from . import report, suite
from .config import FULL, QUICK


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = PortugueseArgumentParser(
        prog="python -m bench",
        description="Benchmarks do curso (loopback, offline, contra o fake LLM): streaming, concorrência, "
                    "memória e corretor. Escreve um relatório Markdown com gráficos PNG.")
    parser.add_argument("--quick", action="store_true",
                        help="configuração mínima (segundos): só prova que tudo roda; os números não valem nada")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "docs" / "BENCHMARKS.md",
                        help="arquivo do relatório (padrão: docs/BENCHMARKS.md); os gráficos vão para img/ ao lado")
    parser.add_argument("--sem-corretor", dest="with_grader", action="store_false",
                        help="pula as medições do corretor")
    return parser.parse_args(argv)


def log(message: str) -> None:
    print(message, flush=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    config = QUICK if args.quick else FULL
    log(f"Benchmarks: configuração {config.name}. Relatório em {args.out}")
    results = suite.run(config, log, with_grader=args.with_grader)
    out = args.out.resolve()
    report.write(results, out)
    out.with_suffix(".json").write_text(json.dumps(results, indent=1, ensure_ascii=False, default=str) + "\n",
                                        encoding="utf-8")
    log(f"Pronto em {results['elapsed_s']:.0f} s: {out} (gráficos em {out.parent / 'img'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
