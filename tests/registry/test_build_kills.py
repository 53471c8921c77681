"""`hubfork registry build` killed with SIGKILL at any moment: the registry is the previous one or
the complete new one, and none of the build's worker processes lives on."""

from __future__ import annotations

import random

from hubfork._files import atomic_write_bytes
from hubfork.registry.registry import Registry
from tests.fixtures.processes import HUBFORK, kill_after, needs_proc, start, timed_run
from tests.fixtures.scripts import load_script

pytestmark = needs_proc
TRIALS = 20
#: Above `hubfork.registry.build._PARALLEL_THRESHOLD`, so that `-j 2` starts worker processes.
CARDS = 450


def _corpus(folder, count: int, seed: int):
    return load_script("benchmarks/corpus.py").generate(folder, count, seed=seed)


def test_a_build_killed_at_any_moment_leaves_the_registry_whole_and_no_worker(tmp_path):
    cards, output = tmp_path / "cards", tmp_path / "registry.yaml"
    _corpus(cards, CARDS, seed=7)
    command = [*HUBFORK, "registry", "build", str(cards), "-o", str(output), "-j", "2"]
    timed_run(command)
    before = output.read_bytes()
    _corpus(cards / "more", 20, seed=8)  # the builds below have twenty cards more to write
    span = timed_run(command)  # how long a build runs here: the kills fall inside it
    after = output.read_bytes()
    assert after != before and len(Registry.load_file(output)) == CARDS + 20
    rng = random.Random(3)
    killed_with_workers = 0
    for trial in range(TRIALS):
        atomic_write_bytes(output, before)
        killed = kill_after(start(command), rng.uniform(0, span))
        assert not killed.survivors(), f"trial {trial}: processes of the killed build live on"
        killed_with_workers += bool(killed.at_kill)
        written = output.read_bytes()
        assert written in (before, after), f"trial {trial}: the registry is neither the old nor the new one"
        assert len(Registry.load_file(output)) == (CARDS if written == before else CARDS + 20)
    # Otherwise the trials never caught the pool at work, and proved nothing about its workers.
    assert killed_with_workers > 0
