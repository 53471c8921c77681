"""Hugging Face-style hubs: repos fetched through ``huggingface_hub.snapshot_download`` itself, so its
cache layout (``models--org--name/snapshots/<commit>``), file locks, progress bars and token handling are
the ones users already have. Three backends share it: a hub over HTTP (huggingface.co, a mirror, a private
hub; ``HF_ENDPOINT``), a local hub in a folder (``file:///path/to/hub``, served on loopback for the
download) and hubfork's embedded hub (built and served on demand). Every snapshot's files are checked
against the hub's listing (`hubfork.hub.cache_check`) and corrupt ones fetched again.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from hubfork._version import __version__
from hubfork.constants import EMBEDDED_ENDPOINT as EMBEDDED
from hubfork.errors import CorruptCacheError, DownloadError, HubUnreachableError, NotCachedError
from hubfork.hub import settings
from hubfork.hub.backends.base import Backend, FetchOptions
from hubfork.hub.guard import token_for
from hubfork.hub.hf_errors import translate_errors
from hubfork.hub.local_hub import hub_from_url
from hubfork.hub.resolved import ResolvedName
from hubfork.hub.snapshot import Snapshot

if TYPE_CHECKING:  # pragma: no cover
    from hubfork.hub.cache_check import SnapshotCheck


class _CachedRepos(Backend):
    """What the three hubs share: their repos sit in huggingface_hub's cache, whose listing each file is
    checked against."""

    def verify(self, place: ResolvedName, options: FetchOptions) -> "SnapshotCheck | None":
        from hubfork.hub.cache_check import check_snapshot
        from hubfork.hub.patterns import cached_snapshot

        assert place.repo_id is not None
        folder = cached_snapshot(place.repo_id, place.revision, options.cache)
        if folder is None:
            return None
        if options.offline is not None:
            return check_snapshot(place.repo_id, folder, options.cache, hashes=True)
        return self.fetch(place, replace(options, verify=True)).check


class HfHubBackend(_CachedRepos):
    """A repo on a Hugging Face-style hub over HTTP: the name's own host, else `FetchOptions.endpoint`,
    else ``HF_ENDPOINT``."""

    id = "hf"

    def serves(self, place: ResolvedName) -> bool:
        return place.kind == "repo" and place.endpoint != EMBEDDED and hub_from_url(place.endpoint) is None

    def fetch(self, place: ResolvedName, options: FetchOptions) -> Snapshot:
        local = hub_from_url(options.endpoint) if place.endpoint is None else None
        if local is not None:  # endpoint=file:///path/to/hub given for the call
            return LocalHubBackend().fetch(replace(place, endpoint=options.endpoint), options)
        hub = settings.endpoint(place.endpoint or options.endpoint)
        return _snapshot(place, options, hub, options.offline, token=token_for(hub, options.token))

    def describe(self, place: ResolvedName) -> str:
        return f"{place.where} on {settings.endpoint(place.endpoint)}"


class LocalHubBackend(_CachedRepos):
    """A repo of a local hub named by its folder (``file:///path/to/hub``): from the cache when a tag or
    commit is cached (a local hub never moves a tag), else served on loopback for this download."""

    id = "local-hub"

    def serves(self, place: ResolvedName) -> bool:
        return place.kind == "repo" and hub_from_url(place.endpoint) is not None

    def fetch(self, place: ResolvedName, options: FetchOptions) -> Snapshot:
        hub = hub_from_url(place.endpoint)
        assert hub is not None
        url, offline = hub.url, options.offline
        if offline is not None or hub.is_fixed_revision(place.revision):
            try:
                return _snapshot(place, options, url, offline or "looking in the cache first", token=False)
            except NotCachedError:
                if offline is not None:
                    raise
        if not hub.initialised:
            raise HubUnreachableError(place.name, repo_id=place.repo_id or "", revision=place.revision,
                                      endpoint=url, detail=f"no local hub in {hub.root} (olah.toml and mirrors/models)")
        with hub.serve_on_loopback() as served:
            snapshot = _snapshot(place, options, served, None, token=False)
        return replace(snapshot, endpoint=url)  # the loopback address is gone once the hub stops


class EmbeddedHubBackend(_CachedRepos):
    """A repo of the embedded hub: from the cache when it is there, else the hub is built if need be,
    served on loopback for this one download, and stopped."""

    id = "embedded"

    def serves(self, place: ResolvedName) -> bool:
        return place.kind == "repo" and place.endpoint == EMBEDDED

    def fetch(self, place: ResolvedName, options: FetchOptions) -> Snapshot:
        from hubfork.hub.embedded import is_fixed_revision, serve_embedded

        offline = options.offline
        if offline is not None or is_fixed_revision(place.repo_id or "", place.revision):
            try:
                # The embedded hub's tags never move, so a cached snapshot of one is the answer: no need
                # to build or start the hub just to ask which commit the tag names.
                return _snapshot(place, options, EMBEDDED, offline or "looking in the cache first", token=False)
            except NotCachedError:
                if offline is not None:
                    raise
        with serve_embedded(progress=say) as served:
            # token=False: the embedded hub needs none, and the user's Hugging Face token stays theirs.
            snapshot = _snapshot(place, options, served, None, token=False)
        return replace(snapshot, endpoint=EMBEDDED)  # the loopback address is gone once the hub stops


def say(message: str) -> None:
    # A build of the embedded hub happens once per machine but takes a while (a conversion), and a file
    # fetched again is news: say so on stderr, where progress bars go too.
    print(f"hubfork: {message}", file=sys.stderr, flush=True)


def _snapshot(resolved: ResolvedName, options: FetchOptions, hub: str, offline: str | None, *,
              token: str | bool | None) -> Snapshot:
    """``huggingface_hub.snapshot_download`` of `resolved` from `hub` (offline: from the cache only), its
    files checked (`_ensure_whole`)."""
    import huggingface_hub

    assert resolved.repo_id is not None
    cache = options.cache
    with translate_errors(resolved, hub, cache, offline):
        path = huggingface_hub.snapshot_download(
            resolved.repo_id, revision=resolved.revision, cache_dir=str(cache), local_files_only=offline is not None,
            allow_patterns=options.allow_patterns, ignore_patterns=options.ignore_patterns, token=token,
            endpoint=_url(hub), etag_timeout=settings.etag_timeout(), library_name="hubfork",
            library_version=__version__)
    folder = Path(path)
    commit = folder.name if folder.parent.name == "snapshots" else None
    check = (_ensure_whole(resolved, folder, cache, hub, offline, token=token, verify=options.verify)
             if commit else None)
    source = "embedded" if hub == EMBEDDED else None
    return Snapshot(str(folder), resolved.name, resolved.form, "repo", resolved.repo_id, resolved.revision or "main",
                    commit, hub, resolved.handle, check, source=source or _source_of(resolved))


def _source_of(resolved: ResolvedName) -> str:
    if resolved.endpoint == EMBEDDED:
        return "embedded"
    return "local-hub" if hub_from_url(resolved.endpoint) is not None else "hf"


def _url(hub: str) -> str | None:
    # The embedded hub's name ("embedded") is no URL: huggingface_hub must not be given it.
    return hub if hub.startswith(("http://", "https://")) else None


def _ensure_whole(resolved: ResolvedName, folder: Path, cache: Path, hub: str, offline: str | None, *,
                  token: str | bool | None, verify: bool) -> "SnapshotCheck":
    """Check the snapshot's files (`hubfork.hub.cache_check`) and fetch corrupt ones again (the check
    returned lists them as repaired). Offline, or with the hub gone, raise `CorruptCacheError` naming them.
    A snapshot with no file (the hub lists none, or the patterns left none) and a hub whose listing
    contradicts the one the snapshot was made from are errors too: nothing fetched again mends them."""
    from hubfork.hub import cache_check

    assert resolved.repo_id is not None
    if not cache_check.snapshot_files(folder):  # snapshot_download returns the folder it would have made
        from hubfork.errors import NoMatchingFilesError
        from hubfork.hub.listings import MalformedListing, cached_listing

        try:
            listed = cached_listing(resolved.repo_id, folder.name, cache)
        except MalformedListing:
            listed = None
        if listed:
            raise NoMatchingFilesError(resolved.name, repo_id=resolved.repo_id,
                                       filters="the file patterns given (allow/ignore patterns, --include/--exclude)")
        raise DownloadError(resolved.name, repo_id=resolved.repo_id, endpoint=hub,
                            detail=f"it lists no file at commit {folder.name}: there is no snapshot to use")
    check = _check_snapshot(resolved, folder, cache, hub, offline, token=token, verify=verify)
    if check.ok:
        return check
    if offline is None and any(problem.kind == cache_check.SNAPSHOT for problem in check.problems):
        raise DownloadError(resolved.name, repo_id=resolved.repo_id, endpoint=hub,
                            detail=f"the snapshot of commit {check.commit} and the hub's listing disagree:"
                            + "".join(f"\n  {problem}" for problem in check.problems))
    bad = sorted({problem.path for problem in check.problems if problem.kind == cache_check.FILE})
    if offline is None:
        try:
            with translate_errors(resolved, hub, cache, offline):
                cache_check.refetch(resolved.repo_id, check.commit, bad, cache=cache, endpoint=_url(hub), token=token)
        except HubUnreachableError as exc:
            offline = f"the hub at {hub} could not be reached ({exc.__cause__ or exc})"
    if offline is not None:
        raise CorruptCacheError(resolved.name, repo_id=resolved.repo_id, revision=resolved.revision,
                                cache_dir=str(cache), why=offline, files=bad,
                                problems=[str(problem) for problem in check.problems])
    for problem in check.problems:
        say(f"re-fetched {problem.path} of {resolved.repo_id}: its cached copy was corrupt ({problem.reason})")
    after = cache_check.check_snapshot(resolved.repo_id, folder, cache, hashes=verify, only=bad)
    if not after.ok:
        first = after.problems[0]
        raise DownloadError(resolved.name, repo_id=resolved.repo_id, endpoint=hub, file=first.path,
                            detail=f"fetched again, it still differs from the hub's listing ({first.reason})")
    return replace(check, problems=(), repaired=tuple(bad))


def _check_snapshot(resolved: ResolvedName, folder: Path, cache: Path, hub: str, offline: str | None, *,
                    token: str | bool | None, verify: bool) -> "SnapshotCheck":
    """Every file a regular file of the size the snapshot's listing gives; with `verify`, of its hash too,
    and online, that listing against the hub's now (when the hub does not answer, a note says so)."""
    from hubfork.hub import cache_check

    assert resolved.repo_id is not None
    if verify and offline is None:
        from huggingface_hub import HfApi

        api = HfApi(endpoint=_url(hub), token=token, library_name="hubfork", library_version=__version__)
        try:
            with translate_errors(resolved, hub, cache, offline):
                return cache_check.check_snapshot(resolved.repo_id, folder, cache, hashes=True, api=api)
        except HubUnreachableError as exc:
            # snapshot_download fell back to the cache: so does the check, which the user asked of the hub.
            say(f"the hub at {hub} did not answer ({exc.__cause__ or exc}): {resolved.repo_id}'s files are checked "
                "against the listing kept in the cache only")
    return cache_check.check_snapshot(resolved.repo_id, folder, cache, hashes=verify)


__all__ = ["HfHubBackend", "LocalHubBackend", "EmbeddedHubBackend", "say"]
