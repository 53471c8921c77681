"""Which preprocessor goes with an encoder.

In this order: the one the caller gives; else the companion named by the
encoder's registry entry or by the model card in its folder (``README.md``, or
a TF Hub card); else one built from the encoder's own vocab (the TF1
``tokenization_info`` signature, or the legacy ``.vocab_file`` and
``.do_lower_case``). A companion that is named but cannot be fetched (offline
and not cached, not in the registry) falls back to the vocab, with a note saying
why, since the vocab gives the same token ids.

The names are read here, above the hub and the models; building a preprocessor
from a vocab is the models' own work (`hubfork.models.preprocessing`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator

from hubfork.constants import DEFAULT_SEQ_LENGTH
from hubfork.errors import CardError, HubError, ModelFormatError, RegistryError

if TYPE_CHECKING:  # pragma: no cover
    from hubfork.cards.records import Card
    from hubfork.hub.download import Snapshot
    from hubfork.models.generations import Encoder
    from hubfork.registry.registry import Registry


@dataclass
class Pairing:
    """The preprocessor folder chosen for an encoder, and how it was chosen."""

    path: Path
    source: str  # "given", "companion" or "vocab"
    name: str | None = None
    notes: list[str] = field(default_factory=list)


def companion_name(snapshot: "Snapshot", registry: "Registry | None") -> str | None:
    """The preprocessor the encoder's registry entry or model card names, if any."""
    if registry is not None:
        for entry in registry_entries(snapshot, registry):
            if entry.preprocessor:
                return entry.preprocessor
    return next((card.preprocessor for card in folder_cards(Path(snapshot.path), snapshot.repo_id)
                 if card.preprocessor), None)


def pair_preprocessor(encoder: "Encoder", snapshot: "Snapshot", *, given: str | None,
                      registry: "Registry | None", fetch: Callable[[str], "Snapshot"],
                      seq_length: int | None = None) -> Pairing:
    """Choose the encoder's preprocessor (see the module docstring); `fetch` gets a named one."""
    if given is not None:
        return Pairing(Path(fetch(given).path), "given", given)
    notes: list[str] = []
    name = companion_name(snapshot, registry)
    if name is not None:
        try:
            return Pairing(Path(fetch(name).path), "companion", name)
        except HubError as exc:
            notes.append(f"the companion preprocessor {name!r} could not be fetched ({exc}); "
                         "using one built from the encoder's vocab, which gives the same ids")
    vocab = encoder.vocab()
    if vocab is None:
        raise ModelFormatError(
            f"{encoder.path}: no preprocessor for this {encoder.generation} encoder: none was given "
            "(preprocessor=), its registry entry and card name none, and it has no vocab of its own "
            "(no tokenization_info signature, no .vocab_file/.do_lower_case)")
    from hubfork.models.preprocessing import preprocessor_from_vocab

    vocab_file, lower_case = vocab
    path = preprocessor_from_vocab(vocab_file, lower_case, seq_length or DEFAULT_SEQ_LENGTH)
    return Pairing(path, "vocab", None, notes)


def registry_entries(snapshot: "Snapshot", registry: "Registry") -> list[Any]:
    """The registry entries about the fetched model: by its handle, else by its repo id or sources."""
    if snapshot.handle:
        entry = registry.find(snapshot.handle)
        if entry is not None:
            return [entry]
    if snapshot.repo_id:
        repo = snapshot.repo_id.lower()
        entry = registry.find(repo)  # a Hugging Face card's handle is its repo id
        if entry is not None:
            return [entry]
        return [e for e in registry if any(s.repo_id.lower() == repo for s in e.sources)]
    return []


def folder_cards(folder: Path, repo_id: str | None) -> Iterator["Card"]:
    """The readable model cards in a model's folder (``README.md`` first), parsed."""
    from hubfork.cards.parser import parse_card

    for card_file in (folder / "README.md", *sorted(folder.glob("*.md"))):
        if not card_file.is_file():
            continue
        try:
            # The repo id tells a Hugging Face card which model it is about (its front matter may not).
            card = parse_card(card_file, repo_id=repo_id)
        except (CardError, OSError, UnicodeDecodeError):
            continue  # a model folder's card is documentation; a bad one must not stop the model loading
        yield card


def registry_or_none(registry: Any) -> "Registry | None":
    """The registry to look companions up in, or None when there is none to read."""
    from hubfork.registry.registry import Registry

    if isinstance(registry, Registry):
        return registry
    try:
        return Registry.load(registry)
    except RegistryError:
        return None


__all__ = ["Pairing", "companion_name", "folder_cards", "pair_preprocessor", "registry_entries", "registry_or_none"]
