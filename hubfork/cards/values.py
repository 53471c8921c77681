"""What a value written into a card may hold: one line of plain text.

A card's metadata is one ``<!-- key: value -->`` comment a line, and its description is the line
below its title. A value holding a line break, a comment's ``-->`` or ``<!--``, or a control or
format character (`hubfork._characters`) could end its line or comment and add metadata lines
of its own (``hub-endpoint``, ``hub-repo``, anything), or hide what it says from the reader.
Every writer of cards (`hubfork.publishing.card_writer`, `hubfork.registry.user`) refuses such
a value, naming it.
"""

from __future__ import annotations

from hubfork._characters import first_hidden

# Where str.splitlines (and so anything that reads a card by lines) ends a line.
_LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_COMMENT_MARKS = ("-->", "<!--")


def card_value_problem(value: str) -> str | None:
    """Why `value` cannot be written into a card (a phrase: ``holds a line break``), or None when it can."""
    if any(char in _LINE_BREAKS for char in value):
        return "holds a line break; a card value is one line"
    mark = next((mark for mark in _COMMENT_MARKS if mark in value), None)
    if mark is not None:
        return f"holds {mark!r}, which would end or start a card's metadata comment"
    hidden = first_hidden(value)
    if hidden is not None:
        return f"holds the control or format character U+{ord(hidden):04X}"
    return None


__all__ = ["card_value_problem"]
