"""Searching registry entries: a free-text query, filters, ranking, and pages of results."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Sequence

from hubfork.constants import CARD_KINDS, SEARCH_PER_PAGE
from hubfork.registry.availability import has_source
from hubfork.registry.entry import RegistryEntry

_WORD_SPLIT = re.compile(r"[\s_/.-]+")
_VERSIONED = re.compile(r"(.+)/(\d+)")
_KIND_RANK = {kind: i for i, kind in enumerate(CARD_KINDS)}

# What a query word scores by where it matches; an entry's score is the sum over the words.
_EXACT, _NAME_WORD, _NAME, _TAG, _DESCRIPTION = 16, 8, 4, 2, 1


def model_key(handle: str) -> str:
    """A handle without its version, lower-cased: what every version of one model shares
    (``google/universal-sentence-encoder/4`` -> ``google/universal-sentence-encoder``)."""
    match = _VERSIONED.fullmatch(handle)
    return (match.group(1) if match else handle).lower()


@dataclass(frozen=True)
class Filters:
    """Filters of `search`; each matches case-insensitively, None matches all.

    `task` and `arch` match a part (``embedding`` matches ``text-embedding``; ``arch`` also matches
    the size, e.g. ``L-12_H-768_A-12`` or ``12/768/12``); the others match whole values.
    `fine_tunable` and `has_source` (some source serves the model: tfhub.dev or a mirror, see
    `hubfork.registry.availability`) are yes/no; an entry that states no `fine_tunable` matches neither.
    """

    language: str | None = None
    task: str | None = None
    format: str | None = None
    publisher: str | None = None
    arch: str | None = None
    kind: str | None = None
    fine_tunable: bool | None = None
    has_source: bool | None = None


def search(entries: Iterable[RegistryEntry], query: str | None = None, filters: Filters = Filters(),
           *, language_ids: dict[str, str] | None = None) -> "SearchResults":
    """Entries matching every word of `query` and every filter, best first.

    A word matches anywhere in the handle, name, tags (tasks, architectures, languages, kind,
    size) or description. Ranking: entries whose words all match the name or handle come first
    (the name or handle equal to a word, then a whole word of the name, then a part), then those
    matching tags, then descriptions; within a rank each model's versions stay together, newest
    first; then by handle. `language_ids` maps language names to ids so ``--language English`` works.
    """
    terms = [t for t in (query or "").lower().split() if t]
    language = _language(filters.language, language_ids or {})
    scored = []
    for entry in entries:
        if not _passes(entry, filters, language):
            continue
        score = _score(entry, terms)
        if score is not None:
            scored.append(((-score, model_key(entry.handle), -(entry.version or 0),
                            _KIND_RANK.get(entry.kind, len(CARD_KINDS)), entry.handle), entry))
    scored.sort(key=lambda item: item[0])
    return SearchResults(entry for _, entry in scored)


class SearchResults(list):
    """Registry entries, best first: a list, shown in Jupyter as a table."""

    def _repr_html_(self) -> str:
        from hubfork._html import table

        return table(("handle", "kind", "architecture", "description"),
                     ((e.handle, e.kind, e.architecture.label if e.architecture else "", e.description or "")
                      for e in self), caption=f"{len(self)} entries")


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


def _language(value: str | None, language_ids: dict[str, str]) -> str | None:
    if value is None:
        return None
    value = value.lower()
    return language_ids.get(value, value)


def _passes(entry: RegistryEntry, filters: Filters, language: str | None) -> bool:
    if language is not None and language not in (lang.lower() for lang in entry.languages):
        return False
    if filters.task is not None and not any(filters.task.lower() in task.lower() for task in entry.tasks):
        return False
    if filters.format is not None and (entry.format or "").lower() != filters.format.lower():
        return False
    if filters.publisher is not None and (entry.publisher or "").lower() != filters.publisher.lower():
        return False
    if filters.kind is not None and entry.kind.lower() != filters.kind.lower():
        return False
    # Unknown (None) is neither yes nor no.
    if filters.fine_tunable is not None and entry.fine_tunable is not filters.fine_tunable:
        return False
    if filters.has_source is not None and has_source(entry) != filters.has_source:
        return False
    if filters.arch is not None:
        wanted = filters.arch.lower()
        labels = [a.lower() for a in entry.network_architectures]
        if entry.architecture is not None:
            arch = entry.architecture
            labels += [arch.label.lower(), f"{arch.layers}/{arch.hidden_size}/{arch.heads}"]
        if not any(wanted in label for label in labels):
            return False
    return True


def _score(entry: RegistryEntry, terms: list[str]) -> int | None:
    if not terms:
        return 0
    name, handle, tags, description = entry.search_text()
    # Most entries miss some word: find that out before building the sets below.
    if not all(term in name or term in handle or term in tags or term in description for term in terms):
        return None
    exact = {name, handle, model_key(handle)}
    name_words = set(_WORD_SPLIT.split(name))
    score = 0
    for term in terms:
        if term in exact:
            score += _EXACT
        elif term in name_words:
            score += _NAME_WORD
        elif term in name or term in handle:
            score += _NAME
        elif term in tags:
            score += _TAG
        elif term in description:
            score += _DESCRIPTION
        else:
            return None
    return score
