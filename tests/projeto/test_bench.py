"""Teste de fumaça dos benchmarks: `python -m bench --quick` sobe tudo, mede e escreve o relatório.

Os números da configuração rápida não valem nada; o que se prova aqui é que a suíte inteira roda
(servidores, gerador de carga, memória, corretor, gráficos) e que o relatório sai completo.
"""

import json
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_S = 180  # folga para a máquina de CI carregada; parada, a configuração rápida leva ~30 s
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_bench_quick_writes_report_with_plots(tmp_path):
    out = tmp_path / "BENCHMARKS.md"
    done = subprocess.run([sys.executable, "-m", "bench", "--quick", "--out", str(out)], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=TIMEOUT_S)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]

    report = out.read_text(encoding="utf-8")
    for heading in ("## Metas", "## 1. O caminho de streaming", "## 2. O joelho", "## 3. Onde vai a CPU",
                    "## 4. Memória", "## 5. O corretor", "## 6. Enxurrada de logins", "## 7. Metas não cumpridas"):
        assert heading in report
    images = [line.split("](img/")[1].rstrip(")") for line in report.splitlines() if "](img/" in line]
    assert len(images) >= 7, images
    for name in images:
        assert (tmp_path / "img" / name).read_bytes().startswith(PNG_SIGNATURE), name

    results = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    reference = results["streaming"]["referencia"]["1"]
    assert reference["errors"]["median"] == 0 and reference["ttft_p50"]["median"] > 0
    assert results["grader"]["days"]["dia01"]["runs"][0]["score"] == 100
    flood = results["login_flood"]["contenders"]["referencia"]["rounds"]
    assert [sum(r["statuses"].values()) for r in flood] == [10, 10] and all(r["health"]["n"] > 0 for r in flood)
