"""Characters someone else's text must never carry raw: control characters (C0, DEL, C1: they
retitle, clear or rewrite a terminal, and end lines), format characters (Cf: bidi overrides
reorder what follows them, zero-width ones hide text), the line and paragraph separators
(U+2028, U+2029: a line break to ``str.splitlines`` and to many terminals) and lone surrogates
(a file name's undecodable bytes, which no encoding writes).

One definition: the CLI escapes these characters in what it prints (`hubfork.cli.output`), and
a value written into a card may not hold them (`hubfork.cards.values`).
"""

from __future__ import annotations

import re
import unicodedata

_HIDDEN = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
#: Every hidden character is outside printable ASCII (tab and newline aside, which are Cc):
#: `is_hidden` need only be asked about what this matches.
OUTSIDE_ASCII = re.compile(r"[^\t\n\x20-\x7e]")


def is_hidden(char: str) -> bool:
    """True for a control, format, separator or surrogate character (tab and newline included)."""
    return unicodedata.category(char) in _HIDDEN


def first_hidden(text: str) -> str | None:
    """The first hidden character of `text`, or None."""
    return next((char for char in text if is_hidden(char)), None)


__all__ = ["OUTSIDE_ASCII", "is_hidden", "first_hidden"]
