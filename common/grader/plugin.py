"""Plugin pytest do corretor: lê as marcas @check, ordena por dependência, pula dependentes,
limita o tempo de cada verificação e do conjunto, e coleta os resultados.

As fixtures (api, llm, token...) ficam em `fixtures.py`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from . import fixtures
from .facets import FacetBook
from .outcomes import CheckTimeout, classify
from .results import ERROR, FAIL, PASS, SKIP, TIMEOUT, CheckResult, hint_link
from .target import Target

TAIL_LINES = 25  # o fim do traceback é o que importa
_DEPENDENCY_VERB = {FAIL: "falhou", SKIP: "foi pulada", TIMEOUT: "esgotou o tempo", ERROR: "deu erro"}


@dataclass(frozen=True)
class CheckSpec:
    id: str
    title: str
    points: float
    depends: tuple[str, ...]
    after: tuple[str, ...]
    hint: str
    timeout: float
    extra: bool

    def result(self, status: str, message: str | None = None, duration_s: float = 0.0,
               anchor: str | None = None) -> CheckResult:
        return CheckResult(
            id=self.id, title=self.title, status=status, max_points=self.points, extra=self.extra,
            message=message, hint=hint_link(anchor or self.hint), duration_s=duration_s,
        )


def _spec_of(item: pytest.Item) -> CheckSpec | None:
    mark = item.get_closest_marker("check")
    if mark is None:
        return None
    doc = (getattr(item, "obj", None).__doc__ or "").strip()
    return CheckSpec(title=doc.splitlines()[0].strip() if doc else "", **mark.kwargs)


class GraderPlugin:
    def __init__(self, target: Callable[[], Target], extras: bool, deadline: float, run_timeout: float,
                 only: tuple[str, ...] = ()) -> None:
        self._make_target = target  # sobe o servidor do aluno: só depois que as verificações carregaram
        self.target: Target | None = None
        self.extras = extras
        self.only = only  # --only: ids ou prefixos de id (vazio: todas)
        self.unmatched: list[str] = []  # os --only que não acharam verificação alguma
        self.available: list[str] = []  # os ids que existem (para a mensagem de erro do --only)
        self.deadline = deadline  # time.monotonic() em que a correção inteira precisa acabar
        self.run_timeout = run_timeout
        self.specs: list[CheckSpec] = []  # na ordem de execução
        self.problems: list[str] = []  # erros de autoria das verificações (o corretor não roda)
        self.startup_error: str | None = None  # o corretor não conseguiu subir o servidor do aluno
        self._by_node: dict[str, CheckSpec] = {}
        self._results: dict[str, CheckResult] = {}
        self._lock = threading.Lock()
        self._tail_shown = False
        self._current: str | None = None  # a verificação em andamento (se o pytest travar nela)
        self._setup_s = 0.0  # duração das fixtures da verificação em andamento (login etc.)
        self.facets = FacetBook(self._status_of)
        self._crashed_in: str | None = None  # a verificação em que o servidor caiu

    # -- coleta -------------------------------------------------------------

    def pytest_configure(self, config: pytest.Config) -> None:
        config.addinivalue_line("markers", "check(id, points, ...): verificação do corretor")
        config.stash[fixtures.FACETS_KEY] = self.facets

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.problems.append(f"erro ao carregar {report.nodeid}:\n{report.longreprtext[-3000:]}")

    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        specs = {item.nodeid: _spec_of(item) for item in items}
        self._check_authoring(items, specs)
        if self.problems:
            chosen = []
        elif self.only:
            chosen = self._selected(items, specs)
        else:
            chosen = [i for i in items if self.extras or not specs[i.nodeid].extra]
        ordered = self._order(chosen, specs)
        config.hook.pytest_deselected(items=[item for item in items if item not in ordered])
        items[:] = ordered
        self._by_node = {item.nodeid: specs[item.nodeid] for item in ordered}
        self.specs = list(self._by_node.values())

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        """As verificações já carregaram: agora (e só agora) o código do aluno pode rodar."""
        if self.problems or not session.items:
            return
        try:
            self.target = self._make_target()
        except Exception as exc:  # noqa: BLE001 - o corretor não conseguiu subir o servidor: saída 2
            self.startup_error = f"{type(exc).__name__}: {exc}"
            session.items.clear()
            return
        session.config.stash[fixtures.TARGET_KEY] = self.target

    def _selected(self, items: list[pytest.Item], specs: dict[str, CheckSpec]) -> list[pytest.Item]:
        """--only: as verificações pedidas, as de que elas dependem e a que sobe o servidor."""
        ids = [specs[item.nodeid].id for item in items]
        self.available = ids
        wanted = {i for i in ids if i.endswith(".servidor_sobe")}
        for pattern in self.only:
            found = {i for i in ids if i == pattern or i.startswith(pattern)}
            if not found:
                self.unmatched.append(pattern)
            wanted |= found
        by_id = {specs[item.nodeid].id: specs[item.nodeid] for item in items}
        pending = list(wanted)
        while pending:  # as dependências das dependências também
            for dep in by_id[pending.pop()].depends:
                if dep not in wanted:
                    wanted.add(dep)
                    pending.append(dep)
        return [] if self.unmatched else [item for item in items if specs[item.nodeid].id in wanted]

    def _check_authoring(self, items: list[pytest.Item], specs: dict[str, CheckSpec | None]) -> None:
        seen: set[str] = set()
        for item in items:
            spec = specs[item.nodeid]
            if spec is None:
                self.problems.append(f"{item.nodeid}: função de teste sem @check(...)")
                continue
            if not spec.title:
                self.problems.append(f"{item.nodeid}: a verificação {spec.id} não tem docstring (o título)")
            if spec.id in seen:
                self.problems.append(f"{item.nodeid}: id repetido {spec.id}")
            seen.add(spec.id)
        for item in items:
            spec = specs[item.nodeid]
            for dep in (*spec.depends, *spec.after) if spec else ():
                if dep not in seen:
                    self.problems.append(f"{spec.id} depende de {dep}, que não existe")

    def _order(self, items: list[pytest.Item], specs: dict[str, CheckSpec]) -> list[pytest.Item]:
        """Ordem dos arquivos, mas cada verificação depois das que ela depende."""
        present = {specs[item.nodeid].id for item in items}
        placed: set[str] = set()
        ordered: list[pytest.Item] = []
        pending = list(items)
        while pending:
            ready = next(
                (item for item in pending
                 if all(d in placed or d not in present
                        for d in (*specs[item.nodeid].depends, *specs[item.nodeid].after))),
                None,
            )
            if ready is None:
                self.problems.append("dependência circular entre: " + ", ".join(specs[i.nodeid].id for i in pending))
                return ordered
            pending.remove(ready)
            placed.add(specs[ready.nodeid].id)
            ordered.append(ready)
        return ordered

    # -- execução -----------------------------------------------------------

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def not_run_message(self) -> str:
        return f"não executada: o tempo total da correção ({self.run_timeout:g} s) acabou"

    def interrupted_message(self) -> str:
        return f"interrompida: o tempo total da correção ({self.run_timeout:g} s) acabou"

    def _status_of(self, check_id: str) -> str | None:
        with self._lock:
            result = self._results.get(check_id)
        return result.status if result else None

    def _server_down(self) -> str | None:
        """Por que não adianta rodar mais verificações: o servidor não subiu ou caiu (None se está de pé)."""
        target = self.target
        if target.startup in ("saiu", "tempo_esgotado"):
            return "o servidor não subiu"
        if target.alive() is False:
            where = f" durante {self._crashed_in}" if self._crashed_in else ""
            return f"o servidor caiu{where}"
        if self.specs[0].id.endswith(".servidor_sobe") and self._status_of(self.specs[0].id) in (TIMEOUT, ERROR):
            return "o servidor não respondeu GET /health"
        return None

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        spec = self._by_node[item.nodeid]
        self._current = spec.id
        if self.remaining() <= 0:
            raise CheckTimeout(self.not_run_message())
        # Sem servidor não há o que medir: só a primeira verificação roda, e ela mostra o motivo.
        if spec is not self.specs[0] and (down := self._server_down()):
            pytest.skip(f"pulado: depende de {self.specs[0].id}: {down}")
        for dep in spec.depends:
            if dep not in {s.id for s in self.specs}:
                pytest.skip(f"pulado: depende de {dep}, que só roda com --extras")
            status = self._results[dep].status if dep in self._results else None
            if status != PASS:
                verb = _DEPENDENCY_VERB.get(status, "não rodou")
                pytest.skip(f"pulado: depende de {dep}, que {verb}")

    @pytest.hookimpl(tryfirst=True)
    def pytest_pyfunc_call(self, pyfuncitem: pytest.Function) -> bool:
        """Roda a verificação numa thread e desiste dela quando passa do tempo."""
        spec = self._by_node[pyfuncitem.nodeid]
        budget = min(spec.timeout, max(0.0, self.remaining()))
        names = pyfuncitem._fixtureinfo.argnames
        kwargs = {name: pyfuncitem.funcargs[name] for name in names}
        outcome: list[BaseException | None] = []

        def run() -> None:
            try:
                pyfuncitem.obj(**kwargs)
                outcome.append(None)
            except BaseException as exc:  # noqa: BLE001 - repassada à thread principal
                outcome.append(exc)

        worker = threading.Thread(target=run, name=f"check:{spec.id}", daemon=True)
        worker.start()
        worker.join(budget)
        if worker.is_alive():
            client = kwargs.get("api")
            if client is not None:
                client.close()  # desbloqueia a thread abandonada o quanto antes
            if budget < spec.timeout:
                raise CheckTimeout(self.interrupted_message())
            raise CheckTimeout(f"tempo esgotado: a verificação passou de {spec.timeout:g} s")
        if outcome[0] is not None:
            raise outcome[0]
        return True

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo):
        report = yield
        if call.when in ("setup", "call") and item.nodeid in self._by_node:
            if call.when == "setup":
                self._setup_s = call.duration
            if call.when == "call" or not report.passed:
                self._record(self._by_node[item.nodeid], call, report)
        return report

    def _record(self, spec: CheckSpec, call: pytest.CallInfo, report: pytest.TestReport) -> None:
        if report.passed:
            status, message = PASS, None
        elif report.skipped:
            status, message = SKIP, str(getattr(call.excinfo.value, "msg", call.excinfo.value))
        else:
            status, message = classify(call.excinfo.value)
        if status in (FAIL, TIMEOUT, ERROR):
            if self.target.alive() is False and self._crashed_in is None:
                self._crashed_in = spec.id
            message = self._with_server_output(message)
        notes = [f"Obs.: {note}" for note in self.facets.notes(spec.id)]
        if notes:
            message = "\n".join([message, *notes] if message else notes)
        anchor = getattr(call.excinfo.value, "anchor", None) if call.excinfo else None
        with self._lock:
            duration = call.duration + (self._setup_s if call.when == "call" else 0.0)
            self._results[spec.id] = spec.result(status, message, round(duration, 3), anchor)

    def _with_server_output(self, message: str) -> str:
        """Se o servidor não está de pé, a primeira falha mostra o porquê (o fim da saída dele)."""
        target = self.target
        down = target.startup in ("saiu", "tempo_esgotado") or target.alive() is False
        if self._tail_shown or not down:
            return message
        self._tail_shown = True
        if target.startup == "tempo_esgotado" and target.alive():
            why = "O servidor não respondeu GET /health dentro do tempo de subida."
        else:
            why = "O processo do servidor terminou."
        tail = "\n".join(target.stderr_tail().strip().splitlines()[-TAIL_LINES:]) or "(o servidor não escreveu nada)"
        return f"{message}\n{why} Últimas linhas da saída do servidor:\n{tail}"

    # -- resultados ---------------------------------------------------------

    def results(self) -> list[CheckResult]:
        """Os resultados na ordem de execução; o que não rodou sai como `timeout` (tempo total)."""
        with self._lock:
            done = dict(self._results)

        def unfinished(spec: CheckSpec) -> CheckResult:
            message = self.interrupted_message() if spec.id == self._current else self.not_run_message()
            return spec.result(TIMEOUT, message)

        return [done.get(spec.id) or unfinished(spec) for spec in self.specs]
