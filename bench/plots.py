"""Os gráficos (PNG, matplotlib) do relatório; cada função desenha um e devolve o nome do arquivo."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # sem janela: só arquivos
import matplotlib.pyplot as plt  # noqa: E402

from .contenders import BY_KEY  # noqa: E402

COLORS = {"direto": "#333333", "referencia": "#1f77b4", "sse_starlette": "#2ca02c", "fastapi_sse": "#9467bd",
          "bloqueante": "#d62728", "litellm": "#8c564b", "sdk_openai": "#ff7f0e", "llm_unico": "#17becf",
          "sem_streaming": "#7f7f7f"}
DPI = 110


def _save(fig, folder: Path, name: str) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(folder / name, dpi=DPI)
    plt.close(fig)
    return name


def _label(ax, xlabel: str, ylabel: str, title: str) -> None:
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=7)


def _series(streaming: dict, key: str, metric: str):
    """(níveis, medianas, erro abaixo, erro acima) de um contendor, só onde houve medida."""
    levels, medians, below, above = [], [], [], []
    for level, summary in sorted(streaming[key].items(), key=lambda item: int(item[0])):
        spread = summary.get(metric)
        if spread:
            levels.append(int(level))
            medians.append(spread["median"])
            below.append(spread["median"] - spread["low"])
            above.append(spread["high"] - spread["median"])
    return levels, medians, [below, above]


def _by_concurrency(ax, streaming: dict, metric: str, keys) -> None:
    for key in keys:
        levels, medians, errors = _series(streaming, key, metric)
        if levels:
            ax.errorbar(levels, medians, yerr=errors, marker="o", capsize=3, color=COLORS.get(key),
                        label=BY_KEY[key].label)
    ax.set_xscale("log")
    ax.set_xlabel("streams simultâneos")
    ax.grid(True, which="both", alpha=0.3)


def ttft(streaming: dict, folder: Path) -> str:
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.8), sharey=True)
    keys = [k for k in streaming if k != "sem_streaming"]
    for ax, metric, title in zip(axes, ("ttft_p50", "ttft_p99"), ("TTFT p50", "TTFT p99")):
        _by_concurrency(ax, streaming, metric, keys)
        ax.set_yscale("log")
        ax.set_title(title)
    axes[0].set_ylabel("ms até o primeiro token (escala log)")
    axes[1].legend(fontsize=7, loc="upper left")
    return _save(fig, folder, "ttft.png")


def gaps(streaming: dict, folder: Path, limit_ms: float) -> str:
    fig, ax = plt.subplots(figsize=(8, 4.8))
    _by_concurrency(ax, streaming, "gap_p99", [k for k in streaming if k != "sem_streaming"])
    ax.axhline(limit_ms, color="red", linestyle="--", linewidth=1, label=f"limite do joelho ({limit_ms:.0f} ms)")
    ax.set_yscale("log")
    ax.set_ylabel("p99 do intervalo entre tokens (ms, log)")
    ax.set_title("Intervalo entre tokens (o upstream manda um a cada 33 ms)")
    ax.legend(fontsize=7)
    return _save(fig, folder, "intervalo_tokens.png")


def ideal_by_level(streaming: dict) -> dict[int, float]:
    """A vazão ideal de cada nível (igual para todos os contendores: depende só da carga)."""
    return {int(level): summary["ideal_tokens_per_s"]["median"]
            for per_level in streaming.values() for level, summary in per_level.items()}


def throughput(streaming: dict, folder: Path) -> str:
    fig, ax = plt.subplots(figsize=(8, 4.8))
    keys = [k for k in streaming if k != "sem_streaming"]
    _by_concurrency(ax, streaming, "tokens_per_s", keys)
    ideal = sorted(ideal_by_level({k: streaming[k] for k in keys}).items())
    ax.plot([n for n, _ in ideal], [v for _, v in ideal], "k:", label="ideal (só o atraso do upstream)")
    ax.set_yscale("log")
    ax.set_ylabel("tokens/s entregues (todos os streams)")
    ax.set_title("Vazão")
    ax.legend(fontsize=7)
    return _save(fig, folder, "tokens_por_s.png")


def streaming_vs_json(streaming: dict, folder: Path) -> str:
    fig, ax = plt.subplots(figsize=(7, 4.2))
    levels = sorted(int(level) for level in streaming.get("sem_streaming", {}))
    width = 0.38
    for offset, key in ((-width / 2, "referencia"), (width / 2, "sem_streaming")):
        values = [streaming[key][level]["ttft_p50"]["median"] for level in levels]
        bars = ax.bar([i + offset for i in range(len(levels))], values, width, color=COLORS[key],
                      label=BY_KEY[key].label)
        ax.bar_label(bars, fmt="%.0f ms", fontsize=8)
    ax.set_xticks(range(len(levels)), [f"{n} stream(s)" for n in levels])
    ax.set_ylabel("ms até o primeiro texto na tela (p50)")
    ax.set_title("Com e sem streaming: quando o usuário vê a primeira palavra")
    ax.legend(fontsize=8)
    return _save(fig, folder, "ttft_com_e_sem_streaming.png")


def _hbars(folder: Path, name: str, labels: list[str], values: list[float], colors: list, texts: list[str],
           xlabel: str, title: str) -> str:
    """Barras horizontais com o valor escrito na ponta de cada uma."""
    fig, ax = plt.subplots(figsize=(9.5, 1.4 + 0.55 * len(labels)))
    bars = ax.barh(labels, values, color=colors)
    ax.bar_label(bars, labels=texts, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    return _save(fig, folder, name)


def knees(knee: dict, folder: Path) -> str:
    keys = list(knee)
    return _hbars(folder, "joelho.png", [BY_KEY[k].label for k in keys], [knee[k]["knee"] for k in keys],
                  [COLORS.get(k) for k in keys], [f"{knee[k]['knee']}{'+' if knee[k]['capped'] else ''}" for k in keys],
                  "streams a 30 tok/s com p99 entre tokens < 100 ms",
                  "O joelho: quantos streams um processo aguenta")


def memory(results: dict, folder: Path) -> str:
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for key, data in results.items():
        points = data["per_stream"]["points"]
        ax.plot([p[0] for p in points], [p[1] / 2**20 for p in points], marker="o", color=COLORS.get(key),
                label=f"{BY_KEY[key].label}: {data['per_stream']['bytes_per_stream'] / 1024:.0f} KB/stream")
    _label(ax, "streams abertos ao mesmo tempo", "RSS do servidor (MB)", "Memória por stream aberto")
    return _save(fig, folder, "memoria.png")


def chunk_cost(cost: dict, folder: Path) -> str:
    names = {"langchain": "ChatOpenAI.astream (LangChain)", "openai_sdk": "SDK openai (AsyncOpenAI)",
             "httpx_sse": "httpx-sse + json.loads"}
    keys = list(cost["costs"])
    values = [cost["costs"][k]["us_per_chunk"] for k in keys]
    return _hbars(folder, "custo_por_chunk.png", [names[k] for k in keys], values,
                  ["#1f77b4", "#ff7f0e", "#2ca02c"][: len(keys)], [f"{v:.0f} µs" for v in values],
                  "CPU por chunk recebido do LLM (µs)", "Quanto custa ler cada token")


def grader(results: dict, folder: Path) -> str:
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    days = list(results["days"])
    positions = range(len(days))
    for shift, key, label, color in ((-0.2, "wall_s", "com sandbox", "#1f77b4"), (0.2, "off_wall_s", "sem sandbox", "#aec7e8")):
        walls = [results["days"][d].get(key) if key == "off_wall_s" or results["days"][d].get("sandbox") else None
                 for d in days]
        shown = [(i + shift, w) for i, w in zip(positions, walls) if w]
        left.bar([x for x, _ in shown], [w["median"] for _, w in shown], width=0.4, color=color, label=label,
                 yerr=[[w["median"] - w["low"] for _, w in shown], [w["high"] - w["median"] for _, w in shown]], capsize=4)
    left.set_xticks(list(positions), days)
    left.axhline(5, color="red", linestyle="--", linewidth=1, label="meta: 5 s")
    left.set_ylabel("segundos (parede)")
    left.set_title("Corrigir a solução de cada dia")
    left.legend(fontsize=8)
    classes = results["classes"]
    bars = right.bar([f"{c['day']}\n{c['copies']} entregas\n--jobs {c['jobs']}" for c in classes],
                     [c["wall_s"] for c in classes], color="#2ca02c")
    right.bar_label(bars, labels=[f"{c['wall_s']:.0f} s\n(100 ≈ {c['per_submission_s'] * 100:.0f} s)"
                                  for c in classes], fontsize=7)
    right.margins(y=0.25)
    right.set_ylabel("segundos (parede)")
    right.set_title("Modo turma (100 ≈ extrapolado por entrega)")
    return _save(fig, folder, "corretor.png")
