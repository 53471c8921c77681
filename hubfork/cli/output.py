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
#: The fewest columns a cut column keeps (a few characters and an ellipsis); a column that cannot keep them
#: is left out.
MIN_CUT = 8
#: The same for the column cut first, free text (a description): cut shorter, it would say nothing.
MIN_TEXT = 20


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


def column_widths(total: int, natural: Sequence[int], cut_order: Sequence[int] | None = None) -> list[int]:
    """The width of each column of a table `total` columns wide whose widest cells are `natural`; 0 for
    a column left out.

    All of them when they fit. The handles (the first column: what people copy) always keep their whole
    width, on one line. The other columns give up room in `cut_order` (column indices; any not named
    after them, right to left): each is cut down to `MIN_CUT` (the first, `MIN_TEXT`) in turn until the
    table fits, and when even that is too wide, columns are left out in the same order. When the handles
    alone are wider than `total`, the table holds only them and is wider than `total` (the terminal wraps
    its lines; each handle stays one piece to copy). (Left to itself, rich shrinks the columns that may
    wrap first: the handles, to nothing.)
    """
    order = _cut_order(len(natural), cut_order)
    kept = list(range(len(natural)))

    def room() -> int:
        return total - 3 * len(kept) - 1  # each column's padding and left rule, and the last rule

    def least(index: int) -> int:
        if index == 0:
            return natural[0]
        return min(natural[index], MIN_TEXT if index == order[0] else MIN_CUT)

    leaving = iter(order)
    while len(kept) > 1 and sum(least(index) for index in kept) > room():
        kept.remove(next(leaving))
    widths = [natural[index] if index in kept else 0 for index in range(len(natural))]
    for index in order:
        excess = sum(widths) - room()
        if excess <= 0:
            break
        if index in kept:
            widths[index] -= min(excess, widths[index] - least(index))
    return widths


def _cut_order(count: int, cut_order: Sequence[int] | None) -> list[int]:
    """Every column but the first, those of `cut_order` first, in the order they give up room."""
    first = [index for index in cut_order or () if 0 < index < count]
    return first + [index for index in range(count - 1, 0, -1) if index not in first]


def print_table(title: str | None, columns: Sequence[str], rows: Iterable[Sequence[str]],
                cut_first: Sequence[str] = ()) -> None:
    """A table for people, laid out by `column_widths` (the columns named in `cut_first` give up room
    first, in that order); every cell and the title go through `cell`."""
    from rich.table import Table

    table = Table(title=cell(title) if title is not None else None, show_lines=False, header_style="bold",
                  title_justify="left")
    rows = [[cell(value) for value in row] for row in rows]
    out = console()
    natural = [max([cell(column).cell_len] + [row[index].cell_len for row in rows])
               for index, column in enumerate(columns)]
    widths = column_widths(out.width, natural, [columns.index(name) for name in cut_first if name in columns])
    kept = [index for index, size in enumerate(widths) if size]
    for index in kept:
        # Every cell but the handles is cut with an ellipsis, on one line; handles are never cut.
        table.add_column(columns[index], width=widths[index], overflow="fold" if index == 0 else "ellipsis",
                         no_wrap=index > 0)
    for row in rows:
        table.add_row(*(row[index] for index in kept))
    out.width = max(out.width, sum(widths) + 3 * len(kept) + 1)
    out.print(table)


def print_snippets(title: str, snippets: Iterable[tuple[str, str]]) -> None:
    """`title`, then each snippet's heading indented and its lines under it, as plain text: a line of code
    longer than the terminal is wrapped by the terminal, not broken, so that it copies as written."""
    lines = ["", safe_text(title)]
    for heading, code in snippets:
        lines.append(f"  {safe_text(heading)}")
        lines += [f"    {safe_text(line)}" if line else "" for line in code.splitlines()]
    sys.stdout.write("\n".join(lines) + "\n")


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
