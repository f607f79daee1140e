"""Entrega hostil: pede memória em blocos de 64 MB até o sistema negar (ou até 3 GB) e conta quanto levou."""
from relato import app_with

MB = 1024 * 1024
blocks, taken, error = [], 0, None
try:
    while taken < 3 * 1024:
        blocks.append(bytearray(64 * MB))  # zerado: as páginas são tocadas de verdade
        taken += 64
except MemoryError:
    error = "MemoryError"
blocks.clear()
REPORT = {"mb": taken, "erro": error}
app = app_with(REPORT)
