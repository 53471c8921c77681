"""Fetch backends: one small class per kind of source (a folder, an archive, a Hugging Face-style hub,
a local hub, the embedded hub, TF Hub's compressed archives over HTTP, Kaggle Models through kagglehub),
registered in `hubfork.hub.backends.base.BackendRegistry` (`hubfork.hub.backends.registry` holds the built-in ones)."""

from hubfork.hub.backends.base import (
    Backend,
    BackendRegistry,
    FetchOptions,
    Selection,
    parse_selection,
    selection,
)
from hubfork.hub.backends.registry import registry

__all__ = ["Backend", "BackendRegistry", "FetchOptions", "Selection", "parse_selection", "registry", "selection"]
