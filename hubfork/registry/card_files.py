"""Where an entry's card may be read from: a registry file says where its cards are (``cards``) and
where each entry's card is (``card.path``), and a registry can come from anyone.

A ``card.path`` of ``../../etc/passwd`` or ``/dev/zero`` would put a secret into a page or never end,
so the card is read only when its real path (links followed) is a ``.md`` file (every card a build
lists is one) inside the cards folder its registry names or the shipped cards folder. A registry
whose cards folder holds the registry's own folder (``cards: /``) names no folder of cards but a
whole tree, so that is refused too. The file itself is read by `hubfork.cards.parser.read_card_file`:
a regular file only, and never more than a card's limit.
"""

from __future__ import annotations

import os
from pathlib import Path

from hubfork.cards.parser import CARD_SUFFIXES
from hubfork.errors import RegistryFormatError
from hubfork.registry import store
from hubfork.registry.entry import RegistryEntry
from hubfork.registry.registry import Registry

# A registry that names no cards folder has it beside itself, as `hubfork registry build` lays them out.
_DEFAULT_CARDS = "cards"


def card_file_to_read(registry: Registry, entry: RegistryEntry) -> Path | None:
    """The real path of `entry`'s card, once it is known to be a card of `registry`'s cards folder
    (or of the shipped one); None when the registry was not read from a file or the entry names no card.

    Raises:
        RegistryFormatError: the registry's ``cards`` folder holds the registry's own folder, or the
            entry's ``card.path`` leads outside the cards folders or to a file that is no ``.md`` card;
            the message names the registry file, the entry and where the path leads.
    """
    origin = registry.origin(entry)
    if origin.path is None or not entry.card_path:
        return None
    base, cards, shipped = _folders(str(origin.path.parent), origin.cards_dir)
    if cards != base and base.is_relative_to(cards):
        raise RegistryFormatError(f"its cards folder {origin.cards_dir!r} is {cards}, which holds the registry's own "
                                  "folder; expected the folder of its cards", path=str(origin.path))
    card = Path(os.path.realpath(base / entry.card_path))
    if card.suffix not in CARD_SUFFIXES or not (card.is_relative_to(cards) or card.is_relative_to(shipped)):
        raise RegistryFormatError(
            f"the card of {entry.handle} ({entry.kind}), card.path {entry.card_path!r}, leads to {card}; expected a "
            f"{'/'.join(CARD_SUFFIXES)} file in its cards folder {cards} (or the shipped one)", path=str(origin.path))
    return card


def _folders(folder: str, cards_dir: str | None) -> tuple[Path, Path, Path]:
    """The real paths of a registry's folder, of its cards folder and of the shipped cards folder."""
    base = Path(os.path.realpath(folder))
    cards = Path(os.path.realpath(base / (cards_dir or _DEFAULT_CARDS)))
    return base, cards, Path(os.path.realpath(store.shipped_registry_path().parent / _DEFAULT_CARDS))


__all__ = ["card_file_to_read"]
