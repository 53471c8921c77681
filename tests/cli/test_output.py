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
    """The first column of a table, a row a line: a handle folded onto a second line would show up as a
    row of its own (the other cells of a folded handle's next lines are empty)."""
    return [line.split("│")[1].strip() for line in stdout.splitlines() if line.startswith("│")]


def table_width(columns: int, handles: list[str]) -> int:
    """How wide a table of these handles is at most: the terminal's width, unless the handles alone need more
    (their column, its padding and both rules)."""
    return max(columns, max(len(handle) for handle in handles) + 4)


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
    assert shown == search(capsys, monkeypatch, None) == search(capsys, monkeypatch, str(output.PIPED_WIDTH))
    assert handles_shown(shown) == page
    assert max(len(line) for line in shown.splitlines()) <= output.PIPED_WIDTH


@pytest.mark.parametrize("columns", ["1", "5", "39"])
def test_a_tiny_width_is_raised_to_the_minimum(capsys, monkeypatch, page, columns):
    shown = search(capsys, monkeypatch, columns)
    assert shown == search(capsys, monkeypatch, str(output.MIN_WIDTH))
    assert handles_shown(shown) == page
    # The handles do not fit in MIN_WIDTH: the table holds them alone, whole, and is as wide as they need.
    assert max(len(line) for line in shown.splitlines()) == table_width(output.MIN_WIDTH, page) > output.MIN_WIDTH


@pytest.mark.parametrize("columns", [40, 80, 120, 200])
def test_every_handle_is_shown_whole_at_any_width(capsys, monkeypatch, page, columns):
    # rich alone gives a table too wide for 80 columns no handle column at all.
    shown = search(capsys, monkeypatch, str(columns))
    assert handles_shown(shown) == page
    assert max(len(line) for line in shown.splitlines()) <= table_width(columns, page)


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


def test_column_widths_keep_handles_whole_and_cut_in_the_order_given():
    natural = [52, 10, 9, 19, 16, 7, 100]  # Handle, Kind, Source, Tasks, Size, API, Description
    order = [6, 4, 5, 3, 1]  # Description, Size, API, Tasks, Kind; then Source
    assert output.column_widths(300, natural, order) == natural  # all fit
    assert output.column_widths(200, natural, order) == [52, 10, 9, 19, 16, 7, 65]  # the description is cut
    # The description down to MIN_TEXT, then Size, to MIN_CUT, then API, Tasks and Kind.
    assert output.column_widths(150, natural, order) == [52, 10, 9, 19, 11, 7, 20]
    assert output.column_widths(135, natural, order) == [52, 9, 9, 8, 8, 7, 20]
    # Then a column that cannot keep MIN_CUT is left out, in the same order: the description first.
    assert output.column_widths(120, natural, order) == [52, 10, 9, 15, 8, 7, 0]
    assert output.column_widths(80, natural, order) == [52, 9, 9, 0, 0, 0, 0]
    assert output.column_widths(70, natural, order) == [52, 0, 9, 0, 0, 0, 0]
    # Narrower than the handles with anything beside them: the handles alone, as wide as they need.
    assert output.column_widths(60, natural, order) == output.column_widths(40, natural, order) == [52] + [0] * 6
    # Without an order, the columns give up room right to left.
    assert output.column_widths(80, natural) == [52, 10, 8, 0, 0, 0, 0]
    for total in range(40, 300):
        widths = output.column_widths(total, natural, order)
        kept = [size for size in widths if size]
        assert widths[0] == 52 and all(size >= min(output.MIN_CUT, whole) for size, whole in zip(widths, natural)
                                       if size)
        assert widths[6] in (0, *range(output.MIN_TEXT, 101))  # a description says something, or is left out
        assert sum(kept) + 3 * len(kept) + 1 <= total or kept == [52]


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


# --------------------------------------------------------------------------- whole handles on real pages

#: The columns of a table of entries in the order they give up room (hubfork.cli.browse), then the handles.
CUT_ORDER = ["Description", "Architecture", "API", "Tasks", "Kind", "Source"]


def listing(capsys, monkeypatch, columns: str, args: list[str]) -> tuple[list[str], str]:
    """The handles a command lists (from its --json) and the table it prints at `columns`."""
    monkeypatch.setenv("COLUMNS", columns)
    assert main([*args, "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    handles = [entry["handle"] for entry in (found if isinstance(found, list) else found["results"])]
    assert main(args) == 0
    return handles, capsys.readouterr().out


def headings(table: str) -> list[str]:
    """The table's column headings, a cut one ("Descrip…") read back whole."""
    line = next(line for line in table.splitlines() if line.startswith("┃"))
    shown = [part.strip() for part in line.split("┃")[1:-1]]
    return [next(name for name in ["Handle", *CUT_ORDER] if name.startswith(text.rstrip("…"))) for text in shown]


@pytest.mark.parametrize("args", [["search", "bert"], ["search", "mobilenet"], ["search", "bert", "cased"],
                                  ["search", "mobilenet", "--page", "3"], ["list"]], ids=" ".join)
@pytest.mark.parametrize("columns", [60, 80, 120])
def test_real_pages_keep_every_handle_whole_on_one_line(capsys, monkeypatch, args, columns):
    handles, table = listing(capsys, monkeypatch, str(columns), args)
    assert handles_shown(table) == handles  # each whole, on a line of its own, none folded onto the next
    widest = max(len(handle) for handle in handles)
    lines = [len(line) for line in table.splitlines()]
    if widest + 4 <= columns:  # the handles fit the terminal: so does the table
        assert max(lines) <= columns
    else:  # the handles alone, as wide as they need (the terminal wraps the lines; each handle copies whole)
        assert headings(table) == ["Handle"] and max(lines) == widest + 4
    shown = headings(table)
    # Columns are left out in CUT_ORDER, the Description first, never the handles.
    assert shown[0] == "Handle" and set(shown[1:]) == set(CUT_ORDER[len(CUT_ORDER) - len(shown) + 1:])


def test_at_80_columns_the_bert_page_shows_where_each_model_comes_from(capsys, monkeypatch):
    handles, table = listing(capsys, monkeypatch, "80", ["search", "bert", "--per-page", "8"])
    assert handles_shown(table) == handles and headings(table)[:1] == ["Handle"] and "Source" in headings(table)
    words = [line.split("│")[headings(table).index("Source") + 1].strip() for line in table.splitlines()
             if line.startswith("│")]
    assert set(words) <= {"tfhub.dev", "mirror", "deleted", "none"} and "tfhub.dev" in words


def test_the_entries_table_gives_up_room_in_its_order_at_every_width(capsys, monkeypatch):
    def table_at(columns: int) -> dict[str, int]:
        """The width of each column of ``search bert --per-page 8`` at `columns`, by heading."""
        monkeypatch.setenv("COLUMNS", str(columns))
        assert main(["search", "bert", "--per-page", "8"]) == 0
        table = capsys.readouterr().out
        line = next(line for line in table.splitlines() if line.startswith("┃"))
        return dict(zip(headings(table), (len(part) - 2 for part in line.split("┃")[1:-1])))

    natural = table_at(1000)
    assert list(natural) == ["Handle", "Kind", "Source", "Tasks", "Architecture", "API", "Description"]
    for columns in range(60, 240, 6):  # every sixth: each run loads the catalogue
        widths = table_at(columns)
        assert widths["Handle"] == natural["Handle"]
        shown = [name for name in CUT_ORDER if name in widths]
        assert shown == CUT_ORDER[len(CUT_ORDER) - len(shown):], columns  # left out in order, Description first
        for index, name in enumerate(CUT_ORDER):
            if widths.get(name, natural[name]) < natural[name]:  # cut: every column before it is gone or cut short
                least = {name: min(natural[name], output.MIN_TEXT if name == "Description" else output.MIN_CUT)
                         for name in CUT_ORDER}
                assert all(widths.get(before, 0) in (0, least[before]) for before in CUT_ORDER[:index]), \
                    (columns, widths)
