"""The fetch-backend interface and its registry: which source serves a resolved name.

As tensorflow_hub's resolver registry asks each registered resolver whether it
supports a handle, `BackendRegistry` asks each backend whether it `serves` a
resolved place (the last registered first, so a user's backend can take names
from a built-in one); the first that does fetches it into the cache. Adding a
source means adding one small class and registering it.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Iterable, Sequence, Union

from hubfork.constants import ENV_SOURCES, SOURCE_GROUPS, SOURCE_IDS
from hubfork.errors import HubError, InvalidNameError
from hubfork.hub.resolved import ResolvedName
from hubfork.hub.snapshot import Snapshot

if TYPE_CHECKING:  # pragma: no cover
    from hubfork.hub.cache_check import SnapshotCheck

Patterns = Union[str, Sequence[str], None]


@dataclass(frozen=True)
class FetchOptions:
    """What a fetch was asked for, handed to the backend unchanged."""

    #: The one cache every backend writes into (huggingface_hub's hub cache).
    cache: Path
    #: Why nothing may be downloaded (``HF_HUB_OFFLINE``, ``local_files_only``), or None when online.
    offline: str | None = None
    allow_patterns: Patterns = None
    ignore_patterns: Patterns = None
    token: str | bool | None = None
    #: The Hugging Face-style hub for repo ids that carry no host of their own.
    endpoint: str | None = None
    verify: bool = False


class Backend(ABC):
    """Fetches the places of one kind of source into the cache."""

    #: Short id (``HUBFORK_SOURCES``, ``--source``, `Snapshot.source`); a key of `hubfork.constants.SOURCE_IDS`
    #: for the built-in ones, or ``local`` for folders and archives on this machine (never excluded).
    id: ClassVar[str]

    @abstractmethod
    def serves(self, place: ResolvedName) -> bool:
        """True when this backend fetches `place`."""

    @abstractmethod
    def fetch(self, place: ResolvedName, options: FetchOptions) -> Snapshot:
        """Fetch `place` (or find it in the cache) and return its local folder.

        Raises `RepoNotFoundError`, `HubUnreachableError` or `NotCachedError` when this place cannot
        give the model (the caller then tries the next candidate), another `HubError` when it gave
        something wrong.
        """

    def verify(self, place: ResolvedName, options: FetchOptions) -> "SnapshotCheck | None":
        """Check the cached copy of `place` file by file (and online, repair it); None when it is not cached
        or this source keeps nothing to check it against (an archive is checked by its sha256 as it is
        unpacked, and a local folder is not in the cache)."""
        return None

    def describe(self, place: ResolvedName) -> str:
        """`place` as this source names it, for messages."""
        return place.where

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class BackendRegistry:
    """Backends asked in turn, the last registered first (as tensorflow_hub's registry asks its resolvers)."""

    def __init__(self, backends: Iterable[Backend] = ()):
        self._backends: list[Backend] = list(backends)

    def add(self, backend: Backend) -> None:
        """Register `backend`: it is asked before every backend registered earlier."""
        self._backends.append(backend)

    def remove(self, backend: Backend) -> None:
        self._backends = [b for b in self._backends if b is not backend]

    @property
    def backends(self) -> tuple[Backend, ...]:
        """In the order they are asked."""
        return tuple(reversed(self._backends))

    def backend_for(self, place: ResolvedName) -> Backend:
        for backend in self.backends:
            if backend.serves(place):
                return backend
        raise HubError(f"{place.name!r}: no fetch backend serves a {place.kind} ({place.where})")


# ------------------------------------------------------------------ selection

#: Always allowed: a model already on this machine is not a source to choose.
LOCAL = "local"


@dataclass(frozen=True)
class Selection:
    """The sources a fetch may use (``HUBFORK_SOURCES``, ``--source``): `allowed` ids, and the text they
    were read from, for messages."""

    allowed: frozenset[str]
    text: str = ""

    def allows(self, source: str) -> bool:
        return source == LOCAL or source in self.allowed

    def __str__(self) -> str:
        return self.text or "all"


ALL = Selection(frozenset(SOURCE_IDS))


def parse_selection(text: str | None, *, what: str = ENV_SOURCES) -> Selection:
    """``tfhub,hf`` (only these), ``-kaggle`` (all but this), ``mirrors`` or ``official`` (groups; see
    `hubfork.constants.SOURCE_GROUPS`); empty or None: every source.

    Raises:
        InvalidNameError: an id that is neither a source nor a group (the message lists them).
    """
    text = (text or "").strip()
    if not text:
        return ALL
    include: set[str] = set()
    exclude: set[str] = set()
    for raw in text.split(","):
        token = raw.strip()
        if not token:
            continue
        target = exclude if token.startswith("-") else include
        key = token.lstrip("-+").strip().lower()
        ids = SOURCE_GROUPS.get(key) or ((key,) if key in SOURCE_IDS else None)
        if ids is None:
            known = ", ".join([*SOURCE_IDS, *SOURCE_GROUPS])
            raise InvalidNameError(text, f"{what}: {token!r} is not a source (known: {known}; '-id' excludes one)")
        target.update(ids)
    allowed = (include or set(SOURCE_IDS)) - exclude
    return Selection(frozenset(allowed), f"{what}={text}")


def selection(explicit: str | None = None) -> Selection:
    """The sources in force: `explicit` (``--source``), else ``$HUBFORK_SOURCES``, else all."""
    if explicit is not None:
        return parse_selection(explicit, what="--source")
    return parse_selection(os.environ.get(ENV_SOURCES))


__all__ = ["Backend", "BackendRegistry", "FetchOptions", "Selection", "ALL", "LOCAL", "parse_selection",
           "selection"]
