"""cProfile resumido: quanto do tempo de CPU ficou em cada pacote, e as funções mais caras."""

from __future__ import annotations

import cProfile
import pstats

TOP = 8


def package_of(filename: str) -> str:
    if "site-packages/" in filename:
        return filename.split("site-packages/")[1].split("/")[0].removesuffix(".py")
    if filename == "~":
        return "python (funções embutidas, em C)"
    if filename.startswith("<") or "/lib/python" in filename:
        return "python (biblioteca padrão: asyncio, json...)"
    return "outros"


def summarize(profiler: cProfile.Profile) -> dict:
    """{"packages": {pacote: fração}, "functions": [(função, fração), ...]} pelo tempo próprio (tottime)."""
    stats = pstats.Stats(profiler).stats
    total = sum(entry[2] for entry in stats.values()) or 1.0
    by_package: dict[str, float] = {}
    for (filename, _, _), (_, _, tottime, _, _) in stats.items():
        by_package[package_of(filename)] = by_package.get(package_of(filename), 0.0) + tottime
    packages = sorted(by_package.items(), key=lambda item: -item[1])[:TOP]
    functions = sorted(stats.items(), key=lambda item: -item[1][2])[:TOP]
    return {"packages": {name: seconds / total for name, seconds in packages},
            "functions": [(f"{package_of(filename)}: {name}", entry[2] / total)
                          for (filename, _, name), entry in functions],
            "cpu_s": total}
