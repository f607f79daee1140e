"""Entrega hostil: erro de sintaxe (falta fechar o parêntese)."""
from fastapi import FastAPI

app = FastAPI(
