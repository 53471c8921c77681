"""The index the search page reads: every entry as one short array, repeated strings as numbers
into shared tables, written as ``index.js`` (a script that sets a global, because Chromium
does not let a page opened from ``file://`` fetch a JSON file).

Shape (``window.HUBFORK_INDEX``)::

    {"v": 4, "n": ENTRIES,
     "c": {field: column, ...} (where each of `FIELDS` is in an entry's array: search.js reads them by name),
     "f": [facet, ...] (the search page's facets, `FACETS`, in the order it offers them),
     "values": {facet: [value, ...], ...} (each facet's values; an entry's facet column holds numbers into them),
     "r": the ranking (`hubfork.registry.ranking.as_index`: search.js ranks by it, as `hubfork search` does),
     "s": [word, ...] (`hubfork.registry.availability.SOURCE_WORDS`: where a model can be fetched, in one word),
     "e": [[handle, name, version, description, FACET..., deleted, source, page, official, collections, links],
           ...]}

The facets are those of the table of facts (`hubfork.cards.schema.FACETS`), named as ``hubfork
search`` names them (kind, publisher, task, language, format, arch, fine_tunable, license), and
``has_source`` (some source serves the model, see `hubfork.registry.availability`). A facet that
gives an entry several values (task, language, arch: the card's network architectures and its L/H/A
label) is a list of numbers, any other one number, -1 when unknown; a yes/no facet's values are
``yes``, ``no`` and, for a fact a card may leave unsaid, ``unknown``. ``name`` is 0 when it is the
handle's last part before the version (the usual case) and ``page`` 0 when it is the default page
name of the handle (`hubfork.site.paths.default_slug`); ``version`` is -1 when unknown and
``deleted`` 1 or 0; ``source`` is a number into ``s`` (`hubfork.registry.availability.source_word`, the
badge of each result, the word ``hubfork search``'s Source column shows). ``official``,
``collections`` and ``links`` are the entry's standing
(`hubfork.registry.registry.Registry.prominence`, the keys `hubfork.registry.ranking.SIGNALS`),
numbers computed here once so that search.js sorts by them without recomputing them. The order of
entries is the registry's (by handle); search.js ranks them, with no query too, and shows each model's
versions (of one kind) as one result, as `hubfork search` does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable

from hubfork.cards import schema
from hubfork.registry import ranking
from hubfork.registry.availability import SOURCE_WORDS, has_source, is_deleted, source_word
from hubfork.registry.entry import RegistryEntry
from hubfork.site.catalogue import SiteCatalogue
from hubfork.site.paths import default_slug

INDEX_VERSION = 4
GLOBAL = "HUBFORK_INDEX"


@dataclass(frozen=True)
class _Facet:
    """A facet of the search page: its name, label, an entry's values, whether it may give an entry
    several, and the order of values that have one."""

    name: str
    label: str
    values: Callable[[RegistryEntry], list[str]]
    many: bool
    order: tuple[str, ...] = ()


# Named as `hubfork search` names them (`Facet.option`: ``--task``, ``Filters.task``), each a select
# ``facet-NAME`` of the search page and a key of its address (``#task=text-embedding``).
_FACETS = tuple(_Facet(fact.facet.option, fact.label, fact.facet_values, fact.many, fact.facet.choices)
                for fact in schema.FACETS if fact.facet is not None) + (
    _Facet("has_source", "Has a source", lambda entry: [schema.yes_no(has_source(entry))], False,
           schema.FLAG_VALUES[:2]),)
#: The search page's facets, (name, label), in the order it offers them.
FACETS: tuple[tuple[str, str], ...] = tuple((facet.name, facet.label) for facet in _FACETS)
#: The entry array's fields, in order (the index names their columns, ``c``).
FIELDS = ("handle", "name", "version", "description", *(facet.name for facet in _FACETS), "deleted", "source", "page",
          *ranking.SIGNALS)


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


def _implied_name(entry: RegistryEntry) -> str:
    parts = entry.handle.split("/")
    if entry.version is not None and len(parts) > 2:
        return "/".join(parts[1:-1])
    return "/".join(parts[1:]) if len(parts) > 1 else entry.handle


def build_index(catalogue: SiteCatalogue) -> dict[str, Any]:
    """The index as data (see the module's docstring)."""
    entries = catalogue.entries
    found = [{facet.name: facet.values(entry) for facet in _FACETS} for entry in entries]
    tables = {facet.name: _Table() for facet in _FACETS}
    for values in found:
        for name, table in tables.items():
            table.collect(values[name])
    numbers = {facet.name: tables[facet.name].finish(facet.order) for facet in _FACETS}
    rows = []
    for entry, slug, values in zip(entries, catalogue.slugs, found):
        name = entry.name or ""
        row: list[Any] = [
            entry.handle,
            0 if name == _implied_name(entry) else name,
            -1 if entry.version is None else entry.version,
            entry.description,
        ]
        for facet in _FACETS:
            at = [numbers[facet.name][value] for value in values[facet.name]]
            row.append(at if facet.many else (at[0] if at else -1))
        row += [int(is_deleted(entry)), SOURCE_WORDS.index(source_word(entry)),
                0 if slug == default_slug(entry.handle) else slug]
        standing = catalogue.registry.prominence(entry)
        row += [getattr(standing, signal) for signal in ranking.SIGNALS]
        rows.append(row)
    return {
        "v": INDEX_VERSION,
        "n": len(rows),
        "c": {field: column for column, field in enumerate(FIELDS)},
        "f": [facet.name for facet in _FACETS],
        "values": {name: table.values for name, table in tables.items()},
        "r": ranking.as_index(),
        "s": list(SOURCE_WORDS),
        "e": rows,
    }


def index_script(data: dict[str, Any]) -> str:
    """``index.js``: the index as a script setting ``window.HUBFORK_INDEX``. JSON is valid
    JavaScript; '<' is escaped so no card text can close a script element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
    return f"window.{GLOBAL}={text};\n"


__all__ = ["FACETS", "FIELDS", "GLOBAL", "INDEX_VERSION", "build_index", "index_script"]
