"""Ler um JWT com segurança: a lista de algoritmos e as claims exigidas, diante de tokens de ataque.

Rode dentro desta pasta:  python3 jwt_decode.py
"""

import base64
import json
import secrets

from jose import JWTError, jwt

KEY = secrets.token_urlsafe(32)  # a chave do servidor (num servidor de verdade, vem do ambiente)
LATER = 4102444800  # 1º de janeiro de 2100: um exp bem no futuro


def naive_decode(token: str) -> dict:
    """NÃO FAÇA: sem a lista, quem escolhe o algoritmo é o cabeçalho, e o cabeçalho é o atacante que escreve."""
    return jwt.decode(token, KEY)


def safe_decode(token: str) -> dict:
    return jwt.decode(
        token,
        KEY,
        algorithms=["HS256"],  # só o algoritmo que você emite
        options={"require_exp": True, "require_sub": True},  # sem exp ou sem sub, o token não vale
    )


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def signed(claims: dict, algorithm: str = "HS256") -> str:
    return jwt.encode(claims, KEY, algorithm=algorithm)


def unsigned(claims: dict) -> str:
    """Um token "alg: none" (a biblioteca se recusa a fabricá-lo): cabeçalho, payload e assinatura vazia."""
    return f"{b64(json.dumps({'alg': 'none'}).encode())}.{b64(json.dumps(claims).encode())}."


def verdict(decode, token: str) -> str:
    """O que responderia um servidor que usa `decode` e transforma JWTError em 401."""
    try:
        claims = decode(token)
    except JWTError:
        return "recusado (401)"
    except Exception as error:  # o que escapa do except JWTError vira 500
        return f"{type(error).__name__} (500)"
    if "sub" not in claims:
        return 'aceito; claims["sub"] dá KeyError (500)'
    return "aceito, vale para sempre" if "exp" not in claims else "aceito"


GOOD = signed({"sub": "42", "exp": LATER})
ATTACKS = {
    "legítimo": GOOD,
    "HS512 com a chave certa": signed({"sub": "42", "exp": LATER}, algorithm="HS512"),
    'alg "none", sem assinatura': unsigned({"sub": "42", "exp": LATER}),
    "sem exp": signed({"sub": "42"}),
    "sem sub": signed({"exp": LATER}),
    # Os três de baixo passam pelos dois: são o trabalho das guardas do Passo 4 do guia.
    'exp em texto ("9999999999")': signed({"sub": "42", "exp": "9999999999"}),
    'o legítimo com "!!" no fim': GOOD + "!!",
    "cabeçalho [[[[ (2000 níveis)": f"{b64(b'[' * 2000)}.{GOOD.split('.', 1)[1]}",
}

if __name__ == "__main__":
    print(f"{'token':30}{'jwt.decode(token, KEY)':42}com algorithms e require")
    for name, token in ATTACKS.items():
        print(f"{name:30}{verdict(naive_decode, token):42}{verdict(safe_decode, token)}")
