"""The process's fetch backends: hubfork's built-in ones, in the order they are asked.

Kept apart from `hubfork.hub.backends.base`, which every backend imports, so that the abstract
classes never import the backends built on them."""

from __future__ import annotations

from hubfork.hub.backends.base import BackendRegistry


def default_registry() -> BackendRegistry:
    """hubfork's built-in backends (imported when first asked for: a browse command needs none)."""
    from hubfork.hub.backends.hf import EmbeddedHubBackend, HfHubBackend, LocalHubBackend
    from hubfork.hub.backends.kaggle import KaggleBackend
    from hubfork.hub.backends.local import ArchiveBackend, FolderBackend
    from hubfork.hub.backends.tfhub import CompressedHttpBackend

    return BackendRegistry([FolderBackend(), ArchiveBackend(), HfHubBackend(), LocalHubBackend(),
                            EmbeddedHubBackend(), CompressedHttpBackend(), KaggleBackend()])


_registry: BackendRegistry | None = None


def registry() -> BackendRegistry:
    """The process's backend registry (built on first use; `BackendRegistry.add` extends it)."""
    global _registry
    if _registry is None:
        _registry = default_registry()
    return _registry


__all__ = ["default_registry", "registry"]
