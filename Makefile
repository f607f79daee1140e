# Cada alvo tem um equivalente `python -m ...` (veja o README), para quem usa Windows sem make.
# Funciona da raiz e de dentro de uma pasta de dia (dia01/Makefile inclui este arquivo com DAY=dia01).
ROOT := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
PYTHON ?= python3
VENV_PY := .venv/bin/python
DAY ?= dia03
SUB ?= $(DAY)

.PHONY: setup setup-dev run test grade gradescope classroom50 vpl fake-llm clean bench

## make setup: .venv com o curso e o corretor (requirements.txt)
setup:
	@cd "$(ROOT)" && $(PYTHON) -m common.setup

## make setup-dev: + o que os testes do projeto e os benchmarks usam (requirements-dev.txt)
setup-dev:
	@cd "$(ROOT)" && $(PYTHON) -m common.setup --dev

## make run: prepara tudo e sobe a solução do Dia 3 com o fake LLM em http://127.0.0.1:8000
run: setup
	cd "$(ROOT)" && $(VENV_PY) -m common.run

## make test: prepara tudo e roda todos os testes do projeto
test: setup-dev
	cd "$(ROOT)" && $(VENV_PY) -m pytest

## make grade DAY=dia03 [SUB=pasta-ou-arquivo] [ONLY="id-ou-prefixo ..."]: corrige uma entrega (padrão: a sua pasta do dia)
# Nota abaixo de 100 sai com código 1 (útil em CI); a linha a mais explica o "Error 1" que o make imprime.
grade: setup
	@cd "$(ROOT)" && $(VENV_PY) -m common.grader $(DAY) $(SUB) $(foreach id,$(ONLY),--only $(id)) || { code=$$?; [ $$code -ne 1 ] || \
	  echo "(alguma verificação falhou: o corretor sai com 1, e o make avisa com o \"Error 1\" abaixo)"; exit $$code; }

## make gradescope DAY=dia03: gera dist/gradescope-$(DAY).zip para o Gradescope
gradescope: setup
	cd "$(ROOT)" && $(VENV_PY) -m common.grader.gradescope $(DAY)

## make classroom50 DAY=dia03: gera dist/classroom50/$(DAY)/ (autograder.py + corretor) para o Classroom 50
classroom50: setup
	cd "$(ROOT)" && $(VENV_PY) -m common.grader.classroom50 $(DAY)

## make vpl DAY=dia03: gera dist/vpl/$(DAY)/ (arquivos de execução e pedidos) para o Moodle VPL
vpl: setup
	cd "$(ROOT)" && $(VENV_PY) -m common.grader.vpl $(DAY)

## make fake-llm: só o fake LLM, na porta 8001
fake-llm: setup
	cd "$(ROOT)" && $(VENV_PY) -m common.fake_llm --port 8001

## make bench: benchmarks (alguns minutos) → docs/BENCHMARKS.md e gráficos em docs/img/
bench: setup-dev
	cd "$(ROOT)" && $(VENV_PY) -m bench

clean:
	cd "$(ROOT)" && rm -rf .venv build dist *.egg-info
