"""Resultado de cada verificação e da correção inteira (o formato do --json)."""

from __future__ import annotations

from dataclasses import dataclass, field

PASS, FAIL, SKIP, TIMEOUT, ERROR = "pass", "fail", "skip", "timeout", "error"
GUIDE = "GUIA_APRENDIZADO.md"
NOT_ATTEMPTED = "não tentado"  # começo da mensagem de um extra que o aluno nem começou (rota 404/501)


def hint_link(hint: str) -> str | None:
    return f"{GUIDE}#{hint}" if hint else None


@dataclass
class CheckResult:
    id: str
    title: str
    status: str
    max_points: float
    extra: bool = False
    message: str | None = None
    hint: str | None = None  # já como link: GUIA_APRENDIZADO.md#dia3-passo5
    duration_s: float = 0.0

    @property
    def points(self) -> float:
        return self.max_points if self.status == PASS else 0

    @property
    def not_attempted(self) -> bool:
        return self.status == SKIP and (self.message or "").startswith(NOT_ATTEMPTED)

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "status": self.status,
            "points": self.points,
            "max_points": self.max_points,
            "extra": self.extra,
            "message": self.message,
            "hint": self.hint,
        }


@dataclass
class Report:
    day: str
    submission: str
    checks: list[CheckResult] = field(default_factory=list)
    duration_s: float = 0.0
    sandbox: str | None = None  # "bwrap", "user" ou "none" (None no modo --url: o corretor não subiu nada)
    warnings: list[str] = field(default_factory=list)  # avisos para todo relatório (ex.: "sem sandbox")

    def _total(self, extra: bool, attr: str) -> float:
        return sum(getattr(c, attr) for c in self.checks if c.extra == extra)

    @property
    def score(self) -> float:
        return self._total(False, "points")

    @property
    def max_score(self) -> float:
        return self._total(False, "max_points")

    @property
    def extras_score(self) -> float:
        return self._total(True, "points")

    @property
    def extras_max_score(self) -> float:
        return self._total(True, "max_points")

    @property
    def core_failed(self) -> bool:
        """Alguma verificação do núcleo falhou? (pulada por falta de SECRET_KEY/LLM no --url não conta)."""
        return any(c.status in (FAIL, TIMEOUT, ERROR) for c in self.checks if not c.extra)

    @classmethod
    def from_dict(cls, data: dict) -> Report:
        checks = [
            CheckResult(id=c["id"], title=c["title"], status=c["status"], max_points=c["max_points"],
                        extra=c["extra"], message=c["message"], hint=c["hint"])
            for c in data["checks"]
        ]
        return cls(data["day"], data["submission"], checks, data.get("duration_s", 0.0),
                   data.get("sandbox"), list(data.get("warnings", [])))

    def to_dict(self) -> dict:
        return {
            "day": self.day,
            "submission": self.submission,
            "score": self.score,
            "max_score": self.max_score,
            "extras_score": self.extras_score,
            "extras_max_score": self.extras_max_score,
            "duration_s": round(self.duration_s, 3),
            "sandbox": self.sandbox,
            "warnings": self.warnings,
            "checks": [c.to_dict() for c in self.checks],
        }
