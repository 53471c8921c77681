"""TF Hub markdown cards: the first line, the description and the metadata block.

They are read exactly as tfhub.dev's own validator read them, so that every card
it accepted gives the same handle and metadata here:

- the first line, with every ``&zwnj;`` removed, is ``# Kind publisher/name/version``
  (``# Collection publisher/name/version``, ``# Publisher publisher``);
- the description starts on line 2, or on line 3 after one empty line, and runs
  until an empty line or a line starting with ``<!--``; its lines are joined;
- the metadata block runs until the first line that starts with ``#``: empty
  lines, ``<!-- key: value -->`` lines (key and value trimmed) and a publisher's
  ``[![Icon URL]](...)`` line; anything else there is an error. Unlike tfhub.dev,
  a second comment on one line is an error too (its regex made it part of the value).

Where the validator crashed or was stricter than its older versions (a file that
ends inside the description, a first line with trailing blanks, a publisher id
with capitals) this reader accepts the card and says so in a warning. It also
accepts what older validators did: ``module-type`` for ``task``, and an
``[![Open Colab notebook]](...)`` badge line in the metadata block.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from hubfork.cards.parts import Problem
from hubfork.constants import TFHUB_KINDS, TFHUB_MODEL_KINDS

_NAME = r"[\w.-]+(?:/[\w.-]+)*"
_MODEL_LINE = re.compile(
    rf"# (?P<kind>{'|'.join(TFHUB_MODEL_KINDS)}) (?P<publisher>[\w-]+)/(?P<name>{_NAME})/(?P<version>\d+)"
)
# tfhub.dev allowed '&' and ';' in collection names (left over from &zwnj;).
_COLLECTION_LINE = re.compile(r"# Collection (?P<publisher>[\w-]+)/(?P<name>[\w/&;.-]+)/(?P<version>\d+)")
_PUBLISHER_LINE = re.compile(r"# Publisher (?P<publisher>[\w-]+)")
_STRICT_PUBLISHER = re.compile(r"[a-z\d-]+")
_LOOKS_LIKE_TFHUB = re.compile(rf"#\s*(?:{'|'.join(TFHUB_KINDS)})\b")

_METADATA_LINE = re.compile(r"^<!--(?P<key>(?:\w|\s|-)+):(?P<value>.+)-->$")
_ICON_LINE = re.compile(r"^\[!\[Icon URL\]\]\((?P<url>[^)\s]*)\)")
_COLAB_BADGE_LINE = re.compile(r"^\[!\[Open Colab notebook\]\]\((?P<url>[^)\s]*)\)")

ZWNJ = "&zwnj;"

#: Keys that may be given several times; they are lists in `Header.metadata`.
#: ``module-type`` is what ``task`` was called before, and repeated like it.
REPEATED_KEYS = frozenset({"dataset", "language", "task", "network-architecture", "module-type"})

EXPECTED_FIRST_LINE = (
    f'expected "# {TFHUB_MODEL_KINDS[0]} publisher/name/version" (or {", ".join(TFHUB_MODEL_KINDS[1:-1])} or '
    f'{TFHUB_MODEL_KINDS[-1]} instead of {TFHUB_MODEL_KINDS[0]}), "# Collection publisher/name/version" '
    'or "# Publisher publisher"'
)


@dataclass(slots=True)
class MetadataLine:
    key: str
    value: str
    line: int


@dataclass(slots=True)
class Header:
    """What the first line, description and metadata block of a TF Hub card say."""

    kind: str | None = None
    publisher: str | None = None
    name: str | None = None
    version: int | None = None
    handle: str | None = None
    description: str = ""
    metadata: dict[str, str | list[str]] = field(default_factory=dict)
    #: Every metadata line in file order, for problems that need a line number.
    metadata_lines: list[MetadataLine] = field(default_factory=list)
    icon_url: str | None = None
    #: 1-based number of the first line after the metadata block.
    body_line: int = 1
    problems: list[Problem] = field(default_factory=list)

    def lines_of(self, key: str) -> list[int]:
        return [m.line for m in self.metadata_lines if m.key == key]


def looks_like_tfhub_card(first_line: str) -> bool:
    """True when a first line announces a TF Hub card (rightly spelled or not)."""
    return bool(_LOOKS_LIKE_TFHUB.match(first_line.replace(ZWNJ, "").lstrip("\ufeff")))


def parse_header(lines: list[str], path: str) -> Header:
    """Read the first line, description and metadata block of a TF Hub card.

    `lines` is the file split on newlines (without them). Problems are collected
    in the header, never raised.
    """
    header = Header()
    problems = header.problems
    first = lines[0].replace(ZWNJ, "") if lines else ""
    if first.startswith("\ufeff"):
        first = first[1:]
        problems.append(_warn(path, 1, "the file starts with a byte-order mark; tfhub.dev rejected that", "bom"))
    if first != first.rstrip():
        problems.append(_warn(path, 1, "trailing blanks after the handle; tfhub.dev rejected that", "first-line"))
        first = first.rstrip()
    if not _read_first_line(first, header):
        problems.append(_error(path, 1, f"{EXPECTED_FIRST_LINE}; found {first!r}", "first-line"))
        return header
    if header.publisher and not _STRICT_PUBLISHER.fullmatch(header.publisher):
        problems.append(
            _warn(
                path,
                1,
                f"publisher id {header.publisher!r} should use only lower-case letters, digits and '-'",
                "publisher-id",
            )
        )
    index = _read_description(lines, path, header)
    index = _read_metadata(lines, index, path, header)
    header.body_line = index + 1
    return header


def _read_first_line(first: str, header: Header) -> bool:
    match = _MODEL_LINE.fullmatch(first)
    if match:
        header.kind = match["kind"]
    else:
        match = _COLLECTION_LINE.fullmatch(first)
        if match:
            header.kind = "Collection"
        else:
            match = _PUBLISHER_LINE.fullmatch(first)
            if not match:
                return False
            header.kind = "Publisher"
            header.publisher = header.handle = match["publisher"]
            return True
    header.publisher = match["publisher"]
    header.name = match["name"]
    header.version = int(match["version"])
    if header.kind == "Collection":
        # tfhub.dev named a collection without its version (always 1).
        header.handle = f"{match['publisher']}/{match['name']}"
    else:
        header.handle = f"{match['publisher']}/{match['name']}/{match['version']}"
    return True


def _read_description(lines: list[str], path: str, header: Header) -> int:
    index = 1
    if index < len(lines) and not lines[index]:
        index += 1  # one empty line is allowed between the handle and the description
    start = index
    parts: list[str] = []
    while index < len(lines) and lines[index] and not lines[index].startswith("<!--"):
        parts.append(lines[index].strip())
        index += 1
    header.description = " ".join(p for p in parts if p)
    if not parts:
        problems = header.problems
        found = repr(lines[start]) if start < len(lines) else "the end of the file"
        problems.append(
            _error(
                path,
                start + 1,
                f"expected a short description of the model on line 2 (or line 3 after an empty line); found {found}",
                "description",
            )
        )
    elif index == len(lines):
        header.problems.append(
            _warn(path, index, "the file ends inside the description (tfhub.dev's validator crashed on that)", "eof")
        )
    return index


def _read_metadata(lines: list[str], index: int, path: str, header: Header) -> int:
    entries = header.metadata_lines
    reported = False
    while index < len(lines) and not lines[index].startswith("#"):
        line = lines[index]
        if line:
            match = _METADATA_LINE.match(line)
            if match:
                value = match["value"]
                if "-->" in value or "<!--" in value:
                    # tfhub.dev's regex read "a --> <!-- b: c" as one value, which would then
                    # name a revision or endpoint nobody wrote.
                    header.problems.append(
                        _error(path, index + 1, "one '<!-- key: value -->' comment per line; this line holds "
                               f"more after its first comment: {line!r}", "metadata-line")
                    )
                    value = value.split("-->", 1)[0].split("<!--", 1)[0]
                entries.append(MetadataLine(match["key"].strip(), value.strip(), index + 1))
            elif _ICON_LINE.match(line):
                header.icon_url = _ICON_LINE.match(line)["url"]  # type: ignore[index]
            elif _COLAB_BADGE_LINE.match(line):
                pass  # a Colab badge; tfhub.dev showed it but never counted it as metadata
            elif not reported:
                # Report the first stray line only: without a heading after the
                # block, every later prose line would be reported too.
                reported = True
                header.problems.append(
                    _error(
                        path,
                        index + 1,
                        f"unexpected line in the metadata block: {line!r}; expected '<!-- key: value -->', "
                        "an empty line, or a heading ('#') that starts the body",
                        "metadata-line",
                    )
                )
        index += 1
    header.metadata = _collect(entries, path, header.problems)
    return index


def _collect(entries: list[MetadataLine], path: str, problems: list[Problem]) -> dict[str, str | list[str]]:
    values: dict[str, list[str]] = {}
    for entry in entries:
        seen = values.setdefault(entry.key, [])
        if entry.value in seen:
            continue
        if seen and entry.key not in REPEATED_KEYS:
            first_line = next(e.line for e in entries if e.key == entry.key)
            problems.append(
                _error(
                    path,
                    entry.line,
                    f"'{entry.key}' takes one value but is given {seen[0]!r} (line {first_line}) "
                    f"and {entry.value!r}",
                    "duplicate-metadata",
                )
            )
            continue
        seen.append(entry.value)
    return {key: (vals if key in REPEATED_KEYS else vals[0]) for key, vals in values.items()}


def _error(path: str, line: int, message: str, code: str) -> Problem:
    return Problem(path, line, message, "error", code)


def _warn(path: str, line: int, message: str, code: str) -> Problem:
    return Problem(path, line, message, "warning", code)
