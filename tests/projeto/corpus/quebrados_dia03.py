"""Entregas do Dia 3 para provar o corretor: a solução de referência com UM defeito cada.

Pelo menos uma por verificação de tests/dia03. `fails` lista exatamente o que deve falhar;
o resto passa ou é pulado como dependente ("depende de ..."). Os defeitos são os erros
clássicos de streaming: juntar a resposta antes de mandar, bloquear o event loop, esquecer
o [DONE], quebrar linhas no lugar errado, ignorar a desconexão...

`CORRECT_STYLES` são o contrário: outros jeitos CORRETOS de fazer o Dia 3 (fastapi.sse,
sse-starlette, HTTPBearer, um agente). Eles precisam tirar 100: o corretor é liberal no estilo.
"""

from . import Broken

DAY = "dia03"

# Trechos da solução que vários casos trocam.
ASTREAM_LOOP = '''    async for chunk in build_llm(model).astream(messages):
        # O primeiro e o último chunk costumam vir vazios: não viram eventos.
        # (.text é sempre str; .content pode ser uma lista em alguns provedores.)
        if chunk.text:
            yield chunk.text
'''
SSE_FRAMING = '''    lines = data.replace("\\r\\n", "\\n").replace("\\r", "\\n").split("\\n")
    head = f"event: {event}\\n" if event else ""
    return head + "".join(f"data: {line}\\n" for line in lines) + "\\n"
'''
TOKEN_LOOP = '''        async for token in stream_llm(messages, model):
            yield sse_event(token)
'''
STREAM_ERROR = '''    except UPSTREAM_ERRORS as exc:
        # Passo 7: o status 200 já foi enviado'''
JSON_ERROR = '''    except UPSTREAM_ERRORS as exc:
        # Passo 7: aqui nada foi enviado ainda'''
IMPORT_JSON = "import json\n"
IMPORT_RESPONSES = "from fastapi.responses import FileResponse, StreamingResponse\n"
CURRENT_USER_IMPORT = "from common.auth import CurrentUser  # = Annotated[User, Depends(get_current_user)]\n"

# Um agente (langchain.agents.create_agent) com uma ferramenta, no lugar do modelo puro.
AGENT_IMPORTS = (IMPORT_JSON, "import asyncio\nimport json\n\nfrom langchain.agents import create_agent\n"
                 "from langchain_core.messages import AIMessageChunk\nfrom langchain_core.tools import tool\n")
AGENT_BUILDER = ("async def stream_llm(", '''@tool
def eco(texto: str) -> str:
    """Repete o texto recebido."""
    return f"eco: {texto}"


def agent_stream(messages: list[BaseMessage], model: str | None):
    """Os pedaços de mensagem do agente (texto do modelo, chamadas e resultados de ferramenta)."""
    agent = create_agent(build_llm(model), tools=[eco])
    return agent.astream({"messages": messages}, stream_mode="messages")


async def stream_llm(''')
AGENT_INVOKE = ("        reply = await build_llm(body.model).ainvoke(messages)\n",
                '''        state = await create_agent(build_llm(body.model), tools=[eco]).ainvoke({"messages": messages})
        reply = state["messages"][-1]
''')

ENTRIES: list[Broken] = [
    Broken(
        name="d3_health_sumiu",
        day=DAY,
        defect="/health foi renomeada para /saude: o corretor não vê o servidor de pé",
        patches=(('@app.get("/health")', '@app.get("/saude")'),),
        fails={"dia03.servidor_sobe": "dia3-problemas"},
    ),
    Broken(
        name="d3_auth_propria_sem_guardas",
        day=DAY,
        defect="auth escrita à mão no template, sem as guardas do common.auth: aceita o token com \"!!\" no fim "
        "e dá 500 com um cabeçalho aninhado",
        patches=((CURRENT_USER_IMPORT, '''from typing import Annotated

from fastapi import Depends
from fastapi.security import OAuth2PasswordBearer
from jose import JWTError, jwt

from common.auth import USERS, User, unauthorized

bearer_scheme = OAuth2PasswordBearer(tokenUrl="token", auto_error=False)


def current_user(token: Annotated[str | None, Depends(bearer_scheme)]) -> User:
    if token is None:
        raise unauthorized("Faça login")
    try:
        payload = jwt.decode(token, get_settings().secret_key, algorithms=["HS256"],
                             options={"require_exp": True, "require_sub": True})
    except JWTError:
        raise unauthorized("Token inválido") from None
    if payload["sub"] not in USERS:
        raise unauthorized("Usuário inexistente")
    return USERS[payload["sub"]].public()


CurrentUser = Annotated[User, Depends(current_user)]
'''),),
        fails={"dia03.generate_auth": "dia3-passo5"},
    ),
    Broken(
        name="d3_generate_sem_auth",
        day=DAY,
        defect="POST /api/generate sem `user: CurrentUser`: qualquer um usa o LLM",
        patches=(
            ("async def generate(body: GenerateRequest, user: CurrentUser)", "async def generate(body: GenerateRequest)"),
        ),
        fails={"dia03.generate_auth": "dia3-passo5"},
    ),
    Broken(
        name="d3_sem_done",
        day=DAY,
        defect="o stream acaba sem `data: [DONE]`",
        patches=(('    yield sse_event("[DONE]")\n', ""),),
        # O [DONE] é de generate_sse: chat_stream e erro_upstream não o cobram de novo. A dica aponta o
        # Passo 4, que ensina o [DONE].
        fails={"dia03.generate_sse": "dia3-passo4"},
    ),
    Broken(
        name="d3_sem_x_accel_buffering",
        day=DAY,
        defect="falta o cabeçalho X-Accel-Buffering: no (o nginx junta o stream num buffer)",
        patches=(
            ('SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}',
             'SSE_HEADERS = {"Cache-Control": "no-cache"}'),
        ),
        fails={"dia03.cabecalhos": "dia3-buffering"},
    ),
    Broken(
        name="d3_coleta_e_envia",
        day=DAY,
        defect="o gerador junta todos os tokens numa lista e só então os envia (buffering)",
        patches=((TOKEN_LOOP, '''        tokens = [token async for token in stream_llm(messages, model)]
        for token in tokens:
            yield sse_event(token)
'''),),
        # assíncrono e dentro do gerador: não bloqueia o loop e a desconexão ainda o cancela
        fails={"dia03.generate_incremental": "dia3-buffering"},
    ),
    Broken(
        name="d3_ainvoke_no_stream",
        day=DAY,
        defect="stream_llm usa ainvoke e manda a resposta inteira num evento só",
        patches=((ASTREAM_LOOP, '''    reply = await build_llm(model).ainvoke(messages)
    yield reply.text
'''),),
        fails={"dia03.generate_incremental": "dia3-buffering"},
    ),
    Broken(
        name="d3_data_fstring",
        day=DAY,
        defect='sse_event faz f"data: {token}\\n\\n": um token com quebra de linha corta o evento',
        patches=((SSE_FRAMING, '''    head = f"event: {event}\\n" if event else ""
    return head + f"data: {data}\\n\\n"
'''),),
        fails={"dia03.quebras_de_linha": "dia3-sse"},
    ),
    Broken(
        name="d3_data_sem_espaco",
        day=DAY,
        defect='sse_event escreve "data:<token>" sem o espaço: o parser SSE come o espaço inicial do token',
        patches=(('"".join(f"data: {line}\\n" for line in lines)', '"".join(f"data:{line}\\n" for line in lines)'),),
        fails={"dia03.quebras_de_linha": "dia3-sse"},
    ),
    Broken(
        name="d3_chunks_vazios",
        day=DAY,
        defect="stream_llm repassa os chunks vazios do astream (eventos `data: ` vazios)",
        patches=(("        if chunk.text:\n            yield chunk.text\n", "        yield chunk.text\n"),),
        fails={"dia03.quebras_de_linha": "dia3-chunks-vazios"},
    ),
    Broken(
        name="d3_strip_descarta_espacos",
        day=DAY,
        defect="stream_llm filtra com `if chunk.text.strip():`, que joga fora os tokens só de espaço ou quebra de linha",
        patches=(("        if chunk.text:\n            yield chunk.text\n", "        if chunk.text.strip():\n            yield chunk.text\n"),),
        fails={"dia03.quebras_de_linha": "dia3-chunks-vazios"},
    ),
    Broken(
        name="d3_sem_login",
        day=DAY,
        defect="o Passo 1 ficou sem app.include_router(auth_router): não há /login (as outras verificações usam um "
        "token do corretor)",
        patches=(("app.include_router(auth_router)\n", ""),),
        fails={"dia03.generate_auth": "dia3-passo1"},
    ),
    Broken(
        name="d3_modelo_ignorado",
        day=DAY,
        defect='build_llm ignora o "model" do pedido: sempre o DEFAULT_MODEL',
        patches=(("        model=model or settings.default_model,", "        model=settings.default_model,"),),
        fails={"dia03.generate_sse": "dia3-passo3"},
    ),
    Broken(
        name="d3_prompt_sem_limites",
        day=DAY,
        defect="GenerateRequest.prompt sem min_length/max_length: prompt vazio ou gigante chega ao LLM",
        patches=(("    prompt: str = Field(min_length=1, max_length=4000)\n", "    prompt: str\n"),),
        fails={"dia03.validacao": "dia3-passo2"},
    ),
    Broken(
        name="d3_chat_chave_errada",
        day=DAY,
        defect='/chat sem stream responde {"resposta": ...} em vez de {"response": ...}',
        patches=(('    return {"response": reply.text}', '    return {"resposta": reply.text}'),),
        # chat_historico depende de chat_json: pulada.
        fails={"dia03.chat_json": "dia3-passo6"},
    ),
    Broken(
        name="d3_chat_ignora_stream",
        day=DAY,
        defect="/chat ignora stream=true e sempre responde JSON",
        patches=(("    if body.stream:\n        return sse_response(messages, body.model)\n", ""),),
        fails={"dia03.chat_stream": "dia3-passo6"},
    ),
    Broken(
        name="d3_historico_depois_da_mensagem",
        day=DAY,
        defect="build_messages põe a mensagem nova antes do histórico",
        patches=(("    messages.append(HumanMessage(body.message))\n    return messages\n",
                  "    return [HumanMessage(body.message), *messages]\n"),),
        fails={"dia03.chat_historico": "dia3-passo6"},
    ),
    Broken(
        name="d3_erro_no_stream_derruba_conexao",
        day=DAY,
        defect="sem try/except no gerador: uma falha do LLM no meio do stream corta a conexão",
        patches=((STREAM_ERROR, STREAM_ERROR.replace("UPSTREAM_ERRORS", "ValueError")),),
        fails={"dia03.erro_upstream": "dia3-erros"},
    ),
    Broken(
        name="d3_erro_json_500",
        day=DAY,
        defect="/chat sem stream não trata a falha do LLM: 500 em vez de 502",
        patches=((JSON_ERROR, JSON_ERROR.replace("UPSTREAM_ERRORS", "ValueError")),),
        fails={"dia03.erro_upstream": "dia3-erros"},
    ),
    Broken(
        name="d3_stream_sincrono",
        day=DAY,
        defect="llm.stream() síncrono dentro de async def: o event loop fica parado a cada token",
        patches=(("    async for chunk in build_llm(model).astream(messages):",
                  "    for chunk in build_llm(model).stream(messages):"),),
        # Com o loop parado, o servidor também não percebe o cliente saindo: o LLM vai até o fim.
        fails={"dia03.nao_bloqueia": "dia3-event-loop", "dia03.desconexao": "dia3-desconexao"},
    ),
    Broken(
        name="d3_tarefa_de_fundo",
        day=DAY,
        defect="o LLM é consumido numa tarefa de fundo que ignora a desconexão do cliente",
        patches=(
            (IMPORT_JSON, "import asyncio\nimport json\n"),
            (TOKEN_LOOP, '''        queue: asyncio.Queue = asyncio.Queue()

        async def pump() -> None:
            try:
                async for token in stream_llm(messages, model):
                    await queue.put(token)
                await queue.put(None)
            except Exception as exc:
                await queue.put(exc)

        BACKGROUND.add(asyncio.get_running_loop().create_task(pump()))
        while (token := await queue.get()) is not None:
            if isinstance(token, Exception):
                raise token
            yield sse_event(token)
'''),
            ("logger = logging.getLogger(__name__)\n", "logger = logging.getLogger(__name__)\nBACKGROUND: set = set()\n"),
        ),
        fails={"dia03.desconexao": "dia3-desconexao"},
    ),
    Broken(
        name="d3_agente_ignora_desconexao",
        day=DAY,
        defect="agente consumido direto no gerador: sob o cancelamento do anyio (Starlette) o LangGraph "
        "não cancela a chamada em andamento e o LLM continua gerando depois que o cliente sai",
        patches=(
            AGENT_IMPORTS,
            AGENT_BUILDER,
            (ASTREAM_LOOP, '''    async for chunk, _metadata in agent_stream(messages, model):
        if isinstance(chunk, AIMessageChunk) and chunk.text:
            yield chunk.text
'''),
            AGENT_INVOKE,
        ),
        fails={"dia03.desconexao": "dia3-desconexao"},
    ),
]


CORRECT_STYLES: list[Broken] = [
    Broken(
        name="d3_estilo_fastapi_sse_e_agente",
        day=DAY,
        defect="nenhum: dados em JSON como o fastapi.sse ([DONE] vira \"[DONE]\") e um agente (create_agent) "
        "com ferramenta, rodando numa tarefa própria que é cancelada quando o cliente sai",
        patches=(
            AGENT_IMPORTS,
            (IMPORT_RESPONSES, IMPORT_RESPONSES + "from fastapi.sse import format_sse_event\n"),
            (SSE_FRAMING, '''    # Como o fastapi.sse: o dado vai como string JSON, numa linha só; o cliente decodifica.
    return format_sse_event(data_str=json.dumps(data, ensure_ascii=False), event=event).decode()
'''),
            AGENT_BUILDER,
            (ASTREAM_LOOP, '''    # O LangGraph roda numa tarefa asyncio própria: quando o cliente sai, o Starlette cancela
    # este gerador e nós cancelamos a tarefa (um cancelamento simples, que o LangGraph trata
    # até o fim e fecha a chamada ao LLM; sob o cancelamento do anyio ela continuaria rodando).
    chunks: asyncio.Queue = asyncio.Queue()

    async def produce() -> None:
        try:
            async for chunk, _metadata in agent_stream(messages, model):
                if isinstance(chunk, AIMessageChunk) and chunk.text:
                    await chunks.put(chunk.text)
            await chunks.put(None)
        except Exception as exc:
            await chunks.put(exc)

    producer = asyncio.create_task(produce())
    try:
        while (item := await chunks.get()) is not None:
            if isinstance(item, Exception):
                raise item
            yield item
    finally:
        producer.cancel()
'''),
            AGENT_INVOKE,
        ),
        fails={},
    ),
    Broken(
        name="d3_estilo_sse_starlette_httpbearer",
        day=DAY,
        defect="nenhum: sse-starlette (linhas CRLF, pings em comentário, Cache-Control: no-store) e HTTPBearer",
        patches=(
            (IMPORT_RESPONSES, IMPORT_RESPONSES + "from fastapi import Depends\n"
             "from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer\n"
             "from sse_starlette import EventSourceResponse, ServerSentEvent\n"
             "from typing import Annotated\n"),
            (CURRENT_USER_IMPORT, '''from common.auth import USERS, User, verify_token

bearer_scheme = HTTPBearer()


def current_user(credentials: Annotated[HTTPAuthorizationCredentials, Depends(bearer_scheme)]) -> User:
    return USERS[verify_token(credentials.credentials)].public()


CurrentUser = Annotated[User, Depends(current_user)]
'''),
            (SSE_FRAMING, "    return ServerSentEvent(data=data, event=event)  # o sse-starlette quebra as linhas\n"),
            ('    return StreamingResponse(sse_stream(messages, model), media_type="text/event-stream", headers=SSE_HEADERS)',
             "    return EventSourceResponse(sse_stream(messages, model), ping=0.05)  # no-store e X-Accel-Buffering: no"),
        ),
        fails={},
    ),
]
