"""Entrega hostil: laço infinito (gastando CPU) durante o import."""
counter = 0
while True:
    counter += 1
