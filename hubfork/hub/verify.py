"""`verify_cache`: check cached models file by file, and repair the one named.

The checks themselves are `hubfork.hub.cache_check`'s; this is the entry point
(``hubfork.verify_cache``, ``hubfork cache verify [NAME]``) that finds what to check.
"""

from __future__ import annotations

import os
from pathlib import Path

from hubfork.errors import InvalidNameError, NotCachedError
from hubfork.hub import settings
from hubfork.hub.backends.base import LOCAL, FetchOptions
from hubfork.hub.backends.base import registry as registry_of_backends
from hubfork.hub.cache_check import SnapshotCheck, check_snapshot
from hubfork.hub.download import with_revision
from hubfork.hub.registry_sources import RegistryLike
from hubfork.hub.resolvers import resolve

# hubfork fetches model repos only.
_REPO_TYPE = "model"


def verify_cache(
    name: str | None = None,
    *,
    revision: str | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    local_files_only: bool = False,
    token: str | bool | None = None,
    endpoint: str | None = None,
    registry: RegistryLike = None,
) -> list[SnapshotCheck]:
    """Check cached models file by file, sizes and hashes; return one `SnapshotCheck` per snapshot.

    With `name` (any hub name `hubfork.hub.resolve` accepts; `revision` as in `fetch`): its
    cached snapshot. Online, files are compared with the hub's listing and corrupt ones are
    fetched again (the check's ``repaired``; a note on stderr each); offline (``HF_HUB_OFFLINE``
    or `local_files_only`), with what the cache recorded, and problems are reported, not
    repaired. Nothing new is downloaded for a model that is not cached.

    Without `name`: every snapshot of every model repo in the cache, against what the cache
    recorded. Nothing is fetched: a cached repo does not say which hub it came from, so
    repairing one takes its name.

    Raises:
        InvalidNameError, UnresolvedNameError, NotInRegistryError: the name (see `resolve`); a
            local folder or archive is refused too (it is not in the hub cache).
        NotCachedError: `name` is not in the cache.
        HubUnreachableError, DownloadError: a corrupt file could not be fetched again.
    """
    cache = settings.hub_cache(cache_dir)
    if name is None:
        return _verify_all(cache)
    resolved = with_revision(resolve(name, registry=registry), revision)
    options = FetchOptions(cache, settings.offline_reason(local_files_only), token=token, endpoint=endpoint)
    backends = registry_of_backends()
    places = [(place, backends.backend_for(place)) for place in resolved.candidates()]
    if all(backend.id == LOCAL for _, backend in places):
        raise InvalidNameError(name, f"a local {resolved.kind} is not in the hub cache: nothing to verify")
    for place, backend in places:
        check = backend.verify(place, options)
        if check is not None:
            return [check]
    raise NotCachedError(name, repo_id=resolved.repo_id or resolved.where, revision=resolved.revision,
                         cache_dir=str(cache), why="`cache verify` checks the cache and downloads nothing new")


def _verify_all(cache: Path) -> list[SnapshotCheck]:
    from huggingface_hub import scan_cache_dir
    from huggingface_hub.errors import CacheNotFound

    try:
        info = scan_cache_dir(cache)
    except CacheNotFound:
        return []
    return [check_snapshot(repo.repo_id, revision.snapshot_path, cache, hashes=True)
            for repo in sorted(info.repos, key=lambda r: r.repo_id) if repo.repo_type == _REPO_TYPE
            for revision in sorted(repo.revisions, key=lambda r: r.commit_hash)]


__all__ = ["verify_cache"]
