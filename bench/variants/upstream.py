"""O upstream de todos os contendores: o fake LLM num processo próprio (atraso via FAKE_LLM_DELAY_MS)."""

from common.fake_llm import create_app

app = create_app()
