"""argparse em português: títulos, prefixo de uso, ajuda e mensagens de erro.

Todas as linhas de comando do curso (`python -m common....`, `python -m bench`) usam este parser.
"""

import argparse
import sys

# As mensagens de erro do argparse que um aluno encontra, traduzidas.
_MESSAGES = {
    "the following arguments are required": "faltou o argumento",
    "invalid choice": "escolha inválida",
    "choose from": "escolha entre",
    "unrecognized arguments": "argumentos desconhecidos",
    "expected one argument": "esperava um valor",
    "invalid int value": "número inteiro inválido",
    "invalid float value": "número inválido",
    "argument ": "argumento ",
}


class PortugueseHelpFormatter(argparse.RawDescriptionHelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None) -> None:
        super().add_usage(usage, actions, groups, prefix or "uso: ")


class PortugueseArgumentParser(argparse.ArgumentParser):
    """Um ArgumentParser com a ajuda e os erros em pt-BR; erro de uso sai com o código 2."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("formatter_class", PortugueseHelpFormatter)
        super().__init__(add_help=False, **kwargs)
        self._positionals.title = "argumentos"
        self._optionals.title = "opções"
        self.add_argument("-h", "--help", action="help", help="mostra esta ajuda e sai")

    def error(self, message: str) -> None:
        for english, portuguese in _MESSAGES.items():
            message = message.replace(english, portuguese)
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: erro: {message}\n")
