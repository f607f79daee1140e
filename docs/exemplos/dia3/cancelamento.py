"""Cancelar uma tarefa asyncio: o CancelledError precisa atravessar o seu `except`.

    python3 docs/exemplos/dia3/cancelamento.py
"""

import asyncio
from collections.abc import Awaitable, Callable


async def rede(parte: int) -> None:
    """Uma chamada de rede: as duas primeiras partes chegam na hora, as outras demoram."""
    await asyncio.sleep(0 if parte <= 2 else 0.5)


async def baixar(partes: list[str]) -> None:
    for n in range(1, 6):
        try:
            await rede(n)  # é num await que o cancelamento chega, como um CancelledError
        except ConnectionError as exc:  # só o erro que você sabe tratar
            partes.append(f"falhou: {exc!r}")
            continue
        partes.append(f"parte {n}")


async def baixar_engolindo(partes: list[str]) -> None:
    for n in range(1, 6):
        try:
            await rede(n)
        except BaseException as exc:  # ERRADO: pega também o CancelledError, e o laço segue
            partes.append(f"falhou: {exc!r}")
            continue
        partes.append(f"parte {n}")


async def cancelar_no_meio(download: Callable[[list[str]], Awaitable[None]]) -> tuple[list[str], bool]:
    """Começa o download, cancela a tarefa durante a parte 3 e devolve (partes, se foi cancelada)."""
    partes: list[str] = []
    tarefa = asyncio.create_task(download(partes))
    await asyncio.sleep(0.1)
    tarefa.cancel()  # um pedido só: o asyncio não insiste se o CancelledError for engolido
    try:
        await tarefa
    except asyncio.CancelledError:
        pass
    return partes, tarefa.cancelled()


async def main() -> None:
    for download in (baixar, baixar_engolindo):
        partes, cancelada = await cancelar_no_meio(download)
        print(f"{download.__name__}: {partes} cancelada={cancelada}")


if __name__ == "__main__":
    asyncio.run(main())
