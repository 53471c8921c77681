"""Reading and writing registry files, and finding the default one.

A registry is ``registry.yaml``; reading a few thousand entries with PyYAML
takes seconds, so each registry file read (or written) is also kept as JSON in
hubfork's cache, keyed by the sha256 of the file's bytes. A browse command then
costs a hash and a ``json.loads``; any change to the file changes its key.
"""

from __future__ import annotations

import hashlib
import json
import os
from importlib import resources
from pathlib import Path
from typing import Any

from hubfork._files import atomic_write_text
from hubfork.constants import ENV_REGISTRY, HOME_CARDS, HOME_REGISTRY, REGISTRY_FORMAT, cache_dir, home_dir
from hubfork.errors import RegistryFormatError, RegistryNotFoundError
from hubfork.registry import yaml_writer

HEADER = (
    "# hubfork registry: one entry per model card, written by `hubfork registry build`.\n"
    "# Edit the cards and rebuild; changes made here are lost at the next build."
)
_CACHE_VERSION = 1


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
    """The registry file text for a document ``{format, cards, entries}``."""
    return yaml_writer.dump(document, HEADER)


def write(path: str | os.PathLike[str], document: dict[str, Any]) -> str:
    """Write a registry atomically (readers see the old file or the new one) and
    prime the read cache. Returns the text written."""
    text = render(document)
    atomic_write_text(path, text)
    _store_cached(hashlib.sha256(text.encode("utf-8")).hexdigest(), document)
    return text


def read(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a registry file into its document, through the cache when possible."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise RegistryNotFoundError("no registry file here (build one with `hubfork registry build`)",
                                    path=str(path)) from None
    except OSError as exc:
        raise RegistryNotFoundError(f"cannot read the registry: {exc.strerror}", path=str(path)) from None
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
    return document


def _parse(raw: bytes, path: str) -> dict[str, Any]:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        document = yaml.load(raw.decode("utf-8"), Loader=loader)  # noqa: S506 - a safe loader
    except UnicodeDecodeError as exc:
        raise RegistryFormatError(f"not UTF-8 text (byte {exc.start})", path=path) from None
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
    for number, entry in enumerate(entries, 1):
        if not isinstance(entry, dict) or not isinstance(entry.get("handle"), str) or "kind" not in entry:
            raise RegistryFormatError(f"entry {number} needs at least 'handle' and 'kind'", path=path)


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
