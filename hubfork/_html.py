"""The HTML tables Jupyter shows for hubfork's objects (``_repr_html_``), every text escaped:
a model, card or registry is someone else's text."""

from __future__ import annotations

import html
from typing import Iterable, Sequence


def fields_table(rows: Iterable[tuple[str, str]]) -> str:
    """A two-column table of (label, value) rows."""
    body = "".join(f'<tr><th style="text-align:left">{html.escape(key)}</th><td>{html.escape(value)}</td></tr>'
                   for key, value in rows)
    return f"<table>{body}</table>"


def table(columns: Sequence[str], rows: Iterable[Sequence[str]], caption: str | None = None) -> str:
    """A table with a header row (and a caption above it, when given)."""
    head = "".join(f"<th>{html.escape(column)}</th>" for column in columns)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>" for row in rows)
    above = f"<p>{html.escape(caption)}</p>" if caption else ""
    return f"{above}<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


__all__ = ["fields_table", "table"]
