"""Entregas para provar as verificações dos desafios extras do Dia 3 (corrigidas com --extras).

Cada uma é a solução de referência com UM defeito de um extra, o erro clássico de cada
funcionalidade: blocos de código com a quebra final, pings esquecidos, extensão comparada sem
minúsculas, cancelamento que não fecha a chamada ao LLM, contagem só dos streams completos...
`fails` lista exatamente o que deve falhar; o resto (núcleo incluído) passa ou é pulado como
dependente ("depende de ...").
"""

from . import Broken

DAY = "dia03"


def extra(name: str, defect: str, check: str, *patches: tuple[str, str], file: str = "extras.py") -> Broken:
    """Um defeito num extra: reprova só `dia03.extra.<check>`, com a dica na seção do próprio extra."""
    anchor = "extra-" + check
    return Broken(name=name, day=DAY, defect=defect, patches=patches, fails={f"dia03.extra.{check}": anchor},
                  extras=True, file=file)


ENTRIES: list[Broken] = [
    extra(
        "x3_blocos_com_quebra_final",
        "code_blocks guarda a quebra de linha antes da cerca de fechamento",
        "eventos_tipados",
        ('    return [block.removesuffix("\\n") for block in CODE_BLOCK_RE.findall(text)]',
         "    return CODE_BLOCK_RE.findall(text)"),
    ),
    extra(
        "x3_sem_ping",
        "no silêncio do LLM o gerador só volta a esperar: nenhum `: ping` sai",
        "heartbeat",
        ("            elif item is None and not is_idle(stream):\n                yield PING\n",
         "            elif item is None and not is_idle(stream):\n"),
    ),
    extra(
        "x3_extensao_com_maiusculas",
        "a extensão é comparada como veio: Util.PY cai no especialista geral",
        "especialista",
        ("PurePath(file_path).suffix.lower()", "PurePath(file_path).suffix"),
    ),
    extra(
        "x3_cancelar_so_a_resposta",
        "o cancelamento encerra a resposta, mas a tarefa que lê o LLM continua (o provedor segue gerando)",
        "cancelamento",
        ("        if self.producer is not None:\n"
         "            self.producer.cancel()  # o cancelamento atravessa o astream e fecha a conexão com o provedor\n", ""),
        ("    if stream.producer is not None:\n        stream.producer.cancel()",
         "    if stream.producer is not None and not stream.cancelled:  # (defeito) \"o cancel já cuidou disso\"\n"
         "        stream.producer.cancel()"),
    ),
    extra(
        "x3_status_so_conta_done",
        "as estatísticas só contam os streams que terminaram com done (erros e desconexões somem)",
        "status",
        ("    # Nenhum await daqui até o fim: no asyncio, nenhuma outra tarefa roda no meio destas somas.\n",
         '    if outcome != "done":\n        return\n'),
    ),
    extra(
        "x3_limite_global",
        "o limite conta os streams de todos os usuários: o admin recebe 429 por causa do aluno",
        "limite",
        ("    open_now = sum(1 for stream in active_streams.values() if stream.owner == owner)\n",
         "    open_now = len(active_streams)\n"),
    ),
    extra(
        "x3_inatividade_desde_o_inicio",
        "a inatividade é contada desde o início do stream: um stream longo e saudável morre",
        "inatividade",
        ("    return time.monotonic() - stream.last_token_at >= settings.stream_idle_timeout_seconds\n",
         "    return time.monotonic() - stream.started_at >= settings.stream_idle_timeout_seconds\n"),
    ),
    extra(
        "x3_historico_inteiro",
        "build_messages manda o histórico inteiro ao LLM",
        "historico",
        ("        for item in body.history[-MAX_HISTORY:]\n", "        for item in body.history\n"),
        file="template.py",
    ),
    extra(
        "x3_agente_vaza_ferramenta",
        "no stream do agente, a mensagem da ferramenta (o resultado cru) vaza como texto",
        "agente",
        ("        if isinstance(chunk, AIMessageChunk) and chunk.text:\n", "        if chunk.text:\n"),
    ),
    extra(
        "x3_calculadora_com_eval",
        "a calculadora usa eval: qualquer Python vindo do usuário é executado",
        "agente",
        ('        return format_number(evaluate(ast.parse(expressao, mode="eval").body))\n',
         "        return format_number(eval(expressao))\n"),
    ),
    extra(
        "x3_reserva_depois_do_primeiro_token",
        "uma falha depois do primeiro token também vai para o reserva: duas respostas misturadas",
        "fallback",
        ("            if got_token or position == len(providers) - 1:\n",
         "            if position == len(providers) - 1:\n"),
    ),
]

# Outros jeitos CORRETOS dos extras: precisam tirar 100 nos extras.
CORRECT_STYLES: list[Broken] = [
    Broken(
        name="x3_status_conta_abertos",
        day=DAY,
        defect="nenhum: total_streams conta também os streams ainda abertos (a outra leitura do contrato)",
        patches=(('"active_streams": len(active_streams), "total_streams": stats.total_streams,',
                  '"active_streams": len(active_streams), "total_streams": stats.total_streams + len(active_streams),'),),
        fails={},
        extras=True,
        file="extras.py",
    ),
]
