# Cada alvo tem um equivalente `python -m ...` (veja o README), para quem usa Windows sem make.
PYTHON ?= python3
VENV_PY := .venv/bin/python
DAY ?= dia03
SUB ?= $(DAY)

.PHONY: setup setup-dev run test grade gradescope classroom50 vpl fake-llm clean bench

## make setup: .venv com o curso e o corretor (requirements.txt)
setup:
	@$(PYTHON) -m common.setup

## make setup-dev: + o que os testes do projeto e os benchmarks usam (requirements-dev.txt)
setup-dev:
	@$(PYTHON) -m common.setup --dev

## make run: prepara tudo e sobe a solução do Dia 3 com o fake LLM em http://127.0.0.1:8000
run: setup
	$(VENV_PY) -m common.run

## make test: prepara tudo e roda todos os testes do projeto
test: setup-dev
	$(VENV_PY) -m pytest

## make grade DAY=dia03 [SUB=pasta-ou-arquivo]: corrige uma entrega (padrão: a sua pasta do dia)
grade: setup
	$(VENV_PY) -m common.grader $(DAY) $(SUB)

## make gradescope DAY=dia03: gera dist/gradescope-$(DAY).zip para o Gradescope
gradescope: setup
	$(VENV_PY) -m common.grader.gradescope $(DAY)

## make classroom50 DAY=dia03: gera dist/classroom50/$(DAY)/ (autograder.py + corretor) para o Classroom 50
classroom50: setup
	$(VENV_PY) -m common.grader.classroom50 $(DAY)

## make vpl DAY=dia03: gera dist/vpl/$(DAY)/ (arquivos de execução e pedidos) para o Moodle VPL
vpl: setup
	$(VENV_PY) -m common.grader.vpl $(DAY)

## make fake-llm: só o fake LLM, na porta 8001
fake-llm: setup
	$(VENV_PY) -m common.fake_llm --port 8001

## make bench: benchmarks (alguns minutos) → docs/BENCHMARKS.md e gráficos em docs/img/
bench: setup-dev
	$(VENV_PY) -m bench

clean:
	rm -rf .venv build dist *.egg-info
