"""O hash dummy: o login gasta o mesmo tempo, exista a conta ou não (contra a enumeração de contas).

Rode dentro desta pasta:  python3 hash_dummy.py
"""

import timeit

from passlib.context import CryptContext

hasher = CryptContext(schemes=["argon2"], argon2__memory_cost=19456, argon2__rounds=2, argon2__parallelism=1)

accounts: dict[str, str] = {"ana@notas.dev": hasher.hash("uma-senha-longa-da-ana")}  # e-mail -> hash
# O hash de uma senha que ninguém tem, calculado uma vez: um e-mail sem conta confere contra ele.
DUMMY_HASH = hasher.hash("ninguem-tem-esta-senha")


def naive_sign_in(email: str, password: str) -> bool:
    """NÃO FAÇA: um e-mail sem conta volta na hora, sem hash nenhum, e o tempo conta quem tem conta."""
    stored = accounts.get(email)
    return stored is not None and hasher.verify(password, stored)


def sign_in(email: str, password: str) -> bool:
    """Sempre exatamente um verify: contra o hash da conta ou, sem conta, contra o DUMMY_HASH."""
    stored = accounts.get(email)
    password_ok = hasher.verify(password, stored or DUMMY_HASH)
    return stored is not None and password_ok


if __name__ == "__main__":
    for login in (naive_sign_in, sign_in):
        has_account = min(timeit.repeat(lambda: login("ana@notas.dev", "chute"), number=1, repeat=5)) * 1000
        no_account = min(timeit.repeat(lambda: login("ninguem@notas.dev", "chute"), number=1, repeat=5)) * 1000
        print(f"{login.__name__:>13}: e-mail com conta {has_account:5.1f} ms | sem conta {no_account:5.1f} ms")
