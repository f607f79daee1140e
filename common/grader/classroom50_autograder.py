#!/usr/bin/env python3
"""Autograder do curso "FastAPI + LangChain em 3 dias" para o Classroom 50.

Este arquivo vira o `autograder.py` da pasta CLASSROOM/autograders/TAREFA/ (gerada por
`make classroom50 DAY=diaNN`; não edite à mão). O runner do Classroom 50 o roda uma vez por
entrega, na pasta do repositório do aluno, com CLASSROOM, ASSIGNMENT, SUBMISSION_TAG, COMMIT_URL,
RELEASE_URL, REVIEW_URL, OWNER... no ambiente. Ele:

1. arruma um Python com as dependências do corretor: uma venv em $RUNNER_TEMP com o
   requirements.txt deste pacote, ou o Python de CURSO_CORRETOR_PYTHON, se ela estiver definida
   (uma imagem de contêiner ou um runner próprio que já traz tudo instalado);
2. roda `python -m common.grader.classroom50 --run` a partir desta pasta: o corretor e as
   verificações vêm daqui, nunca do repositório do aluno.

Uma verificação que falha é nota, não erro: o código de saída só é diferente de 0 quando a
correção nem pôde rodar (o Classroom 50 registra a entrega como "error").
Só biblioteca padrão, e nada de sintaxe nova: precisa rodar até num Python antigo para explicar o erro.
"""

import os
import subprocess
import sys
import time
import venv
from pathlib import Path

BUNDLE = Path(__file__).resolve().parent
MIN_PYTHON = (3, 11)


def infrastructure_error(message):
    """Anota o erro no job e sai com 1: o Classroom 50 marca a entrega como erro, não como nota."""
    escaped = message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    print("::error title=Corretor do curso::" + escaped, flush=True)
    return 1


def venv_python(folder):
    return folder / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def grader_python():
    """O Python que roda o corretor: CURSO_CORRETOR_PYTHON, ou uma venv nova com o requirements.txt."""
    preset = os.environ.get("CURSO_CORRETOR_PYTHON")
    if preset:
        return preset
    if sys.version_info < MIN_PYTHON:
        raise RuntimeError(
            "o corretor precisa de Python %d.%d ou mais novo e o runner tem %d.%d; ponha "
            '"runtime": {"python": "3.11"} nesta tarefa do assignments.json' % (MIN_PYTHON + sys.version_info[:2]))
    started = time.monotonic()
    target = Path(os.environ.get("RUNNER_TEMP") or BUNDLE) / "curso-corretor-venv"
    venv.EnvBuilder(with_pip=True, clear=True).create(target)
    python = str(venv_python(target))
    # --no-compile: a venv vive uma correção só; compilar tudo de antemão custava ~10 s por entrega.
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile",
                    "-r", "requirements.txt"], cwd=BUNDLE, check=True)
    print("corretor: dependências instaladas em %.1f s" % (time.monotonic() - started), flush=True)
    return python


def main():
    try:
        python = grader_python()
    except (OSError, RuntimeError, subprocess.CalledProcessError) as exc:
        return infrastructure_error("não consegui preparar o Python do corretor: %s" % exc)
    command = [python, "-m", "common.grader.classroom50", "--run", "--workspace", os.getcwd()]
    code = subprocess.run(command, cwd=BUNDLE).returncode
    if code != 0:
        return infrastructure_error("o corretor não conseguiu corrigir esta entrega (código %d); veja o log acima" % code)
    return 0


if __name__ == "__main__":
    sys.exit(main())
