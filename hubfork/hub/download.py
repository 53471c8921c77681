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
import re
import sys
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Sequence, Union
from urllib.parse import quote, unquote, urlsplit

from hubfork.constants import EMBEDDED_ENDPOINT as EMBEDDED
from hubfork.errors import (
    CorruptCacheError,
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

if TYPE_CHECKING:  # pragma: no cover
    from hubfork.hub.cache_check import SnapshotCheck

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
    #: What checking its cached files found (`hubfork.hub.cache_check`); None for local folders and archives.
    check: "SnapshotCheck | None" = field(default=None, repr=False, compare=False)

    @property
    def repaired(self) -> tuple[str, ...]:
        """Files fetched again because their cached copy was corrupt."""
        return self.check.repaired if self.check is not None else ()

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = asdict(replace(self, check=None))
        del data["check"]
        data["repaired"] = list(self.repaired)
        return data


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
) -> str:
    """Fetch the model `name` (any form `hubfork.hub.resolve` accepts) and return its local folder.

    `revision` pins a branch, tag or commit (it may not contradict a revision
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
        RepoNotFoundError: no such repo or revision on the hub (or no access).
        HubUnreachableError: the hub cannot be reached and the model is not cached.
        NotCachedError: offline and the model is not cached.
        CorruptCacheError: a cached file is corrupt and cannot be fetched again (offline, or the hub
            unreachable); the message names it and says how to repair it.
        NoMatchingFilesError: the patterns leave no file to fetch.
        DownloadError: the hub answered with an error hubfork cannot act on (`file` names the file, if it
            was one).
        ArchiveError, LocalModelNotFoundError: a local archive or folder that is unsafe or not there.
    """
    return fetch(name, revision=revision, cache_dir=cache_dir, local_files_only=local_files_only,
                 allow_patterns=allow_patterns, ignore_patterns=ignore_patterns, token=token, endpoint=endpoint,
                 registry=registry, verify=verify).path


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
                                  ignore_patterns=ignore_patterns, token=token, endpoint=endpoint, verify=verify)
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
                   ignore_patterns: Patterns, token: str | bool | None, endpoint: str | None,
                   verify: bool) -> Snapshot:
    assert resolved.repo_id is not None
    # What every path hands on to _snapshot unchanged.
    options = dict(allow_patterns=allow_patterns, ignore_patterns=ignore_patterns, verify=verify)
    offline = settings.offline_reason(local_files_only)
    if resolved.endpoint == EMBEDDED:
        return _download_embedded(resolved, cache, offline, options)
    local = hub_from_url(resolved.endpoint or endpoint)
    if local is not None:
        return _download_local(resolved, local, cache, offline, options)
    hub = settings.endpoint(resolved.endpoint or endpoint)
    return _snapshot(resolved, cache, hub, offline, token=token, **options)


def _download_embedded(resolved: ResolvedName, cache: Path, offline: str | None, options: dict) -> Snapshot:
    """A repo of the embedded hub: from the cache when it is there, else the hub is built if need be,
    served on loopback for this one download, and stopped."""
    from hubfork.hub.embedded import is_fixed_revision, serve_embedded

    if offline is not None or is_fixed_revision(resolved.repo_id or "", resolved.revision):
        try:
            # The embedded hub's tags never move, so a cached snapshot of one is the answer: no need
            # to build or start the hub just to ask which commit the tag names.
            return _snapshot(resolved, cache, EMBEDDED, offline or "looking in the cache first", token=False,
                             **options)
        except NotCachedError:
            if offline is not None:
                raise
    with serve_embedded(progress=_say) as served:
        # token=False: the embedded hub needs none, and the user's Hugging Face token stays theirs.
        snapshot = _snapshot(resolved, cache, served, None, token=False, **options)
    return replace(snapshot, endpoint=EMBEDDED)  # the loopback address is gone once the hub stops


def _download_local(resolved: ResolvedName, hub: LocalHub, cache: Path, offline: str | None,
                    options: dict) -> Snapshot:
    """A repo of a local hub named by its folder (``file:///path/to/hub``): from the cache when a
    tag or commit is cached (a local hub never moves a tag), else served on loopback for this download."""
    url = hub.url
    if offline is not None or hub.is_fixed_revision(resolved.revision):
        try:
            return _snapshot(resolved, cache, url, offline or "looking in the cache first", token=False, **options)
        except NotCachedError:
            if offline is not None:
                raise
    if not hub.initialised:
        raise HubUnreachableError(resolved.name, repo_id=resolved.repo_id or "", revision=resolved.revision,
                                  endpoint=url, detail=f"no local hub in {hub.root} (olah.toml and mirrors/models)")
    with hub.serve_on_loopback() as served:
        snapshot = _snapshot(resolved, cache, served, None, token=False, **options)
    return replace(snapshot, endpoint=url)  # the loopback address is gone once the hub stops


def _say(message: str) -> None:
    # A build of the embedded hub happens once per machine but takes a while (a conversion), and a file
    # fetched again is news: say so on stderr, where huggingface_hub's progress bars go too.
    print(f"hubfork: {message}", file=sys.stderr, flush=True)


def _snapshot(resolved: ResolvedName, cache: Path, hub: str, offline: str | None, *, token: str | bool | None,
              allow_patterns: Patterns, ignore_patterns: Patterns, verify: bool) -> Snapshot:
    """``huggingface_hub.snapshot_download`` of `resolved` from `hub` (offline: from the cache only), its
    files checked (`_ensure_whole`)."""
    import huggingface_hub

    from hubfork import __version__

    assert resolved.repo_id is not None
    with translate_errors(resolved, hub, cache, offline):
        path = huggingface_hub.snapshot_download(
            resolved.repo_id, revision=resolved.revision, cache_dir=str(cache), local_files_only=offline is not None,
            allow_patterns=allow_patterns, ignore_patterns=ignore_patterns, token=token, endpoint=_url(hub),
            etag_timeout=settings.etag_timeout(), library_name="hubfork", library_version=__version__)
    folder = Path(path)
    commit = folder.name if folder.parent.name == "snapshots" else None
    check = _ensure_whole(resolved, folder, cache, hub, offline, token=token, verify=verify) if commit else None
    return Snapshot(str(folder), resolved.name, resolved.form, "repo", resolved.repo_id, resolved.revision or "main",
                    commit, hub, resolved.handle, check)


def _url(hub: str) -> str | None:
    # The embedded hub's name ("embedded") is no URL: huggingface_hub must not be given it.
    return hub if hub.startswith(("http://", "https://")) else None


def _ensure_whole(resolved: ResolvedName, folder: Path, cache: Path, hub: str, offline: str | None, *,
                  token: str | bool | None, verify: bool) -> "SnapshotCheck":
    """Check the snapshot's files (`hubfork.hub.cache_check`) and fetch corrupt ones again (the check
    returned lists them as repaired). Offline, or with the hub gone, raise `CorruptCacheError` naming them."""
    from hubfork.hub import cache_check

    assert resolved.repo_id is not None
    check = _check_snapshot(resolved, folder, cache, hub, offline, token=token, verify=verify)
    if check.ok:
        return check
    bad = [problem.path for problem in check.problems]
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
        _say(f"re-fetched {problem.path} of {resolved.repo_id}: its cached copy was corrupt ({problem.reason})")
    after = cache_check.check_snapshot(resolved.repo_id, folder, cache, hashes=verify, only=bad)
    if not after.ok:
        first = after.problems[0]
        raise DownloadError(resolved.name, repo_id=resolved.repo_id, endpoint=hub, file=first.path,
                            detail=f"fetched again, it still differs from the hub's listing ({first.reason})")
    return replace(check, problems=(), repaired=tuple(bad))


def _check_snapshot(resolved: ResolvedName, folder: Path, cache: Path, hub: str, offline: str | None, *,
                    token: str | bool | None, verify: bool) -> "SnapshotCheck":
    """Sizes against the cached listing; with `verify`, hashes against the hub's listing when online, else
    (or when the hub does not answer) against the cache's record."""
    from hubfork.hub import cache_check

    assert resolved.repo_id is not None
    if verify and offline is None:
        from huggingface_hub import HfApi

        from hubfork import __version__

        api = HfApi(endpoint=_url(hub), token=token, library_name="hubfork", library_version=__version__)
        try:
            with translate_errors(resolved, hub, cache, offline):
                return cache_check.check_snapshot(resolved.repo_id, folder, cache, hashes=True, api=api)
        except HubUnreachableError:
            pass  # snapshot_download fell back to the cache: so does the check
    return cache_check.check_snapshot(resolved.repo_id, folder, cache, hashes=verify)


@contextmanager
def translate_errors(resolved: ResolvedName, hub: str, cache: Path, offline: str | None) -> Iterator[None]:
    """Turn huggingface_hub's failures into hubfork errors carrying the name, repo, revision, hub and, for a
    failure mid-download, the file; and give every request a timeout (`hubfork.hub.timeouts`)."""
    from huggingface_hub.errors import (
        HfHubHTTPError,
        LocalEntryNotFoundError,
        OfflineModeIsEnabled,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    from hubfork.hub.timeouts import bounded_requests

    where = dict(repo_id=resolved.repo_id or "", revision=resolved.revision)
    try:
        with bounded_requests():
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
            raise DownloadError(resolved.name, repo_id=where["repo_id"], endpoint=hub, detail=_first_line(cause),
                                file=_failed_file(exc, where["repo_id"])) from exc
        raise _unreachable(resolved, hub, cause or exc) from exc
    except (RepositoryNotFoundError, RevisionNotFoundError) as exc:
        raise RepoNotFoundError(resolved.name, **where, endpoint=hub) from exc
    except HfHubHTTPError as exc:
        raise DownloadError(resolved.name, repo_id=where["repo_id"], endpoint=hub, detail=_first_line(exc),
                            file=_failed_file(exc, where["repo_id"])) from exc
    except OfflineModeIsEnabled as exc:
        raise NotCachedError(resolved.name, **where, cache_dir=str(cache),
                             why=offline or "HF_HUB_OFFLINE was set when huggingface_hub was imported") from exc
    except Exception as exc:
        # Listing files (snapshot_download handles its own), and a file's download once huggingface_hub's
        # retries are spent, meet httpx's connection errors raw.
        # hf_hub_download(force_download=True) wraps a failed metadata request in a ValueError.
        cause = exc.__cause__ if isinstance(exc, ValueError) and exc.__cause__ is not None else exc
        if not isinstance(exc, HubError) and is_connection_error(cause):
            raise _unreachable(resolved, hub, cause) from exc
        if isinstance(cause, HfHubHTTPError):
            raise DownloadError(resolved.name, repo_id=where["repo_id"], endpoint=hub, detail=_first_line(cause),
                                file=_failed_file(cause, where["repo_id"])) from exc
        if isinstance(exc, OSError) and str(exc).startswith("Consistency check failed"):
            # huggingface_hub got another number of bytes than announced; it kept none of them.
            raise DownloadError(resolved.name, repo_id=where["repo_id"], endpoint=hub, detail=_first_line(exc),
                                file=_short_file(_first_line(exc), resolved, cache)) from exc
        raise


# huggingface_hub's "Consistency check failed: ... has size N (URL)." shows the file's URL, only its last
# 40 characters after "(…)" when longer.
_URL_TAIL = re.compile(r"\((?:\(…\))?([^()]+)\)\.?$")


def _short_file(message: str, resolved: ResolvedName, cache: Path) -> str | None:
    """The file a consistency error is about: the listed file whose URL ends as the message's does."""
    from huggingface_hub import get_cached_repo_tree
    from huggingface_hub.errors import CachedRepoTreeNotFoundError

    match = _URL_TAIL.search(message)
    if match is None or resolved.repo_id is None:
        return None
    tail = match.group(1)
    try:
        listed = [entry.path for entry in get_cached_repo_tree(resolved.repo_id, revision=resolved.revision or "main",
                                                                 cache_dir=cache)]
    except CachedRepoTreeNotFoundError:  # no listing cached: the message's own text is all there is
        return None
    whole = [path for path in listed if tail.endswith("/" + quote(path))]  # the tail holds the whole name
    part = [path for path in listed if ("/" + quote(path)).endswith(tail)]  # the name is longer than the tail
    return max(whole, key=len) if whole else (part[0] if len(part) == 1 else None)


def _unreachable(resolved: ResolvedName, hub: str, cause: BaseException) -> HubUnreachableError:
    """The hub stopped answering: before any file, or mid-download (then the error names the file)."""
    file = _failed_file(cause, resolved.repo_id or "")
    detail = _first_line(cause)
    if _is_timeout(cause):
        detail += f" (no answer within {settings.download_timeout():g} s; HF_HUB_DOWNLOAD_TIMEOUT sets it)"
    if file is not None:
        detail += ("; files fetched whole stay in the cache, the one cut short does not: run the pull again "
                   "once the hub answers")
    return HubUnreachableError(resolved.name, repo_id=resolved.repo_id or "", revision=resolved.revision,
                               endpoint=hub, detail=detail, file=file)


def _failed_file(exc: BaseException | None, repo_id: str) -> str | None:
    """The repo file whose request failed, from the request an httpx error (or its cause) carries: the
    path after ``/<repo_id>/resolve/<revision>/``."""
    marker = f"/{repo_id}/resolve/"
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        path = urlsplit(_request_url(exc)).path
        if marker in path:
            file = path.split(marker, 1)[1].partition("/")[2]
            if file:
                return unquote(file)
        exc = exc.__cause__ or exc.__context__
    return None


def _request_url(exc: BaseException) -> str:
    for holder in (exc, getattr(exc, "response", None)):
        try:
            return str(holder.request.url)  # type: ignore[union-attr]
        except (AttributeError, RuntimeError):  # httpx raises RuntimeError when no request is attached
            continue
    return ""


def is_connection_error(exc: BaseException) -> bool:
    """True for a failure to reach a hub: Python's ConnectionError (huggingface_hub's
    OfflineModeIsEnabled too) or httpx's TransportError."""
    return isinstance(exc, ConnectionError) or _is_httpx(exc, "TransportError")


def _is_timeout(exc: BaseException) -> bool:
    return _is_httpx(exc, "TimeoutException")


def _is_httpx(exc: BaseException, name: str) -> bool:
    # httpx (or huggingface_hub's httpx2) without importing it: its classes are matched by name.
    return any(cls.__name__ == name and cls.__module__.startswith("httpx") for cls in type(exc).__mro__)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"


__all__ = ["Snapshot", "snapshot_download", "fetch", "with_revision", "translate_errors", "is_connection_error"]
