"""A small deterministic YAML writer for registry files: one line per list item, in JSON.

Why not ``yaml.dump``: PyYAML's representer runs in Python and takes over a
second for a registry of a few thousand cards. Why this layout: JSON is YAML, so
any YAML tool reads the file, a diff shows one line per changed entry, and
hubfork reads it back with ``json.loads`` a line at a time (`hubfork.registry.store`),
some fifty times faster than PyYAML's C loader.

Each top-level key is a line ``key: VALUE``; a non-empty list is ``key:`` followed by
one ``- ITEM`` line per item. Every VALUE and ITEM is one line of flow YAML, written by
``json.dumps`` whenever JSON and YAML 1.1 read it alike: no floats (JSON writes
``1e-05``, which PyYAML reads as text) and short text keys only (YAML reads no key of over
1,024 characters without a '?' before it); otherwise it is built here
with YAML's own float spellings (``1.0e-05``, ``.nan``). Characters YAML refuses or
reads as line breaks are escaped. ``yaml.safe_load`` of the output gives back exactly
the input; the tests check that on generated data.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

# Plain scalars this writer trusts: a letter or '_' first, then characters that
# have no meaning to YAML in block or flow context.
_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_./+-]*")
# Words YAML 1.1 (PyYAML) reads as booleans or null, in any case.
RESERVED = frozenset(
    {"y", "n", "yes", "no", "true", "false", "on", "off", "null"}
)
#: Characters PyYAML refuses, or reads as line breaks inside a quoted scalar (listed, not
#: negated: a class of a few ranges compiles in microseconds, a negated one in milliseconds).
YAML_UNSAFE = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff"
# JSON writes the C0 controls escaped itself; outside its strings it writes ASCII only.
_MUST_ESCAPE = re.compile(f"[{YAML_UNSAFE}]")
_JSON_TYPES = (str, int, bool, type(None))
# YAML reads a key written as JSON writes it (a "simple key") only up to 1024 characters; a longer one
# needs YAML's explicit '? ' form. A key of at most _SHORT_KEY characters is short even with every
# character escaped ("\\u0001": 6 of them).
_SHORT_KEY = 160
_LONGEST_SIMPLE_KEY = 1000


def dump(document: dict[str, Any], header: str = "") -> str:
    """`document` as YAML after `header` (comment lines, each starting with '#'): a line per
    top-level key, and a line per item of a top-level list."""
    out: list[str] = [line for line in header.splitlines()]
    for key, value in document.items():
        name = scalar(str(key))
        if isinstance(value, (list, tuple)) and value:
            out.append(f"{name}:")
            out.extend("- " + flow(item) for item in value)
        else:
            out.append(f"{name}: {flow(value)}")
    return "\n".join(out) + "\n"


def flow(value: Any) -> str:
    """One value as one line of flow YAML (JSON when JSON reads it the same) that reads back as
    `value`.

    Raises:
        TypeError: a value that is not str, int, float, bool, None, a list, tuple or dict.
        ValueError: text holding a lone surrogate (no UTF-8 file can hold one, nor YAML escape it).
    """
    text = json.dumps(value, ensure_ascii=False) if _json_alike(value) else _flow(value)
    if _MUST_ESCAPE.search(text):
        text = _MUST_ESCAPE.sub(_escape, text)
    return text


def scalar(value: Any) -> str:
    """One scalar as YAML text that reads back as the same value (plain text when YAML allows)."""
    if isinstance(value, str) and _PLAIN.fullmatch(value) and value.lower() not in RESERVED:
        return value
    return flow(value)


def _json_alike(value: Any) -> bool:
    """Whether ``json.dumps`` writes `value` as YAML reads it: only text keys, no floats."""
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is dict:
            if not all(type(key) is str and len(key) <= _SHORT_KEY for key in item):
                return False
            stack.extend(item.values())
        elif kind is list or kind is tuple:
            stack.extend(item)
        elif kind not in _JSON_TYPES:
            return False
    return True


def _flow(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(str(key))}: {_flow(item)}" for key, item in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_flow(item) for item in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to a registry: {value!r}")


def _key(key: str) -> str:
    written = _flow(key)
    return written if len(_MUST_ESCAPE.sub(_escape, written)) <= _LONGEST_SIMPLE_KEY else f"? {written}"


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xD800 <= code <= 0xDFFF:
        raise ValueError(f"cannot write text holding a lone surrogate (U+{code:04X}) to a registry")
    return "\\u%04x" % code


def _float(value: float) -> str:
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    text = repr(value)
    # PyYAML (YAML 1.1) only reads a float with a '.' in it: 1e-05 would be a string.
    if "." not in text:
        mantissa, _, exponent = text.partition("e")
        text = f"{mantissa}.0" + (f"e{exponent}" if exponent else "")
    return text
