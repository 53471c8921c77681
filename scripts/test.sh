#!/usr/bin/env bash
# Run hubfork's test suite from nothing: makes .venv, installs, lints, runs pytest.
# Extra arguments go to pytest (e.g. `bash scripts/test.sh -k registry`).
set -euo pipefail
source "$(dirname "$0")/env.sh"
# Lint first (ruff: pyflakes, pycodestyle, isort; settings in pyproject.toml): seconds, and a
# failure names file, line and rule.
ruff check --no-cache .
python -m pytest "$@"
