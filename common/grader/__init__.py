"""Corretor automático do curso: verificações pytest contra o servidor HTTP do aluno.

Uso: `python -m common.grader DIA PASTA` (veja `python -m common.grader --help`).
Quem escreve verificações importa de `common.grader.checks`.
"""
