"""Is a cached snapshot whole? Its files against the listing it was made from, and that listing
against the hub's.

huggingface_hub trusts a file once it is in the cache: ``snapshot_download`` returns a
snapshot whose files exist, whatever happened to them since (a disk error, an editor, a copy
cut short, a FIFO or a link to a device put in a blob's place). What the hub said each file is
stays in the cache too: the listing the snapshot was made from (`hubfork.hub.listings`), the
sizes and hashes (sha256 for LFS files, the git blob id for the others) of a commit's files,
which never change.

- **every fetch**: each file must be a regular file (a ``stat``, never an open: a FIFO would
  block and ``/dev/zero`` never end) of the listed size (`check_snapshot`).
- **hashes**, on request: each file's hash against that listing; and, given the hub (`api`),
  the hub's listing of the commit now against it: a hub whose listing of one commit changed
  contradicts itself, and no download can mend that.

Without a kept listing (a huggingface_hub before 2.x) files are hashed against the hub's
listing, else against their blob's name, which huggingface_hub's cache layout makes the ETag
the hub gave, that is the same hash (64 hex digits: sha256, 40: git blob sha1); a file neither
covers (a copy where the cache could not make symbolic links) is left out and counted as
unchecked. Files the snapshot lacks are not problems: patterns may have left them out, and
``snapshot_download`` fetches what is missing. `refetch` downloads files again with
``hf_hub_download(force_download=True)``, which replaces the blob (whatever stands there)
atomically.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from hubfork._reading import open_regular_file, regular_file_status
from hubfork._version import __version__
from hubfork.hub import settings
from hubfork.hub.listings import (
    DIGEST_LENGTHS,
    Listed,
    MalformedListing,
    cached_listing,
    hub_listing,
    is_digest,
)

if TYPE_CHECKING:  # pragma: no cover
    from huggingface_hub import HfApi

_CHUNK = 1 << 20
#: `FileProblem.kind`: the cached file is not what the listing says (fetching it again mends it) ...
FILE = "file"
#: ... or the snapshot or the hub's listing is at fault (nothing fetched again mends it).
SNAPSHOT = "snapshot"


@dataclass(frozen=True)
class FileProblem:
    """A cached file that is not what the hub listed, or a fault of the snapshot as a whole (`path`
    empty): its repo path, what differs, and whether fetching the file again mends it (`kind`)."""

    path: str
    reason: str
    kind: str = FILE

    def __str__(self) -> str:
        if not self.path:
            return self.reason
        return f"{self.path if self.path.isprintable() else repr(self.path)}: {self.reason}"


@dataclass(frozen=True)
class SnapshotCheck:
    """What checking one cached snapshot found."""

    repo_id: str
    commit: str
    path: str
    #: Files compared with the hub's metadata.
    checked: int
    #: Whether hashes were compared (else sizes only).
    hashed: bool
    #: Whose metadata: "hub" (the hub's listing, fetched now, as well) or "cache" (what the cache recorded).
    against: str
    problems: tuple[FileProblem, ...] = ()
    #: Files no metadata covered.
    unchecked: tuple[str, ...] = ()
    #: Files fetched again because their cached copy was corrupt.
    repaired: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict:
        data = asdict(self)
        data["problems"] = [asdict(problem) for problem in self.problems]
        data["ok"] = self.ok
        return data


def snapshot_files(folder: Path) -> dict[str, Path]:
    """Every entry of a snapshot folder but its subfolders, by repo path (``/``-separated): files, and
    whatever stands in a file's place (a FIFO, a link to a device or to nothing). Links to folders are
    not followed."""
    found: dict[str, Path] = {}
    pending = [folder]
    while pending:
        current = pending.pop()
        try:
            entries = list(os.scandir(current))
        except FileNotFoundError:  # no snapshot at all: it holds nothing
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                pending.append(Path(entry.path))
            else:
                found[Path(entry.path).relative_to(folder).as_posix()] = Path(entry.path)
    return dict(sorted(found.items()))


def check_snapshot(repo_id: str, folder: str | os.PathLike[str], cache: Path, *, hashes: bool,
                   api: "HfApi | None" = None, only: Iterable[str] | None = None) -> SnapshotCheck:
    """Check the snapshot `folder` of `repo_id` (its name is the commit): every file a regular file of
    its listed size and, with `hashes`, of its listed hash; given `api` (with `hashes`), the hub's
    listing of the commit too (a request: its errors propagate). `only` limits the check to those repo
    paths.

    Raises:
        MalformedListing: the hub's listing (asked through `api`) has an entry that cannot be checked
            against. A kept listing that cannot be is a problem of the check, not an error.
    """
    folder = Path(folder)
    commit = folder.name
    files = snapshot_files(folder)
    if only is not None:
        wanted = set(only)
        files = {path: file for path, file in files.items() if path in wanted}
    problems: list[FileProblem] = []
    try:
        kept = cached_listing(repo_id, commit, cache)
    except MalformedListing as exc:
        kept = None
        problems.append(FileProblem("", f"the listing kept in the cache is unusable: {exc}", SNAPSHOT))
    now = hub_listing(api, repo_id, commit) if hashes and api is not None else None
    if now is not None and kept is not None:
        problems += _listing_changes(kept, now)
    listing = kept if kept is not None else (now or {})
    if only is None and not files:
        problems.append(FileProblem("", "the snapshot holds no file", SNAPSHOT))
    unchecked: list[str] = []
    for path, file in files.items():
        covered, problem = _file_problem(path, file, listing.get(path), hashes)
        if not covered:
            unchecked.append(path)
        if problem is not None:
            problems.append(problem)
    return SnapshotCheck(repo_id, commit, str(folder), len(files) - len(unchecked), hashes,
                         "hub" if now is not None else "cache",
                         tuple(sorted(problems, key=lambda problem: problem.path)), tuple(unchecked))


def refetch(repo_id: str, commit: str, paths: Iterable[str], *, cache: Path, endpoint: str | None,
            token: str | bool | None) -> None:
    """Download `paths` of `repo_id` at `commit` again into the cache, replacing their blobs, and their
    snapshot entries where those are not links to a blob."""
    import huggingface_hub
    from huggingface_hub.file_download import repo_folder_name

    repo = cache / repo_folder_name(repo_id=repo_id, repo_type="model")
    blobs = os.path.realpath(repo / "blobs")
    for path in paths:
        entry = repo / "snapshots" / commit / path
        if os.path.lexists(entry) and not (entry.is_symlink() and os.path.dirname(os.path.realpath(entry)) == blobs):
            # A forced download replaces the blob, and makes the snapshot's link only where there is none: a
            # FIFO, a copy or a link elsewhere standing there would stay.
            entry.unlink()
        huggingface_hub.hf_hub_download(
            repo_id, path, revision=commit, cache_dir=str(cache), force_download=True, endpoint=endpoint,
            token=token, etag_timeout=settings.etag_timeout(), library_name="hubfork", library_version=__version__)


def file_digest(path: Path, algorithm: str) -> str:
    """The file's sha256, or its git blob id (``git-sha1``: sha1 of ``blob <size>\\0`` and the bytes).

    Raises:
        OSError: it cannot be read, or is not a regular file (``errno.EINVAL``; never opened then).
    """
    with open_regular_file(path) as stream:
        if algorithm == "sha256":
            digest = hashlib.sha256()
        else:
            digest = hashlib.sha1()
            digest.update(b"blob %d\0" % os.fstat(stream.fileno()).st_size)
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _file_problem(path: str, file: Path, listed: Listed | None, hashes: bool) -> tuple[bool, FileProblem | None]:
    """Whether some metadata covered the file, and what is wrong with it."""
    try:
        status = regular_file_status(file)
    except FileNotFoundError:
        return True, FileProblem(path, "missing: its link leads to nothing")
    except OSError as exc:
        return True, FileProblem(path, exc.strerror or str(exc))
    if listed is not None and status.st_size != listed.size:
        return True, FileProblem(path, f"size {status.st_size}, expected {listed.size}")
    if not hashes:
        return listed is not None, None
    algorithm, expected = (listed.algorithm, listed.digest) if listed is not None else _blob_name(file)
    if algorithm is None:
        return False, None
    try:
        actual = file_digest(file, algorithm)
    except OSError as exc:  # swapped for something else since its stat
        return True, FileProblem(path, exc.strerror or str(exc))
    if actual != expected:
        return True, FileProblem(path, f"{algorithm} mismatch: {actual}, expected {expected}")
    return True, None


def _blob_name(file: Path) -> tuple[str | None, str]:
    """The hash a file's blob is named by (the ETag the hub gave), if it is named by one."""
    name = Path(os.path.realpath(file)).name if file.is_symlink() else ""
    algorithm = next((algorithm for algorithm in DIGEST_LENGTHS if is_digest(name, algorithm)), None)
    return algorithm, name


def _listing_changes(kept: dict[str, Listed], now: dict[str, Listed]) -> list[FileProblem]:
    """How the hub's listing of a commit now differs from the one the snapshot was made from."""
    changes = []
    for path in sorted(kept.keys() | now.keys()):
        before, after = kept.get(path), now.get(path)
        if before == after:
            continue
        if after is None:
            reason = f"the hub no longer lists it at this commit (the snapshot was made from {before})"
        elif before is None:
            reason = f"the hub lists it now ({after}), not when the snapshot was made"
        else:
            reason = f"the hub's listing changed: {after} now, {before} when the snapshot was made"
        changes.append(FileProblem(path, reason, SNAPSHOT))
    return changes


__all__ = ["FILE", "SNAPSHOT", "FileProblem", "SnapshotCheck", "check_snapshot", "file_digest", "refetch",
           "snapshot_files"]
