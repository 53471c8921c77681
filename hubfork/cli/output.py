"""How the CLI prints: JSON for scripts, rich tables for people, problems as
``PATH:LINE: severity: message``."""

from __future__ import annotations

import json
import os
import re
import sys
from typing import Any, Iterable, Sequence

from hubfork._characters import OUTSIDE_ASCII, is_hidden
from hubfork.cards.records import Problem
from hubfork.cli.options import whole_number
from hubfork.constants import TABLE_DEFAULT_WIDTH, TABLE_MIN_WIDTH, TABLE_PIPED_WIDTH


def safe_text(value: str) -> str:
    """`value` with control, format and surrogate characters (`hubfork._characters`) shown as
    Python escapes (``\\x1b``, ``\\u202e``): shown raw they could drive the terminal or hide text."""
    return OUTSIDE_ASCII.sub(lambda m: repr(m.group())[1:-1] if is_hidden(m.group()) else m.group(), value)


def _json_escape(match: re.Match) -> str:
    char = match.group()
    if not is_hidden(char):
        return char
    code = ord(char)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000  # JSON spells a character past the BMP as a surrogate pair
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def print_json(data: Any) -> None:
    """`data` as indented JSON, every character `safe_text` escapes escaped (other non-ASCII text kept
    readable)."""
    # JSON escapes C0 controls itself, and writes DEL, C1 controls and format characters raw unless
    # told to escape all non-ASCII text. Outside strings JSON has none of them, so this only
    # rewrites them inside strings.
    text = json.dumps(data, ensure_ascii=False, indent=2)
    sys.stdout.write(OUTSIDE_ASCII.sub(_json_escape, text) + "\n")


def print_problems(problems: Iterable[Problem], stream=None) -> None:
    stream = stream or sys.stdout
    for problem in problems:
        stream.write(f"{safe_text(str(problem))}\n")


MIN_WIDTH, PIPED_WIDTH, DEFAULT_WIDTH = TABLE_MIN_WIDTH, TABLE_PIPED_WIDTH, TABLE_DEFAULT_WIDTH
#: The handles (a table's first column) keep this many columns when the terminal has room for it.
HANDLE_WIDTH = 48
#: What a description (a table's last column) keeps before the handles give up columns to it.
SHORT_DESCRIPTION = 12


def width(stream) -> int:
    """The width tables are laid out in on `stream`: ``COLUMNS`` when it is a positive number, else the
    terminal's, else `PIPED_WIDTH` for a pipe or file; never less than `MIN_WIDTH`. (Left to itself,
    rich takes ``COLUMNS=0`` for a width of 0, and prints nothing.)"""
    columns = whole_number(os.environ.get("COLUMNS", ""))
    if columns is None:
        columns = _terminal_width(stream) if _isatty(stream) else PIPED_WIDTH
    return max(columns, MIN_WIDTH)


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no such method, or a closed stream
        return False


def _terminal_width(stream) -> int:
    try:
        return os.get_terminal_size(stream.fileno()).columns or DEFAULT_WIDTH
    except (AttributeError, OSError, ValueError):
        return DEFAULT_WIDTH


def console(stderr: bool = False):
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    return Console(stderr=stderr, highlight=False, soft_wrap=False, width=width(stream))


def cell(value: str):
    """A table cell or title as rich shows it: the text itself, with control characters escaped
    (`safe_text`) and no rich markup read from it (a description holding ``[/]`` or
    ``[link=...]`` is shown as written, not interpreted or rejected)."""
    from rich.text import Text

    return Text(safe_text(value))


def column_widths(total: int, natural: Sequence[int]) -> list[int]:
    """The width of each column of a table `total` columns wide whose widest cells are `natural`.

    All of them when they fit. Else the handles (the first column: what people copy, folded, never
    cut) keep their width while the other columns still get theirs and a short description,
    else `HANDLE_WIDTH`, or two fifths of a narrow terminal; the other columns share what is left,
    the widest cut first. (Left to itself, rich shrinks the columns that may wrap first: the
    handles, to nothing.)
    """
    room = total - 3 * len(natural) - 1  # each column's padding and left rule, and the last rule
    if sum(natural) <= room or len(natural) < 2:
        return list(natural)
    others = list(natural[1:])
    comfortable = sum(others[:-1]) + min(others[-1], SHORT_DESCRIPTION)
    first = max(1, min(natural[0], max(room - comfortable, min(HANDLE_WIDTH, room * 2 // 5))))
    return [first, *_share(others, room - first)]


def _share(widths: list[int], room: int) -> list[int]:
    """`widths` cut to add up to at most `room` (one column each at least), the widest first; what
    the cut leaves goes to the last column (the description, cut rather than folded)."""
    cap = max(widths)
    while cap > 1 and sum(min(w, cap) for w in widths) > room:
        cap -= 1
    shared = [min(w, cap) for w in widths]
    shared[-1] = max(shared[-1], min(widths[-1], shared[-1] + room - sum(shared)))
    return shared


def print_table(title: str | None, columns: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    """A table for people, laid out by `column_widths`; every cell and the title go through `cell`."""
    from rich.table import Table

    table = Table(title=cell(title) if title is not None else None, show_lines=False, header_style="bold",
                  title_justify="left")
    rows = [[cell(value) for value in row] for row in rows]
    out = console()
    natural = [max([cell(column).cell_len] + [row[index].cell_len for row in rows])
               for index, column in enumerate(columns)]
    for index, (column, size) in enumerate(zip(columns, column_widths(out.width, natural))):
        # Handles fold; every other cell is cut with an ellipsis, on one line.
        table.add_column(column, width=size, overflow="fold" if index == 0 else "ellipsis", no_wrap=index > 0)
    for row in rows:
        table.add_row(*row)
    out.print(table)


def print_fields(title: str, fields: Sequence[tuple[str, str]]) -> None:
    """``label  value`` lines under a title; every label, value and the title go through `cell`."""
    from rich.table import Table

    table = Table(title=cell(title), show_header=False, title_justify="left", box=None, pad_edge=False)
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    for key, value in fields:
        table.add_row(cell(key), cell(value))
    console().print(table)


def text(value: Any) -> str:
    """A cell: empty for None, yes/no for booleans, comma-joined lists."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(text(v) for v in value)
    return str(value)
