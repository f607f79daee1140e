"""Interpretar um texto do usuário com `ast`, sem `eval`: regras de um filtro de cadastro.

`eval` executaria qualquer Python (`__import__('os').system(...)` é uma expressão válida). Aqui a árvore
sintática é percorrida à mão, e só o que está na lista é aceito.

    python3 docs/exemplos/dia3/regra_segura.py
"""

import ast
import operator

COMPARACOES = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
               ast.Gt: operator.gt, ast.GtE: operator.ge}


def avaliar(no: ast.AST, cadastro: dict[str, object]) -> object:
    if isinstance(no, ast.Constant) and type(no.value) in (int, float, str):
        return no.value
    if isinstance(no, ast.Name) and no.id in cadastro:  # só os campos do cadastro, nada de builtins
        return cadastro[no.id]
    if isinstance(no, ast.Compare) and len(no.ops) == 1 and type(no.ops[0]) in COMPARACOES:
        return COMPARACOES[type(no.ops[0])](avaliar(no.left, cadastro), avaliar(no.comparators[0], cadastro))
    if isinstance(no, ast.BoolOp):  # and / or
        valores = [bool(avaliar(valor, cadastro)) for valor in no.values]
        return all(valores) if isinstance(no.op, ast.And) else any(valores)
    raise ValueError(f"não aceito {type(no).__name__} numa regra")


def regra(texto: str, cadastro: dict[str, object]) -> str:
    try:
        return str(avaliar(ast.parse(texto, mode="eval").body, cadastro))
    except SyntaxError:
        return "recusada: não é uma expressão"
    except ValueError as exc:  # erro vira texto, não exceção: quem chamou decide o que mostrar
        return f"recusada: {exc}"


if __name__ == "__main__":
    ana = {"idade": 19, "pais": "BR"}
    for texto in ['idade >= 18 and pais == "BR"', "idade < 18 or pais != 'BR'",
                  "__import__('os').system('ls')", "idade >="]:
        print(f"{texto:32} → {regra(texto, ana)}")
