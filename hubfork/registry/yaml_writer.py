"""A small deterministic YAML writer for registry files.

Why not ``yaml.dump``: PyYAML's representer runs in Python and takes over a
second for a registry of a few thousand cards (measured: 1.2 s for 2,800
entries, against a 2 s budget for the whole build). Registry data is plain
(str, int, float, bool, None, lists, dicts), so this writer emits block YAML
directly: strings plain when YAML reads them back as the same string, quoted
otherwise. ``yaml.safe_load`` of the output gives back exactly the input; the
tests check that on generated data.
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
_RESERVED = frozenset(
    {"y", "n", "yes", "no", "true", "false", "on", "off", "null"}
)
# Characters PyYAML refuses, or reads as line breaks inside a quoted scalar.
_MUST_ESCAPE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)


def dump(document: dict[str, Any], header: str = "") -> str:
    """`document` as block YAML, after `header` (comment lines, each starting with '#')."""
    out: list[str] = [line for line in header.splitlines()]
    _mapping(document, 0, out)
    return "\n".join(out) + "\n"


def scalar(value: Any) -> str:
    """One scalar as YAML text that reads back as the same value."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, str):
        if _PLAIN.fullmatch(value) and value.lower() not in _RESERVED:
            return value
        quoted = json.dumps(value, ensure_ascii=False)
        return _MUST_ESCAPE.sub(lambda m: "\\u%04x" % ord(m.group()) if ord(m.group()) < 0x10000
                                else "\\U%08x" % ord(m.group()), quoted)
    raise TypeError(f"cannot write {type(value).__name__} to a registry: {value!r}")


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


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, (dict, list, tuple))


def _mapping(mapping: dict[str, Any], indent: int, out: list[str]) -> None:
    pad = " " * indent
    for key, value in mapping.items():
        _value(f"{pad}{scalar(str(key))}:", value, indent, out)


def _value(prefix: str, value: Any, indent: int, out: list[str]) -> None:
    if isinstance(value, dict):
        if value:
            out.append(prefix)
            _mapping(value, indent + 2, out)
        else:
            out.append(prefix + " {}")
    elif isinstance(value, (list, tuple)):
        if all(_is_scalar(item) for item in value):
            out.append(prefix + " [" + ", ".join(scalar(item) for item in value) + "]")
        else:
            out.append(prefix)
            _sequence(value, indent, out)
    else:
        out.append(f"{prefix} {scalar(value)}")


def _sequence(items: list[Any] | tuple[Any, ...], indent: int, out: list[str]) -> None:
    pad = " " * indent
    for item in items:
        if isinstance(item, dict) and item:
            nested: list[str] = []
            _mapping(item, indent + 2, nested)
            nested[0] = f"{pad}- {nested[0][indent + 2:]}"
            out.extend(nested)
        elif isinstance(item, (list, tuple)) and not all(_is_scalar(x) for x in item):
            out.append(f"{pad}-")
            _sequence(item, indent + 2, out)
        else:
            _value(f"{pad}-", item, indent + 2, out)
