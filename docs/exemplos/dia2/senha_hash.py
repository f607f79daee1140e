"""Hash de senha lento (argon2id): cadernos de notas que só abrem com a senha do caderno.

Rode dentro desta pasta:  python3 senha_hash.py
"""

import hashlib
import timeit

from passlib.context import CryptContext

# argon2id com o mínimo que a OWASP recomenda: 19 MiB de memória, 2 passadas, 1 via de paralelismo.
# O algoritmo, os parâmetros e o sal ficam gravados dentro de cada hash.
hasher = CryptContext(schemes=["argon2"], argon2__memory_cost=19456, argon2__rounds=2, argon2__parallelism=1)

# Só o hash é guardado: quem lê este dict (ou um backup dele) não descobre a senha do caderno.
notebooks: dict[str, str] = {"receitas": hasher.hash("farinha-ovos-e-leite")}


def can_open(notebook: str, password: str) -> bool:
    # verify refaz o hash da tentativa com o sal e os parâmetros do hash guardado, e compara.
    return hasher.verify(password, notebooks[notebook])


def best_ms(work) -> float:
    """O menor de 5 tempos: a carga da máquina só soma tempo, nunca tira."""
    return min(timeit.repeat(work, number=1, repeat=5)) * 1000


if __name__ == "__main__":
    print(notebooks["receitas"][:31] + "...")
    print("mesma senha, hashes diferentes (o sal):", hasher.hash("1234") != hasher.hash("1234"))
    print("senha certa:", can_open("receitas", "farinha-ovos-e-leite"), "| errada:", can_open("receitas", "chute"))
    slow = best_ms(lambda: can_open("receitas", "chute"))
    fast = best_ms(lambda: hashlib.sha256(b"chute").hexdigest())
    print(f"conferir uma senha: argon2 {slow:.1f} ms, sha256 {fast:.4f} ms ({slow / fast:.0f} vezes mais lento)")
