"""Searching registry entries: a free-text query and filters."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from hubfork.registry.entry import RegistryEntry

_WORD_SPLIT = re.compile(r"[\s_/.-]+")


@dataclass(frozen=True)
class Filters:
    """Filters of `search`; each matches case-insensitively, None matches all."""

    language: str | None = None
    task: str | None = None
    format: str | None = None
    publisher: str | None = None
    arch: str | None = None
    kind: str | None = None


def search(entries: Iterable[RegistryEntry], query: str | None = None, filters: Filters = Filters(),
           *, language_ids: dict[str, str] | None = None) -> "SearchResults":
    """Entries matching every word of `query` and every filter, best first.

    A word matches anywhere in the handle, tags, description or size label; a
    match on a whole word of the model's name ranks first, then one in the
    handle or tags, then one in the description. Ties keep handle order.
    `language_ids` maps language names to ids so ``--language English`` works.
    """
    terms = [t for t in (query or "").lower().split() if t]
    language = _language(filters.language, language_ids or {})
    scored = []
    for entry in entries:
        if not _passes(entry, filters, language):
            continue
        score = _score(entry, terms)
        if score is not None:
            scored.append((-score, entry.handle, entry))
    scored.sort(key=lambda item: (item[0], item[1]))
    return SearchResults(entry for _, _, entry in scored)


class SearchResults(list):
    """Registry entries, best first: a list, shown in Jupyter as a table."""

    def _repr_html_(self) -> str:
        from hubfork._html import table

        return table(("handle", "kind", "architecture", "description"),
                     ((e.handle, e.kind, e.architecture.label if e.architecture else "", e.description or "")
                      for e in self), caption=f"{len(self)} entries")


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
    name_words = set(_WORD_SPLIT.split(name))
    score = 0
    for term in terms:
        if term in name_words:
            score += 8
        elif term in name or term in handle:
            score += 4
        elif term in tags:
            score += 2
        elif term in description:
            score += 1
        else:
            return None
    return score
