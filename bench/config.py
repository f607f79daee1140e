"""O tamanho de cada medição: a configuração completa (`make bench`) e a mínima (`--quick`, teste de fumaça)."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class BenchConfig:
    name: str = "completa"
    contenders: tuple[str, ...] = ("direto", "referencia", "sse_starlette", "fastapi_sse", "bloqueante",
                                   "litellm", "sdk_openai", "llm_unico", "sem_streaming")
    # --- caminho de streaming: TTFT, intervalos, tokens/s e erros
    levels: tuple[int, ...] = (1, 10, 100, 500)
    repeats: int = 3
    level_repeats: tuple[tuple[int, int], ...] = ((500, 1),)  # em 500 a máquina inteira satura: uma rodada basta
    tokens: int = 10
    delay_ms: int = 33  # ≈ 30 tokens/s por stream, como um LLM de verdade
    min_streams: int = 3  # em concorrência 1, três streams em sequência por repetição
    ramp_ms_per_stream: float = 2.0  # os clientes começam espalhados (500 streams → 1 s)
    max_ramp_s: float = 1.0
    # Prazo de uma rodada: 4× o tempo nominal (rampa + streams em sequência), no mínimo 5 s.
    # O que não terminar até lá conta como erro ("tempo esgotado"): é assim que o colapso aparece.
    deadline_factor: float = 4.0
    min_deadline_s: float = 5.0
    # Contendores medidos só em alguns níveis: o bloqueante levaria minutos em 500; "sem streaming" só
    # serve para comparar o TTFT; o ChatOpenAI reaproveitado só muda algo quando muitos chegam juntos.
    level_overrides: tuple[tuple[str, tuple[int, ...]], ...] = (
        ("bloqueante", (1, 10, 100)), ("sem_streaming", (1, 10)), ("llm_unico", (100,)))
    # --- joelho: maior concorrência a 30 tok/s com p99 do intervalo entre tokens < 100 ms
    # O custo de cada ajudante de SSE aparece na CPU por token (seção 1); o joelho compara a referência
    # com o limite e com o passthrough pelo SDK cru (a meta de vazão), e com o gateway pronto.
    knee_contenders: tuple[str, ...] = ("direto", "referencia", "sdk_openai", "litellm")
    knee_start: int = 50  # 25 streams passam em qualquer contendor: começar ali só gasta tempo
    knee_max: int = 800
    knee_bisect_steps: int = 2
    knee_tokens: int = 30  # 1 s de stream a 30 tok/s
    knee_gap_limit_ms: float = 100.0
    knee_ramp_s: float = 0.5
    # --- memória e vazamento
    memory_contenders: tuple[str, ...] = ("referencia", "sse_starlette", "fastapi_sse", "sdk_openai")
    memory_levels: tuple[int, ...] = (100, 200, 300)
    leak_streams: int = 1000  # na referência (a meta); nas variações, menos, para caber no tempo
    leak_streams_variants: int = 300
    leak_wave: int = 100
    # --- perfil: quantos tokens sem atraso passam por cada leitor; quais servidores perfilar numa rajada
    chunk_cost_tokens: int = 3000
    profile_contenders: tuple[str, ...] = ("referencia", "sdk_openai")
    profile_level: int = 100
    # --- enxurrada de logins errados na solução do Dia 2 (memória e /health; seção 6)
    login_flood_logins: int = 100
    # --- corretor
    grader_days: tuple[str, ...] = ("dia01", "dia02", "dia03")
    grader_repeats: int = 3
    # (dia, entregas, --jobs). Uma turma de 100 de verdade levaria minutos por configuração: medimos 10
    # entregas e o relatório extrapola 100 a partir da melhor, dizendo que extrapolou. O Dia 3 passa a
    # maior parte do tempo esperando (tokens com atraso): --jobs 8 mostra se vale passar dos núcleos.
    class_plan: tuple[tuple[str, int, int], ...] = (
        ("dia01", 10, 1), ("dia01", 10, 2), ("dia01", 10, 4), ("dia03", 10, 4), ("dia03", 10, 8))
    load_day: str = "dia03"
    load_runs: int = 3

    def levels_for(self, key: str) -> tuple[int, ...]:
        return dict(self.level_overrides).get(key, self.levels)

    def repeats_at(self, level: int) -> int:
        return dict(self.level_repeats).get(level, self.repeats)

    def rounds_at(self, level: int) -> int:
        """Quantos streams cada cliente faz em sequência (para ter amostras em concorrência baixa)."""
        return max(1, math.ceil(self.min_streams / level))

    def ramp_at(self, level: int) -> float:
        return min(self.max_ramp_s, level * self.ramp_ms_per_stream / 1000)

    def deadline(self, ramp_s: float, rounds: int, tokens: int) -> float:
        nominal = ramp_s + rounds * tokens * self.delay_ms / 1000
        return max(self.min_deadline_s, self.deadline_factor * nominal)


FULL = BenchConfig()

QUICK = BenchConfig(
    name="rápida (--quick, teste de fumaça: números sem valor estatístico)",
    contenders=("direto", "referencia", "sem_streaming"),
    levels=(1, 4), repeats=1, level_repeats=(), tokens=4, delay_ms=10, min_streams=2, min_deadline_s=3.0,
    level_overrides=(("sem_streaming", (1,)),),
    knee_contenders=("direto", "referencia"), knee_start=2, knee_max=4, knee_bisect_steps=1, knee_tokens=4,
    knee_ramp_s=0.05,
    memory_contenders=("referencia",), memory_levels=(5, 10), leak_streams=20, leak_streams_variants=10,
    leak_wave=10,
    chunk_cost_tokens=100, profile_contenders=("referencia",), profile_level=4,
    login_flood_logins=10,
    grader_days=("dia01",), grader_repeats=1, class_plan=(), load_day="dia01", load_runs=0,
)
