"""O pacote do corretor que vai para cada plataforma (Gradescope, Classroom 50, Moodle VPL).

Um pacote leva o corretor (`common/`), as verificações do dia (`tests/DIA`), as verificações
ocultas do professor (`hidden_checks/`), o que as soluções leem a partir da raiz do curso (a página
do Dia 3 em `dia03/static/`), `requirements.txt`, `pyproject.toml` e um `corretor.json` dizendo o
que corrigir. Soluções e segredos nunca entram.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from common.config import REPO_ROOT

HIDDEN_CHECKS = "hidden_checks"
CONFIG_NAME = "corretor.json"
SKIPPED_PARTS = {"__pycache__", ".pytest_cache"}
# Pastas que nunca são a entrega: o ambiente, o git e as soluções de referência.
NOT_SUBMISSIONS = {".git", ".venv", "venv", "node_modules", "solutions", "__pycache__", HIDDEN_CHECKS}


@dataclass(frozen=True)
class BundleConfig:
    """O que o pacote corrige: o dia, se os extras contam e se há verificações ocultas."""

    day: str
    extras: bool = False
    hidden_checks: bool = False
    guide_url: str | None = None  # a pasta (URL) onde está o GUIA_APRENDIZADO.md: as dicas viram links

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)

    @classmethod
    def read(cls, bundle: Path) -> BundleConfig:
        data = json.loads((bundle / CONFIG_NAME).read_text(encoding="utf-8"))
        return cls(data["day"], bool(data.get("extras")), bool(data.get("hidden_checks")), data.get("guide_url"))

    def grader_args(self, bundle: Path) -> list[str]:
        """As opções do `python -m common.grader` que este pacote pede."""
        args = ["--extras"] if self.extras else []
        return args + (["--checks", str(bundle / HIDDEN_CHECKS)] if self.hidden_checks else [])


def _tree(root: Path) -> list[Path]:
    return [p for p in sorted(root.rglob("*")) if p.is_file() and p.suffix != ".pyc" and not SKIPPED_PARTS & set(p.parts)]


def source_files(day: str) -> list[Path]:
    """Os arquivos do curso que um pacote do dia leva (caminhos absolutos dentro de REPO_ROOT)."""
    files = [REPO_ROOT / "requirements.txt", REPO_ROOT / "pyproject.toml"]
    # dia03/static: a solução do Dia 3 serve a página a partir de REPO_ROOT/dia03/static.
    for root in (REPO_ROOT / "common", REPO_ROOT / "tests" / day, REPO_ROOT / day / "static"):
        if root.is_dir():
            files += _tree(root)
    return files


def _entries(config: BundleConfig, checks_dir: Path | None) -> Iterator[tuple[Path, str]]:
    """(arquivo de origem, caminho dentro do pacote) de tudo o que o pacote leva."""
    for path in source_files(config.day):
        yield path, path.relative_to(REPO_ROOT).as_posix()
    if checks_dir is not None:
        for path in _tree(checks_dir):
            yield path, f"{HIDDEN_CHECKS}/{path.relative_to(checks_dir).as_posix()}"


def _config(day: str, extras: bool, checks_dir: Path | None, guide_url: str | None) -> BundleConfig:
    if checks_dir is not None and not checks_dir.is_dir():
        raise FileNotFoundError(f"pasta de verificações ocultas não encontrada: {checks_dir}")
    if guide_url is not None and not guide_url.startswith(("https://", "http://")):
        raise ValueError(f"o endereço do guia precisa começar com https:// ({guide_url!r})")
    return BundleConfig(day, extras, checks_dir is not None, guide_url)


def copy_bundle(dest: Path, day: str, *, extras: bool = False, checks_dir: Path | None = None,
                guide_url: str | None = None) -> BundleConfig:
    """Copia o pacote do dia para a pasta `dest` (que é recriada)."""
    config = _config(day, extras, checks_dir, guide_url)
    shutil.rmtree(dest, ignore_errors=True)
    for source, name in _entries(config, checks_dir):
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    (dest / CONFIG_NAME).write_text(config.to_json() + "\n", encoding="utf-8")
    return config


def zip_bundle(out: Path, day: str, *, extras: bool = False, checks_dir: Path | None = None,
               guide_url: str | None = None) -> BundleConfig:
    """Grava o pacote do dia num .zip."""
    config = _config(day, extras, checks_dir, guide_url)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for source, name in _entries(config, checks_dir):
            archive.write(source, name)
        archive.writestr(CONFIG_NAME, config.to_json() + "\n")
    return config


def unzip_bundle(archive: Path, dest: Path) -> None:
    """Extrai um pacote sem deixar nenhum caminho sair de `dest` (nada de `../` nem absolutos)."""
    dest.mkdir(parents=True, exist_ok=True)
    root = dest.resolve()
    with zipfile.ZipFile(archive) as bundle:
        for member in bundle.infolist():
            target = (root / member.filename).resolve()
            if not target.is_relative_to(root):
                raise ValueError(f"caminho inválido no pacote: {member.filename}")
        bundle.extractall(root)


def find_day_submission(folder: Path, day: str) -> Path | None:
    """A entrega do dia numa pasta (um checkout do aluno ou uma entrega solta).

    Nesta ordem: `folder/DIA/template.py` (o repositório do curso inteiro), `folder/template.py`,
    o `template.py` mais raso fora de soluções e ambientes, e por fim o único `.py` da pasta.
    """
    for candidate in (folder / day, folder):
        if (candidate / "template.py").is_file():
            return candidate
    templates = sorted((p for p in folder.rglob("template.py") if not NOT_SUBMISSIONS & set(p.relative_to(folder).parts)),
                       key=lambda p: (len(p.parts), str(p)))
    if templates:
        return templates[0].parent
    scripts = [p for p in folder.glob("*.py") if p.is_file()]
    return scripts[0] if len(scripts) == 1 else None


def placeholder_submission(dest: Path, explanation: str) -> Path:
    """Uma "entrega" que só explica o que faltou: corrigida como qualquer outra, ela reprova
    `servidor_sobe` com `explanation` e pula o resto, e a nota sai com o total certo do dia."""
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "template.py").write_text(f"raise SystemExit({explanation!r})\n", encoding="utf-8")
    return dest
