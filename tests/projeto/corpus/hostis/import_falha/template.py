"""Entrega hostil: o import levanta uma exceção antes de criar o app."""
from fastapi import FastAPI

app = FastAPI()
raise RuntimeError("falha proposital no import da entrega hostil")
