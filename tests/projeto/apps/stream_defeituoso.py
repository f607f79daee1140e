"""Um servidor mínimo com a "cara" da API do Dia 3, mas com o stream quebrado de propósito.

Serve para testar clientes (o de terminal) contra os jeitos de uma resposta acabar mal:
- uma mensagem qualquer: o servidor fecha direitinho, mas esquece o `data: [DONE]`;
- com "cortar": o servidor cai no meio (a conexão fecha sem terminar a resposta);
- com "limite": 429 antes de qualquer stream, com `detail` em JSON.
"""

from fastapi import FastAPI, HTTPException
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

app = FastAPI()


class ChatRequest(BaseModel):
    message: str


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/login")
async def login() -> dict[str, str]:
    return {"access_token": "token-do-servidor-defeituoso", "token_type": "bearer"}


@app.post("/chat")
async def chat(body: ChatRequest) -> StreamingResponse:
    if "limite" in body.message:
        raise HTTPException(429, "Streams demais ao mesmo tempo.")

    async def events():
        yield "data: Olá\n\n"
        yield "data:  mundo\n\n"
        if "cortar" in body.message:
            raise RuntimeError("queda simulada no meio do stream")

    return StreamingResponse(events(), media_type="text/event-stream")
