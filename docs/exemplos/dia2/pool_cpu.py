"""Trabalho pesado de CPU numa rota async: num pool pequeno, só dele, com prazo (e 503 depois dele).

Uma API de notas que exporta todas as notas compactadas. Rode dentro desta pasta:
    uvicorn pool_cpu:app
"""

import asyncio
import os
import random
import zlib
from concurrent.futures import ThreadPoolExecutor

from fastapi import FastAPI, HTTPException, status

app = FastAPI(title="Notas: exportação compactada")
WORDS = "lembrar revisar capítulo prova leitura resumo mercado reunião projeto código teste entrega".split()
words = random.Random(0).choices  # sempre as mesmas notas
notes = [f"Nota {n}: {' '.join(words(WORDS, k=8))}" for n in range(100_000)]  # uns 7 MB de texto

# Uma thread por CPU, no máximo 4: mais contas de CPU ao mesmo tempo que CPUs não terminam antes.
export_pool = ThreadPoolExecutor(max_workers=min(os.cpu_count() or 1, 4), thread_name_prefix="exportar")
DEADLINE_SECONDS = 10  # fila + conta; depois disso, 503 com Retry-After


def compress(texts: list[str]) -> bytes:
    """A conta pesada: segura uma CPU por um bom tempo (o zlib solta o GIL enquanto compacta)."""
    return zlib.compress("\n".join(texts).encode(), level=9)


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/exportar")
async def export() -> dict[str, int]:
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(DEADLINE_SECONDS):
            # O loop só espera: enquanto o pool compacta, ele atende o /health e todo o resto.
            data = await loop.run_in_executor(export_pool, compress, notes)
    except TimeoutError:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE, "Exportações demais agora. Tente de novo em instantes.",
            headers={"Retry-After": str(DEADLINE_SECONDS)},
        ) from None
    return {"notas": len(notes), "bytes": len(data)}


@app.get("/exportar-travando")
async def export_blocking() -> dict[str, int]:
    """NÃO FAÇA: a conta roda dentro do event loop, e o servidor inteiro para até ela acabar."""
    data = compress(notes)
    return {"notas": len(notes), "bytes": len(data)}
