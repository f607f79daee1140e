"""Nada secreto num relatório, mesmo com o sandbox desligado: um lugar só para tirar segredos do texto.

O corretor cita corpos de resposta e o fim da saída do servidor nas mensagens; um aluno pode pôr ali
o que achou. Antes de qualquer escritor (terminal, --json, --gradescope, --junit, feedback, notas.csv),
o `Report` passa por `redact_report` e os relatórios da turma por `redact_data`. Some do texto:
- o valor de toda variável do ambiente do corretor cujo nome parece segredo (KEY, TOKEN, SECRET...);
- todo valor do `.env` do repositório (e do `.env` da pasta atual), menos os de exemplo do `.env.example`;
- qualquer coisa com cara de chave de provedor (`sk-...`, `ghp_...`, `AKIA...`...).
A chave falsa do corretor e a SECRET_KEY aleatória de cada correção não são do professor: ficam.

Também some o começo de um segredo que o corretor cortou ao truncar um valor longo ("sk-abc…").
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from urllib.parse import quote

from common.config import FAKE_API_KEY, REPO_ROOT

MASK = "[segredo removido]"
SECRET_NAME = re.compile(r"KEY|TOKEN|SECRET|PASSW|SENHA|CREDENTIAL|PRIVATE", re.IGNORECASE)
MIN_SECRET_CHARS = 6  # valores curtos ("30", "true") não são segredo e apagá-los estragaria as mensagens
MIN_CUT_CHARS = 6  # quanto de um segredo cortado ("sk-abc…") já conta como vazamento
PROVIDER_KEY = re.compile(
    r"sk-[A-Za-z0-9_\-]{16,}"  # OpenAI, Anthropic (sk-ant-...), DeepSeek, OpenRouter (sk-or-...)
    r"|sk_(?:live|test)_[A-Za-z0-9]{16,}"  # Stripe
    r"|gh[opsur]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}"  # GitHub
    r"|glpat-[A-Za-z0-9_\-]{20,}"  # GitLab
    r"|xox[abprs]-[A-Za-z0-9\-]{10,}"  # Slack
    r"|AKIA[0-9A-Z]{16}"  # AWS
    r"|AIza[0-9A-Za-z_\-]{35}"  # Google
    r"|hf_[A-Za-z0-9]{30,}"  # Hugging Face
    r"|gsk_[A-Za-z0-9]{30,}"  # Groq
    r"|lsv2_[a-z]{2}_[A-Za-z0-9_]{20,}"  # LangSmith
)
CUT_MARKS = ("…", "...")


class Redactor:
    """`redactor(texto)` devolve o texto sem os segredos conhecidos nem chaves com cara de chave."""

    def __init__(self, secrets: Iterable[str], allowed: Iterable[str] = ()) -> None:
        self.allowed = {value for value in allowed if value}
        values = {value for value in secrets if len(value) >= MIN_SECRET_CHARS and value not in self.allowed}
        # Os mais longos primeiro: um segredo que contém outro some inteiro.
        self.secrets = sorted(values, key=len, reverse=True)
        variants = {variant for value in self.secrets for variant in _variants(value)}
        ordered = sorted(variants, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, ordered))) if ordered else None

    def __call__(self, text: str | None) -> str | None:
        if not text:
            return text
        if self._pattern is not None:
            text = self._pattern.sub(MASK, text)
        text = PROVIDER_KEY.sub(lambda m: m.group(0) if m.group(0) in self.allowed else MASK, text)
        return self._cut_prefixes(text)

    def _cut_prefixes(self, text: str) -> str:
        """Tira o pedaço de um segredo que ficou logo antes de uma marca de corte ("…")."""
        for mark in CUT_MARKS:
            position = text.find(mark)
            while position != -1:
                start = self._cut_start(text, position)
                if start is not None:
                    text = text[:start] + MASK + text[position:]
                    position = start + len(MASK)
                position = text.find(mark, position + len(mark))
        return text

    def _cut_start(self, text: str, end: int) -> int | None:
        for secret in self.secrets:
            for size in range(min(len(secret) - 1, end), MIN_CUT_CHARS - 1, -1):
                if text[end - size:end] == secret[:size]:
                    return end - size
        return None


def _variants(value: str) -> set[str]:
    """O valor como aparece cru, dentro de um JSON e numa URL."""
    return {value, json.dumps(value)[1:-1], quote(value, safe="")}


def _dotenv_values(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    from dotenv import dotenv_values

    return {key: value for key, value in dotenv_values(path).items() if value}


def collect_secrets(environ: Mapping[str, str], dotenv_files: Iterable[Path], example: Path | None) -> set[str]:
    """Os valores que nunca podem sair num relatório."""
    public = set(_dotenv_values(example).values()) if example else set()
    found = {value for name, value in environ.items() if SECRET_NAME.search(name)}
    for path in dotenv_files:
        found |= {value for value in _dotenv_values(path).values() if value not in public}
    return found


def grader_allowed() -> set[str]:
    """O que é do próprio corretor e pode aparecer: a chave falsa e a chave falsa do curso."""
    from .launcher import FAKE_OPENAI_KEY

    return {FAKE_OPENAI_KEY, FAKE_API_KEY}


@functools.lru_cache(maxsize=1)
def redactor() -> Redactor:
    """O redator desta execução do corretor (ambiente de agora, .env do repositório e da pasta atual)."""
    dotenvs = [REPO_ROOT / ".env", Path.cwd() / ".env"]
    secrets = collect_secrets(os.environ, dotenvs, REPO_ROOT / ".env.example")
    return Redactor(secrets, grader_allowed())


def redact_report(report, redact: Redactor | None = None):
    """Um Report igual, com mensagens, títulos e dicas sem segredos."""
    redact = redact or redactor()
    checks = [dataclasses.replace(c, message=redact(c.message), title=redact(c.title), hint=redact(c.hint))
              for c in report.checks]
    return dataclasses.replace(report, checks=checks, submission=redact(report.submission),
                               warnings=[redact(w) for w in report.warnings])


def redact_data(data, redact: Redactor | None = None):
    """Qualquer estrutura de JSON (o relatório de uma entrega no modo turma), com todas as strings redigidas."""
    redact = redact or redactor()
    if isinstance(data, str):
        return redact(data)
    if isinstance(data, list):
        return [redact_data(item, redact) for item in data]
    if isinstance(data, dict):
        return {key: redact_data(value, redact) for key, value in data.items()}
    return data
