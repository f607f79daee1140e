"""`PurePath` para ler a extensão de um caminho (sem tocar no disco) e `functools.cache` para montar um
texto uma vez só por chave. Um explorador de arquivos escolhe o ícone de cada arquivo:

    python3 docs/exemplos/dia3/icone_por_extensao.py
"""

import functools
from pathlib import PurePath

ICONE_POR_EXTENSAO = {".png": "imagem", ".jpg": "imagem", ".jpeg": "imagem", ".pdf": "documento",
                      ".md": "texto", ".txt": "texto"}
COR = {"imagem": "verde", "documento": "vermelho", "texto": "azul", "generico": "cinza"}


def icone(caminho: str | None) -> str:
    # PurePath só interpreta o texto: o arquivo pode nem existir, e nada é aberto.
    extensao = PurePath(caminho).suffix.lower() if caminho else ""  # ".JPG" e ".jpg" são a mesma
    return ICONE_POR_EXTENSAO.get(extensao, "generico")  # .get com padrão: extensão desconhecida não é erro


@functools.cache  # uma vez por ícone: as próximas chamadas devolvem o texto guardado
def estilo(nome_do_icone: str) -> str:
    return f"ícone {nome_do_icone}, cor {COR.get(nome_do_icone, COR['generico'])}"


if __name__ == "__main__":
    for caminho in ["ferias/FOTO.JPG", "notas.md", "../../etc/passwd", "LEIA-ME", None, "capa.jpeg"]:
        print(f"{caminho!s:18} → {estilo(icone(caminho))}")
    print(estilo.cache_info())  # 6 arquivos, 3 ícones diferentes: 3 acertos no cache
