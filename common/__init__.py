"""Infraestrutura compartilhada do curso: configuração, auth de referência, fake LLM, corretor e cliente."""
