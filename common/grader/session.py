"""Uma correção completa: sobe o alvo, roda as verificações do dia (pytest) e monta o relatório."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from common.config import REPO_ROOT

from .integrity import TamperedError, Tripwire
from .launcher import LaunchOptions, SubmissionError, external, launch
from .redact import redact_report, redactor
from .results import Report
from .sandbox import AUTO, BWRAP, Isolation, SandboxUnavailable, choose
from .target import Target

DAYS = ("dia01", "dia02", "dia03")
LLM_DAYS = {"dia03"}  # nos outros dias o fake LLM só sobe se alguma verificação pedir
TEARDOWN_GRACE_S = 2.0
PYTEST_INI = Path(__file__).with_name("pytest.ini")  # a configuração do pytest do corretor (nenhuma outra é lida)


class GraderError(Exception):
    """O corretor não conseguiu rodar (erro de uso ou das verificações): código de saída 2."""


@dataclass(frozen=True)
class GradeOptions:
    day: str
    submission: Path | None = None
    url: str | None = None
    llm_url: str | None = None
    extras: bool = False
    checks_dirs: tuple[Path, ...] = field(default_factory=tuple)
    startup_timeout: float = 20.0
    run_timeout: float = 180.0
    sandbox: str = AUTO
    only: tuple[str, ...] = ()  # --only: ids ou prefixos de id (vazio: todas as verificações)


def checks_dir(day: str) -> Path:
    return REPO_ROOT / "tests" / day


def _check_folders(options: GradeOptions) -> list[Path]:
    folders = [checks_dir(options.day), *options.checks_dirs]
    for folder in folders:
        if not folder.is_dir():
            raise GraderError(f"pasta de verificações não encontrada: {folder}")
    return folders


def _pytest_args(options: GradeOptions) -> list[str]:
    return [
        # Sem plugins instalados por pacotes (ex.: o do langsmith): mais rápido e sem surpresas. Só a nossa
        # configuração (-c) e nenhum conftest.py descoberto: só o que veio com as verificações (_shipped_conftests).
        *map(str, _check_folders(options)), "-q", "-p", "no:cacheprovider", "--import-mode=importlib",
        "--disable-plugin-autoload", "--noconftest", "-c", str(PYTEST_INI), "--capture=sys", "--rootdir", str(REPO_ROOT),
    ]


def _shipped_conftests(options: GradeOptions) -> list[object]:
    """Os conftest.py das pastas --checks do professor, carregados como plugins (nada é descoberto sozinho)."""
    modules = []
    for index, path in enumerate(p for folder in options.checks_dirs for p in sorted(folder.rglob("conftest.py"))):
        spec = importlib.util.spec_from_file_location(f"corretor_conftest_{index}", path)
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
        except Exception as exc:  # noqa: BLE001 - um conftest quebrado é erro das verificações
            raise GraderError(f"erro ao carregar {path}: {type(exc).__name__}: {exc}") from exc
        modules.append(module)
    return modules


def _preload() -> None:
    import pytest  # noqa: F401

    from . import fixtures, plugin  # noqa: F401


def _run_pytest(options: GradeOptions, target: Callable[[], Target], deadline: float):
    """Roda o pytest numa thread; se ele não acabar até o prazo (+ folga), seguimos sem ele.

    As verificações carregam primeiro; `target()` (que sobe o servidor do aluno, se ainda não subiu)
    só é chamado depois, pelo plugin, quando a coleta terminou.
    """
    import pytest  # importado aqui: com o bwrap, o servidor do aluno já está subindo enquanto isso

    from . import fixtures
    from .plugin import GraderPlugin

    plugin = GraderPlugin(target, options.extras, deadline, options.run_timeout, options.only)
    args = _pytest_args(options)
    conftests = _shipped_conftests(options)
    output = io.StringIO()
    exit_code: list[object] = []

    def run() -> None:
        with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
            exit_code.append(pytest.main(args, plugins=[plugin, fixtures, *conftests]))

    saved_streams = sys.stdout, sys.stderr
    worker = threading.Thread(target=run, name="corretor-pytest", daemon=True)
    worker.start()
    try:
        worker.join(max(0.0, deadline - time.monotonic()) + TEARDOWN_GRACE_S)
    except BaseException:  # Ctrl+C/SIGTERM no meio: a mensagem de saída não pode ir para a captura do pytest
        sys.stdout, sys.stderr = saved_streams
        raise
    if worker.is_alive():  # travou fora de uma verificação (ex.: numa fixture): desistimos dele
        sys.stdout, sys.stderr = saved_streams  # o pytest ainda estaria capturando a saída
        if not plugin.specs:
            raise GraderError(f"as verificações não terminaram de carregar em {options.run_timeout:g} s")
    if plugin.problems:
        raise GraderError("as verificações têm problemas:\n" + "\n".join(plugin.problems))
    if plugin.unmatched:
        raise GraderError(f"--only: nenhuma verificação de {options.day} tem o id ou começa com "
                          f"{', '.join(map(repr, plugin.unmatched))}. As verificações: {', '.join(plugin.available)}")
    if plugin.startup_error:
        raise GraderError(f"o corretor não conseguiu subir o servidor do aluno: {plugin.startup_error}")
    if exit_code and not plugin.specs:
        raise GraderError(f"nenhuma verificação encontrada para {options.day}.\n{output.getvalue()[-2000:]}")
    return plugin.results()


def _isolation(options: GradeOptions) -> Isolation:
    """Como o servidor vai rodar; o aviso (se houver) vai para o topo de todo relatório."""
    try:
        return choose(options.sandbox)
    except SandboxUnavailable as exc:
        raise GraderError(str(exc)) from exc


def _tripwire(options: GradeOptions, isolation: Isolation) -> Tripwire:
    """O que não pode mudar: as verificações e common/ sempre; sem o bwrap, também o venv e a raiz do repositório."""
    watched = [*_check_folders(options), REPO_ROOT / "common"]
    if isolation.kind == BWRAP:  # o aluno não enxerga nada disso; o venv está montado só-leitura
        return Tripwire(watched, bytecode=False)
    cwd = Path.cwd()
    on_path = [] if cwd.resolve() == REPO_ROOT.resolve() else [cwd]  # a pasta de onde se chamou está no sys.path
    return Tripwire([*watched, Path(sys.prefix)], shallow=[REPO_ROOT], on_path=on_path)


def grade(options: GradeOptions) -> Report:
    """Corrige uma entrega (ou um servidor externo com --url) e devolve o relatório, já sem segredos."""
    if options.day not in DAYS:
        raise GraderError(f"dia inválido: {options.day!r} (use {', '.join(DAYS)})")
    sys.dont_write_bytecode = True  # assim, qualquer .pyc novo nas pastas vigiadas é de outra pessoa
    started = time.monotonic()
    deadline = started + options.run_timeout
    # Importa o pytest e as verificações enquanto o servidor do aluno sobe (em paralelo).
    threading.Thread(target=_preload, daemon=True).start()
    isolation, tripwire = None, None
    try:
        if options.url:
            checks = _grade_external(options, deadline)
        else:
            isolation = _isolation(options)
            tripwire = _tripwire(options, isolation)
            checks = _grade_launched(options, isolation, tripwire, deadline)
    except SubmissionError as exc:
        raise GraderError(str(exc)) from exc
    finally:
        _verify(tripwire)
    report = Report(options.day, str(options.url or options.submission), checks, time.monotonic() - started,
                    sandbox=isolation.kind if isolation else None,
                    warnings=_warnings(options, isolation))
    return redact_report(report)


def _warnings(options: GradeOptions, isolation: Isolation | None) -> list[str]:
    warnings = [isolation.warning] if isolation and isolation.warning else []
    if options.only:
        warnings.append(f"correção parcial (--only {' '.join(options.only)}): só essas verificações (e as de que "
                        "elas dependem) rodaram; a nota abaixo não é a nota do dia.")
    return warnings


def _grade_external(options: GradeOptions, deadline: float):
    with external(options.url, options.llm_url, options.extras) as target:
        return _run_pytest(options, lambda: target, deadline)


def _grade_launched(options: GradeOptions, isolation: Isolation, tripwire: Tripwire, deadline: float):
    eager_llm = options.day in LLM_DAYS or options.extras
    launch_options = LaunchOptions(options.submission, options.extras, options.startup_timeout, eager_llm, isolation)
    with launch(launch_options) as launched:
        if launched.early:  # com o bwrap, o servidor sobe enquanto as verificações carregam
            tripwire.wait()
            launched.start()

        def target() -> Target:
            tripwire.wait()  # a foto das pastas vigiadas fica pronta antes de o código do aluno rodar
            return launched.target()

        return _run_pytest(options, target, deadline)


def _verify(tripwire: Tripwire | None) -> None:
    if tripwire is None:
        return
    try:
        tripwire.check()
    except TamperedError as exc:
        raise GraderError(
            "as verificações, o venv ou common/ mudaram durante a correção, e esta nota não vale.\n"
            f"{redactor()(str(exc))}\nConfira essas pastas (git status) antes de corrigir de novo: um código "
            "plantado ali rodaria dentro do corretor. Corrija com o sandbox ligado (--sandbox on)."
        ) from exc
