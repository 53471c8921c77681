#!/usr/bin/env bash
# Run hubfork's test suite from nothing: makes .venv, installs, runs pytest.
# Extra arguments go to pytest (e.g. `bash scripts/test.sh -k registry`).
set -euo pipefail
source "$(dirname "$0")/env.sh"
python -m pytest "$@"
