"""`hubfork._progress`: drawn on a terminal (a real pseudo-terminal here), nothing at all elsewhere, silenced
by ``HF_HUB_DISABLE_PROGRESS_BARS``; and `TextModel`'s bar on top of it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time

import pytest

from hubfork import _progress
from hubfork._progress import Progress, on_terminal
from tests.conftest import ROOT, SAMPLE_CARDS, SAMPLES
from tests.fixtures.terminal import drain


@pytest.fixture
def terminal():
    """(the terminal as a text stream to write to, a function returning all it has received so far)."""
    master, slave = os.openpty()
    os.set_blocking(master, False)
    stream = os.fdopen(slave, "w", encoding="utf-8")
    received = bytearray()

    def read() -> str:
        stream.flush()
        received.extend(drain(master))
        return received.decode(errors="replace")

    yield stream, read
    stream.close()
    os.close(master)


@pytest.fixture
def pipe():
    """(the write end of a pipe as a text stream, a function closing it and returning all it received)."""
    read_end, write_end = os.pipe()
    stream = os.fdopen(write_end, "w", encoding="utf-8")

    def read() -> str:
        stream.close()
        with os.fdopen(read_end, "rb") as source:
            return source.read().decode()

    return stream, read


def test_steps_on_a_terminal_show_the_job_and_the_step(terminal):
    stream, received = terminal
    assert on_terminal(stream)
    with Progress("publish", file=stream) as progress:
        assert progress.shown
        progress.step("scanning the model")
        progress.step("pushing")
    shown = received()
    assert "publish: scanning the model" in shown and "publish: pushing" in shown
    assert shown.endswith("\r")  # the line is cleared for what the command prints next


def test_counts_on_a_terminal_always_show_the_last_state(terminal):
    stream, received = terminal
    with Progress("registry build", unit="card", file=stream) as progress:
        for done in range(1, 4):
            progress.count(done, 3)  # faster than tqdm redraws
    assert "registry build: 100%" in received() and "3/3" in received()


def test_a_pipe_gets_nothing_at_all(pipe):
    stream, received = pipe
    assert not on_terminal(stream)
    with Progress("publish", file=stream) as progress:
        assert not progress.shown
        progress.step("scanning the model")
    with Progress("registry build", unit="card", file=stream) as progress:
        progress.count(3, 3)
        progress.update()
    assert received() == ""


def test_asked_for_it_shows_in_a_pipe_too(pipe):
    stream, received = pipe
    with Progress("embedding", unit="text", total=2, show=True, file=stream) as progress:
        progress.update(2)
    assert "embedding: 100%" in received()


def test_never_shown_when_told_not_to(terminal):
    stream, received = terminal
    with Progress("publish", show=False, file=stream) as progress:
        progress.step("scanning the model")
        assert not progress.shown
    assert received() == ""


def test_a_step_redraws_its_clock_while_it_runs(terminal, monkeypatch):
    stream, received = terminal
    monkeypatch.setattr(_progress, "TICK_SECONDS", 0.01)
    with Progress("convert", file=stream) as progress:
        progress.step("writing the encoder")
        deadline = time.monotonic() + 30
        while received().count("convert: writing the encoder") < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
    assert received().count("convert: writing the encoder") >= 3


def test_odd_streams_are_not_terminals():
    class Closed:
        def isatty(self):
            raise ValueError("I/O operation on closed file")

    assert not on_terminal(Closed()) and not on_terminal(object())


@pytest.mark.subprocess
@pytest.mark.parametrize("disabled", ["1", None])
def test_hf_hub_disable_progress_bars_silences_it_on_a_terminal(disabled):
    code = textwrap.dedent("""
        import sys
        from hubfork._progress import Progress
        with Progress("publish") as progress:
            progress.step("scanning the model")
        with Progress("registry build", unit="card") as progress:
            progress.count(3, 3)
        print("finished", file=sys.stderr)
    """)
    env = {key: value for key, value in os.environ.items() if key != "HF_HUB_DISABLE_PROGRESS_BARS"}
    if disabled:
        env["HF_HUB_DISABLE_PROGRESS_BARS"] = disabled
    master, slave = os.openpty()
    try:
        process = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, stderr=slave, timeout=120)
    finally:
        os.close(slave)
    received = drain(master)
    os.close(master)
    assert process.returncode == 0
    if disabled:
        assert received.decode() == "finished\r\n"
    else:
        assert "publish: scanning the model" in received.decode() and "3/3" in received.decode()


def test_text_model_bar_follows_its_progress_argument(terminal, pipe, monkeypatch):
    from hubfork.models.text_model import PROGRESS_THRESHOLD
    from hubfork.models.text_model import _progress as text_bar

    many, few = PROGRESS_THRESHOLD + 1, PROGRESS_THRESHOLD
    tty, _ = terminal
    monkeypatch.setattr(sys, "stderr", tty)
    assert text_bar(many, None, "embedding").shown
    assert not text_bar(few, None, "embedding").shown
    assert not text_bar(many, False, "embedding").shown
    piped, _ = pipe
    monkeypatch.setattr(sys, "stderr", piped)
    assert not text_bar(many, None, "embedding").shown
    assert text_bar(few, True, "embedding").shown


def test_importing_it_imports_no_progress_library():
    code = "import sys, hubfork._progress; print(sorted({'tqdm', 'huggingface_hub'} & set(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "[]", result.stderr


@pytest.mark.parametrize("jobs", [1, 2])
def test_registry_and_site_builds_report_every_card_and_page(tmp_path, monkeypatch, jobs):
    """What ``registry build`` and ``registry site`` draw: (done, total) rising to (total, total), in one
    process and across worker processes (their thresholds lowered so that a few cards take that path)."""
    import shutil

    from hubfork.registry import build as registry_build
    from hubfork.site import build as site_build

    monkeypatch.setattr(registry_build, "_PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(site_build, "_PARALLEL_THRESHOLD", 1)
    cards = tmp_path / "cards"
    for name in SAMPLE_CARDS:
        (cards / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(SAMPLES / name, cards / name)
    parsed: list[tuple[int, int]] = []
    built = registry_build.build_registry(cards, tmp_path / "registry.yaml", jobs=jobs,
                                          progress=lambda done, total: parsed.append((done, total)))
    assert_rising_to(parsed, len(SAMPLE_CARDS), each=jobs == 1)
    written: list[tuple[int, int]] = []
    site = site_build.build_site(built.registry, tmp_path / "site", jobs=jobs,
                                 progress=lambda done, total: written.append((done, total)))
    assert_rising_to(written, site.pages, each=jobs == 1)


def assert_rising_to(calls: list[tuple[int, int]], total: int, *, each: bool) -> None:
    """Every call says `total`, the counts only rise and end at it; one call per item with `each`."""
    assert calls and {t for _, t in calls} == {total}
    counts = [done for done, _ in calls]
    assert counts == sorted(set(counts)) and counts[-1] == total
    if each:
        assert counts == list(range(1, total + 1))


def test_redraws_reach_the_terminal_while_its_descriptor_points_elsewhere(terminal, tmp_path):
    """hubfork points fd 2 at a file while TensorFlow is imported (`hubfork.models._quiet`): the display keeps
    drawing on the terminal, and nothing of it lands in that file."""
    stream, received = terminal
    with Progress("convert", file=stream) as progress:
        progress.step("reading the checkpoint")
        saved = os.dup(stream.fileno())
        with open(tmp_path / "captured", "wb") as capture:
            os.dup2(capture.fileno(), stream.fileno())
            try:
                progress.step("importing TensorFlow")
            finally:
                os.dup2(saved, stream.fileno())
                os.close(saved)
    assert "convert: importing TensorFlow" in received()
    assert (tmp_path / "captured").read_bytes() == b""
