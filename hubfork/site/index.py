"""The index the search page reads: every entry as one short array, repeated strings as numbers
into shared tables, written as ``index.js`` (a script that sets a global, because Chromium
does not let a page opened from ``file://`` fetch a JSON file).

Shape (``window.HUBFORK_INDEX``)::

    {"v": 1, "n": ENTRIES,
     "k": [kind, ...] (in CARD_KINDS order), "p": [publisher, ...], "t": [task, ...], "f": [format, ...],
     "l": [language, ...], "a": [architecture, ...],
     "e": [[handle, name, version, kind, publisher, description, tasks, format, languages,
            architectures, fine_tunable, has_source, deleted, page], ...]}

``name`` is 0 when it is the handle's last part before the version (the usual case) and
``page`` 0 when it is the default page name of the handle (`hubfork.site.paths.default_slug`);
``version``, ``publisher`` and ``format`` are -1 when unknown; ``tasks``, ``languages`` and
``architectures`` are lists of numbers; ``fine_tunable`` is 1, 0 or -1 (unknown); the flags
are 1 or 0 (``has_source``: some source serves the model, see `hubfork.registry.availability`).
``architectures`` holds the card's network architectures and its L/H/A label.
The order of entries is the registry's (by handle).
"""

from __future__ import annotations

import json
from typing import Any

from hubfork.constants import CARD_KINDS
from hubfork.registry.availability import has_source, is_deleted
from hubfork.registry.entry import RegistryEntry
from hubfork.site.catalogue import SiteCatalogue
from hubfork.site.paths import default_slug

INDEX_VERSION = 1
#: The entry array's fields, in order (search.js reads them by position).
FIELDS = ("handle", "name", "version", "kind", "publisher", "description", "tasks", "format", "languages",
          "architectures", "fine_tunable", "has_source", "deleted", "page")
GLOBAL = "HUBFORK_INDEX"


class _Table:
    """Strings numbered in order of first use; sorted at the end (`finish`) for stable output."""

    def __init__(self) -> None:
        self.values: list[str] = []

    def collect(self, values: list[str]) -> None:
        self.values.extend(values)

    def finish(self, order: tuple[str, ...] = ()) -> dict[str, int]:
        rank = {value: i for i, value in enumerate(order)}
        self.values = sorted(set(self.values), key=lambda v: (rank.get(v, len(rank)), v.lower(), v))
        return {value: i for i, value in enumerate(self.values)}


def architectures(entry: RegistryEntry) -> list[str]:
    """The architecture facet's values of an entry: its network architectures and L/H/A label."""
    found = list(entry.network_architectures)
    if entry.architecture is not None and entry.architecture.label:
        found.append(entry.architecture.label)
    return list(dict.fromkeys(found))


def _implied_name(entry: RegistryEntry) -> str:
    parts = entry.handle.split("/")
    if entry.version is not None and len(parts) > 2:
        return "/".join(parts[1:-1])
    return "/".join(parts[1:]) if len(parts) > 1 else entry.handle


def build_index(catalogue: SiteCatalogue) -> dict[str, Any]:
    """The index as data (see the module's docstring)."""
    entries = catalogue.entries
    tables = {key: _Table() for key in ("k", "p", "t", "f", "l", "a")}
    for entry in entries:
        tables["k"].collect([entry.kind])
        tables["p"].collect([entry.publisher] if entry.publisher else [])
        tables["t"].collect(list(entry.tasks))
        tables["f"].collect([entry.format] if entry.format else [])
        tables["l"].collect(list(entry.languages))
        tables["a"].collect(architectures(entry))
    # Kinds in lookup order: search.js ranks a handle's cards by their kind's number.
    numbers = {key: table.finish(CARD_KINDS if key == "k" else ()) for key, table in tables.items()}
    rows = []
    for entry, slug in zip(entries, catalogue.slugs):
        name = entry.name or ""
        rows.append([
            entry.handle,
            0 if name == _implied_name(entry) else name,
            -1 if entry.version is None else entry.version,
            numbers["k"][entry.kind],
            numbers["p"][entry.publisher] if entry.publisher else -1,
            entry.description,
            [numbers["t"][t] for t in entry.tasks],
            numbers["f"][entry.format] if entry.format else -1,
            [numbers["l"][lang] for lang in entry.languages],
            [numbers["a"][a] for a in architectures(entry)],
            -1 if entry.fine_tunable is None else int(entry.fine_tunable),
            int(has_source(entry)),
            int(is_deleted(entry)),
            0 if slug == default_slug(entry.handle) else slug,
        ])
    data: dict[str, Any] = {"v": INDEX_VERSION, "n": len(rows)}
    data.update({key: table.values for key, table in tables.items()})
    data["e"] = rows
    return data


def index_script(data: dict[str, Any]) -> str:
    """``index.js``: the index as a script setting ``window.HUBFORK_INDEX``. JSON is valid
    JavaScript; '<' is escaped so no card text can close a script element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
    return f"window.{GLOBAL}={text};\n"


__all__ = ["FIELDS", "GLOBAL", "INDEX_VERSION", "architectures", "build_index", "index_script"]
