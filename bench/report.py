"""O relatório Markdown (docs/BENCHMARKS.md) e os gráficos, a partir do dicionário de resultados."""

from __future__ import annotations

from pathlib import Path

from . import plots, targets
from .contenders import BY_KEY
from .stats import Spread, paired

KEY_PACKAGES = ("fastapi", "starlette", "uvicorn", "sse-starlette", "langchain-core", "langchain-openai", "openai")


# --- formatação ------------------------------------------------------------------------------------

def num(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}".replace(",", " ")


def spread(cell: dict | None, digits: int = 1) -> str:
    """"mediana (mín–máx)"; só a mediana quando houve uma repetição."""
    if not cell:
        return "—"
    if cell["n"] == 1 or cell["low"] == cell["high"]:
        return num(cell["median"], digits)
    return f"{num(cell['median'], digits)} ({num(cell['low'], digits)}–{num(cell['high'], digits)})"


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(str(cell).replace("|", "\\|") for cell in row) + " |" for row in rows]


def stamp(machine: dict) -> str:
    """A legenda de cada tabela: máquina, Python, versões e data (os números só valem com ela)."""
    packages = ", ".join(f"{name} {machine['packages'][name]}" for name in KEY_PACKAGES)
    return (f"_Máquina: {machine['cores']} núcleos ({machine['cpu']}) · Python {machine['python']} · {packages} · "
            f"{machine['date']}._")


def image(name: str, alt: str) -> str:
    return f"![{alt}](img/{name})"


# --- seções ----------------------------------------------------------------------------------------

def header(results: dict) -> list[str]:
    m, cfg = results["machine"], results["config"]
    rows = [["Núcleos (lógicos / físicos)", f"{m['cores']} / {m['physical_cores']}"], ["CPU", m["cpu"]],
            ["Memória", f"{m['memory_gb']:.1f} GB"], ["Python", m["python"]], ["Sistema", m["os"]],
            ["Data", m["date"]], ["Carga média (1/5/15 min) no início", m["load_start"]],
            ["Carga média no fim", m.get("load_end", "—")], ["Configuração", cfg["name"]],
            ["Tempo total do comando", f"{results['elapsed_s']:.0f} s"]]
    rows += [[f"`{name}`", version] for name, version in m["packages"].items()]
    rows += [[f"Fase: {name}", f"{seconds:.0f} s"] for name, seconds in results.get("phases_s", {}).items()]
    return ["# Benchmarks: streaming, concorrência, memória e corretor", "",
            "> Gerado por `make bench` (`python -m bench`). **Não edite à mão**: todos os números e gráficos "
            "abaixo saíram desse comando; rode de novo para atualizar.", "",
            "Tudo roda no loopback, offline, contra o fake LLM do curso. Cada servidor medido roda no seu "
            "processo uvicorn; o gerador de carga roda noutro processo, para não disputar o event loop com o "
            "servidor. Números absolutos variam de máquina para máquina (e de minuto para minuto numa máquina "
            "compartilhada): por isso as comparações são **razões medidas na mesma execução**, com as "
            "repetições intercaladas entre os contendores.", "",
            "## A máquina", "", *table(["", ""], rows), ""]


def targets_section(results: dict) -> list[str]:
    rows = [[t.goal, t.measured, t.verdict] for t in targets.evaluate(results)]
    return ["## Metas", "", "Cada meta do issue, com o número medido nesta execução. Sem arredondar para cima.", "",
            *table(["Meta", "Medido", "Situação"], rows), "", stamp(results["machine"]), ""]


def workload(results: dict) -> list[str]:
    cfg = results["config"]
    lines = ["## 1. O caminho de streaming", "",
             f"Cada stream pede ao fake LLM **{cfg['tokens']} tokens, um a cada {cfg['delay_ms']} ms** "
             f"(≈ {1000 / cfg['delay_ms']:.0f} tok/s por stream, o ritmo típico de um LLM de verdade). Em N streams simultâneos, "
             f"N clientes começam espalhados em até {cfg['max_ramp_s']:g} s ({cfg['ramp_ms_per_stream']:g} ms "
             f"por cliente); em concorrência 1, {cfg['min_streams']} streams seguidos. Cada nível é repetido "
             f"{cfg['repeats']} vezes (exceto {_level_repeats(cfg)}): as tabelas mostram a **mediana das "
             "repetições (mínimo–máximo)**. "
             "TTFT = do envio do POST até o primeiro token com texto; intervalo = entre dois tokens seguidos do "
             "mesmo stream. Erro = stream sem `[DONE]`, com `event: error`, com tokens faltando, status ≠ 200, "
             f"ou cortado pelo prazo da rodada ({cfg['deadline_factor']:g}× o tempo nominal da rodada, no mínimo "
             f"{cfg['min_deadline_s']:g} s: o que não termina até lá é um usuário que desistiu).", "",
             "Os contendores:", ""]
    for key in results["streaming"]:
        lines.append(f"- **{BY_KEY[key].label}** — {DESCRIPTIONS[key]}")
    for key, reason in results.get("not_measured", {}).items():
        lines.append(f"- **{BY_KEY[key].label}** — {reason}.")
    return lines + [""]


def _level_repeats(cfg: dict) -> str:
    return ", ".join(f"{level} streams: {n} rodada{'s' if n > 1 else ''}, porque ali a máquina inteira satura"
                     for level, n in cfg["level_repeats"]) or "nenhum nível"


DESCRIPTIONS = {
    "direto": "o gerador de carga fala direto com o fake LLM pelo SDK `openai`: nenhum servidor no meio. "
              "É o limite: ninguém entrega o primeiro token antes do próprio upstream.",
    "referencia": "`solutions/dia03/template.py` intacta: `StreamingResponse` + `sse_event` escrito à mão + "
                  "`ChatOpenAI.astream`, um `ChatOpenAI` por requisição.",
    "sse_starlette": "a mesma rota e o mesmo `stream_llm` da referência, com o `EventSourceResponse` do "
                     "sse-starlette montando os eventos.",
    "fastapi_sse": "a mesma rota com `fastapi.sse`: a rota é um gerador com `response_class=EventSourceResponse` "
                   "e cada token vai como `ServerSentEvent(data=...)` (JSON).",
    "bloqueante": "o erro clássico, de propósito: `for chunk in llm.stream(...)` (síncrono) dentro do gerador "
                  "`async`. Cada espera pelo próximo token trava o event loop inteiro.",
    "litellm": "o LiteLLM proxy (gateway pronto) entre o cliente e o mesmo fake LLM, lido pelo SDK `openai`.",
    "sdk_openai": "a referência com o `stream_llm` trocado por um `AsyncOpenAI` único (sem LangChain no caminho "
                  "quente): mesma autenticação, mesmo SSE. É o \"passthrough com o SDK cru\" da meta de vazão.",
    "llm_unico": "a referência com `build_llm` memorizado (`functools.lru_cache`): um `ChatOpenAI` por modelo, "
                 "reaproveitado, em vez de um por requisição. Só essa linha muda.",
    "sem_streaming": "a própria referência, por `POST /chat` sem `stream`: `ainvoke` e a resposta inteira em JSON. "
                     "O \"primeiro token\" só chega junto com o último.",
}


def lab_server(key: str) -> bool:
    """Contendores que são um servidor nosso (têm CPU de servidor para medir)."""
    return BY_KEY[key].module is not None


def _levels(streaming: dict) -> list[int]:
    return sorted({int(level) for per_level in streaming.values() for level in per_level})


def level_table(streaming: dict, cell, keys=None, first: str = "Contendor") -> list[str]:
    """Uma linha por contendor, uma coluna por concorrência; `cell(key, nível, resumo)` preenche cada uma."""
    levels = _levels(streaming)
    rows = []
    for key in keys or streaming:
        per_level = {int(level): summary for level, summary in streaming[key].items()}
        rows.append([BY_KEY[key].label] + [cell(key, n, per_level[n]) if n in per_level else "não medido"
                                           for n in levels])
    return table([first] + [f"{n} stream{'s' if n > 1 else ''}" for n in levels], rows)


def metric_table(streaming: dict, metric: str, digits: int = 1, keys=None) -> list[str]:
    return level_table(streaming, lambda key, n, summary: spread(summary[metric], digits), keys)


def _errors_cell(key: str, n: int, summary: dict) -> str:
    kinds = ", ".join(f"{kind}: {count}" for kind, count in summary["error_kinds"].items())
    return f"{sum(summary['error_kinds'].values())}/{summary['streams']}" + (f" ({kinds})" if kinds else "")


def paired_ratio(streaming: dict, key: str, base: str, level: int, metric: str, diff: bool = False) -> float | None:
    """Razão (ou diferença) mediana entre dois contendores no mesmo nível, repetição a repetição."""
    if level not in streaming.get(key, {}) or level not in streaming.get(base, {}):
        return None
    return paired(streaming[key][level]["runs"], streaming[base][level]["runs"], metric, diff)


def ratios_table(streaming: dict) -> list[str]:
    def cell(key: str, n: int, summary: dict) -> str:
        overhead = paired_ratio(streaming, key, "direto", n, "ttft_p50", diff=True)
        ratio = paired_ratio(streaming, key, "direto", n, "ttft_p50")
        return "—" if overhead is None else f"{overhead:+.1f} ms (×{num(ratio, 2)})"

    return level_table(streaming, cell, [k for k in streaming if k not in ("direto", "sem_streaming")])


def _cpu_cell(key: str, n: int, summary: dict) -> str:
    return f"{_pct(summary['server_cpu'])} / {_pct(summary['upstream_cpu'])} / {_pct(summary['client_cpu'])}"


CLIENT_SATURATED = 0.9


def client_saturation(streaming: dict) -> list[str]:
    """Avisa onde o próprio gerador de carga passou de 90% de um núcleo: ali ele também é medido."""
    where = [f"{BY_KEY[key].label} em {level} streams ({summary['client_cpu']['median'] * 100:.0f}%)"
             for key, per_level in streaming.items() for level, summary in per_level.items()
             if summary["client_cpu"] and summary["client_cpu"]["median"] >= CLIENT_SATURATED]
    if not where:
        return []
    return ["**Atenção — cliente saturado:** " + "; ".join(where) + ". Nessas rodadas o gerador de carga usou "
            "um núcleo inteiro: os números medem também o cliente. No direto isso pesa mais, porque o cliente "
            "ali é o SDK `openai` (que custa mais por chunk que o httpx-sse dos outros; seção 3): em concorrência "
            "alta o \"limite\" fica pior do que é, e os custos sobre ele parecem menores do que são.", ""]


def _pct(cell: dict | None) -> str:
    return "—" if not cell else f"{cell['median'] * 100:.0f}%"


def streaming_section(results: dict, images: dict) -> list[str]:
    s, m = results["streaming"], results["machine"]
    streams_only = {key: value for key, value in s.items() if key != "sem_streaming"}
    return [
        *workload(results),
        "### Tempo até o primeiro token (TTFT), p50, em ms", "", *metric_table(s, "ttft_p50"), "", stamp(m), "",
        "### TTFT p99, em ms", "", *metric_table(s, "ttft_p99"), "", stamp(m), "",
        image(images["ttft"], "TTFT p50 e p99 por concorrência"), "",
        "### Custo sobre o direto: TTFT p50 a mais que o SDK direto no fake LLM (mesma repetição)", "",
        *ratios_table(s), "", stamp(m), "",
        "### p99 do intervalo entre tokens, em ms (o upstream manda um token a cada "
        f"{results['config']['delay_ms']} ms)", "",
        *metric_table(streams_only, "gap_p99"), "", stamp(m), "",
        image(images["gaps"], "p99 do intervalo entre tokens"), "",
        "### Vazão: tokens/s entregues somando todos os streams", "",
        "Tokens entregues ÷ tempo de parede da rodada (da rampa ao último stream). O ideal, se nada atrasasse "
        "além do upstream: " + ", ".join(f"{n} stream{'s' if n > 1 else ''}: {v:.0f} tok/s"
                                          for n, v in sorted(plots.ideal_by_level(streams_only).items())) + ".", "",
        *metric_table(streams_only, "tokens_per_s", 0), "", stamp(m), "",
        image(images["throughput"], "tokens por segundo"), "",
        "### Erros (streams com erro / streams, somando as repetições)", "", *level_table(s, _errors_cell), "", stamp(m), "",
        "### CPU usada durante a rodada (mediana; 100% = um núcleo inteiro)", "",
        "Com 2 núcleos, servidor + fake LLM + cliente de carga somando perto de 200% quer dizer que a "
        "**máquina** saturou, não só o servidor: daí em diante o número mede a máquina.", "",
        *level_table(s, _cpu_cell, first="Contendor (servidor / fake LLM / cliente)"), "", stamp(m), "",
        *client_saturation(s),
        "### CPU do servidor por token entregue, em µs (o custo de cada jeito de fazer a rota)", "",
        "Tempo de CPU do processo do servidor dividido pelos tokens entregues na rodada: inclui abrir cada "
        "stream (JWT, validação, cliente do LLM), ler o upstream e formatar e enviar cada evento SSE. O "
        "relógio de CPU do sistema anda de 10 em 10 ms: com 1 stream (poucos tokens) o número é grosseiro.", "",
        *metric_table({k: v for k, v in streams_only.items() if lab_server(k)}, "server_us_per_token", 0), "",
        stamp(m), "",
        "### Com e sem streaming", "", image(images["json"], "TTFT com e sem streaming"), "",
    ]


def knee_section(results: dict, images: dict) -> list[str]:
    knee, cfg = results["knee"], results["config"]
    rows = []
    for key, data in knee.items():
        probes = ", ".join(f"{p['concurrency']}{'✓' if p['passed'] else '✗'}{'²' if p.get('attempts') == 2 else ''}"
                           for p in data["probes"])
        failure = "—" if data["first_failure"] is None else str(data["first_failure"])
        cpu = [p["server_us_per_token"] for p in data["probes"] if p["passed"] and p["server_us_per_token"]]
        rows.append([BY_KEY[key].label, f"{data['knee']}{'+ (teto da busca)' if data['capped'] else ''}",
                     failure, num(cpu[-1], 0) if cpu else "—", probes])
    return ["## 2. O joelho: streams simultâneos a 30 tok/s", "",
            f"Busca curta: dobra a concorrência a partir de {cfg['knee_start']} até uma sonda falhar (teto "
            f"{cfg['knee_max']}) e depois divide o intervalo ao meio {cfg['knee_bisect_steps']} vezes. Cada sonda: "
            f"N streams de {cfg['knee_tokens']} tokens a 30 tok/s, começando em {cfg['knee_ramp_s']:g} s. Passa se "
            f"nenhum stream deu erro e o p99 do intervalo entre tokens ficou abaixo de "
            f"{cfg['knee_gap_limit_ms']:.0f} ms; uma sonda que falha é repetida uma vez (² = precisou da segunda "
            "tentativa) antes de contar como falha. Os intervalos contam só depois da rampa, quando todos os "
            "streams já começaram: é o regime sustentado, sem a rajada de requisições novas (essa está no TTFT). "
            "O joelho tem a resolução da bissecção e é sensível a qualquer soluço de 100 ms na máquina (um gc, "
            "outro processo): diferenças pequenas entre contendores não querem dizer nada.", "",
            *table(["Contendor", "Joelho", "Primeira falha", "CPU do servidor por token no joelho (µs)",
                    "Sondas (✓ passou, ✗ falhou)"], rows), "",
            stamp(results["machine"]), "", image(images["knee"], "joelho por contendor"), ""]


CHUNK_READERS = {"langchain": "`ChatOpenAI.astream` (LangChain, um por requisição, como a referência)",
                 "openai_sdk": "SDK `openai` (um `AsyncOpenAI` reaproveitado)",
                 "httpx_sse": "httpx-sse + `json.loads` (o mínimo)"}


def chunk_section(results: dict, images: dict) -> list[str]:
    cost = results["chunk_cost"]
    rows = [[CHUNK_READERS[k], num(v["us_per_chunk"], 0), num(1e6 / (30 * v["us_per_chunk"]), 0),
             num(v["us_per_request"], 0)] for k, v in cost["costs"].items()]
    profile = [[package, f"{share * 100:.0f}%"] for package, share in cost["langchain_profile"]["packages"].items()]
    return ["## 3. Onde vai a CPU: custo por chunk e por requisição (perfil)", "",
            "O fake LLM manda os chunks sem atraso; medimos a CPU do processo que os lê (sozinho, no processo "
            f"de carga), dividida pelo número de chunks ({next(iter(cost['costs'].values()))['chunks']} num "
            f"stream) e pelo número de requisições ({cost['requests']} requisições de 1 token). É essa conta "
            "que limita quantos streams a 30 tok/s cabem num núcleo: streams por núcleo ≈ 1 / (30 × custo "
            "por chunk) — só para ler o upstream, antes de formatar e mandar o SSE.", "",
            *table(["Leitor", "CPU por chunk (µs)", "Streams a 30 tok/s por núcleo (só leitura)",
                    "CPU fixa por requisição (µs)"], rows),
            "", stamp(results["machine"]), "", image(images["chunk"], "custo por chunk"), "",
            "Perfil (cProfile) do `ChatOpenAI.astream` lendo o stream longo, tempo próprio agrupado por pacote:", "",
            *table(["Pacote", "Parte da CPU"], profile), "",
            f"Só construir um `ChatOpenAI` custa {num(cost['build_llm_us'], 0)} µs (já incluído na CPU fixa "
            "por requisição do LangChain acima).", "", *server_profile_section(results)]


def server_profile_section(results: dict) -> list[str]:
    profiles = results.get("server_profile") or {}
    if not profiles:
        return []
    keys = list(profiles)
    level = profiles[keys[0]]["level"]
    packages = list(dict.fromkeys(p for key in keys for p in profiles[key]["packages"]))
    rows = [[package] + [f"{profiles[key]['packages'][package] * 100:.0f}%" if package in profiles[key]["packages"]
                         else "— (fora dos 8 maiores)" for key in keys] for package in packages]
    lines = [f"### Perfil do servidor durante uma rajada de {level} streams", "",
             "cProfile ligado dentro do próprio processo do servidor (rota `/_bench/perfil`, só das variações do "
             "benchmark) enquanto o gerador de carga abre a rajada: é a CPU da thread do event loop (relógio de "
             "CPU: a espera pela rede não conta), da chegada do POST ao último evento SSE. O cProfile deixa tudo "
             "mais lento e pesa mais nas funções pequenas: olhe as proporções, não o total. Tempo próprio "
             "(tottime) por pacote:", "",
             *table(["Pacote"] + [BY_KEY[key].label for key in keys], rows), ""]
    for key in keys:
        functions = "; ".join(f"`{name}` {share * 100:.0f}%" for name, share in profiles[key]["functions"])
        lines += [f"Funções mais caras em {BY_KEY[key].label}: {functions}.", ""]
    return lines + [stamp(results["machine"]), ""]


def memory_section(results: dict, images: dict) -> list[str]:
    memory, cfg = results["memory"], results["config"]
    per_stream = [[BY_KEY[k].label, num(v["per_stream"]["bytes_per_stream"] / 1024),
                   num(v["per_stream"]["first_step_bytes_per_stream"] / 1024),
                   ", ".join(f"{n}: {rss / 2**20:.1f} MB" for n, rss in v["per_stream"]["points"])]
                  for k, v in memory.items()]
    leak_rows = []
    for key, data in memory.items():
        leak = data["leak"]
        b, m, a = leak["before"], leak["middle"], leak["after"]
        upstream = _statuses(leak["upstream"])
        if leak.get("upstream_after_gc"):
            upstream += f" → depois de `gc.collect()`: {_statuses(leak['upstream_after_gc'])}"
        leak_rows.append([BY_KEY[key].label, str(leak["streams"]),
                          f"{b['rss'] / 2**20:.1f} → {m['rss'] / 2**20:.1f} → {a['rss'] / 2**20:.1f} MB",
                          f"{leak['rss_growth_second_half'] / 1024:+.0f} KB", f"{b['tasks']} → {a['tasks']}",
                          f"{b['objects']} → {m['objects']} → {a['objects']}", upstream,
                          "sim" if leak["met"] else "**não**"])
    return ["## 4. Memória", "",
            f"RSS do processo do servidor (psutil) com 0 e depois {', '.join(map(str, cfg['memory_levels']))} "
            "streams abertos ao mesmo tempo (cada um já recebeu o primeiro token e segue recebendo um a cada "
            "250 ms). Duas contas: a **marginal** (inclinação da reta a partir da primeira leva: quanto cada "
            "stream aberto a mais custa; é a que vale para a meta) e a da **primeira leva** (de 0 à primeira "
            "leva, dividido pelos streams: inclui o pico de memória temporária de abrir tantos streams de uma "
            "vez e as arenas novas do alocador do Python, que as levas seguintes reaproveitam).", "",
            *table(["Contendor", "KB por stream a mais (marginal)", "KB por stream na primeira leva",
                    "RSS por streams abertos"], per_stream), "",
            stamp(results["machine"]), "", image(images["memory"], "RSS por stream aberto"), "",
            f"### Vazamento: abrir e abortar {cfg['leak_streams']} streams (referência; "
            f"{cfg['leak_streams_variants']} nas variações)", "",
            f"Em ondas de {cfg['leak_wave']}: cada stream recebe o primeiro token e o cliente fecha a conexão. "
            "Antes da linha de base, uma onda de aquecimento; depois, duas metades iguais, esperando (até 5 s) "
            "as tarefas asyncio voltarem à base depois de cada uma; objetos e RSS são lidos depois de um "
            "`gc.collect()` no servidor (senão a contagem inclui lixo que o coletor ainda não recolheu). **Passa** se, na segunda metade, o RSS "
            "cresceu no máximo 1 MiB (uma arena do alocador do Python: abaixo disso o RSS não mostra nada) e "
            "os objetos do Python menos de um por stream; se sobraram no máximo as tarefas da base; e se nenhum "
            "pedido ao LLM ficou aberto. Um vazamento de verdade cresce de novo na segunda metade; o alocador, "
            "não. A coluna do upstream diz como os pedidos terminaram no fake LLM (o log guarda os últimos "
            "1000): `client_closed` = a chamada ao LLM foi cancelada quando o cliente saiu.", "",
            *table(["Contendor", "Streams", "RSS antes → meio → depois", "RSS na 2ª metade", "Tarefas asyncio",
                    "Objetos do Python (gc)", "Upstream", "Passou?"], leak_rows), "",
            stamp(results["machine"]), "", *unclosed_findings(memory)]


def unclosed_findings(memory: dict) -> list[str]:
    """Um parágrafo por contendor que deixou chamadas ao LLM abertas depois que o cliente saiu."""
    lines = []
    for key, data in memory.items():
        leak = data["leak"]
        if not leak.get("upstream_after_gc"):
            continue
        lines += [f"**Achado — {BY_KEY[key].label}:** {leak['upstream'].get('running', 0)} chamadas ao LLM "
                  "continuaram abertas depois que o cliente saiu, e só fecharam quando forçamos o coletor de lixo "
                  "(`gc.collect()`). " + UNCLOSED_CAUSES.get(key, ""), ""]
    return lines


UNCLOSED_CAUSES = {
    "fastapi_sse": "Pelo código do FastAPI (`fastapi/routing.py`, `_producer`): a rota-gerador roda numa tarefa "
                   "produtora que entrega cada evento por um canal de memória de tamanho 1. Se o cliente sai "
                   "enquanto essa tarefa espera para entregar um evento, ela é cancelada ali, e o `async for` não "
                   "fecha o gerador (`async for` nunca chama `aclose()`). O gerador fica suspenso no `yield`, "
                   "segurando o stream do LangChain e a conexão com o LLM, até o coletor de lixo finalizá-lo: "
                   "tokens pagos que ninguém vai ler. Com um stream só, como na verificação `dia03.desconexao`, "
                   "o cancelamento costuma chegar enquanto a tarefa espera o LLM, e aí fecha na hora.",
}


def _statuses(counts: dict[str, int]) -> str:
    return ", ".join(f"{status}: {count}" for status, count in counts.items())


def login_flood_section(results: dict) -> list[str]:
    data = results.get("login_flood")
    if not data:
        return ["## 6. Enxurrada de logins (Dia 2)", "", "Não medido nesta execução.", ""]
    mib = 2**20
    rows = []
    for key, measured in data["contenders"].items():
        base = measured["baseline_rss"]
        for number, r in enumerate(measured["rounds"], start=1):
            h, me = r["health"], r["me"]
            rows.append([LOGIN_LABELS[key], str(number), f"{base / mib:.0f}", f"{(r['peak_rss'] - base) / mib:+.0f}",
                         f"{(r['rss_after'] - base) / mib:+.0f}", f"{num(h['p50'], 0)} / {num(h['p95'], 0)} / "
                         f"{num(h['max'], 0)} ({h['n']})", f"{num(me['p95'], 0)} ({me['n']})",
                         ", ".join(f"{status}: {count}" for status, count in sorted(r["statuses"].items())),
                         num(r["duration_s"])])
    return ["## 6. Enxurrada de logins (Dia 2)", "",
            f"{data['logins']} logins errados ao mesmo tempo (metade de usuários que não existem), duas vezes "
            "seguidas, na solução do Dia 2 num uvicorn de verdade. Cada login custa um Argon2 de 19 MiB; ninguém "
            "precisa de senha para mandá-los. Durante cada enxurrada, um `GET /health` e um `GET /me` (com token) "
            "a cada 10 ms medem se o resto do servidor continua respondendo. O RSS é lido de fora (psutil) a "
            "cada 5 ms; a linha de base, com o servidor de pé e depois de um login (o do token do `/me`). Dois "
            "contendores:", "",
            *[f"- **{LOGIN_LABELS[key]}** — {LOGIN_DESCRIPTIONS[key]}" for key in data["contenders"]], "",
            f"Nesta máquina o pool do hash tem **{data['hash_workers']}** threads (`HASH_WORKERS`: uma por CPU, "
            "no máximo 4). A meta: pico ≤ linha de base + 150 MiB, depois perto da linha de base, e `/health` com "
            "p95 < 100 ms (veja as Metas). O \"depois\" não volta a zero: o alocador do C (glibc) guarda, para a "
            "próxima vez, os 19 MiB que cada thread do pool usou; com o pool, são `HASH_WORKERS` blocos, e uma "
            "segunda enxurrada não os aumenta.", "",
            *table(["Contendor", "Enxurrada", "RSS base (MiB)", "Pico (MiB)", "Depois (MiB)",
                    "/health p50 / p95 / máx, ms (amostras)", "/me p95, ms (amostras)", "Status dos logins",
                    "Duração (s)"], rows), "", stamp(results["machine"]), ""]


LOGIN_LABELS = {"antes": "antes (login `def`, threadpool)", "referencia": "referência (pool do hash)"}
LOGIN_DESCRIPTIONS = {
    "antes": "o desenho antigo, reconstruído da solução de hoje: as rotas de login em `def` chamando o argon2 "
             "direto. O FastAPI as roda no threadpool (40 threads), junto com o `/health` e o `/me`, que também "
             "são `def`.",
    "referencia": "`solutions/dia02/template.py`: as rotas de login em `async def` esperam `run_hash`, que roda o "
                  "argon2 num `ThreadPoolExecutor` só dele, com prazo (503 + `Retry-After` depois de 10 s).",
}


def grader_section(results: dict, images: dict) -> list[str]:
    grader = results.get("grader")
    if not grader:
        return ["## 5. O corretor", "", "Não medido nesta execução (`--sem-corretor`).", ""]
    days = [[day, spread(d["wall_s"]) if d.get("sandbox") else "— (sem bwrap)", spread(d.get("off_wall_s")),
             "—" if d.get("overhead_pct") is None else f"{d['overhead_pct']:+.0f}%",
             spread(_spread_of([r["duration_s"] for r in d["runs"]])),
             ", ".join(sorted({f"{r['score']}/{r['max_score']}" for r in d["runs"] + d.get("off_runs", [])}))]
            for day, d in grader["days"].items()]
    classes = [[c["day"], str(c["copies"]), str(c["jobs"]), num(c["wall_s"]), num(c["per_submission_s"], 2),
                ", ".join(f"{score:g}: {count}" for score, count in c["scores"].items()) or "nenhuma",
                "sim" if c["identical"] else "**não**"] for c in grader["classes"]]
    return ["## 5. O corretor", "",
            "Cada número é o comando de verdade, cronometrado de fora (subir o Python, o fake LLM, o servidor "
            "do aluno, rodar as verificações e limpar tudo).", "",
            "### Corrigir a solução de referência de cada dia, com e sem sandbox", "",
            "Com o sandbox (bubblewrap), o servidor do aluno sobe enquanto as verificações carregam; sem ele, o "
            "corretor carrega as verificações primeiro e compara o venv antes e depois (o aluno poderia escrever "
            "ali). As rodadas se alternam entre os dois modos.", "",
            *table(["Dia", "Com sandbox (s)", "Sem sandbox (s)", "Custo do sandbox",
                    "Dentro do corretor, `duration_s` (s)", "Notas"], days), "",
            *sandbox_start(grader.get("sandbox_start")), stamp(results["machine"]), "",
            "### Modo turma (`--class`): N cópias da solução", "",
            *table(["Dia", "Entregas", "--jobs", "Parede (s)", "s por entrega", "Notas (nota: quantas)",
                    "Todas iguais?"], classes), "", stamp(results["machine"]), "",
            image(images["grader"], "tempo do corretor"), "", *under_load(grader["under_load"]),
            stamp(results["machine"]), ""]


def sandbox_start(start: dict | None) -> list[str]:
    if not start:
        return ["Subir um sandbox vazio: não medido (sem bubblewrap nesta máquina).", ""]
    who = "como root: a troca para o usuário sem privilégios incluída" if start["root"] else "como usuário comum"
    return [f"Subir um sandbox vazio (bwrap {start['version']} ... true, com as opções do corretor; {who}): "
            f"{spread(start['ms'])} ms, {start['ms']['n']} vezes.", ""]


def under_load(load: dict | None) -> list[str]:
    if not load:
        return ["### Notas com a CPU ocupada", "", "Não medido nesta configuração.", ""]
    return [f"### Notas com a CPU ocupada ({load['burners']} processos `while True: pass`, um por núcleo)", "",
            f"{len(load['scores'])} correções de {load['day']}: notas {load['scores']}; parede "
            f"{spread(load['wall_s'])} s. Notas idênticas: {'sim' if load['identical'] else '**não**'}.", ""]


def _spread_of(values: list) -> dict | None:
    found = Spread.of(values)
    return found.as_dict() if found else None


def draw(results: dict, folder: Path) -> dict:
    cfg = results["config"]
    names = {"ttft": plots.ttft(results["streaming"], folder),
             "gaps": plots.gaps(results["streaming"], folder, cfg["knee_gap_limit_ms"]),
             "throughput": plots.throughput(results["streaming"], folder),
             "json": plots.streaming_vs_json(results["streaming"], folder),
             "knee": plots.knees(results["knee"], folder),
             "chunk": plots.chunk_cost(results["chunk_cost"], folder),
             "memory": plots.memory(results["memory"], folder)}
    if results.get("grader"):
        names["grader"] = plots.grader(results["grader"], folder)
    return names


def write(results: dict, out: Path) -> None:
    images = draw(results, out.parent / "img")
    sections = [header(results), targets_section(results), streaming_section(results, images),
                knee_section(results, images), chunk_section(results, images), memory_section(results, images),
                grader_section(results, images), login_flood_section(results), targets.analysis(results)]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(line for section in sections for line in section).rstrip() + "\n", encoding="utf-8")
