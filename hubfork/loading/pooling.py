"""What a model's card says about pooling and normalising its embeddings, found by its name.

The registry entry of the fetched model first, else a card in its folder; the keys
are hubfork's ``pooling`` and ``normalize`` card metadata (docs/cards.md). What the
folder's own sentence-transformers configuration says is read on the models' side
(`hubfork.models.pooling`), and wins over this.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from hubfork.loading.pairing import folder_cards, registry_entries
from hubfork.models.pooling import EmbeddingDefaults

if TYPE_CHECKING:  # pragma: no cover
    from hubfork.hub.download import Snapshot
    from hubfork.registry.registry import Registry


def card_defaults(snapshot: "Snapshot", registry: "Registry | None") -> EmbeddingDefaults | None:
    """The pooling and normalisation the model's registry entry or card gives, or None if neither says."""
    records = [*(registry_entries(snapshot, registry) if registry is not None else ()),
               *folder_cards(Path(snapshot.path), snapshot.repo_id)]
    for record in records:
        if record.pooling is not None or record.normalize is not None:
            return EmbeddingDefaults(record.pooling, record.normalize, f"the model card of {record.handle}")
    return None


__all__ = ["card_defaults"]
