"""`hubfork convert` killed with SIGKILL while it writes: its output folder is absent or complete
(written beside it and renamed into place), never half a SavedModel."""

from __future__ import annotations

import random
import subprocess
import time

from hubfork.models.generations import inspect_encoder
from tests.fixtures.processes import HUBFORK, kill_after, needs_proc, start

pytestmark = needs_proc
#: Fewer than the other kill tests' 20: each trial starts Python and imports TensorFlow (seconds)
#: before the first byte is written. The kills all fall in the writing itself, the part that matters.
TRIALS = 6
#: Said once the SavedModel is being written (before it, nothing is on disk to break).
WRITING = "writing v3 SavedModel"


def _writing(process: subprocess.Popen) -> None:
    """Read `process`'s progress until it starts writing."""
    for line in process.stderr:
        if WRITING in line:
            return
    raise AssertionError("convert ended before it wrote anything")


def test_a_convert_killed_while_it_writes_leaves_no_half_folder(tmp_path, tiny_vocab):
    command = lambda out: [*HUBFORK, "convert", "--random", "layers=2,hidden=32,heads=2",  # noqa: E731
                           "--vocab", str(tiny_vocab), "--generation", "v3", "--out", str(out)]
    reference = start(command(tmp_path / "reference"), stderr=subprocess.PIPE)
    _writing(reference)
    started = time.monotonic()
    assert reference.wait(timeout=300) == 0
    span = time.monotonic() - started  # how long the saving takes here: the kills fall inside it
    files = sorted(p.relative_to(tmp_path / "reference") for p in (tmp_path / "reference").rglob("*"))
    rng = random.Random(11)
    for trial in range(TRIALS):
        out = tmp_path / f"out{trial}"
        process = start(command(out), stderr=subprocess.PIPE)
        _writing(process)
        killed = kill_after(process, rng.uniform(0, 1.05 * span))
        assert not killed.survivors(), f"trial {trial}: processes of the killed convert live on"
        if out.exists():
            assert sorted(p.relative_to(out) for p in out.rglob("*")) == files, f"trial {trial}: half a folder"
            assert inspect_encoder(out).generation == "v3"
