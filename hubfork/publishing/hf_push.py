"""Pushing a model folder to an HF-compatible hub with huggingface_hub's `HfApi`.

One push is one commit on ``main`` whose tree equals the folder (files the repo has and the
folder does not are deleted in that same commit), then optionally a tag on that commit.
Everything that can be checked is checked before the first write, so a refused push writes
nothing. What cannot be undone is said: the hub's HTTP API can add commits but not remove
one (no force-push, no branch reset to an older commit), so a commit that landed before a
tag failed stays on ``main``; the error says so.

``.gitattributes`` is the one file a push keeps when the folder has none: the hub writes it
into every new repo, and git clients need it to turn LFS pointers back into files.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from hubfork._version import __version__
from hubfork.errors import InvalidNameError, PublishError
from hubfork.hub import settings
from hubfork.hub.download import is_connection_error
from hubfork.hub.names import check_repo_id, check_revision

if TYPE_CHECKING:  # pragma: no cover
    from huggingface_hub import HfApi

REPO_TYPE = "model"
BRANCH = "main"
#: Seconds a publish waits for a hub's answer at least (``$HF_HUB_DOWNLOAD_TIMEOUT`` when longer).
PUBLISH_TIMEOUT = 60.0
#: Files the hub manages that a push leaves in place when the folder has no copy of its own.
KEPT_PATHS = frozenset({".gitattributes"})


@dataclass(frozen=True)
class PushResult:
    """What a push did. `commit` is the sha the repo's main (and `tag`, if given) now names;
    `changed` is False when the hub already held exactly the folder's files."""

    repo_id: str
    commit: str
    tag: str | None
    endpoint: str
    created_repo: bool
    changed: bool
    files: int


@dataclass(frozen=True)
class _RemoteState:
    """The repo as read before any write."""

    exists: bool
    head: str | None  # main's sha; None for a repo that does not exist (or has no commit)
    tag_commit: str | None  # the commit the requested tag names, if it exists


def push_folder(folder: Path, repo_id: str, *, endpoint: str | None, token: str | bool | None,
                tag: str | None, message: str, api: "HfApi | None" = None) -> PushResult:
    """Make ``repo_id``'s main hold exactly the files of `folder` in one commit, then tag it.

    The repo is created (as a model repo) when missing. A push whose files the hub already holds
    makes no commit (``changed=False``). A `tag` that already exists is accepted only when it
    names a commit whose files equal the folder; then nothing is written at all.

    `api` replaces the ``HfApi`` built from `endpoint` and `token` (tests pass a fake).

    Raises:
        PublishError: with ``step="check"`` when the repo id, tag, folder or message is refused,
            ``step="tag"`` when the tag exists on another commit (both before any write), or when
            creating the tag failed after the commit (the message says what the repo now holds);
            ``step="push"`` when reading the repo, creating it or committing failed (a repo this
            call created is deleted again). A refused token or an unreachable hub is said as such;
            the token never appears in a message.
    """
    folder = Path(folder)
    _check_names(repo_id, tag, message)
    files = _folder_files(folder, repo_id)
    api = api if api is not None else _make_api(endpoint, token)
    where = str(getattr(api, "endpoint", None) or settings.endpoint(endpoint))
    secret = token if isinstance(token, str) else None

    with _translated(repo_id, where, secret, "push"):
        state = _read_state(api, repo_id, tag)
        if state.tag_commit is not None:
            if not _commit_matches(api, repo_id, state.tag_commit, folder, files):
                raise PublishError(f"tag {tag!r} already names commit {state.tag_commit}, whose files differ from "
                                   f"{folder}; nothing was written (choose another tag)", repo_id=repo_id, step="tag")
            return PushResult(repo_id, state.tag_commit, tag, where, created_repo=False, changed=False,
                              files=len(files))
        created = not state.exists
        if created:
            # exist_ok=False: a repo someone created since `_read_state` is not ours to roll back.
            api.create_repo(repo_id, repo_type=REPO_TYPE, exist_ok=False)

    commit, changed = _commit_or_roll_back(api, repo_id, folder, files, message, state, created, where, secret)
    if tag is not None:
        _tag_or_explain(api, repo_id, tag, commit, changed, created, where, secret)
    return PushResult(repo_id, commit, tag, where, created_repo=created, changed=changed, files=len(files))


# ------------------------------------------------------------------------------ checks


def _check_names(repo_id: str, tag: str | None, message: str) -> None:
    try:
        check_repo_id(repo_id, repo_id)
        if tag is not None:
            check_revision(tag, tag)
    except InvalidNameError as exc:
        raise PublishError(str(exc), repo_id=None, step="check") from exc
    if not message.strip():
        raise PublishError("the commit message is empty", repo_id=repo_id, step="check")


def _folder_files(folder: Path, repo_id: str) -> list[str]:
    """The folder's files as sorted POSIX paths; refuses links and anything but regular files,
    since a hub stores neither and a link could publish a file from outside the folder."""
    if not folder.is_dir() or folder.is_symlink():
        raise PublishError(f"{folder} is not a folder", repo_id=repo_id, step="check")
    found: list[str] = []
    for root, dirs, names in os.walk(folder):
        for name in sorted(dirs) + sorted(names):
            path = Path(root) / name
            mode = path.lstat().st_mode
            if stat.S_ISLNK(mode) or not (stat.S_ISDIR(mode) or stat.S_ISREG(mode)):
                kind = "a symbolic link" if stat.S_ISLNK(mode) else "not a regular file"
                raise PublishError(f"{path} is {kind}; a pushed folder holds regular files only",
                                   repo_id=repo_id, step="check")
            if stat.S_ISREG(mode):
                found.append(path.relative_to(folder).as_posix())
    if not found:
        # An empty folder would make a commit deleting every file of the repo.
        raise PublishError(f"{folder} holds no file", repo_id=repo_id, step="check")
    return sorted(found)


def _read_state(api: Any, repo_id: str, tag: str | None) -> _RemoteState:
    from huggingface_hub.errors import RepositoryNotFoundError

    try:
        info = api.repo_info(repo_id, repo_type=REPO_TYPE, revision=BRANCH)
    except RepositoryNotFoundError:
        return _RemoteState(exists=False, head=None, tag_commit=None)
    tag_commit = None
    if tag is not None:
        refs = api.list_repo_refs(repo_id, repo_type=REPO_TYPE)
        if any(branch.name == tag for branch in refs.branches):
            # create_tag would make a ref as ambiguous as git's own "refname is ambiguous".
            raise PublishError(f"{tag!r} is already a branch of the repo; choose another tag; nothing was written",
                               repo_id=repo_id, step="tag")
        tag_commit = next((ref.target_commit for ref in refs.tags if ref.name == tag), None)
    return _RemoteState(exists=True, head=info.sha, tag_commit=tag_commit)


def _commit_matches(api: Any, repo_id: str, commit: str, folder: Path, files: list[str]) -> bool:
    """True when `commit`'s files are the folder's, byte for byte (by git blob id or LFS sha256)."""
    from huggingface_hub.hf_api import RepoFile

    remote = {item.path: item for item in api.list_repo_tree(repo_id, revision=commit, repo_type=REPO_TYPE,
                                                             recursive=True) if isinstance(item, RepoFile)}
    for path in KEPT_PATHS - set(files):
        remote.pop(path, None)
    if set(remote) != set(files):
        return False
    return all(_same_content(folder / path, remote[path]) for path in files)


def _same_content(path: Path, remote: Any) -> bool:
    size = path.stat().st_size
    if remote.lfs is not None:
        return size == remote.lfs.size and _sha256(path) == remote.lfs.sha256
    # A regular (non-LFS) blob is small: its git blob id is hashed from the whole file at once.
    return size == remote.size and _git_blob_id(path) == remote.blob_id


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _git_blob_id(path: Path) -> str:
    data = path.read_bytes()
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


# ------------------------------------------------------------------------------ writes


def _make_api(endpoint: str | None, token: str | bool | None) -> "HfApi":
    from huggingface_hub import HfApi

    return HfApi(endpoint=endpoint, token=token, library_name="hubfork", library_version=__version__)


def _operations(api: Any, repo_id: str, folder: Path, files: list[str], head: str | None) -> list[Any]:
    """One add per folder file, one delete per file main has that the folder does not."""
    from huggingface_hub import CommitOperationAdd, CommitOperationDelete

    remote = set(api.list_repo_files(repo_id, repo_type=REPO_TYPE, revision=head)) if head else set()
    stale = sorted(remote - set(files) - KEPT_PATHS)
    adds = [CommitOperationAdd(path_in_repo=path, path_or_fileobj=str(folder / path)) for path in files]
    return adds + [CommitOperationDelete(path_in_repo=path) for path in stale]


def _commit_or_roll_back(api: Any, repo_id: str, folder: Path, files: list[str], message: str, state: _RemoteState,
                         created: bool, where: str, secret: str | None) -> tuple[str, bool]:
    """(commit sha, changed). A failure deletes the repo when this push created it."""
    try:
        with _translated(repo_id, where, secret, "push"):
            # A new repo already has a commit on most hubs (huggingface.co writes .gitattributes).
            head = api.repo_info(repo_id, repo_type=REPO_TYPE, revision=BRANCH).sha if created else state.head
            operations = _operations(api, repo_id, folder, files, head)
            # parent_commit: a push that raced another fails instead of interleaving with it.
            info = api.create_commit(repo_id, operations, commit_message=message, repo_type=REPO_TYPE,
                                     revision=BRANCH, parent_commit=head)
    except PublishError as exc:
        if created:
            raise _rolled_back(api, repo_id, exc, where, secret) from exc.__cause__
        raise
    # huggingface_hub skips a commit whose files all match (it returns main's sha then).
    # Someone pushing between that check and its read of main is not detected: a narrow race.
    return info.oid, info.oid != head


def _rolled_back(api: Any, repo_id: str, error: PublishError, where: str, secret: str | None) -> PublishError:
    try:
        with _translated(repo_id, where, secret, error.step):
            api.delete_repo(repo_id, repo_type=REPO_TYPE)
    except PublishError as cleanup:
        return PublishError(f"{_bare(error)}; the repo this push created could not be deleted ({_bare(cleanup)}): "
                            "delete it by hand", repo_id=repo_id, step=error.step)
    return PublishError(f"{_bare(error)}; the repo this push created was deleted again", repo_id=repo_id,
                        step=error.step)


def _tag_or_explain(api: Any, repo_id: str, tag: str, commit: str, changed: bool, created: bool, where: str,
                    secret: str | None) -> None:
    """Tag `commit`; on failure say what the repo holds, deleting it when this push created it."""
    try:
        with _translated(repo_id, where, secret, "tag"):
            api.create_tag(repo_id, tag=tag, revision=commit, repo_type=REPO_TYPE,
                           tag_message=f"hubfork: {tag}")
    except PublishError as exc:
        if created:
            raise _rolled_back(api, repo_id, exc, where, secret) from exc.__cause__
        if changed:
            # No HTTP call removes a commit: the API has commits, reverts-as-new-commits and branch
            # deletion, but not a reset of main to its parent. Saying so beats a silent half-push.
            state = (f"main now holds the pushed files at commit {commit} (the hub's API cannot remove a commit, "
                     f"so it stays); push again with the same tag to add the tag only")
        else:
            state = f"nothing was committed (main already held these files at {commit})"
        raise PublishError(f"{_bare(exc)}; tag {tag!r} was not created; {state}", repo_id=repo_id,
                           step="tag") from exc.__cause__


# ------------------------------------------------------------------------------ errors


class _translated:
    """Turn huggingface_hub's and httpx's failures inside the block into `PublishError`, and give
    every request sent inside it a timeout (`hubfork.hub.timeouts`: huggingface_hub sends its API
    calls without one, so a hub that never answers would hang the publish).

    A class, not a generator context manager: a PublishError raised inside passes through unchanged.
    """

    def __init__(self, repo_id: str, endpoint: str, secret: str | None, step: str):
        self.repo_id, self.endpoint, self.secret, self.step = repo_id, endpoint, secret, step
        self._bounded: Any = None

    def __enter__(self) -> None:
        from hubfork.hub.timeouts import bounded_requests

        # A commit can keep a hub busy for a while: publishing waits longer than a download does.
        self._bounded = bounded_requests(max(PUBLISH_TIMEOUT, settings.download_timeout()))
        self._bounded.__enter__()
        return None

    def __exit__(self, kind: type | None, exc: BaseException | None, tb: Any) -> bool:
        self._bounded.__exit__(None, None, None)
        if exc is None or isinstance(exc, PublishError) or not isinstance(exc, Exception):
            return False
        self._raise(exc)

    def _raise(self, exc: Exception) -> NoReturn:
        from huggingface_hub.errors import HfHubHTTPError

        status = getattr(getattr(exc, "response", None), "status_code", None)
        if isinstance(exc, HfHubHTTPError) and status in (401, 403):
            text = (f"the hub at {self.endpoint} refused the token (HTTP {status}): pass a token with write "
                    f"access to {self.repo_id.split('/')[0]!r} (token=, HF_TOKEN or `hf auth login`)")
        elif isinstance(exc, HfHubHTTPError) and status == 412:
            text = "main changed while pushing (another push?); nothing was committed: push again"
        elif isinstance(exc, HfHubHTTPError):
            text = f"the hub at {self.endpoint} answered HTTP {status}: {_first_line(exc)}"
        elif is_connection_error(exc):
            text = f"could not reach the hub at {self.endpoint} ({type(exc).__name__}: {_first_line(exc)})"
        elif isinstance(exc, (ValueError, OSError)):
            text = f"{type(exc).__name__}: {_first_line(exc)}"
        else:
            raise exc
        raise PublishError(_scrub(text, self.secret), repo_id=self.repo_id, step=self.step) from exc


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _scrub(text: str, secret: str | None) -> str:
    # Servers echo request details in errors; a token must never reach a log through us.
    return text.replace(secret, "***") if secret else text


def _bare(error: PublishError) -> str:
    """The message without the ``repo_id: `` prefix PublishError adds (for re-wrapping)."""
    text = str(error)
    prefix = f"{error.repo_id}: "
    return text[len(prefix):] if error.repo_id and text.startswith(prefix) else text


__all__ = ["PushResult", "push_folder"]
