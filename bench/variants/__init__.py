"""Os servidores medidos: a solução de referência e variações dela, cada uma num processo uvicorn.

Cada variação importa a solução de referência (solutions/dia03/template.py) e troca só uma peça:
o ajudante de SSE, ou a forma de chamar o LLM. Assim, a diferença medida é a dessa peça.
"""
