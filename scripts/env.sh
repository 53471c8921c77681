# Sourced by run.sh and test.sh: make .venv (once) and install hubfork into it.
# Needs only Python 3.10+ and access to PyPI.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
VENV="${HUBFORK_VENV:-$ROOT/.venv}"
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
fi
# What to install: the test suite's everything (scripts/test.sh), or only what the main job runs
# (scripts/run.sh sets HUBFORK_INSTALL=main; scripts/install_main.py says what that is).
INSTALL="${HUBFORK_INSTALL:-test}"
# Reinstall only when the package definition changed since the last install; the test install holds the main one.
stamp_fresh() { [ -f "$VENV/.hubfork-installed-$1" ] && [ "$VENV/.hubfork-installed-$1" -nt "$ROOT/pyproject.toml" ]; }
if ! stamp_fresh test && ! stamp_fresh "$INSTALL"; then
  if [ "$INSTALL" = main ]; then
    "$VENV/bin/python" "$ROOT/scripts/install_main.py"
  else
    # PyTorch first and alone: pinned, pip takes the CPU wheel this machine keeps
    # on disk; asked for through another package it would fetch a CUDA build.
    "$VENV/bin/python" -m pip install --quiet "torch==2.13.0"
    "$VENV/bin/python" -m pip install --quiet -e "$ROOT[test]"
  fi
  touch "$VENV/.hubfork-installed-$INSTALL"
fi
export PATH="$VENV/bin:$PATH"
cd "$ROOT"
