"""Um "banco" em memória: um dict id -> item, e os ids vindos de um contador próprio.

Rode:  python3 contador_ids.py   (Windows: python contador_ids.py)
"""

from itertools import count

tasks: dict[int, str] = {}  # o dict guarda a ordem de inserção
task_ids = count(start=1)  # cada next(task_ids) dá o próximo: 1, 2, 3...

for title in ("comprar pão", "lavar a louça", "pagar a luz"):
    tasks[next(task_ids)] = title

del tasks[2]  # apaga "lavar a louça": sobram os ids 1 e 3

print("len(tasks) + 1 daria o id", len(tasks) + 1, "- que já é de", repr(tasks[len(tasks) + 1]))
print("o contador dá o id", next(task_ids), "- que ninguém usou")
print("em ordem de id:", list(tasks.values()))
