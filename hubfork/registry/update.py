"""Putting one card into a folder of cards and rebuilding its registry, safely.

`put_card` is what ``hubfork registry add-source`` and ``hubfork publish`` do to a registry:
the card file is written atomically, the registry rebuilt atomically, both under a lock
beside the registry file, so two writers at once both end up in it (each rebuild sees the
other's card); when the rebuild fails the card is put back as it was, so the folder and
the registry never disagree.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from hubfork._files import atomic_write_bytes, atomic_write_text
from hubfork.cards.parser import parse_card
from hubfork.cards.records import Card
from hubfork.errors import CardError, RegistryError
from hubfork.registry.build import BuildResult, build_registry


@contextmanager
def registry_lock(registry: str | os.PathLike[str]) -> Iterator[None]:
    """Hold the lock of the registry file `registry` (``.NAME.lock`` beside it) across processes."""
    from huggingface_hub.utils import WeakFileLock

    path = Path(registry)
    path.parent.mkdir(parents=True, exist_ok=True)
    with WeakFileLock(path.parent / f".{path.name}.lock"):
        yield


def card_path_for(card: Card) -> Path:
    """Where a card lives in a folder of cards, as tfhub.dev laid them out: a TF Hub card at
    ``publisher/models/name/version.md``, a Hugging Face card at ``huggingface/org/name/README.md``."""
    if card.handle is None:
        raise ValueError("a card without a handle has no place in a registry")
    if card.family == "huggingface":
        return Path("huggingface", *card.handle.split("/"), "README.md")
    publisher, rest = card.handle.split("/", 1)
    model, version = rest.rsplit("/", 1)
    return Path(publisher, "models", model, f"{version}.md")


def check_card_text(text: str, shown_as: str | os.PathLike[str]) -> Card:
    """The card `text` parsed (as if at `shown_as`); `CardError` when it has errors."""
    card = parse_card(shown_as, text)
    if card.errors:
        raise CardError(card.errors)
    if card.handle is None:  # pragma: no cover - a card without a handle always has an error
        raise RegistryError("the card names no model", path=os.fspath(shown_as))
    return card


def put_card(text: str, cards_dir: str | os.PathLike[str], registry: str | os.PathLike[str],
             *, jobs: int | None = 1) -> tuple[Path, BuildResult]:
    """Write the card `text` into `cards_dir` (at `card_path_for` its handle, replacing the card
    there) and rebuild `registry` from `cards_dir`. Returns the card's file and the build.

    Raises:
        CardError: the card has errors (nothing is written), or the folder's cards do (the card is put
            back as it was and the registry is left as it was).
        RegistryError: the registry cannot be written.
    """
    cards_dir = Path(cards_dir)
    registry = Path(registry)
    with registry_lock(registry):
        destination = cards_dir / card_path_for(check_card_text(text, cards_dir / "new-card.md"))
        card = check_card_text(text, destination)
        assert card.handle is not None
        previous = destination.read_bytes() if destination.is_file() else None
        atomic_write_text(destination, text)
        try:
            built = build_registry(cards_dir, registry, jobs=jobs)
        except BaseException:
            if previous is None:
                destination.unlink(missing_ok=True)
                _remove_empty_parents(destination.parent, cards_dir)
            else:
                atomic_write_bytes(destination, previous)
            raise
    return destination, built


def _remove_empty_parents(folder: Path, stop: Path) -> None:
    while folder != stop and folder.is_relative_to(stop):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


__all__ = ["registry_lock", "card_path_for", "check_card_text", "put_card"]
