"""hubfork: TF Hub-style models from every place they live (tfhub.dev and Kaggle Models, Hugging Face-style
hubs and mirrors, local hubs), scanned before they run, behind one registry, one cache and one loader.

The public API is re-exported here and loaded on first use, so that
``import hubfork`` stays cheap (the registry browser must start at once, and
nothing here imports TensorFlow until a model is loaded).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hubfork import errors as _errors
from hubfork._lazy import attach
from hubfork._version import __version__
from hubfork.hub.settings import prepare_huggingface_hub as _prepare_huggingface_hub

# huggingface_hub reads some of the environment with int() when it is imported; a value it would fail
# on must be settled before anything imports it.
_prepare_huggingface_hub()


# name -> module that defines it
_EXPORTS = {
    # cards
    "Card": "hubfork.cards.records",
    "Problem": "hubfork.cards.parts",
    "Architecture": "hubfork.cards.parts",
    "Section": "hubfork.cards.parts",
    "CodeBlock": "hubfork.cards.parts",
    "ChangelogEntry": "hubfork.cards.parts",
    "Source": "hubfork.cards.parts",
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
    "TextModel": "hubfork.models.text_model",
    "TokenPrediction": "hubfork.models.text_model",
    "inspect_model": "hubfork.models.inspection",
    "ModelFacts": "hubfork.models.inspection",
    # hub
    "resolve": "hubfork.hub.resolvers",
    "snapshot_download": "hubfork.hub.download",
    "fetch": "hubfork.hub.download",
    "verify_cache": "hubfork.hub.verify",
    "LocalHub": "hubfork.hub.local_hub",
    # the scanner (protobufs only, no TensorFlow)
    "scan": "hubfork.scanning.scanner",
    "ScanReport": "hubfork.scanning.report",
    "Finding": "hubfork.scanning.report",
    # names in, models out (hub and models together)
    "pull_from_hub": "hubfork.loading.pull",
    "load_text_model": "hubfork.loading.text",
    # publishing: a card from the model, checked against it, pushed, recorded in a registry
    "push_to_hub": "hubfork.publishing.publish",
    "Published": "hubfork.publishing.publish",
    "write_card": "hubfork.publishing.card_writer",
    # hubfork inside tensorflow_hub's own hub.load / hub.KerasLayer / hub.resolve
    "install": "hubfork.loading.tfhub",
    "uninstall": "hubfork.loading.tfhub",
}
# Every error hubfork raises (hubfork.errors is import-free, so reading its list costs nothing).
_EXPORTS.update(dict.fromkeys(_errors.__all__, "hubfork.errors"))

__all__ = sorted(_EXPORTS)


def load_registry(path: str | None = None) -> "Registry":
    """Load a registry file (default: ``$HUBFORK_REGISTRY``, else the user's ``$HUBFORK_HOME/registry.yaml``
    layered over the registry shipped with hubfork).

    Raises:
        RegistryNotFoundError: no registry file at `path`.
        RegistryFormatError: the file is not a registry hubfork reads (with the line, when known).
    """
    from hubfork.registry.registry import Registry

    return Registry.load(path)


__all__.append("load_registry")


def load_ipython_extension(ipython: object) -> None:
    """``%load_ext hubfork`` in IPython or Jupyter: `hubfork.install` (IPython looks this up by name)."""
    from hubfork.loading.tfhub import install

    install()


def unload_ipython_extension(ipython: object) -> None:
    """``%unload_ext hubfork``: `hubfork.uninstall`."""
    from hubfork.loading.tfhub import uninstall

    uninstall()


__getattr__, __dir__ = attach('hubfork', globals(), _EXPORTS)


if TYPE_CHECKING:  # pragma: no cover
    from hubfork.cards.parser import parse_card, parse_cards
    from hubfork.cards.parts import Architecture, ChangelogEntry, CodeBlock, Problem, Section, Source
    from hubfork.cards.records import Card
    from hubfork.cards.vocabulary import Vocabulary
    from hubfork.errors import *  # noqa: F403
    from hubfork.hub.download import fetch, snapshot_download
    from hubfork.hub.local_hub import LocalHub
    from hubfork.hub.resolvers import resolve
    from hubfork.hub.verify import verify_cache
    from hubfork.loading.pull import pull_from_hub
    from hubfork.loading.text import load_text_model
    from hubfork.loading.tfhub import install, uninstall
    from hubfork.models.config import BertConfig
    from hubfork.models.convert import Conversion, convert
    from hubfork.models.inspection import ModelFacts, inspect_model
    from hubfork.models.text_model import TextModel, TokenPrediction
    from hubfork.publishing.card_writer import write_card
    from hubfork.publishing.publish import Published, push_to_hub
    from hubfork.registry.build import build_registry
    from hubfork.registry.entry import RegistryEntry
    from hubfork.registry.registry import Registry
    from hubfork.registry.store import default_registry_path
    from hubfork.scanning.report import Finding, ScanReport
    from hubfork.scanning.scanner import scan
