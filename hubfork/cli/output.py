"""How the CLI prints: JSON for scripts, rich tables for people, problems as
``PATH:LINE: severity: message``."""

from __future__ import annotations

import json
import re
import sys
from typing import Any, Iterable, Sequence

from hubfork.cards.records import Problem

# Control characters other than newline and tab: written raw, they could retitle, clear or
# rewrite the user's terminal (a model or card is someone else's text).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def safe_text(value: str) -> str:
    """`value` with control characters (terminal escapes) shown as ``\\xNN`` escapes."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], value)


# JSON escapes C0 controls itself; DEL and the C1 controls (U+0080-U+009F, among them the
# one-character CSI and OSC) it writes raw unless told to escape all non-ASCII text.
_JSON_RAW_CONTROL = re.compile("[\x7f-\x9f]")


def print_json(data: Any) -> None:
    """`data` as indented JSON, every control character escaped (non-ASCII text kept readable)."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    # Outside strings JSON has no such characters, so this only rewrites them inside strings.
    sys.stdout.write(_JSON_RAW_CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n")


def print_problems(problems: Iterable[Problem], stream=None) -> None:
    stream = stream or sys.stdout
    for problem in problems:
        stream.write(f"{safe_text(str(problem))}\n")


def console(stderr: bool = False):
    import os

    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    # Piped output has no terminal width; rich would squeeze tables into 80
    # columns and cut handles. Use a wide line instead unless COLUMNS says otherwise.
    width = None if stream.isatty() or os.environ.get("COLUMNS") else 200
    return Console(stderr=stderr, highlight=False, soft_wrap=False, width=width)


def cell(value: str):
    """A table cell or title as rich shows it: the text itself, with control characters escaped
    (`safe_text`) and no rich markup read from it (a description holding ``[/]`` or
    ``[link=...]`` is shown as written, not interpreted or rejected)."""
    from rich.text import Text

    return Text(safe_text(value))


def print_table(title: str | None, columns: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    """A table for people; every cell and the title go through `cell`."""
    from rich.table import Table

    table = Table(title=cell(title) if title is not None else None, show_lines=False, header_style="bold",
                  title_justify="left")
    rows = [[cell(value) for value in row] for row in rows]
    out = console()
    # Rich makes room for a too-wide table by shrinking the columns that may wrap, below their
    # min_width (the handles, to nothing, under long descriptions); so the last column gets what is left.
    widths = [max([len(column)] + [len(row[index].plain) for row in rows]) for index, column in enumerate(columns)]
    room = out.width - sum(widths[:-1]) - 3 * len(columns) - 1
    for index, column in enumerate(columns):
        if index == 0:
            # Handles are what people copy: never cut them, fold them if they must.
            table.add_column(column, overflow="fold", min_width=min(widths[0], 48))
        elif index == len(columns) - 1:
            table.add_column(column, overflow="ellipsis", no_wrap=True, max_width=max(room, 12))
        else:
            table.add_column(column, overflow="ellipsis", no_wrap=True)
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
