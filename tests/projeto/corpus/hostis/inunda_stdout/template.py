"""Entrega hostil: escreve no stdout sem parar, desde o import."""
import sys
import threading

from fastapi import FastAPI

app = FastAPI()


def flood() -> None:
    line = "inundação " * 100 + "\n"
    while True:
        sys.stdout.write(line)


threading.Thread(target=flood, daemon=True).start()


@app.get("/health")
def health() -> dict:
    print("mais uma linha no meio da inundação")
    return {"status": "ok"}
