"""`hubfork convert` killed with SIGKILL while it writes: its output folder is absent or complete
(written beside it and renamed into place), never half a SavedModel.

The reference conversion, which only measures how long the writing takes and what a whole folder
holds, runs the same command in this process; every killed one is a real process."""

from __future__ import annotations

import contextlib
import io
import random
import subprocess
import time

from hubfork.cli.main import main
from hubfork.models.generations import inspect_encoder
from tests.fixtures.processes import HUBFORK, kill_after, needs_proc, start

pytestmark = needs_proc
#: Fewer than the other kill tests' 20: each trial starts Python and imports TensorFlow (seconds)
#: before the first byte is written. Each trial's kill falls at random in its own slice of the
#: writing (`_kill_points`), so however few they are, the kills spread from its first byte to past
#: its end: early, mid-way, late, and after the rename.
TRIALS = 4
#: Said once the SavedModel is being written (before it, nothing is on disk to break).
WRITING = "writing v3 SavedModel"


def _writing(process: subprocess.Popen) -> None:
    """Read `process`'s progress until it starts writing."""
    for line in process.stderr:
        if WRITING in line:
            return
    raise AssertionError("convert ended before it wrote anything")


class _Clock(io.StringIO):
    """stderr that notes when the writing starts."""

    writing_at: float | None = None

    def write(self, text: str) -> int:
        if self.writing_at is None and WRITING in text:
            self.writing_at = time.monotonic()
        return super().write(text)


def _kill_points(rng: random.Random, span: float) -> list[float]:
    """One delay per trial, each at random within its own equal slice of 0 to 1.05 × `span`."""
    end = 1.05 * span
    return [rng.uniform(trial * end / TRIALS, (trial + 1) * end / TRIALS) for trial in range(TRIALS)]


def test_a_convert_killed_while_it_writes_leaves_no_half_folder(tmp_path, tiny_vocab):
    arguments = lambda out: ["convert", "--random", "layers=2,hidden=32,heads=2",  # noqa: E731
                             "--vocab", str(tiny_vocab), "--generation", "v3", "--out", str(out)]
    clock = _Clock()
    with contextlib.redirect_stderr(clock), contextlib.redirect_stdout(io.StringIO()):
        code = main(arguments(tmp_path / "reference"))
    assert code == 0 and clock.writing_at is not None, clock.getvalue()
    span = time.monotonic() - clock.writing_at  # how long the saving takes here: the kills fall inside it
    files = sorted(p.relative_to(tmp_path / "reference") for p in (tmp_path / "reference").rglob("*"))
    for trial, delay in enumerate(_kill_points(random.Random(11), span)):
        out = tmp_path / f"out{trial}"
        process = start([*HUBFORK, *arguments(out)], stderr=subprocess.PIPE)
        _writing(process)
        killed = kill_after(process, delay)
        assert not killed.survivors(), f"trial {trial}: processes of the killed convert live on"
        if out.exists():
            assert sorted(p.relative_to(out) for p in out.rglob("*")) == files, f"trial {trial}: half a folder"
            assert inspect_encoder(out).generation == "v3"
