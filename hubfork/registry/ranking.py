"""How search results rank: one table, read by `hubfork.registry.search` and, through the site's
index (`hubfork.site.index`), by the site's ``search.js``, so the two cannot rank differently.

A query is split into words on whitespace. Each word scores the points of the first row of `MATCHES`
it passes, tested against the row's texts; a word that passes no row drops the entry, and an entry
scores the sum over its words. Entries then sort by `ORDER`, one key after another, and the versions of
one model of one kind collapse into one result (`hubfork.registry.search.group_key`), placed where its
best version sorts and shown as its newest (the others are its older versions, "v4 · 3 older").

The texts a row can name, each lower-cased:
``name`` (the card's name, else its handle), ``handle``, ``model`` (the handle without its version,
`hubfork.registry.links.model_key`), ``tags`` (tasks, network architectures, languages, kind and the
L/H/A label, space-separated) and ``description``.
The tests a row can name: ``equals`` (the word is the whole text), ``word`` (the word is one of the
text's words, split on `WORD_SEPARATORS`) and ``contains`` (the word is a part of the text).
The keys `ORDER` can name: ``score``; the catalogue's signals of a model's standing, numbers computed
once per entry in Python (`hubfork.registry.registry.Registry.prominence`) and shipped in the site's
index, so search.js reads them rather than computing them: ``official`` (1 when a publisher page of
the catalogue names the entry's publisher: tfhub.dev's own publishers and partners, not a mirror),
``collections`` (how many Collections list its model) and ``links`` (how many other models' cards link
to or load its model, `hubfork.registry.entry.RegistryEntry.links`, a card's link to its own preprocessor
aside); ``model``; ``version`` (an unknown
version counts as 0); ``kind`` (its place in `KIND_ORDER`, unknown kinds after them, so a Module comes
before its Lite, Tfjs and Coral variants); ``handle`` (as written).

Changing the ranking is changing these rows; a new text or key must be taught to both readers
(`hubfork.registry.search` and ``hubfork/site/static/search.js``), and
``tests/site/test_ranking_parity.py`` checks that they agree over the shipped catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hubfork.constants import CARD_KINDS

TEXTS = ("name", "handle", "model", "tags", "description")
TESTS = ("equals", "word", "contains")
SORT_KEYS = ("score", "official", "collections", "links", "model", "version", "kind", "handle")
#: The keys that are numbers computed per entry (the site's index carries them as columns of these names).
SIGNALS = ("official", "collections", "links")
ASCENDING, DESCENDING = 1, -1

#: Written as a regular expression both Python's `re` and JavaScript read the same way.
WORD_SEPARATORS = r"[\s_/.-]+"


@dataclass(frozen=True)
class Match:
    """A query word passing `test` against any of `texts` scores `points`."""

    test: str
    texts: tuple[str, ...]
    points: int


MATCHES = (
    Match("equals", ("name", "handle", "model"), 8),
    Match("word", ("name",), 8),
    Match("contains", ("name", "handle"), 4),
    Match("contains", ("tags",), 2),
    Match("contains", ("description",), 1),
)

#: Best score first; within a score an official publisher's first, then a model before its variants,
#: then the model most collections list, then the one most cards link to; then by model. (No
#: ``version`` key: the rows of one result share model and kind, and it shows its newest version.)
ORDER = (
    ("score", DESCENDING),
    ("official", DESCENDING),
    ("kind", ASCENDING),
    ("collections", DESCENDING),
    ("links", DESCENDING),
    ("model", ASCENDING),
    ("handle", ASCENDING),
)

KIND_ORDER = CARD_KINDS


def as_index() -> dict[str, Any]:
    """The table as JSON-ready data, for the site's index (``data.r`` in ``search.js``)."""
    return {
        "split": WORD_SEPARATORS,
        "match": [[m.test, list(m.texts), m.points] for m in MATCHES],
        "order": [[key, direction] for key, direction in ORDER],
        "kinds": list(KIND_ORDER),
    }


__all__ = ["ASCENDING", "DESCENDING", "KIND_ORDER", "MATCHES", "Match", "ORDER", "SIGNALS", "SORT_KEYS", "TESTS",
           "TEXTS", "WORD_SEPARATORS", "as_index"]
