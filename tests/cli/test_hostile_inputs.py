"""The browse and card commands on hostile input, run as a user would: what they print cannot
drive the terminal, and every hostile file ends in a message naming it, never a traceback."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.conftest import run_cli

# ESC (7-bit escapes), BEL (ends an OSC), CSI and OSC as single 8-bit C1 characters.
TERMINAL_CONTROL = ("\x1b", "\x07", "\x9b", "\x9d")
#: Retitles the terminal (OSC 0), clears the screen (CSI 2J), turns text red (8-bit CSI); and
#: rich markup that would otherwise be read as styles and links, or fail on the stray "[/]".
DESCRIPTION = "A \x1b]0;pwned\x07 title, \x1b[2J cleared, \x9b31m red; [bold]bold[/bold] [link=http://x]x[/link] [/]"
CARD = (
    "# Module acme/evil/1\n"
    f"{DESCRIPTION}\n"
    "\n"
    "<!-- asset-path: legacy -->\n"
    "<!-- task: text-embedding -->\n"
    "<!-- fine-tunable: true -->\n"
    "<!-- format: hub -->\n"
    "<!-- license: \x1b[31mred\x1b[0m -->\n"
    "\n"
    "## Overview\n"
)


@pytest.fixture()
def evil_registry(tmp_path) -> Path:
    cards = tmp_path / "cards"
    cards.mkdir()
    (cards / "evil.md").write_text(CARD, encoding="utf-8")
    built = run_cli("registry", "build", str(cards), "-o", str(tmp_path / "registry.yaml"))
    assert built.returncode == 0, built.stderr
    return tmp_path / "registry.yaml"


def assert_inert(output: str) -> None:
    found = [repr(c) for c in TERMINAL_CONTROL if c in output]
    assert not found, f"terminal control characters {found} in: {output!r}"


@pytest.mark.parametrize("command", [["list"], ["search", "evil"], ["show", "acme/evil/1"]])
def test_browse_tables_show_control_characters_escaped(evil_registry, command):
    result = run_cli(*command, "--registry", str(evil_registry))
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert_inert(result.stdout)
    # Shown as escapes and as written (no markup read from it), not dropped.
    assert r"A \x1b]0;pwned\x07 title, \x1b[2J cleared, \x9b31m red; [bold]bold[/bold]" in result.stdout
    if command[0] == "show":
        assert r"license       \x1b[31mred\x1b[0m" in result.stdout


def test_browse_json_escapes_every_control_character(evil_registry):
    result = run_cli("search", "evil", "--json", "--registry", str(evil_registry))
    assert result.returncode == 0
    assert_inert(result.stdout)
    assert "\\u009b31m" in result.stdout
    [entry] = json.loads(result.stdout)["results"]
    assert entry["description"] == DESCRIPTION  # the same text, escaped only for the terminal


def test_cards_parse_and_validate_print_no_control_characters(tmp_path):
    evil = tmp_path / "evil\x1b]0;x\x07.md"  # a file name is someone else's text too
    evil.write_text(CARD.replace("<!-- format: hub -->", "<!-- format: \x1b[2Jhub -->"), encoding="utf-8")
    for command in (["cards", "parse", str(tmp_path)], ["cards", "validate", str(tmp_path)],
                    ["cards", "parse", "--json", str(tmp_path)]):
        result = run_cli(*command)
        assert "Traceback" not in result.stderr, result.stderr
        assert_inert(result.stdout)
        assert_inert(result.stderr)
    assert r"evil\x1b]0;x\x07.md:7: error: 'format' must be one of hub" in result.stderr


@pytest.mark.parametrize("limit", ["-3", "0", "x"])
def test_search_limit_must_be_a_positive_number(limit):
    result = run_cli("search", "bert", "--limit", limit)
    assert result.returncode == 2 and result.stdout == ""
    assert f"argument --per-page/--limit: expected a whole number of at least 1, not '{limit}'" in result.stderr


def test_search_limit_keeps_that_many():
    result = run_cli("search", "bert", "--limit", "2", "--json")
    assert result.returncode == 0 and len(json.loads(result.stdout)["results"]) == 2


def hostile_cards(folder: Path) -> dict[str, str]:
    """Hostile card files in `folder`: name -> what the message about it says."""
    folder.mkdir()
    (folder / "binary.md").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    with (folder / "huge.md").open("wb") as handle:
        handle.truncate(50_000_000)
    os.mkfifo(folder / "fifo.md")
    bomb = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    bomb += [f"l{i}: &l{i} [" + ", ".join([f"*{'a' if i == 1 else f'l{i - 1}'}"] * 9) + "]" for i in range(1, 9)]
    (folder / "bomb.md").write_text("---\nrepo_id: acme/bert\n" + "\n".join(bomb) + "\n---\n# bert\n")
    (folder / "deep.md").write_text(CARD.replace(DESCRIPTION, "Deep.") + "- " * 100_000 + "x\n")
    (folder / "two.md").write_text(CARD.replace(DESCRIPTION, "Two.").replace(
        "<!-- format: hub -->", "<!-- hub-repo: org/x@v1 --> <!-- hub-endpoint: http://elsewhere -->\n"
        "<!-- format: hub -->"))
    return {
        "binary.md": ":1: error: not UTF-8 text",
        "huge.md": ":1: error: cannot read the card: the file is 50 MB; at most 10 MB is read",
        "fifo.md": ":1: error: cannot read the card: not a regular file but a FIFO (named pipe)",
        "bomb.md": ":4: error: YAML front matter: an alias ('*name') is not read",
        "deep.md": ":11: error: lists and block quotes nest too deep here",
        "two.md": ":7: error: one '<!-- key: value -->' comment per line",
    }


def test_every_card_command_names_each_hostile_file(tmp_path):
    expected = hostile_cards(tmp_path / "cards")
    out = tmp_path / "registry.yaml"
    for command in (["cards", "validate", str(tmp_path / "cards")], ["cards", "parse", str(tmp_path / "cards")],
                    ["registry", "build", str(tmp_path / "cards"), "-o", str(out)]):
        result = run_cli(*command)
        assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
        said = result.stdout + result.stderr
        for name, message in expected.items():
            assert f"{tmp_path / 'cards' / name}{message}" in said, (command, name, said)
    assert not out.exists()  # nothing written while cards have errors
