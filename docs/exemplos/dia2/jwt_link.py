"""Um JWT para outro recurso: o link de compartilhamento de uma nota, que vence em 15 minutos.

Rode dentro desta pasta:  python3 jwt_link.py
"""

import base64
import json
import os
import secrets
from datetime import datetime, timedelta, timezone

from jose import jwt

LINK_MINUTES = 15


def create_share_token(note_id: int, minutes: int = LINK_MINUTES) -> str:
    # A chave vem do ambiente, lida a cada chamada: nunca escrita no código.
    key = os.environ["LINK_KEY"]
    expires = datetime.now(timezone.utc) + timedelta(minutes=minutes)  # o python-jose o grava em segundos
    # "sub" é sempre texto (RFC 7519): o id numérico da nota vira "42".
    return jwt.encode({"sub": str(note_id), "exp": expires}, key, algorithm="HS256")


def read_payload_without_key(token: str) -> dict:
    """Só base64url, sem chave nenhuma: qualquer um lê o payload. A assinatura impede a mudança, não a leitura."""
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


if __name__ == "__main__":
    os.environ.setdefault("LINK_KEY", secrets.token_urlsafe(32))  # só nesta demonstração: uma chave aleatória
    token = create_share_token(42)
    print(token)
    print(read_payload_without_key(token))
