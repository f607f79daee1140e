"""As verificações, o venv e `common/` não podem mudar durante uma correção: se mudarem, ela não vale.

Um aluno sem sandbox consegue escrever um `conftest.py` em `tests/dia03/`, um `.pth` no site-packages
ou um `.pyc` num `__pycache__`: código que rodaria no próprio corretor, nesta ou na próxima correção.
Antes de o servidor do aluno subir, o corretor tira uma "foto" (lstat de cada entrada: inode, tamanho,
mtime e ctime; o ctime ninguém consegue voltar atrás) e, no fim, compara. O corretor não escreve
bytecode (`sys.dont_write_bytecode`), então qualquer `.pyc` novo é de outra pessoa.

A pasta de onde o corretor foi chamado (sem sandbox) só importa por estar no `sys.path`: nela, só conta o
que o Python importaria (módulos e pastas novas); o resto de uma pasta movimentada, como a `/tmp`, não.
"""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Iterable
from pathlib import Path

Snapshot = dict[str, tuple[int, int, int, int, int]]
MAX_SHOWN = 5
IMPORTABLE_SUFFIXES = (".py", ".pyc", ".pth", ".so", ".pyd")


class TamperedError(Exception):
    """Alguma pasta vigiada mudou durante a correção."""


def snapshot(root: Path, recursive: bool = True, bytecode: bool = True) -> Snapshot:
    """(inode, modo, tamanho, mtime, ctime) de cada entrada debaixo de `root`, sem seguir links.

    `bytecode=False` deixa de fora os `__pycache__` (com o sandbox, o aluno nem os alcança, e quem roda
    os testes do projeto pode estar compilando módulos ao mesmo tempo)."""
    found: Snapshot = {}
    pending = [str(root)]
    while pending:
        folder = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if not bytecode and entry.name == "__pycache__":
                continue
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            found[entry.path] = (info.st_ino, info.st_mode, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
            if recursive and stat.S_ISDIR(info.st_mode):
                pending.append(entry.path)
    if os.path.lexists(root):
        info = os.lstat(root)
        found[str(root)] = (info.st_ino, info.st_mode, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
    return found


def importable_entries(folder: Path) -> Snapshot:
    """As entradas de `folder` que um `import` acharia com ela no `sys.path`: módulos (pelo lstat inteiro)
    e pastas, que podem ser pacotes (só a existência: quem escreve dentro delas não é da conta do corretor)."""
    found: Snapshot = {}
    for path, info in snapshot(folder, recursive=False).items():
        if path == str(folder):
            continue
        if stat.S_ISDIR(info[1]):
            found[path] = (info[0], info[1], 0, 0, 0)
        elif path.endswith(IMPORTABLE_SUFFIXES):
            found[path] = info
    return found


def differences(before: Snapshot, after: Snapshot) -> list[str]:
    """As mudanças, em pt-BR: "novo: ...", "removido: ...", "alterado: ..."."""
    changes = [f"novo: {path}" for path in sorted(after.keys() - before.keys())]
    changes += [f"removido: {path}" for path in sorted(before.keys() - after.keys())]
    changes += [f"alterado: {path}" for path in sorted(before.keys() & after.keys()) if before[path] != after[path]]
    return changes


class Tripwire:
    """Foto de várias pastas agora; `check()` levanta TamperedError se alguma mudou."""

    def __init__(self, folders: Iterable[Path], shallow: Iterable[Path] = (), bytecode: bool = True,
                 on_path: Iterable[Path] = ()) -> None:
        self.roots = [(Path(f), True) for f in folders] + [(Path(f), False) for f in shallow]
        self.on_path = [Path(f) for f in on_path]  # só o que o Python importaria (veja importable_entries)
        self.bytecode = bytecode
        self.before: Snapshot = {}
        # A foto do venv leva ~0,1 s: ela é tirada numa thread, enquanto as verificações carregam.
        self._taking = threading.Thread(target=lambda: self.before.update(self._take()), daemon=True)
        self._taking.start()

    def wait(self) -> None:
        """Espera a foto ficar pronta: chame antes de o código do aluno rodar."""
        self._taking.join()

    def _take(self) -> Snapshot:
        taken: Snapshot = {}
        for root, recursive in self.roots:
            taken.update(snapshot(root, recursive, self.bytecode))
        for folder in self.on_path:
            taken.update(importable_entries(folder))
        return taken

    def check(self) -> None:
        self.wait()
        changes = differences(self.before, self._take())
        if changes:
            shown = changes[:MAX_SHOWN] + ([f"... e mais {len(changes) - MAX_SHOWN}"] if len(changes) > MAX_SHOWN else [])
            raise TamperedError("\n".join(shown))
