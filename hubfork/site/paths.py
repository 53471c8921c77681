"""Where each entry's page is in the site: one safe, distinct file name per entry.

tfhub.dev gave a model and its Lite, Tfjs or Coral variant one handle, so a handle alone
does not name one page. The entry a lookup of the handle prefers gets the plain name and the
others a ``~kind`` suffix; names are built from ASCII letters, digits, '.', '_' and '-' only
(a name part may not start with '.'), so no handle can reach outside the pages' folder, and
two names that differ only in case get a hash suffix to stay distinct on any filesystem.
"""

from __future__ import annotations

import hashlib
import re
from typing import Sequence

from hubfork.registry.entry import RegistryEntry
from hubfork.registry.registry import preferred

#: The folder of entry pages, inside the site.
PAGES_DIR = "e"
#: Joins a handle's parts in a page name ('/' would make folders).
SEPARATOR = "~"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
#: Longest page name part taken from a handle (file names are at most 255 bytes).
_MAX_PART = 80


def default_slug(handle: str) -> str:
    """The page name of a handle, before kinds and collisions are told apart (``search.js``
    derives the same from a handle, so the index stores only names that differ from it)."""
    return SEPARATOR.join(handle.split("/"))


def page_slugs(entries: Sequence[RegistryEntry]) -> list[str]:
    """A page name (without ``.html``) for each of `entries`, in their order; the same for the
    same entries in the same order."""
    groups: dict[str, list[int]] = {}
    for index, entry in enumerate(entries):
        groups.setdefault(entry.handle, []).append(index)
    slugs = [""] * len(entries)
    for handle, indexes in groups.items():
        first = preferred(entries[i] for i in indexes)
        for i in indexes:
            entry = entries[i]
            slug = _safe(handle)
            if entry is not first:
                slug += SEPARATOR + entry.kind.lower()
            slugs[i] = slug
    return _distinct(slugs, entries)


def page_path(slug: str) -> str:
    """The page's path inside the site, POSIX separators."""
    return f"{PAGES_DIR}/{slug}.html"


def _safe(handle: str) -> str:
    parts = []
    for part in handle.split("/"):
        part = _UNSAFE.sub("_", part)[:_MAX_PART] or "_"
        parts.append("_" + part if part.startswith(".") else part)
    return SEPARATOR.join(parts)


def _distinct(slugs: list[str], entries: Sequence[RegistryEntry]) -> list[str]:
    """Give every name that clashes with another (case ignored) a suffix from its entry's identity."""
    seen: dict[str, int] = {}
    for slug in slugs:
        seen[slug.lower()] = seen.get(slug.lower(), 0) + 1
    out = []
    for slug, entry in zip(slugs, entries):
        if seen[slug.lower()] > 1:
            identity = "\0".join((entry.handle, entry.kind, entry.card_path)).encode("utf-8")
            slug = f"{slug}{SEPARATOR}{hashlib.sha256(identity).hexdigest()[:10]}"
        out.append(slug)
    return out


__all__ = ["PAGES_DIR", "SEPARATOR", "default_slug", "page_slugs", "page_path"]
