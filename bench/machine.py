"""Em que máquina os números foram medidos: núcleos, CPU, Python, versões dos pacotes, data e carga."""

from __future__ import annotations

import os
import platform
import subprocess
from datetime import datetime
from importlib import metadata
from pathlib import Path

import psutil

from . import litellm_proxy

PACKAGES = ("fastapi", "starlette", "uvicorn", "sse-starlette", "langchain-core", "langchain-openai", "openai",
            "httpx", "httpx-sse")


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "não instalado"


def _cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text(errors="replace").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def _litellm_version() -> str | None:
    executable = litellm_proxy.find_executable()
    if executable is None:
        return None
    python = Path(executable).with_name("python")
    try:
        done = subprocess.run([str(python), "-c", "import importlib.metadata as m; print(m.version('litellm'))"],
                              capture_output=True, text=True, timeout=30, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip()


def load_average() -> str:
    try:
        return " / ".join(f"{value:.1f}" for value in os.getloadavg())
    except (AttributeError, OSError):  # Windows
        return "indisponível"


def describe() -> dict:
    packages = {name: _version(name) for name in PACKAGES}
    if litellm := _litellm_version():
        packages["litellm (ambiente à parte)"] = litellm
    return {
        "date": datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "cores": os.cpu_count(), "physical_cores": psutil.cpu_count(logical=False),
        "cpu": _cpu_model(), "memory_gb": psutil.virtual_memory().total / 2**30,
        "python": platform.python_version(), "os": f"{platform.system()} {platform.release()}",
        "packages": packages, "load_start": load_average(),
    }
