"""Reading and writing registry files, and finding the default one.

A registry is ``registry.yaml``. Reading a few thousand entries with PyYAML takes
seconds, so hubfork writes each entry on one line as JSON (which is YAML too, see
`hubfork.registry.yaml_writer`) and says so in the header; such a file is read a line
at a time with ``json.loads``, in tens of milliseconds, with no cache to keep. Any
line the fast reader does not recognise, and any file without that header
(hand-written, or from an older hubfork), is read by PyYAML's safe loader instead.
"""

from __future__ import annotations

import errno
import json
import os
import re
from pathlib import Path
from typing import Any

from hubfork._files import atomic_write_text
from hubfork._reading import read_regular_file
from hubfork.cards.yaml_limits import ALIAS_MESSAGE, alias_line
from hubfork.constants import ENV_REGISTRY, HOME_CARDS, HOME_REGISTRY, REGISTRY_FORMAT, home_dir
from hubfork.errors import RegistryError, RegistryFormatError, RegistryNotFoundError
from hubfork.registry import yaml_writer
from hubfork.registry.entry import entry_problem

# A file cut short (a full disk, a copy interrupted) can still be valid YAML with fewer
# entries, or a last entry without its fields. So the writer ends the file with a trailer
# line giving the number of entries, and says so in the header: a file whose header says
# so must end with it. Files written before the trailer existed have no such header line
# and are read as before.
_TRAILED = "# The last line of this file says how many entries it holds; a file without that line was cut short."
TRAILER = "# end of registry: {count} entries"
_TRAILER = re.compile(rb"\n# end of registry: (\d+) entries\s*\Z")
# The header line that lets a reader take `_parse_lines`.
_ONE_LINE_JSON = "# Each entry is one line of JSON (which is YAML too), for readers that take it as JSON."
HEADER = (
    "# hubfork registry: one entry per model card, written by `hubfork registry build`.\n"
    "# Edit the cards and rebuild; changes made here are lost at the next build.\n"
    f"{_TRAILED}\n"
    f"{_ONE_LINE_JSON}"
)
#: The largest registry file read (100 MB: tfhub.dev's ~6,000 cards make about 5 MB). A larger
#: one, or anything but a regular file (a FIFO, /dev/zero), is refused unread.
MAX_REGISTRY_BYTES = 100_000_000


def default_registry_path() -> Path:
    """The registry used when none is named.

    ``$HUBFORK_REGISTRY`` if set; else the registry packaged with hubfork; else,
    in a source checkout, ``registry.yaml`` at the top of the checkout.
    """
    explicit = os.environ.get(ENV_REGISTRY)
    if explicit:
        return Path(explicit)
    return shipped_registry_path()


def shipped_registry_path() -> Path:
    """The registry shipped with hubfork: packaged with it, else, in a source checkout, ``registry.yaml`` at
    the top of the checkout. Its sources are the mirrors hubfork knows; any other registry is the user's."""
    # The package's own folder, not importlib.resources: that import costs a browse command ~10 ms,
    # and a registry inside a zip could not be read as a file anyway.
    package = Path(__file__).resolve().parent.parent
    packaged = package / "_data" / "registry.yaml"
    if packaged.is_file():
        return packaged
    return package.parent / "registry.yaml"


def user_registry_path() -> Path:
    """The user's own registry (``$HUBFORK_HOME/registry.yaml``), built from `user_cards_dir`."""
    return home_dir() / HOME_REGISTRY


def user_cards_dir() -> Path:
    """The user's own cards (``$HUBFORK_HOME/cards``), which ``hubfork registry add-source`` writes."""
    return home_dir() / HOME_CARDS


def render(document: dict[str, Any]) -> str:
    """The registry file text for a document ``{format, cards, entries}``, ending with its trailer."""
    return yaml_writer.dump(document, HEADER) + TRAILER.format(count=len(document["entries"])) + "\n"


def write(path: str | os.PathLike[str], document: dict[str, Any]) -> str:
    """Write a registry atomically (readers see the old file or the new one). Returns the text written.

    Raises:
        RegistryError: `path` is a folder, or cannot be written (the message says why); nothing
            is written then.
    """
    text = render(document)
    try:
        if Path(path).is_dir():
            raise RegistryError("is a folder; name the registry file to write (e.g. registry.yaml)", path=str(path))
        atomic_write_text(path, text)
    except OSError as exc:
        raise RegistryError(f"cannot write the registry: {exc.strerror or exc}", path=str(path)) from None
    return text


def read(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a registry file into its document.

    Raises:
        RegistryNotFoundError: no file at `path`, or it cannot be read.
        RegistryFormatError: it is not a registry hubfork reads: not a regular file, larger than
            `MAX_REGISTRY_BYTES`, cut short, not UTF-8, not valid YAML, uses YAML aliases, or an
            entry with a field of the wrong type (the message names the entry and field).
    """
    path = Path(path)
    return parse(read_bytes(path), path)


def parse(raw: bytes, path: str | os.PathLike[str]) -> dict[str, Any]:
    """The document of a registry file's bytes `raw` (`path` names it in errors).

    Raises:
        RegistryFormatError: as `read`.
    """
    path = Path(path)
    trailer_count = _trailer_count(raw, str(path))
    text = _decode(raw, str(path))
    document = _parse_lines(raw, text) if _ONE_LINE_JSON.encode("utf-8") in raw[:1024] else None
    if document is None:
        document = _parse_yaml(text, str(path))
    _check(document, str(path))
    if trailer_count is not None and trailer_count != len(document["entries"]):
        raise RegistryFormatError(f"its last line says {trailer_count} entries, but it holds "
                                  f"{len(document['entries'])}", path=str(path), line=raw.count(b"\n"))
    return document


def read_bytes(path: str | os.PathLike[str]) -> bytes:
    """The bytes of a registry file, refused as `read` refuses them.

    Raises:
        RegistryNotFoundError: no file at `path`, or it cannot be read.
        RegistryFormatError: not a regular file, or larger than `MAX_REGISTRY_BYTES`.
    """
    path = Path(path)
    try:
        return read_regular_file(path, MAX_REGISTRY_BYTES)
    except FileNotFoundError:
        raise RegistryNotFoundError("no registry file here (build one with `hubfork registry build`)",
                                    path=str(path)) from None
    except OSError as exc:
        if exc.errno in (errno.EFBIG, errno.EINVAL):
            raise RegistryFormatError(f"not read: {exc.strerror}", path=str(path)) from None
        raise RegistryNotFoundError(f"cannot read the registry: {exc.strerror}", path=str(path)) from None


def _trailer_count(raw: bytes, path: str) -> int | None:
    """The entry count the trailer gives, None for a file from before trailers.

    Raises:
        RegistryFormatError: the header promises a trailer and there is none.
    """
    head = raw[:1024]
    if _TRAILED.encode("utf-8") not in head:
        return None
    match = _TRAILER.search(raw[-200:])
    if match is None:
        raise RegistryFormatError(
            f"cut short: the file does not end with its '{TRAILER.format(count='N')}' line "
            "(rebuild it with `hubfork registry build`)", path=path, line=raw.count(b"\n") + 1)
    return int(match.group(1))


def _decode(raw: bytes, path: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RegistryFormatError(f"not UTF-8 text (byte {exc.start} cannot be decoded)", path=path,
                                  line=raw[: exc.start].count(b"\n") + 1) from None


# What `_parse_lines` reads itself: comments, ``key: JSON`` and ``- JSON``. Anything else, and
# text where JSON and YAML could read differently (tabs, which YAML allows in fewer places;
# characters YAML refuses or reads as line breaks; escaped surrogates, which JSON pairs and YAML
# refuses), goes to PyYAML, whose reading is the reference (tests/registry/test_store.py).
_KEY_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*):(?: (.*))?")
_YAML_ONLY_CHARS = re.compile(f"[\t{yaml_writer.YAML_UNSAFE}]")
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89abAB]")
# Searching 2 MB of text for a character class takes ~15 ms; deleting the printable ASCII bytes
# first (in C) leaves little to search, still valid UTF-8 (no byte of a multi-byte character is ASCII).
_PRINTABLE_ASCII = bytes(range(0x20, 0x7F)) + b"\n\r"


def _yaml_only(raw: bytes) -> bool:
    """Whether `raw` holds something JSON and YAML could read differently."""
    rest = raw.translate(None, _PRINTABLE_ASCII).decode("utf-8")
    return bool(_YAML_ONLY_CHARS.search(rest) or _SURROGATE_ESCAPE.search(raw))


# PyYAML (YAML 1.1) reads a number as a float only with a '.' and a signed exponent.
_YAML_FLOAT = re.compile(r"-?[0-9]+\.[0-9]*(?:[eE][-+][0-9]+)?")


def _yaml_float(token: str) -> float:
    if not _YAML_FLOAT.fullmatch(token):
        raise ValueError(f"YAML reads {token} as text")
    return float(token)


_JSON = json.JSONDecoder(parse_float=_yaml_float)


def _parse_lines(raw: bytes, text: str) -> dict[str, Any] | None:
    """The document of a registry written a line per entry, or None when some line is not one this
    reads (the caller then reads the whole text as YAML, which also reports any error)."""
    if _yaml_only(raw):
        return None
    document: dict[str, Any] = {}
    items: list[Any] | None = None  # the list '- ' lines add to
    key = None
    decode, decode_at = _JSON.decode, _JSON.raw_decode
    for line in text.split("\n"):
        if line.startswith("- "):
            if key is None:
                return None
            if items is None:
                if document[key] is not None:
                    return None
                items = document[key] = []
            try:
                item, end = decode_at(line, 2)
                if end != len(line) and not line[end:].isspace():
                    raise ValueError("more after the JSON value")
            except (ValueError, RecursionError):
                yaml_item = _yaml_item(line)
                if yaml_item is None:
                    return None
                item = yaml_item[0]
            items.append(item)
            continue
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = _KEY_LINE.fullmatch(line.rstrip())
        if match is None or match.group(1).lower() in yaml_writer.RESERVED:
            return None
        key, value, items = match.group(1), match.group(2), None
        try:
            document[key] = decode(value) if value and value.strip() else None
        except (ValueError, RecursionError):
            return None
    return document


def _yaml_item(line: str) -> list[Any] | None:
    """A ``- ITEM`` line JSON cannot read (``.nan``, a comment after it...) read as YAML: ``[ITEM]``,
    or None when it is not one whole item with no alias."""
    import yaml

    if alias_line(line) is not None:
        return None
    try:
        value = yaml.load(line, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - a safe loader
    except (yaml.YAMLError, RecursionError):
        return None
    return value if isinstance(value, list) and len(value) == 1 else None


def _parse_yaml(text: str, path: str) -> Any:
    import yaml

    alias = alias_line(text)
    if alias is not None:
        raise RegistryFormatError(ALIAS_MESSAGE, path=path, line=alias + 1)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise RegistryFormatError(f"not valid YAML: {problem}", path=path,
                                  line=mark.line + 1 if mark else None) from None


def _check(document: Any, path: str) -> None:
    if not isinstance(document, dict):
        raise RegistryFormatError("expected a mapping with 'format' and 'entries'", path=path)
    if document.get("format") != REGISTRY_FORMAT:
        raise RegistryFormatError(
            f"registry format {document.get('format')!r} is not one this hubfork reads ({REGISTRY_FORMAT})", path=path
        )
    entries = document.get("entries")
    if not isinstance(entries, list):
        raise RegistryFormatError("'entries' should be a list", path=path)
    cards = document.get("cards")
    if cards is not None and not isinstance(cards, str):
        raise RegistryFormatError(f"'cards' should be the cards folder as text, not {type(cards).__name__}",
                                  path=path)
    for number, entry in enumerate(entries, 1):
        problem = entry_problem(entry)
        if problem is not None:
            handle = entry.get("handle") if isinstance(entry, dict) else None
            named = f" ({handle})" if isinstance(handle, str) and handle else ""
            raise RegistryFormatError(f"entry {number}{named} {problem}", path=path)
