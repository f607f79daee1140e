"""Aspectos compartilhados entre verificações, para cada defeito ser cobrado uma vez só.

Um aspecto ("404 para um id que não existe", "o [DONE] no fim do stream") tem uma verificação dona,
que o mede e o registra. As outras verificações que tocam no mesmo aspecto perguntam antes de cobrar:
se a dona já viu o aspecto falhar, elas não cobram de novo e anotam por quê.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from .results import PASS


class FacetBook:
    """O que as donas registraram numa correção, e as observações de cada verificação."""

    def __init__(self, status_of: Callable[[str], str | None]) -> None:
        self._status_of = status_of  # status de uma verificação já rodada (None se não rodou)
        self._state: dict[str, bool] = {}
        self._notes: dict[str, list[str]] = {}
        self._lock = threading.Lock()

    def record(self, name: str, ok: bool) -> bool:
        with self._lock:
            self._state[name] = bool(ok)
        return bool(ok)

    def state(self, name: str, owner: str) -> bool | None:
        """True/False como a dona registrou; False também se a dona falhou antes de medir."""
        with self._lock:
            known = self._state.get(name)
        if known is not None:
            return known
        status = self._status_of(owner)
        return None if status in (None, PASS) else False

    def note(self, check_id: str, text: str) -> None:
        with self._lock:
            notes = self._notes.setdefault(check_id, [])
            if text not in notes:
                notes.append(text)

    def notes(self, check_id: str) -> list[str]:
        with self._lock:
            return list(self._notes.get(check_id, []))


class Facets:
    """A fixture `facets` de uma verificação: registra aspectos (dona) e consulta (as outras)."""

    def __init__(self, book: FacetBook, check_id: str) -> None:
        self._book = book
        self._check_id = check_id

    def record(self, name: str, ok: object) -> bool:
        """A dona registra se o aspecto funciona; devolve o mesmo booleano, para usar em seguida."""
        return self._book.record(name, bool(ok))

    def works(self, name: str, owner: str) -> bool:
        """Cobrar o aspecto aqui? Não, se a dona já viu ele falhar (fica uma observação)."""
        if self._book.state(name, owner) is False:
            self._book.note(self._check_id, f"{name}: não cobrado aqui, porque já é cobrado em {owner}, que falhou nisso.")
            return False
        return True

    def require(self, name: str, owner: str) -> None:
        """Pula a verificação quando ela não tem como medir nada sem o aspecto (que é cobrado na dona)."""
        if self._book.state(name, owner) is False:
            pytest.skip(f"pulado: depende de {name} ({owner}), que não funcionou aqui")
