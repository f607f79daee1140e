"""Contendor extra: a referência com UM `ChatOpenAI` por modelo, reaproveitado entre requisições.

A referência constrói um `ChatOpenAI` a cada requisição (≈ 1 ms de CPU cada, medido na seção 3 do
relatório). Com 100 streams chegando juntos, essas construções fazem fila no event loop e atrasam o
primeiro token. Aqui só essa peça muda: `build_llm` passa a lembrar o cliente de cada modelo.
"""

from functools import lru_cache

from ._shared import add_debug_route, ref

ref.build_llm = lru_cache(maxsize=16)(ref.build_llm)  # stream_llm() procura build_llm no módulo
app = add_debug_route(ref.app)
