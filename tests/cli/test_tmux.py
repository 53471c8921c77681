"""``hubfork search`` in a real terminal: a tmux pane 80 columns wide and 50 high, as the issue's user had,
read back with ``tmux capture-pane``. The width comes from the terminal itself (no ``COLUMNS``), and what
counts is what the pane shows, after the terminal has wrapped whatever it had to."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import time

import pytest

from tests.conftest import ROOT, in_ci

#: What the pane prints once the command has finished, so that the test knows when to read it.
DONE = "__hubfork_done__"



@pytest.fixture(autouse=True)
def need_tmux() -> None:
    """Skip (fail, under CI: .ci/run installs it) when tmux is missing."""
    if shutil.which("tmux") is None:
        missing = "tmux is not installed (apt-get install tmux): this test reads a real terminal's pane"
        if in_ci():
            pytest.fail(f"the terminal test must run under CI: {missing}")
        pytest.skip(missing)


def in_a_pane(tmp_path, args: list[str], columns: int = 80, lines: int = 50) -> list[str]:
    """The lines of a `columns` x `lines` tmux pane after running ``hubfork ARGS`` in it (a private tmux
    server, stopped afterwards)."""
    socket = str(tmp_path / "tmux.sock")
    env = {key: value for key, value in os.environ.items() if key not in ("COLUMNS", "LINES", "TMUX")}
    env["TERM"] = "xterm-256color"
    command = " ".join(shlex.quote(part) for part in [sys.executable, "-m", "hubfork", *args])
    script = f"cd {shlex.quote(str(ROOT))} && {command}; echo {DONE}; sleep 600"

    def tmux(*parts: str) -> str:
        return subprocess.run(["tmux", "-S", socket, "-f", os.devnull, *parts], env=env, check=True,
                              capture_output=True, text=True).stdout

    tmux("new-session", "-d", "-x", str(columns), "-y", str(lines), "sh", "-c", script)
    try:
        deadline = time.monotonic() + 120  # a bound on the wait for the command, not a measure of it
        while DONE not in (shown := tmux("capture-pane", "-p")) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert DONE in shown, shown
        assert tmux("display-message", "-p", "#{pane_width}x#{pane_height}").strip() == f"{columns}x{lines}"
        return shown.splitlines()
    finally:
        tmux("kill-server")


def test_an_80_column_pane_shows_every_handle_of_the_bert_page_whole(tmp_path):
    found = subprocess.run([sys.executable, "-m", "hubfork", "search", "bert", "--per-page", "8", "--json"],
                           cwd=ROOT, capture_output=True, text=True, check=True)
    handles = [entry["handle"] for entry in json.loads(found.stdout)["results"]]
    pane = in_a_pane(tmp_path, ["search", "bert", "--per-page", "8"])
    rows = [line for line in pane if line.startswith("│")]
    # One pane line a row (no handle folded, none wrapped by the terminal), each starting with its whole handle.
    assert [row.split("│")[1].strip() for row in rows] == handles
    assert all(len(line) <= 80 for line in pane)
    heading = next(line for line in pane if line.startswith("┃"))
    assert [part.strip() for part in heading.split("┃")[1:-1]][:1] == ["Handle"] and "Source" in heading
    assert pane[0].startswith("results 1-8 of ")
