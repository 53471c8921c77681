"""Fetching a model by any name: `snapshot_download` on top of huggingface_hub's.

Repos go through ``huggingface_hub.snapshot_download`` itself, so its cache
layout (``models--org--name/snapshots/<commit>``), file locks, progress bars
(stderr) and token handling are the ones users already have; hubfork adds the
names it resolves, reads ``HF_ENDPOINT``/``HF_HUB_CACHE``/``HF_HUB_OFFLINE`` at
call time (see `hubfork.hub.settings`), and turns huggingface_hub's failures
into hubfork errors that say what to do. Local folders are used where they are;
``.tar.gz`` archives are unpacked into the cache once; repos of the embedded
hub (endpoint ``embedded``) come from the cache, else from that hub, built and
served on loopback for the download (`hubfork.hub.embedded`).
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Iterator, Sequence, Union

from hubfork.constants import EMBEDDED_ENDPOINT as EMBEDDED
from hubfork.errors import (
    DownloadError,
    HubError,
    HubUnreachableError,
    InvalidNameError,
    NotCachedError,
    RepoNotFoundError,
)
from hubfork.hub import settings
from hubfork.hub.local_hub import LocalHub, hub_from_url
from hubfork.hub.registry_sources import RegistryLike
from hubfork.hub.resolved import ResolvedName
from hubfork.hub.resolvers import resolve

Patterns = Union[str, Sequence[str], None]


@dataclass(frozen=True)
class Snapshot:
    """A fetched model: its local `path`, and where it came from."""

    path: str
    name: str
    form: str
    kind: str
    repo_id: str | None = None
    #: The revision asked for ("main" when none was), None for local models.
    revision: str | None = None
    #: The commit the revision pointed to (the snapshot folder's name), None for local models.
    commit: str | None = None
    endpoint: str | None = None
    #: The registry handle the name went through, if any.
    handle: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return asdict(self)


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
) -> str:
    """Fetch the model `name` (any form `hubfork.hub.resolve` accepts) and return its local folder.

    `revision` pins a branch, tag or commit (it may not contradict a revision
    written in the name itself; for registry names it overrides the registry's).
    `endpoint` is the hub for names that do not carry their own host (default
    ``$HF_ENDPOINT``). Offline (``HF_HUB_OFFLINE=1`` or `local_files_only`), only
    the cache is used. Patterns filter files as in huggingface_hub (globs).

    Raises:
        InvalidNameError, UnresolvedNameError, NotInRegistryError: the name (see `resolve`).
        RepoNotFoundError: no such repo or revision on the hub (or no access).
        HubUnreachableError: the hub cannot be reached and the model is not cached.
        NotCachedError: offline and the model is not cached.
        NoMatchingFilesError: the patterns leave no file to fetch.
        DownloadError: the hub answered with an error hubfork cannot act on.
        ArchiveError, LocalModelNotFoundError: a local archive or folder that is unsafe or not there.
    """
    return fetch(name, revision=revision, cache_dir=cache_dir, local_files_only=local_files_only,
                 allow_patterns=allow_patterns, ignore_patterns=ignore_patterns, token=token, endpoint=endpoint,
                 registry=registry).path


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
) -> Snapshot:
    """Like `snapshot_download`, but return a `Snapshot` (path, repo id, revision, commit).

    Raises:
        HubError: as `snapshot_download`.
    """
    resolved = with_revision(name if isinstance(name, ResolvedName) else resolve(name, registry=registry), revision)
    if resolved.kind == "folder":
        return Snapshot(str(resolved.path), resolved.name, resolved.form, resolved.kind)
    cache = settings.hub_cache(cache_dir)
    if resolved.kind == "archive":
        from hubfork.hub.archives import unpack_archive

        return Snapshot(str(unpack_archive(resolved.path, cache)), resolved.name, resolved.form, resolved.kind)
    failures: list[HubError] = []
    for candidate in resolved.candidates():
        try:
            return _download_repo(candidate, cache, local_files_only=local_files_only, allow_patterns=allow_patterns,
                                  ignore_patterns=ignore_patterns, token=token, endpoint=endpoint)
        except (RepoNotFoundError, HubUnreachableError, NotCachedError) as exc:
            failures.append(exc)  # a registry entry may list other sources: try them before giving up
    raise failures[0]


def with_revision(resolved: ResolvedName, revision: str | None) -> ResolvedName:
    """`resolved` at `revision`, refusing a revision that contradicts the one in the name."""
    if revision is None:
        return resolved
    from hubfork.hub.names import check_revision

    check_revision(revision, resolved.name)
    if resolved.kind != "repo":
        raise InvalidNameError(resolved.name, f"revision={revision!r} applies to hub repos, not to a local "
                                              f"{resolved.kind}")
    if resolved.pinned and revision != resolved.revision:
        raise InvalidNameError(resolved.name, f"the name pins revision {resolved.revision!r} but "
                                              f"revision={revision!r} was given")
    return resolved.with_revision(revision)


def _download_repo(resolved: ResolvedName, cache: Path, *, local_files_only: bool, allow_patterns: Patterns,
                   ignore_patterns: Patterns, token: str | bool | None, endpoint: str | None) -> Snapshot:
    assert resolved.repo_id is not None
    patterns = dict(allow_patterns=allow_patterns, ignore_patterns=ignore_patterns)
    offline = settings.offline_reason(local_files_only)
    if resolved.endpoint == EMBEDDED:
        return _download_embedded(resolved, cache, offline, patterns)
    local = hub_from_url(resolved.endpoint or endpoint)
    if local is not None:
        return _download_local(resolved, local, cache, offline, patterns)
    hub = settings.endpoint(resolved.endpoint or endpoint)
    return _snapshot(resolved, cache, hub, offline, token=token, **patterns)


def _download_embedded(resolved: ResolvedName, cache: Path, offline: str | None, patterns: dict) -> Snapshot:
    """A repo of the embedded hub: from the cache when it is there, else the hub is built if need be,
    served on loopback for this one download, and stopped."""
    from hubfork.hub.embedded import is_fixed_revision, serve_embedded

    if offline is not None or is_fixed_revision(resolved.repo_id or "", resolved.revision):
        try:
            # The embedded hub's tags never move, so a cached snapshot of one is the answer: no need
            # to build or start the hub just to ask which commit the tag names.
            return _snapshot(resolved, cache, EMBEDDED, offline or "looking in the cache first", token=False,
                             **patterns)
        except NotCachedError:
            if offline is not None:
                raise
    with serve_embedded(progress=_say) as served:
        # token=False: the embedded hub needs none, and the user's Hugging Face token stays theirs.
        snapshot = _snapshot(resolved, cache, served, None, token=False, **patterns)
    return replace(snapshot, endpoint=EMBEDDED)  # the loopback address is gone once the hub stops


def _download_local(resolved: ResolvedName, hub: LocalHub, cache: Path, offline: str | None,
                    patterns: dict) -> Snapshot:
    """A repo of a local hub named by its folder (``file:///path/to/hub``): from the cache when a
    tag or commit is cached (a local hub never moves a tag), else served on loopback for this download."""
    url = hub.url
    if offline is not None or hub.is_fixed_revision(resolved.revision):
        try:
            return _snapshot(resolved, cache, url, offline or "looking in the cache first", token=False, **patterns)
        except NotCachedError:
            if offline is not None:
                raise
    if not hub.initialised:
        raise HubUnreachableError(resolved.name, repo_id=resolved.repo_id or "", revision=resolved.revision,
                                  endpoint=url, detail=f"no local hub in {hub.root} (olah.toml and mirrors/models)")
    with hub.serve_on_loopback() as served:
        snapshot = _snapshot(resolved, cache, served, None, token=False, **patterns)
    return replace(snapshot, endpoint=url)  # the loopback address is gone once the hub stops


def _say(message: str) -> None:
    # A build of the embedded hub happens once per machine but takes a while (a conversion): say so
    # on stderr, where huggingface_hub's progress bars go too.
    print(f"hubfork: {message}", file=sys.stderr, flush=True)


def _snapshot(resolved: ResolvedName, cache: Path, hub: str, offline: str | None, *, token: str | bool | None,
              allow_patterns: Patterns, ignore_patterns: Patterns) -> Snapshot:
    """``huggingface_hub.snapshot_download`` of `resolved` from `hub` (offline: from the cache only)."""
    import huggingface_hub

    from hubfork import __version__

    assert resolved.repo_id is not None
    with translate_errors(resolved, hub, cache, offline):
        path = huggingface_hub.snapshot_download(
            resolved.repo_id, revision=resolved.revision, cache_dir=str(cache), local_files_only=offline is not None,
            allow_patterns=allow_patterns, ignore_patterns=ignore_patterns, token=token,
            endpoint=hub if hub.startswith(("http://", "https://")) else None, library_name="hubfork",
            library_version=__version__)
    folder = Path(path)
    commit = folder.name if folder.parent.name == "snapshots" else None
    return Snapshot(str(folder), resolved.name, resolved.form, "repo", resolved.repo_id, resolved.revision or "main",
                    commit, hub, resolved.handle)


@contextmanager
def translate_errors(resolved: ResolvedName, hub: str, cache: Path, offline: str | None) -> Iterator[None]:
    """Turn huggingface_hub's failures into hubfork errors carrying the name, repo, revision and hub."""
    from huggingface_hub.errors import (
        HfHubHTTPError,
        LocalEntryNotFoundError,
        OfflineModeIsEnabled,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    where = dict(repo_id=resolved.repo_id or "", revision=resolved.revision)
    try:
        yield
    except LocalEntryNotFoundError as exc:
        if offline is None and isinstance(exc.__cause__, OfflineModeIsEnabled):
            offline = "HF_HUB_OFFLINE was set when huggingface_hub was imported"
        if offline is not None:
            raise NotCachedError(resolved.name, **where, cache_dir=str(cache), why=offline) from exc
        cause = exc.__cause__
        if isinstance(cause, HfHubHTTPError):  # the hub answered, with an error huggingface_hub did not classify
            status = getattr(getattr(cause, "response", None), "status_code", None)
            if status in (401, 403, 404):
                raise RepoNotFoundError(resolved.name, **where, endpoint=hub, detail=f"HTTP {status}") from exc
            raise DownloadError(resolved.name, repo_id=where["repo_id"], endpoint=hub, detail=_first_line(cause)) \
                from exc
        raise HubUnreachableError(resolved.name, **where, endpoint=hub, detail=_first_line(cause or exc)) from exc
    except (RepositoryNotFoundError, RevisionNotFoundError) as exc:
        raise RepoNotFoundError(resolved.name, **where, endpoint=hub) from exc
    except HfHubHTTPError as exc:
        raise DownloadError(resolved.name, repo_id=where["repo_id"], endpoint=hub, detail=_first_line(exc)) from exc
    except OfflineModeIsEnabled as exc:
        raise NotCachedError(resolved.name, **where, cache_dir=str(cache),
                             why=offline or "HF_HUB_OFFLINE was set when huggingface_hub was imported") from exc
    except Exception as exc:
        # Listing files (snapshot_download handles its own) meets httpx's connection errors raw.
        if not isinstance(exc, HubError) and _is_connection_error(exc):
            raise HubUnreachableError(resolved.name, **where, endpoint=hub, detail=_first_line(exc)) from exc
        raise


def _is_connection_error(exc: BaseException) -> bool:
    return isinstance(exc, ConnectionError) or any(
        cls.__name__ == "TransportError" and cls.__module__.startswith("httpx") for cls in type(exc).__mro__)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"


__all__ = ["Snapshot", "snapshot_download", "fetch", "with_revision", "translate_errors"]
