"""`hubfork convert` killed with SIGKILL while it writes: its output folder is absent or complete
(written beside it and renamed into place), never half a SavedModel.

The reference conversion, which only measures how long the writing takes and what a whole folder
holds, runs the same command in this process; every killed one is a real process."""

from __future__ import annotations

import concurrent.futures
import contextlib
import io
import random
import subprocess
import time
from pathlib import Path

from hubfork.cli.main import main
from hubfork.models.generations import inspect_encoder
from tests.fixtures.processes import HUBFORK, kill_after, needs_proc, start

pytestmark = needs_proc
#: Fewer than the other kill tests' 20: each trial starts Python and imports TensorFlow (seconds)
#: before the first byte is written. Each trial's kill falls at random in its own slice of the
#: writing (`_kill_points`), so however few they are, the kills spread from its first byte to past
#: its end: early, mid-way, late, and after the rename.
TRIALS = 4


def _writing(out: Path, process: subprocess.Popen | None = None, within: float = 300) -> float:
    """When the SavedModel of `out` starts being written: the moment its staging folder beside it appears
    (nothing is on disk to break before), waited for at most `within` seconds and while `process`, if
    given, runs."""
    deadline = time.monotonic() + within
    while not list(out.parent.glob(f".{out.name}.*.partial")):
        if (process is not None and process.poll() is not None) or time.monotonic() > deadline:
            raise AssertionError(f"convert ended, or took {within} s, before it wrote anything")
        time.sleep(0.002)
    return time.monotonic()


def _kill_points(rng: random.Random, span: float) -> list[float]:
    """One delay per trial, each at random within its own equal slice of 0 to 1.05 × `span`."""
    end = 1.05 * span
    return [rng.uniform(trial * end / TRIALS, (trial + 1) * end / TRIALS) for trial in range(TRIALS)]


def test_a_convert_killed_while_it_writes_leaves_no_half_folder(tmp_path, tiny_vocab):
    arguments = lambda out: ["convert", "--random", "layers=2,hidden=32,heads=2",  # noqa: E731
                             "--vocab", str(tiny_vocab), "--generation", "v3", "--out", str(out)]
    reference = tmp_path / "reference"
    with concurrent.futures.ThreadPoolExecutor(1) as watcher:
        writing = watcher.submit(_writing, reference)
        with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
            code = main(arguments(reference))
        span = time.monotonic() - writing.result(timeout=60)  # how long the saving takes here: the kills fall in it
    assert code == 0
    files = sorted(p.relative_to(tmp_path / "reference") for p in (tmp_path / "reference").rglob("*"))
    for trial, delay in enumerate(_kill_points(random.Random(11), span)):
        out = tmp_path / f"out{trial}"
        process = start([*HUBFORK, *arguments(out)])
        _writing(out, process)
        killed = kill_after(process, delay)
        assert not killed.survivors(), f"trial {trial}: processes of the killed convert live on"
        if out.exists():
            assert sorted(p.relative_to(out) for p in out.rglob("*")) == files, f"trial {trial}: half a folder"
            assert inspect_encoder(out).generation == "v3"
