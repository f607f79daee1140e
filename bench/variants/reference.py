"""Contendor 2: a solução de referência, intacta, mais a rota de depuração do benchmark."""

from ._shared import add_debug_route, ref

app = add_debug_route(ref.app)
