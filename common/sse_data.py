"""O texto de um evento SSE, como o cliente de terminal e o corretor o leem.

Servidores corretos mandam o token de dois jeitos: cru (`data: Olá`) ou como string JSON
(`data: "Olá"`, o que o `fastapi.sse` faz). Os dois viram o mesmo texto aqui.
"""

import json


def decode_data(data: str) -> str:
    """Decodifica dados que são uma string JSON; qualquer outra coisa fica como está."""
    if len(data) >= 2 and data[0] == '"' and data[-1] == '"':
        try:
            decoded = json.loads(data)
        except ValueError:
            return data
        if isinstance(decoded, str):
            return decoded
    return data
