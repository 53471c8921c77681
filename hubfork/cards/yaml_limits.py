"""What hubfork refuses in YAML before loading it: aliases, and nesting beyond a limit.

A few hundred bytes of anchors and aliases (``&a [...]``, ``*a``) expand into billions
of nodes once the loaded data is walked (copied, compared, written as JSON): a "billion
laughs" front matter took 16 s and 1.2 GB and passed, a bigger one ran out of memory.
hubfork's own writer never writes an alias and real cards do not need one, so any alias
is refused, at its line. Deep nesting (``[[[[...]]]]``) would overflow the recursion of
every reader after the YAML loader; it is refused beyond `MAX_DEPTH` levels.
"""

from __future__ import annotations

import re
from typing import Any

#: The deepest nesting of mappings and lists read (a Hugging Face ``model-index`` is about 6).
MAX_DEPTH = 32

# An anchor or alias starts with '&' or '*' at the start of a token: after a line start,
# a blank, or a flow indicator. Text without one cannot hold either (quoted text may look
# like one; the YAML scanner then decides).
_MAYBE_ANCHOR_OR_ALIAS = re.compile(r"(?:^|[\s\[{,:?-])[&*][^\s,\[\]{}]", re.MULTILINE)

ALIAS_MESSAGE = "an alias ('*name') is not read: hubfork reads no YAML aliases (a few can expand to gigabytes)"


def _loader() -> Any:
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def refusal(text: str, *, max_depth: int = MAX_DEPTH) -> tuple[int, str] | None:
    """``(line, message)`` (0-based line within `text`) of the first alias, too-deep nesting or
    syntax error in the YAML `text`, or None. Reads YAML events only: nothing is built, so
    this is safe on any input.
    """
    import yaml

    depth = 0
    try:
        for event in yaml.parse(text, Loader=_loader()):
            if isinstance(event, yaml.AliasEvent):
                return event.start_mark.line, ALIAS_MESSAGE
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > max_depth:
                    return event.start_mark.line, f"mappings and lists nest more than {max_depth} levels deep"
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError as exc:
        # libyaml's scanner stops deep nesting itself, before the events reach MAX_DEPTH.
        mark = getattr(exc, "problem_mark", None)
        return (mark.line if mark is not None else 0), str(getattr(exc, "problem", None) or exc)
    return None


def alias_line(text: str) -> int | None:
    """The 0-based line of the first alias in the YAML `text`, or None.

    Cheap on text with no '&' or '*' where a token starts (all a registry hubfork wrote
    holds): only then are its tokens scanned.
    """
    if not _MAYBE_ANCHOR_OR_ALIAS.search(text):
        return None
    import yaml

    try:
        for token in yaml.scan(text, Loader=_loader()):
            if isinstance(token, yaml.AliasToken):
                return token.start_mark.line
    except yaml.YAMLError:
        return None
    return None
