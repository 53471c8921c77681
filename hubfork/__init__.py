"""hubfork: keep TF Hub-style models alive on Hugging Face-style hubs.

The public API is re-exported here and loaded on first use, so that
``import hubfork`` stays cheap (the registry browser must start at once, and
nothing here imports TensorFlow until a model is loaded).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hubfork._lazy import attach

__version__ = "0.1.0"

# name -> module that defines it
_EXPORTS = {
    # cards
    "Card": "hubfork.cards.records",
    "Problem": "hubfork.cards.records",
    "Architecture": "hubfork.cards.records",
    "Section": "hubfork.cards.records",
    "CodeBlock": "hubfork.cards.records",
    "ChangelogEntry": "hubfork.cards.records",
    "Source": "hubfork.cards.records",
    "Vocabulary": "hubfork.cards.vocabulary",
    "parse_card": "hubfork.cards.parser",
    "parse_cards": "hubfork.cards.parser",
    # registry
    "Registry": "hubfork.registry.registry",
    "RegistryEntry": "hubfork.registry.entry",
    "build_registry": "hubfork.registry.build",
    "default_registry_path": "hubfork.registry.store",
    # models (TensorFlow is imported only when these are used)
    "BertConfig": "hubfork.models.config",
    "convert": "hubfork.models.convert",
    "Conversion": "hubfork.models.convert",
    "load_text_model": "hubfork.models.load",
    "TextModel": "hubfork.models.text_model",
    "TokenPrediction": "hubfork.models.text_model",
    # hub
    "resolve": "hubfork.hub.resolvers",
    "snapshot_download": "hubfork.hub.download",
    "fetch": "hubfork.hub.download",
    "pull_from_hub": "hubfork.hub.pull",
    "LocalHub": "hubfork.hub.local_hub",
    # errors
    "HubforkError": "hubfork.errors",
    "CardError": "hubfork.errors",
    "RegistryError": "hubfork.errors",
    "RegistryNotFoundError": "hubfork.errors",
    "RegistryFormatError": "hubfork.errors",
    "EntryNotFoundError": "hubfork.errors",
    "ModelError": "hubfork.errors",
    "ModelFormatError": "hubfork.errors",
    "HubError": "hubfork.errors",
    "InvalidNameError": "hubfork.errors",
    "UnresolvedNameError": "hubfork.errors",
    "NotInRegistryError": "hubfork.errors",
    "RepoNotFoundError": "hubfork.errors",
    "NotCachedError": "hubfork.errors",
    "HubUnreachableError": "hubfork.errors",
    "ArchiveError": "hubfork.errors",
    "NotTrainableError": "hubfork.errors",
    "NoMaskedLMError": "hubfork.errors",
    "TextInputError": "hubfork.errors",
}

__all__ = sorted(_EXPORTS)


def load_registry(path: str | None = None) -> "Registry":
    """Load a registry file (default: the registry shipped with hubfork)."""
    from hubfork.registry.registry import Registry

    return Registry.load(path)


__all__.append("load_registry")


__getattr__, __dir__ = attach('hubfork', globals(), _EXPORTS)


if TYPE_CHECKING:  # pragma: no cover
    from hubfork.cards.parser import parse_card, parse_cards
    from hubfork.cards.records import Architecture, Card, ChangelogEntry, CodeBlock, Problem, Section, Source
    from hubfork.cards.vocabulary import Vocabulary
    from hubfork.errors import (
        ArchiveError,
        CardError,
        EntryNotFoundError,
        HubError,
        HubforkError,
        HubUnreachableError,
        InvalidNameError,
        NotCachedError,
        NotInRegistryError,
        NoMaskedLMError,
        NotTrainableError,
        RepoNotFoundError,
        TextInputError,
        UnresolvedNameError,
        ModelError,
        ModelFormatError,
        RegistryError,
        RegistryFormatError,
        RegistryNotFoundError,
    )
    from hubfork.models.config import BertConfig
    from hubfork.hub.download import fetch, snapshot_download
    from hubfork.hub.local_hub import LocalHub
    from hubfork.hub.pull import pull_from_hub
    from hubfork.hub.resolvers import resolve
    from hubfork.models.convert import Conversion, convert
    from hubfork.models.load import load_text_model
    from hubfork.models.text_model import TextModel, TokenPrediction
    from hubfork.registry.build import build_registry
    from hubfork.registry.entry import RegistryEntry
    from hubfork.registry.registry import Registry
    from hubfork.registry.store import default_registry_path
