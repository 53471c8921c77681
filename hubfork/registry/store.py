"""Reading and writing registry files, and finding the default one.

A registry is ``registry.yaml``; reading a few thousand entries with PyYAML
takes seconds, so each registry file read (or written) is also kept as JSON in
hubfork's cache, keyed by the sha256 of the file's bytes. A browse command then
costs a hash and a ``json.loads``; any change to the file changes its key.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
from importlib import resources
from pathlib import Path
from typing import Any

from hubfork._files import atomic_write_text
from hubfork._reading import read_regular_file
from hubfork.cards.yaml_limits import ALIAS_MESSAGE, alias_line
from hubfork.constants import ENV_REGISTRY, HOME_CARDS, HOME_REGISTRY, REGISTRY_FORMAT, cache_dir, home_dir
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
HEADER = (
    "# hubfork registry: one entry per model card, written by `hubfork registry build`.\n"
    "# Edit the cards and rebuild; changes made here are lost at the next build.\n"
    f"{_TRAILED}"
)
_CACHE_VERSION = 1
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
    packaged = resources.files("hubfork").joinpath("_data", "registry.yaml")
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent.parent / "registry.yaml"


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
    """Write a registry atomically (readers see the old file or the new one) and
    prime the read cache. Returns the text written.

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
    _store_cached(hashlib.sha256(text.encode("utf-8")).hexdigest(), document)
    return text


def read(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a registry file into its document, through the cache when possible.

    Raises:
        RegistryNotFoundError: no file at `path`, or it cannot be read.
        RegistryFormatError: it is not a registry hubfork reads: not a regular file, larger than
            `MAX_REGISTRY_BYTES`, cut short, not UTF-8, not valid YAML, uses YAML aliases, or an
            entry with a field of the wrong type (the message names the entry and field).
    """
    path = Path(path)
    raw = _read_bytes(path)
    trailer_count = _trailer_count(raw, str(path))
    digest = hashlib.sha256(raw).hexdigest()
    document = _load_cached(digest)
    if document is not None:
        try:
            _check(document, str(path))
        except RegistryFormatError:
            document = None
    if document is None:
        document = _parse(raw, str(path))
        _store_cached(digest, document)
    if trailer_count is not None and trailer_count != len(document["entries"]):
        raise RegistryFormatError(f"its last line says {trailer_count} entries, but it holds "
                                  f"{len(document['entries'])}", path=str(path), line=raw.count(b"\n"))
    return document


def _read_bytes(path: Path) -> bytes:
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


def _parse(raw: bytes, path: str) -> dict[str, Any]:
    import yaml

    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RegistryFormatError(f"not UTF-8 text (byte {exc.start} cannot be decoded)", path=path,
                                  line=raw[: exc.start].count(b"\n") + 1) from None
    alias = alias_line(text)
    if alias is not None:
        raise RegistryFormatError(ALIAS_MESSAGE, path=path, line=alias + 1)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        document = yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise RegistryFormatError(f"not valid YAML: {problem}", path=path,
                                  line=mark.line + 1 if mark else None) from None
    _check(document, path)
    return document


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


def _cache_file(digest: str) -> Path:
    return cache_dir() / "registry" / f"{digest}.v{_CACHE_VERSION}.json"


def _load_cached(digest: str) -> dict[str, Any] | None:
    try:
        return json.loads(_cache_file(digest).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _store_cached(digest: str, document: dict[str, Any]) -> None:
    # The cache only saves time: a read-only or full disk must not fail a command.
    try:
        atomic_write_text(_cache_file(digest), json.dumps(document, ensure_ascii=False, separators=(",", ":")))
    except OSError:
        pass
