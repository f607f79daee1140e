"""`python -m common.grader ...` — veja `python -m common.grader --help`."""

import sys

from .cli import main

sys.exit(main())
