"""Benchmarks que ensinam: streaming, concorrência, memória e velocidade do corretor.

`python -m bench` (ou `make bench`) mede tudo no loopback, offline, contra o fake LLM, e escreve
`docs/BENCHMARKS.md` com tabelas e gráficos em `docs/img/`. Veja `python -m bench --help`.
"""
