"""How the CLI prints (hubfork/cli/output.py): the width tables are laid out in, whatever COLUMNS
says, and the characters someone else's text must not carry raw (control, format, surrogate)."""

from __future__ import annotations

import json
import unicodedata

import pytest

from hubfork.cli import output
from hubfork.cli.main import main
from tests.conftest import run_cli

# A bidi override (what follows reads right to left), bidi isolates, a zero-width space and joiner,
# a word joiner, a byte-order mark, a soft hyphen and a tag character (past the BMP): Unicode's Cf.
FORMAT = "\u202e\u2066\u2069\u200b\u200d\u2060\ufeff\u00ad\U000e0041"


def raw_hidden(text: str) -> list[str]:
    """The control, format and surrogate characters of `text` (line ends aside), by Unicode's own categories."""
    return [char for char in text.replace("\n", "") if unicodedata.category(char) in ("Cc", "Cf", "Cs")]


def handles_shown(stdout: str) -> list[str]:
    """The first column of a search table, each folded handle joined back (a row's Kind is never empty;
    a folded handle's next lines have nothing in the other columns)."""
    rows: list[str] = []
    for line in stdout.splitlines():
        if not line.startswith("│"):
            continue
        cells = [part.strip() for part in line.split("│")[1:-1]]
        if cells[1]:
            rows.append(cells[0])
        else:
            rows[-1] += cells[0]
    return rows


def search(capsys, monkeypatch, columns: str | None, *args: str) -> str:
    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    assert main(["search", "bert", *args]) == 0
    return capsys.readouterr().out


@pytest.fixture
def page(capsys, monkeypatch) -> list[str]:
    """The handles of the first page of ``search bert``, from its JSON."""
    return [result["handle"] for result in json.loads(search(capsys, monkeypatch, None, "--json"))["results"]]


# --------------------------------------------------------------------------- width


@pytest.mark.parametrize("columns", ["0", "-3", "abc", ""])
def test_a_columns_that_is_no_width_is_ignored(capsys, monkeypatch, page, columns):
    # rich alone takes COLUMNS=0 for a width of 0: it prints nothing, and the command exits 0.
    shown = search(capsys, monkeypatch, columns)
    assert shown == search(capsys, monkeypatch, None)  # piped: PIPED_WIDTH
    assert handles_shown(shown) == page
    assert max(len(line) for line in shown.splitlines()) == output.PIPED_WIDTH


@pytest.mark.parametrize("columns", ["1", "5", "39"])
def test_a_tiny_width_is_raised_to_the_minimum(capsys, monkeypatch, page, columns):
    shown = search(capsys, monkeypatch, columns)
    assert shown == search(capsys, monkeypatch, str(output.MIN_WIDTH))
    assert handles_shown(shown) == page
    assert max(len(line) for line in shown.splitlines()) == output.MIN_WIDTH


@pytest.mark.parametrize("columns", [40, 80, 120, 200])
def test_every_handle_is_shown_whole_at_any_width(capsys, monkeypatch, page, columns):
    # rich alone gives a table too wide for 80 columns no handle column at all.
    shown = search(capsys, monkeypatch, str(columns))
    assert handles_shown(shown) == page
    assert max(len(line) for line in shown.splitlines()) <= columns


def test_a_terminal_that_says_it_has_no_width_gets_the_default(monkeypatch):
    import os
    import pty

    leader, follower = pty.openpty()
    try:
        with open(follower, "w", closefd=False) as stream:
            monkeypatch.delenv("COLUMNS", raising=False)
            # A pty starts with a size of 0 x 0 (as some serial consoles and CI terminals report).
            assert os.get_terminal_size(follower).columns == 0
            assert output.width(stream) == output.DEFAULT_WIDTH
            monkeypatch.setenv("COLUMNS", "0")
            assert output.width(stream) == output.DEFAULT_WIDTH
    finally:
        os.close(leader)
        os.close(follower)


def test_column_widths_keep_handles_and_cut_the_widest_other_columns_first():
    natural = [52, 10, 19, 16, 7, 100]  # Handle, Kind, Task, Size, API, Description
    assert output.column_widths(300, natural) == natural  # all fit
    assert output.column_widths(200, natural) == [52, 10, 19, 16, 7, 77]  # the description is cut
    assert output.column_widths(80, natural) == [24, 7, 7, 7, 7, 9]  # handles get 2/5 of the room, fold
    widths = output.column_widths(40, natural)
    assert widths == [8, 2, 2, 2, 2, 5] and sum(widths) + 3 * len(widths) + 1 == 40


# --------------------------------------------------------------------------- hidden characters


def test_format_characters_are_escaped_like_control_characters():
    text = f"safe {FORMAT} \x1b[2J \x9b \udcff é 漢字 \t\n"
    assert output.safe_text(text) == (
        r"safe \u202e\u2066\u2069\u200b\u200d\u2060\ufeff\xad\U000e0041 \x1b[2J \x9b \udcff é 漢字 " + "\t\n")


def test_line_and_paragraph_separators_are_escaped_so_one_line_stays_one():
    # str.splitlines (and many terminals) break at U+2028/U+2029: a description must not add lines.
    escaped = output.safe_text("a\u2028b\u2029c")
    assert escaped == r"a\u2028b\u2029c" and len(escaped.splitlines()) == 1


def test_json_escapes_format_characters_and_reads_back_the_same(capsys):
    data = {"description": f"{FORMAT} \x9b \udcff é"}
    output.print_json(data)
    out = capsys.readouterr().out
    assert raw_hidden(out) == []
    assert r"\u202e" in out and r"\udb40\udc41" in out  # U+E0041 as JSON spells it: a surrogate pair
    assert json.loads(out) == data and "é" in out


CARD = ("# Module acme/bidi/1\n"
        "Embeds text \u202egnp.exe\u202c and hides a\u200bword.\n\n"
        "<!-- asset-path: legacy -->\n"
        "<!-- task: text-embedding -->\n"
        "<!-- fine-tunable: true -->\n"
        "<!-- format: hub -->\n\n"
        "## Overview\n")


@pytest.fixture()
def bidi_registry(tmp_path):
    cards = tmp_path / "cards"
    cards.mkdir()
    (cards / "bidi.md").write_text(CARD, encoding="utf-8")
    built = run_cli("registry", "build", str(cards), "-o", str(tmp_path / "registry.yaml"))
    assert built.returncode == 0, built.stderr
    return tmp_path / "registry.yaml"


@pytest.mark.parametrize("command", [["search", "bidi"], ["show", "acme/bidi/1"], ["search", "bidi", "--json"]])
def test_a_description_with_a_bidi_override_is_shown_escaped(bidi_registry, command):
    result = run_cli(*command, "--registry", str(bidi_registry))
    assert result.returncode == 0, result.stderr
    assert raw_hidden(result.stdout) == []
    if command[-1] == "--json":
        [entry] = json.loads(result.stdout)["results"]
        assert entry["description"] == "Embeds text \u202egnp.exe\u202c and hides a\u200bword."
    else:
        assert r"Embeds text \u202egnp.exe\u202c and hides a\u200bword." in result.stdout
