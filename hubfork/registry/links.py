"""The catalogue's link graph: which models a card names in its links and code.

A model many other cards link to is one people build on (the BERT encoder every fine-tuning card
loads), so search ranks it higher (`hubfork.registry.registry.Registry.prominence`). The links are
read once, from the text the registry build parses, and kept in each entry (`RegistryEntry.links`),
so that loading the registry reads no card.
"""

from __future__ import annotations

import re

from hubfork.cards.names import names_in_links
from hubfork.cards.records import Card

_VERSIONED = re.compile(r"(.+)/(\d+)")


def model_key(handle: str) -> str:
    """A handle without its version, lower-cased: what every version of one model shares, and a node of
    the link graph (``google/universal-sentence-encoder/4`` -> ``google/universal-sentence-encoder``)."""
    match = _VERSIONED.fullmatch(handle)
    return (match.group(1) if match else handle).lower()


def card_links(card: Card, text: str) -> tuple[str, ...]:
    """The models `card` (parsed from `text`) links to (tfhub.dev, Kaggle Models or hub URLs) or loads in
    its code, once each in order, its own model left out."""
    own = model_key(card.handle or "")
    names = dict.fromkeys(names_in_links(text) + list(card.code_handles))
    return tuple(name for name in names if model_key(name) != own)


__all__ = ["card_links", "model_key"]
