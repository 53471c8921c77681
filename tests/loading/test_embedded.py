"""The builders the embedded hub names by string: each one resolves, and resolving
it imports no TensorFlow (only a build does; the build itself is tested end to end
in tests/hub/test_embedded.py)."""

from __future__ import annotations

import os
import subprocess
import sys

from hubfork.hub.embedded import EMBEDDED_REPOS, builder
from hubfork.loading import embedded
from tests.conftest import ROOT

RESOLVE = """
import sys
from hubfork.hub.embedded import EMBEDDED_REPOS, builder
print(sorted({f"{builder(repo.build).__module__}:{builder(repo.build).__name__}" for repo in EMBEDDED_REPOS}))
"""


def test_every_row_names_a_builder_of_this_module():
    assert {builder(repo.build) for repo in EMBEDDED_REPOS} == {embedded.minilm}


def test_resolving_the_builders_imports_no_tensorflow(tripwire):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tripwire), str(ROOT)])}
    done = subprocess.run([sys.executable, "-c", RESOLVE], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "TRIPWIRE" not in done.stderr, done.stderr
    assert done.stdout.strip() == "['hubfork.loading.embedded:minilm']"
