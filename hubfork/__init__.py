"""hubfork: keep TF Hub-style models alive on Hugging Face-style hubs.

The public API is re-exported here and loaded on first use, so that
``import hubfork`` stays cheap (the registry browser must start at once, and
nothing here imports TensorFlow until a model is loaded).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

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
    # errors
    "HubforkError": "hubfork.errors",
    "CardError": "hubfork.errors",
    "RegistryError": "hubfork.errors",
    "RegistryNotFoundError": "hubfork.errors",
    "RegistryFormatError": "hubfork.errors",
    "EntryNotFoundError": "hubfork.errors",
    "ModelError": "hubfork.errors",
    "ModelFormatError": "hubfork.errors",
}

__all__ = sorted(_EXPORTS)


def load_registry(path: str | None = None) -> "Registry":
    """Load a registry file (default: the registry shipped with hubfork)."""
    from hubfork.registry.registry import Registry

    return Registry.load(path)


__all__.append("load_registry")


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'hubfork' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:  # pragma: no cover
    from hubfork.cards.parser import parse_card, parse_cards
    from hubfork.cards.records import Architecture, Card, ChangelogEntry, CodeBlock, Problem, Section, Source
    from hubfork.cards.vocabulary import Vocabulary
    from hubfork.errors import (
        CardError,
        EntryNotFoundError,
        HubforkError,
        ModelError,
        ModelFormatError,
        RegistryError,
        RegistryFormatError,
        RegistryNotFoundError,
    )
    from hubfork.models.config import BertConfig
    from hubfork.models.convert import Conversion, convert
    from hubfork.registry.build import build_registry
    from hubfork.registry.entry import RegistryEntry
    from hubfork.registry.registry import Registry
    from hubfork.registry.store import default_registry_path
