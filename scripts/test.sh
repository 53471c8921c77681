#!/usr/bin/env bash
# Run hubfork's test suite from nothing: makes .venv, installs, lints, runs pytest.
# Extra arguments go to pytest (e.g. `bash scripts/test.sh -k registry`; `-m "not slow"` is the developer
# lane, CONTRIBUTING.md; a later `-n 0` runs in this one process).
set -euo pipefail
source "$(dirname "$0")/env.sh"
# Lint first (ruff: pyflakes, pycodestyle, isort; settings in pyproject.toml): seconds, and a
# failure names file, line and rule.
ruff check --no-cache .
# Two workers (pytest-xdist), a test file per worker at a time so that a module's fixtures are built once;
# tests/fixtures/lanes.py hands out the longest modules first.
python -m pytest -n 2 --dist loadfile "$@"
