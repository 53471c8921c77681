"""Every long command shows its progress on a terminal and writes none into a pipe.

Each command runs as a user runs it, a fresh ``python -m hubfork`` whose stderr is the slave end of a
real pseudo-terminal (80 columns); what the terminal received must hold the command's progress display.
The same command with stderr a pipe (`run_cli`, or `run_cli_here` for the TensorFlow-heavy ones, whose
stderr is then a plain text buffer: not a terminal either) prints only the lines it prints on purpose: no
bar, no carriage return. Inputs are the session's tiny models (tests/fixtures/models.py) and a handful
of the vendored catalogue's cards.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import termios
import threading

import pytest

from tests.conftest import ROOT, SAMPLE_CARDS, SAMPLES, run_cli, run_cli_here
from tests.fixtures.terminal import drain

pytestmark = [pytest.mark.subprocess, pytest.mark.slow]

#: The catalogue cards the registry tests build from: a few, each a card the registry takes.
CARDS = SAMPLE_CARDS[:8]


def on_terminal(*args: str, columns: int = 80) -> tuple[int, str, str]:
    """(exit status, stdout, what the terminal received) of ``hubfork ARGS`` with stderr on a terminal."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(drain(master)), daemon=True)
    reader.start()
    try:
        process = subprocess.Popen([sys.executable, "-m", "hubfork", *args], cwd=ROOT, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=slave)
    finally:
        os.close(slave)
    stdout, _ = process.communicate(timeout=300)
    reader.join(timeout=30)
    os.close(master)
    return process.returncode, stdout.decode(), b"".join(received).decode(errors="replace")


def assert_no_progress(stderr: str, expected_lines: list[str]) -> None:
    """Stderr in a pipe holds exactly the command's own lines: no bar, no carriage return, no blank line."""
    assert "\r" not in stderr and "\x1b" not in stderr
    assert stderr.splitlines() == expected_lines


@pytest.fixture
def cards(tmp_path):
    folder = tmp_path / "cards"
    for name in CARDS:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(SAMPLES / name, folder / name)
    return folder


def test_registry_build_and_site_count_cards_and_pages(cards, tmp_path):
    registry, site = tmp_path / "registry.yaml", tmp_path / "site"
    piped = run_cli("registry", "build", str(cards), "-o", str(registry))
    assert piped.returncode == 0, piped.stderr
    assert_no_progress(piped.stderr, [f"wrote {registry}: {len(CARDS)} entries from {cards}" +
                                      piped.stderr.split(f"from {cards}", 1)[1].rstrip("\n")])
    code, _, terminal = on_terminal("registry", "build", str(cards), "-o", str(registry))
    assert code == 0, terminal
    assert "registry build: 100%" in terminal and f"{len(CARDS)}/{len(CARDS)}" in terminal

    piped = run_cli("registry", "site", "-o", str(site), "--registry", str(registry))
    assert piped.returncode == 0, piped.stderr
    pages = int(re.match(rf"wrote {re.escape(str(site))}: (\d+) entry pages, ", piped.stderr).group(1))
    assert_no_progress(piped.stderr, piped.stderr.splitlines()[:1])
    code, _, terminal = on_terminal("registry", "site", "-o", str(site), "--registry", str(registry))
    assert code == 0, terminal
    assert "registry site: 100%" in terminal and f"{pages}/{pages}" in terminal


def test_convert_shows_its_steps(tiny_vocab, tmp_path):
    args = ["convert", "--random", "layers=2,hidden=32,heads=2", "--vocab", str(tiny_vocab), "--generation", "v2"]
    code, _, terminal = on_terminal(*args, "--out", str(tmp_path / "shown"))
    assert code == 0, terminal
    assert "convert: writing v2 encoder L-2_H-32_A-2" in terminal
    # Redrawn while TensorFlow's import has fd 2 captured and sifted: none of it glued to TensorFlow's lines.
    assert "absl::InitializeLog" not in terminal and "cuda drivers" not in terminal
    assert f"done: {tmp_path / 'shown'} in " in terminal
    piped = run_cli(*args, "--out", str(tmp_path / "piped"))
    assert piped.returncode == 0, piped.stderr
    assert_no_progress(piped.stderr, piped.stderr.splitlines()[-1:])
    assert re.fullmatch(rf"done: {re.escape(str(tmp_path / 'piped'))} in \d+\.\d s\n", piped.stderr)


def test_publish_and_cards_validate_show_their_steps(generations, hf_isolated, tmp_path):
    model = str(generations["v3"])
    where = ["--hub", str(tmp_path / "hub"), "--cards", str(tmp_path / "reg" / "cards")]
    code, stdout, terminal = on_terminal("publish", model, "--repo-id", "acme/shown", *where, "--json")
    assert code == 0, terminal
    # A step's line is cut at the terminal's width: these long paths are not all there.
    for step in ("scanning the model", "writing the card", "inspecting the model", "running one batch",
                 "pushing to /", "recording the card in /"):
        assert f"publish: {step}" in terminal
    assert json.loads(stdout)["warnings"] == []
    piped = run_cli_here("publish", model, "--repo-id", "acme/piped", *where, "--json")
    assert piped.returncode == 0, piped.stderr
    assert_no_progress(piped.stderr, [])

    card = tmp_path / "card.md"
    assert run_cli_here("card", "new", model, "--handle", "acme/tiny/1", "-o", str(card)).returncode == 0
    code, _, terminal = on_terminal("cards", "validate", str(card), "--model", model)
    assert code == 0, terminal
    for step in ("reading the card", "inspecting the model", "running one batch"):
        assert f"cards validate: {step}" in terminal
    piped = run_cli_here("cards", "validate", str(card), "--model", model)
    assert piped.returncode == 0, piped.stderr
    assert_no_progress(piped.stderr, [f"{card} against {model}: 0 errors, 0 warnings"])


def test_embed_corpus_shows_its_steps(wide_encoders, tiny_preprocessor, hf_isolated, tmp_path):
    pytest.importorskip("apache_beam")
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("the cat sat\na dog\nhello world\n", encoding="utf-8")
    args = ["embed-corpus", str(corpus), "--model", str(wide_encoders["v3"]), "--preprocessor",
            str(tiny_preprocessor), "--format", "jsonl"]
    code, _, terminal = on_terminal(*args, "-o", str(tmp_path / "shown"))
    assert code == 0, terminal
    for step in ("starting Apache Beam", "fetching and scanning the model", "embedding 1 file(s) on DirectRunner"):
        assert f"embed-corpus: {step}" in terminal
    piped = run_cli_here(*args, "-o", str(tmp_path / "piped"))
    assert piped.returncode == 0, piped.stderr
    assert_no_progress(piped.stderr, [f"hubfork: 3 vectors from 3 non-blank lines into {tmp_path / 'piped'} "
                                      "(embeddings-00000-of-00001.jsonl, errors-00000-of-00001.jsonl)"])
