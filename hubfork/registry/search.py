"""Searching registry entries: a free-text query, filters, ranking, and pages of results."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

from hubfork.cards.schema import BY_NAME, FACETS, Fact, label
from hubfork.constants import SEARCH_PER_PAGE
from hubfork.registry import ranking
from hubfork.registry.availability import has_source
from hubfork.registry.entry import RegistryEntry
from hubfork.registry.links import model_key

_WORD_SPLIT = re.compile(ranking.WORD_SEPARATORS)
_KIND_RANK = {kind: i for i, kind in enumerate(ranking.KIND_ORDER)}


@dataclass(frozen=True)
class Filters:
    """Filters of `search`: one for each facet of `hubfork.cards.schema.FACETS` (named by its
    `Facet.option`; tests/cards/test_schema.py checks they agree), and `has_source`. None matches all.

    Each matches as its facet says, in any case: `task` and `arch` a part (``embedding`` matches
    ``text-embedding``; ``arch`` also matches the size, e.g. ``L-12_H-768_A-12`` or ``12/768/12``),
    `language` an id or a name, the others whole values. `fine_tunable` and `has_source` (some
    source serves the model: tfhub.dev or a mirror, see `hubfork.registry.availability`) are
    yes/no; an entry that states no `fine_tunable` matches neither.
    """

    kind: str | None = None
    publisher: str | None = None
    task: str | None = None
    language: str | None = None
    format: str | None = None
    arch: str | None = None
    fine_tunable: bool | None = None
    license: str | None = None
    has_source: bool | None = None


@dataclass(frozen=True)
class Prominence:
    """What the catalogue says of an entry's standing, the numbers `hubfork.registry.ranking.ORDER`
    sorts by after the score (see `hubfork.registry.registry.Registry.prominence`)."""

    #: 1 when a publisher page of the catalogue names its publisher (tfhub.dev's own and its partners), else 0.
    official: int = 0
    #: How many Collections list its model.
    collections: int = 0
    #: How many other models' cards link to its model (`RegistryEntry.links`).
    links: int = 0


_NONE = Prominence()


def group_key(entry: RegistryEntry) -> tuple[str, str]:
    """What the rows of one result share: the model (an entry without a version is a model of its own)
    and the kind (a model's Lite, Tfjs or Coral variant is a result of its own)."""
    model = model_key(entry.handle) if entry.version is not None else entry.handle.lower()
    return model, entry.kind


def search(entries: Iterable[RegistryEntry], query: str | None = None, filters: Filters = Filters(),
           *, language_ids: dict[str, str] | None = None,
           prominence: Callable[[RegistryEntry], Prominence] | None = None) -> "SearchResults":
    """One result per model and kind matching every word of `query` and every filter, best first.

    A word matches anywhere in the handle, name, tags (tasks, architectures, languages, kind and
    size) or description. Ranking follows the table of `hubfork.registry.ranking`: the name or
    handle equal to a word, then a whole word of the name, then a part, then tags, then the
    description; within a score an official publisher's first, then by kind, then the model more
    collections list and more other cards link to (`prominence`: none when not given), then by model
    and handle. The versions of a model of one kind
    are one result, placed where its best version ranks and shown as its newest matching version
    (`SearchResults.versions_of` gives them all). `language_ids` maps language names to ids so
    ``--language English`` works.
    """
    terms = [t for t in (query or "").lower().split() if t]
    asked = _asked(filters)
    standing = prominence or (lambda entry: _NONE)
    scored = []
    for entry in entries:
        if not _passes(entry, filters, asked, language_ids or {}):
            continue
        score = _score(entry, terms)
        if score is not None:
            scored.append(_Row(entry, score, standing(entry)))
    # One stable sort per key, the last key first, leaves the results in the table's order.
    for key, direction in reversed(ranking.ORDER):
        sort_key = _SORT_KEYS[key]
        scored.sort(key=sort_key, reverse=direction == ranking.DESCENDING)
    return SearchResults.grouped(row.entry for row in scored)


@dataclass(frozen=True, slots=True)
class _Row:
    entry: RegistryEntry
    score: int
    prominence: Prominence


#: The facts a table of results shows.
_COLUMNS = ("handle", "kind", "architecture", "description")


class SearchResults(list):
    """One registry entry per result, best first: a list, shown in Jupyter as a table. Each result
    stands for the matching versions of its model (of its kind): `versions_of` lists them, newest
    first, and `versions_hint` says e.g. "v4 · 3 older"."""

    def __init__(self, entries: Iterable[RegistryEntry] = (), versions: dict[int, list[RegistryEntry]] | None = None):
        super().__init__(entries)
        self._versions = versions or {}

    @classmethod
    def grouped(cls, rows: Iterable[RegistryEntry]) -> "SearchResults":
        """Rows best first, one result per `group_key`: at its best row's place, shown as its newest version."""
        groups: dict[tuple[str, str], list[RegistryEntry]] = {}
        for entry in rows:
            groups.setdefault(group_key(entry), []).append(entry)
        shown, versions = [], {}
        for members in groups.values():
            members = sorted(members, key=lambda e: -(e.version or 0))
            shown.append(members[0])
            versions[id(members[0])] = members
        return cls(shown, versions)

    def versions_of(self, entry: RegistryEntry) -> list[RegistryEntry]:
        """The matching versions `entry` (a result) stands for, newest first, itself among them."""
        return list(self._versions.get(id(entry), [entry]))

    def versions_hint(self, entry: RegistryEntry) -> str:
        """`entry`'s version and how many older ones it stands for, e.g. "v4 · 3 older", "v2", or ""
        for an entry without a version."""
        return versions_hint(self.versions_of(entry))

    def _repr_html_(self) -> str:
        from hubfork._html import table

        return table([label(name) for name in _COLUMNS],
                     ([BY_NAME[name].cell(e) for name in _COLUMNS] for e in self), caption=f"{len(self)} entries")


def versions_hint(versions: Sequence[RegistryEntry]) -> str:
    """For a result's versions, newest first: e.g. "v4 · 3 older", "v2" alone, "" without a version."""
    if not versions or versions[0].version is None:
        return ""
    older = len(versions) - 1
    return f"v{versions[0].version}" + (f" · {older} older" if older else "")


@dataclass(frozen=True)
class Page:
    """One page of results: `entries` are results `first` to `last` (1-based) of `total`."""

    entries: list[RegistryEntry]
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        """How many pages the results make (0 when there are none)."""
        return -(-self.total // self.size)

    @property
    def first(self) -> int:
        return (self.number - 1) * self.size + 1 if self.entries else 0

    @property
    def last(self) -> int:
        return self.first + len(self.entries) - 1 if self.entries else 0


def page(results: Sequence[RegistryEntry], number: int = 1, size: int = SEARCH_PER_PAGE) -> Page:
    """Page `number` (from 1) of `results`, `size` a page.

    Raises:
        ValueError: `number` or `size` below 1, or `number` past the last page (a search with
            no results has one, empty, page 1).
    """
    if number < 1 or size < 1:
        raise ValueError(f"pages and their sizes count from 1 (page {number}, {size} a page)")
    pages = max(1, -(-len(results) // size))
    if number > pages:
        raise ValueError(f"page {number} is past the end: {len(results)} results make "
                         f"{pages} page{'s' if pages > 1 else ''} of {size}")
    start = (number - 1) * size
    return Page(list(results[start:start + size]), number, size, len(results))


def _asked(filters: Filters) -> list[tuple[Fact, str | bool]]:
    """The facets `filters` asks for, each with the value asked."""
    asked = [(fact, getattr(filters, fact.facet.option)) for fact in FACETS if fact.facet is not None]
    return [(fact, value) for fact, value in asked if value is not None]


def _passes(entry: RegistryEntry, filters: Filters, asked: list[tuple[Fact, str | bool]],
            language_ids: dict[str, str]) -> bool:
    if filters.has_source is not None and has_source(entry) != filters.has_source:
        return False
    return all(fact.matches(entry, value, language_ids) for fact, value in asked)


# What the sort keys `hubfork.registry.ranking.ORDER` names are (search.js reads the same names;
# tests/site/test_ranking_parity.py checks that both rank alike).
_SORT_KEYS: dict[str, Callable[[_Row], Any]] = {
    "score": lambda row: row.score,
    "official": lambda row: row.prominence.official,
    "collections": lambda row: row.prominence.collections,
    "links": lambda row: row.prominence.links,
    "model": lambda row: model_key(row.entry.handle),
    "version": lambda row: row.entry.version or 0,
    "kind": lambda row: _KIND_RANK.get(row.entry.kind, len(_KIND_RANK)),
    "handle": lambda row: row.entry.handle,
}


def _texts(entry: RegistryEntry) -> dict[str, str]:
    """The texts `hubfork.registry.ranking` names, of `entry`, lower-cased."""
    name, handle, tags, description = entry.search_text()
    return {"name": name, "handle": handle, "model": model_key(handle), "tags": tags, "description": description}


def _score(entry: RegistryEntry, terms: list[str]) -> int | None:
    """`entry`'s score for the query words `terms` by `hubfork.registry.ranking.MATCHES`; None: no match."""
    if not terms:
        return 0
    # Every test passes only on a text holding the word, and the model is a part of the handle: most
    # entries miss some word, found out here before any text is split into words.
    searched = entry.search_text()
    if not all(any(term in text for text in searched) for term in terms):
        return None
    texts = _texts(entry)
    words: dict[str, set[str]] = {}
    score = 0
    for term in terms:
        for match in ranking.MATCHES:
            if any(_passes_test(match.test, term, texts[name], words) for name in match.texts):
                score += match.points
                break
        else:
            return None
    return score


def _passes_test(test: str, term: str, text: str, words: dict[str, set[str]]) -> bool:
    """Whether the query word `term` passes the ranking `test` against `text`; `words` keeps each
    text split into its words, for the texts of one entry."""
    if test == "equals":
        return term == text
    if test == "contains":
        return term in text
    if test == "word":
        if text not in words:
            words[text] = set(_WORD_SPLIT.split(text))
        return term in words[text]
    raise ValueError(f"the ranking names an unknown test {test!r}")
