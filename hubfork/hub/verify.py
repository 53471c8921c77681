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
from hubfork.hub.backends.registry import registry as registry_of_backends
from hubfork.hub.cache_check import SNAPSHOT, FileProblem, SnapshotCheck, check_snapshot
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

    Every file must be a regular file (what stands in one's place is reported, never opened) of
    the size and hash the listing its snapshot was made from gives. With `name` (any hub name
    `hubfork.hub.resolve` accepts; `revision` as in `fetch`): its cached snapshot. Online, that
    listing is compared with the hub's listing of the commit now too, and corrupt files are
    fetched again (the check's ``repaired``; a note on stderr each); offline (``HF_HUB_OFFLINE``
    or `local_files_only`), problems are reported, not repaired. Nothing new is downloaded for a
    model that is not cached.

    Without `name`: every snapshot of every model repo in the cache, against what the cache
    recorded. Nothing is fetched: a cached repo does not say which hub it came from, so
    repairing one takes its name.

    Raises:
        InvalidNameError, UnresolvedNameError, NotInRegistryError: the name (see `resolve`); a
            local folder or archive is refused too (it is not in the hub cache).
        NotCachedError: `name` is not in the cache.
        HubUnreachableError, DownloadError: a corrupt file could not be fetched again, or (DownloadError)
            the hub's listing of the commit is not the one the snapshot was made from.
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
    # The cache is walked here rather than by huggingface_hub's scan_cache_dir, which reads every ref
    # (a FIFO there would hang it) and leaves out, with no more than a warning, a repo holding a broken link.
    checks = []
    for repo_id, snapshots in _model_repos(cache):
        for entry in sorted(_entries(snapshots), key=lambda entry: entry.name):
            if entry.is_dir():
                checks.append(check_snapshot(repo_id, entry.path, cache, hashes=True))
            else:
                problem = FileProblem("", "not a snapshot folder", SNAPSHOT)
                checks.append(SnapshotCheck(repo_id, entry.name, entry.path, 0, True, "cache", (problem,)))
    return checks


def _model_repos(cache: Path) -> list[tuple[str, Path]]:
    """Every model repo in the cache, by repo id, with its snapshots folder (``models--org--name``, as
    huggingface_hub names it, holds ``snapshots/<commit>``)."""
    prefix = f"{_REPO_TYPE}s--"
    repos = [("/".join(entry.name[len(prefix):].split("--")), Path(entry.path) / "snapshots")
             for entry in _entries(cache) if entry.name.startswith(prefix) and entry.is_dir()]
    return sorted((repo_id, snapshots) for repo_id, snapshots in repos if snapshots.is_dir())


def _entries(folder: Path) -> list[os.DirEntry]:
    try:
        return list(os.scandir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return []


__all__ = ["verify_cache"]
