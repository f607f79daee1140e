"""O guia diz a verdade sobre o código que ele mostra.

- Um exemplo de conceito marcado com `<!-- exemplo: docs/exemplos/... -->` é igual, byte a byte, ao
  arquivo (que tem os seus próprios testes em tests/projeto/test_exemplos*.py).
- A solução dobrada de um passo (`<details><summary>Ver uma solução deste passo</summary>`) é código da
  solução de referência daquele dia: cada linha dela existe em solutions/diaNN/.
- Toda dica do corretor (o `hint=` de cada verificação e cada `anchor=` de uma causa) aponta para uma
  âncora que existe no guia.
"""

from __future__ import annotations

import re
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
GUIDE = (REPO_ROOT / "GUIA_APRENDIZADO.md").read_text(encoding="utf-8")
ANCHORS = set(re.findall(r'<a id="([\w-]+)"></a>', GUIDE))
EXAMPLE = re.compile(r"<!-- exemplo: (\S+) -->\s*```python\n(.*?)^```", re.S | re.M)
FOLDED = re.compile(r"<details><summary>Ver uma solução deste passo</summary>(.*?)</details>", re.S)
CODE = re.compile(r"^(```|~~~)python\n(.*?)^\1", re.S | re.M)  # cercas no começo da linha
DAY_HEADING = re.compile(r"^## Dia (\d)\b", re.M)
ELISION = {"...", "# ..."}  # uma linha que pula um trecho da solução


def day_at(position: int) -> str | None:
    """O dia (dia01, dia02, dia03) da seção do guia em que `position` está."""
    headings = [(m.start(), m.group(1)) for m in DAY_HEADING.finditer(GUIDE) if m.start() < position]
    return f"dia0{headings[-1][1]}" if headings else None


def solution_lines(day: str) -> set[str]:
    return {line.rstrip() for path in (REPO_ROOT / "solutions" / day).glob("*.py")
            for line in path.read_text(encoding="utf-8").splitlines()}


def folded_blocks() -> list[tuple[str, str]]:
    """(dia, código) de cada bloco python dentro das soluções dobradas."""
    return [(day_at(fold.start()), code) for fold in FOLDED.finditer(GUIDE) for _, code in CODE.findall(fold.group(1))]


def test_exemplos_do_guia_sao_os_arquivos():
    examples = EXAMPLE.findall(GUIDE)
    assert {path.split("/")[2] for path, _ in examples} == {"dia1", "dia2", "dia3"}, "cada dia tem exemplos"
    for path, code in examples:
        assert (REPO_ROOT / path).read_text(encoding="utf-8") == code, f"o bloco do guia e {path} divergem"


def test_solucao_dobrada_e_codigo_da_solucao():
    blocks = folded_blocks()
    assert blocks, "nenhuma solução dobrada no guia"
    for day, code in blocks:
        assert day, f"solução dobrada fora da seção de um dia:\n{code[:200]}"
        known = solution_lines(day)
        missing = [line for line in code.splitlines()
                   if line.strip() and line.strip() not in ELISION and line.rstrip() not in known]
        assert not missing, f"linhas que não estão em solutions/{day}/:\n" + "\n".join(missing)


def grader_anchors() -> set[str]:
    """As âncoras das dicas do corretor: hint= das verificações e anchor= das causas."""
    found = set()
    for path in (REPO_ROOT / "tests").glob("dia0*/test_*.py"):
        found |= set(re.findall(r'\b(?:hint|anchor)="([\w-]+)"', path.read_text(encoding="utf-8")))
    return found


def test_toda_dica_do_corretor_aponta_uma_ancora_que_existe():
    anchors = grader_anchors()
    assert {"dia1-passo2", "dia3-chunks-vazios"} <= anchors  # a extração acha as duas formas
    assert anchors <= ANCHORS, f"âncoras que faltam no guia: {sorted(anchors - ANCHORS)}"
