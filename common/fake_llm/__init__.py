"""Fake LLM do curso: servidor compatível com a API da OpenAI, offline e determinístico.

    from common.fake_llm import FakeLLMServer, make_marker

    with FakeLLMServer(delay_ms=5) as llm:
        ChatOpenAI(base_url=llm.base_url, api_key="x", model="gpt-4o-mini")
        llm.wait_for(nonce="abc", predicate=lambda e: e["status"] != "running")

Na linha de comando: `python -m common.fake_llm --port 8001`.
"""

from .app import create_app
from .client import FakeLLMClient
from .markers import make_marker, parse_marker
from .server import FakeLLMServer

__all__ = ["FakeLLMClient", "FakeLLMServer", "create_app", "make_marker", "parse_marker"]
