"""Environment variables and default locations hubfork reads."""

from __future__ import annotations

import os
from pathlib import Path

#: Registry file used when no ``--registry`` is given.
ENV_REGISTRY = "HUBFORK_REGISTRY"
#: Folder for hubfork's own caches (defaults to ``$XDG_CACHE_HOME/hubfork``).
ENV_CACHE = "HUBFORK_CACHE"
#: Folder of the embedded local hub (defaults to ``cache_dir() / "local-hub"``; see hubfork.hub.embedded).
ENV_LOCAL_HUB = "HUBFORK_LOCAL_HUB"
#: The endpoint (card key ``hub-endpoint``, registry ``sources``) that names the embedded local hub.
EMBEDDED_ENDPOINT = "embedded"

#: Version of the registry file layout written by ``hubfork registry build``.
REGISTRY_FORMAT = 1


def cache_dir() -> Path:
    """Where hubfork keeps its own caches (not the Hugging Face model cache)."""
    explicit = os.environ.get(ENV_CACHE)
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "hubfork"
