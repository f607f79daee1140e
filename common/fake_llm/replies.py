"""Respostas de demonstração em pt-BR, determinísticas, quebradas em tokens realistas.

Mesmo prompt → mesma resposta, sempre. Os tokens imitam os de um LLM de verdade:
espaço no começo da palavra, `\\n` como token próprio, palavras longas em pedaços.
"""

import math
import re
from itertools import cycle, islice

# Um token: quebras de linha | palavra (com espaços antes) | pontuação | espaço solto.
TOKEN_RE = re.compile(r"\n+|[ \t]*\w+|[ \t]*[^\w\s]+|\s")
LONG_WORD = 8  # palavras maiores que isto viram sub-palavras, como num tokenizador BPE

FILLER = [" Esta", " é", " uma", " resposta", " de", " teste", " do", " fake", " LLM", ",",
          " enviada", " token", " a", " token", " para", " o", " corretor", "."]

NUMBER_WORDS = {"um": 1, "uma": 1, "dois": 2, "duas": 2, "três": 3, "tres": 3, "quatro": 4,
                "cinco": 5, "seis": 6, "sete": 7, "oito": 8, "nove": 9, "dez": 10}
BULLETS_RE = re.compile(
    r"\b(\d+|" + "|".join(NUMBER_WORDS) + r")\s+(?:bullets?|t[óo]picos?|itens|pontos|marcadores)\b",
    re.IGNORECASE,
)
CODE_RE = re.compile(r"\bfun[çc][ãa]o\b|\bpython\b|\bc[óo]digo\b", re.IGNORECASE)
LEADING_VERBS_RE = re.compile(
    r"^(?:me\s+)?(?:explique|explica|descreva|resuma|liste|fale|o\s+que\s+(?:é|são))\s+"
    r"(?:(?:sobre|de|do|da|dos|das)\s+)?",
    re.IGNORECASE,
)

TOPIC_BULLETS = {
    r"\bsse\b|server-sent": [
        "**Server-Sent Events (SSE)** é um padrão HTTP em que o servidor envia eventos por uma "
        "conexão que fica aberta.",
        "Cada evento é texto puro: linhas `data: ...` terminadas por uma linha em branco.",
        "É unidirecional (servidor → cliente), ideal para mostrar os tokens de um LLM à medida "
        "que são gerados.",
        "Use `Content-Type: text/event-stream` e desligue o buffering de proxies "
        "(`X-Accel-Buffering: no`).",
        "Se a conexão cair, o `EventSource` do navegador reconecta sozinho.",
    ],
    r"\bfastapi\b": [
        "**FastAPI** cria APIs a partir de funções Python com anotações de tipo.",
        "O Pydantic valida a entrada e responde 422 quando o corpo está errado.",
        "A documentação interativa fica pronta em `/docs`, sem escrever nada a mais.",
        "Rotas `async def` deixam o servidor atender muitas conexões ao mesmo tempo.",
    ],
    r"\bjwt\b|\btoken\b": [
        "Um **JWT** tem três partes: cabeçalho, conteúdo (claims) e assinatura.",
        "O servidor assina com `SECRET_KEY`; quem altera o token invalida a assinatura.",
        "Sempre valide `exp` e fixe o algoritmo ao decodificar (`algorithms=[\"HS256\"]`).",
        "O conteúdo não é secreto: nunca coloque senhas dentro do token.",
    ],
}


def tokenize(text: str) -> list[str]:
    """Quebra `text` em tokens; `"".join(tokenize(t)) == t` sempre."""
    tokens: list[str] = []
    for piece in TOKEN_RE.findall(text):
        tokens.extend(_split_long_word(piece))
    return tokens


def filler_tokens(n: int, nonce: str | None = None) -> list[str]:
    """`n` tokens de enchimento; com nonce, o primeiro token é ` <nonce>`."""
    head = [f" {nonce}"] if nonce else []
    return (head + list(islice(cycle(FILLER), n)))[:n]


def default_reply(prompt: str) -> str:
    """Resposta de demonstração: bullets, bloco de código ou explicação curta sobre o tema."""
    if match := BULLETS_RE.search(prompt):
        return _bullets_reply(prompt, _count(match.group(1)))
    if CODE_RE.search(prompt):
        return _code_reply(prompt)
    return _generic_reply(_topic(prompt))


def _split_long_word(piece: str) -> list[str]:
    word = piece.lstrip(" \t")
    if len(word) <= LONG_WORD or not word.isalnum():
        return [piece]
    size = math.ceil(len(word) / math.ceil(len(word) / 6))  # pedaços parecidos, até 6 letras
    cut = len(piece) - len(word) + size
    return [piece[:cut]] + [piece[i:i + size] for i in range(cut, len(piece), size)]


def _count(raw: str) -> int:
    number = NUMBER_WORDS.get(raw.lower()) or int(raw)
    return max(1, min(number, 10))


def _topic(prompt: str) -> str:
    text = BULLETS_RE.sub("", prompt)
    text = re.sub(r"\s+em\s*$", "", text.strip(" \n?.!:"))
    return LEADING_VERBS_RE.sub("", text).strip(" \n?.!:")[:80] or "o seu tema"


def _bullets_reply(prompt: str, count: int) -> str:
    topic = _topic(prompt)
    bullets = _known_bullets(prompt) or _generic_bullets(topic)
    bullets = bullets + [f"Ponto extra {i} sobre {topic}: pratique com um exemplo pequeno."
                         for i in range(1, count + 1)]
    lines = "\n".join(f"- {bullet}" for bullet in bullets[:count])
    return f"Aqui estão {count} pontos sobre {topic}:\n\n{lines}"


def _known_bullets(prompt: str) -> list[str]:
    for pattern, bullets in TOPIC_BULLETS.items():
        if re.search(pattern, prompt, re.IGNORECASE):
            return bullets
    return []


def _generic_bullets(topic: str) -> list[str]:
    return [
        f"**{topic}**: comece pelo problema que isso resolve, não pela sintaxe.",
        "Rode um exemplo mínimo antes de adaptar ao seu projeto.",
        "Confirme o comportamento com `curl` ou `pytest`, sem adivinhar.",
        "Leia a documentação oficial quando algo surpreender você.",
    ]


def _code_reply(prompt: str) -> str:
    if re.search(r"\bsom[ae]r?\b", prompt, re.IGNORECASE):
        intro, code = "uma função Python que soma dois números", SUM_CODE
    else:
        intro, code = "um exemplo de função Python", GREETING_CODE
    return (f"Claro! Aqui está {intro}:\n\n```python\n{code}\n```\n\n"
            "As anotações de tipo documentam a função e ajudam o editor a achar erros.")


def _generic_reply(topic: str) -> str:
    return (f"Boa pergunta! Sobre {topic}: comece pelo conceito central, veja um exemplo "
            "mínimo funcionando e só depois acrescente detalhes. Se quiser, peça uma "
            f"explicação em 3 bullets ou uma função em Python sobre {topic}.")


SUM_CODE = '''def soma(a: float, b: float) -> float:
    """Devolve a soma de a e b."""
    return a + b


print(soma(2, 3))  # 5'''

GREETING_CODE = '''def saudacao(nome: str) -> str:
    """Monta uma saudação em português."""
    return f"Olá, {nome}!"


print(saudacao("turma"))  # Olá, turma!'''
