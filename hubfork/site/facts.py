"""The facts an entry's page lists: those the table of facts shows on the site
(`hubfork.cards.schema.FACTS`), with the registry's word on a deleted model's status, and the
pooling its card states, as (label, text) pairs, empty ones left out."""

from __future__ import annotations

from hubfork.cards.schema import SITE, shown
from hubfork.registry.availability import status_text
from hubfork.registry.entry import RegistryEntry


def fact_rows(entry: RegistryEntry) -> list[tuple[str, str]]:
    """The page's facts, in the table's order."""
    rows = shown(entry, SITE, {"status": status_text(entry)})
    return rows + ([("Pooling", entry.pooling)] if entry.pooling else [])


__all__ = ["fact_rows"]
