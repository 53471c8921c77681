"""Fetching a model by any name: `snapshot_download` and `fetch`.

A name is resolved (`hubfork.hub.resolvers`) to one or more places that hold the
model, in order: the user's own mapping, the model's official home (tfhub.dev,
served by Kaggle Models; a Kaggle handle), the mirrors the registry knows. Each
place is fetched by the backend that serves it (`hubfork.hub.backends`) into one
cache; the first place that has the model wins, and the sources allowed
(``HUBFORK_SOURCES``, ``--source``) filter the places first. ``HF_ENDPOINT``,
``HF_HUB_CACHE`` and ``HF_HUB_OFFLINE`` are read at call time
(`hubfork.hub.settings`).
"""

from __future__ import annotations

import os
from typing import Sequence, Union

from hubfork.errors import (
    HubError,
    HubUnreachableError,
    InvalidNameError,
    NoSourceError,
    NotCachedError,
    RepoNotFoundError,
)
from hubfork.hub import settings
from hubfork.hub.backends.base import FetchOptions
from hubfork.hub.backends.base import selection as source_selection
from hubfork.hub.backends.registry import registry as backend_registry
from hubfork.hub.hf_errors import is_connection_error, translate_errors
from hubfork.hub.registry_sources import RegistryLike
from hubfork.hub.resolved import ResolvedName
from hubfork.hub.resolvers import resolve
from hubfork.hub.snapshot import Snapshot

Patterns = Union[str, Sequence[str], None]


def snapshot_download(
    name: str,
    *,
    revision: str | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    local_files_only: bool = False,
    allow_patterns: Patterns = None,
    ignore_patterns: Patterns = None,
    token: str | bool | None = None,
    endpoint: str | None = None,
    registry: RegistryLike = None,
    verify: bool = False,
    sources: str | None = None,
) -> str:
    """Fetch the model `name` (any form `hubfork.hub.resolve` accepts) and return its local folder.

    A tfhub.dev handle or URL comes from the user's own mapping (``hubfork registry add-source``) if
    there is one, else from tfhub.dev (served by Kaggle Models; ``HUBFORK_TFHUB_ENDPOINT``), else from a
    mirror the registry knows; `sources` (default ``$HUBFORK_SOURCES``, e.g. ``mirrors`` or ``-tfhub``)
    chooses which of them may be used. `revision` pins a branch, tag or commit (it may not contradict a revision
    written in the name itself; for registry names it overrides the registry's).
    `endpoint` is the hub for names that do not carry their own host (default
    ``$HF_ENDPOINT``). Offline (``HF_HUB_OFFLINE=1`` or `local_files_only`), only
    the cache is used. Patterns filter files as in huggingface_hub (globs).

    The sizes of a snapshot's files are always checked against the hub's listing
    (which huggingface_hub keeps in the cache); with `verify`, their hashes too
    (against the hub, or offline against the cache's record). A corrupt file is
    fetched again, with a note on stderr (see `hubfork.hub.cache_check`).

    Raises:
        InvalidNameError, UnresolvedNameError, NotInRegistryError: the name (see `resolve`).
        ModelDeletedError: a tfhub.dev model that was deleted (2024-03-18) and that no mirror holds.
        NoSourceError: `sources` excludes every source that holds the model.
        RepoNotFoundError: no such repo, revision or model at its source (`AccessDeniedError`: gated or private).
        HubUnreachableError: the source cannot be reached and the model is not cached (`RateLimitedError`:
            it asked to wait too long).
        NotCachedError: offline and the model is not cached.
        CorruptCacheError: a cached file is corrupt and cannot be fetched again (offline, or the hub
            unreachable); the message names it and says how to repair it.
        NoMatchingFilesError: the patterns leave no file to fetch.
        DownloadError: the hub answered with an error hubfork cannot act on (`file` names the file, if it
            was one).
        ArchiveError, LocalModelNotFoundError: an archive (local or downloaded) that is unsafe, or a local
            folder that is not there.
    """
    return fetch(name, revision=revision, cache_dir=cache_dir, local_files_only=local_files_only,
                 allow_patterns=allow_patterns, ignore_patterns=ignore_patterns, token=token, endpoint=endpoint,
                 registry=registry, verify=verify, sources=sources).path


def fetch(
    name: str | ResolvedName,
    *,
    revision: str | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    local_files_only: bool = False,
    allow_patterns: Patterns = None,
    ignore_patterns: Patterns = None,
    token: str | bool | None = None,
    endpoint: str | None = None,
    registry: RegistryLike = None,
    verify: bool = False,
    sources: str | None = None,
) -> Snapshot:
    """Like `snapshot_download`, but return a `Snapshot` (path, source, repo id or URL, revision, commit).

    Raises:
        HubError: as `snapshot_download`.
    """
    resolved = with_revision(name if isinstance(name, ResolvedName) else resolve(name, registry=registry), revision)
    options = FetchOptions(settings.hub_cache(cache_dir), settings.offline_reason(local_files_only), allow_patterns,
                           ignore_patterns, token, endpoint, verify)
    allowed = source_selection(sources)
    backends = backend_registry()
    places = [(place, backends.backend_for(place)) for place in resolved.candidates()]
    chosen = [(place, backend) for place, backend in places if allowed.allows(backend.id)]
    if not chosen:
        raise NoSourceError(resolved.name, selection=str(allowed),
                            available=[f"{backend.id} ({backend.describe(place)})" for place, backend in places])
    failures: list[HubError] = []
    for place, backend in chosen:
        try:
            return backend.fetch(place, options)
        except (RepoNotFoundError, HubUnreachableError, NotCachedError) as exc:
            failures.append(exc)  # the model may be in the next place: try it before giving up
    raise failures[0]


def with_revision(resolved: ResolvedName, revision: str | None) -> ResolvedName:
    """`resolved` at `revision`, refusing a revision that contradicts the one in the name."""
    if revision is None:
        return resolved
    from hubfork.hub.names import check_revision

    check_revision(revision, resolved.name)
    if not any(place.kind == "repo" for place in resolved.candidates()):
        what = f"local {resolved.kind}" if resolved.kind in ("folder", "archive") else resolved.where
        raise InvalidNameError(resolved.name, f"revision={revision!r} applies to hub repos, not to a {what}")
    if resolved.pinned and revision != resolved.revision:
        raise InvalidNameError(resolved.name, f"the name pins revision {resolved.revision!r} but "
                                              f"revision={revision!r} was given")
    return resolved.with_revision(revision)




__all__ = ["Snapshot", "snapshot_download", "fetch", "with_revision", "translate_errors", "is_connection_error"]
