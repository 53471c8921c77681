"""Is a cached snapshot whole? Its files' sizes and hashes against what the hub listed.

huggingface_hub trusts a file once it is in the cache: ``snapshot_download`` returns a
snapshot whose files exist, whatever happened to them since (a disk error, an
editor, a copy cut short). What the hub said each file is stays in the cache too:

- **sizes**: the tree listing huggingface_hub (2.x) keeps beside a snapshot when it
  downloads one (``trees/<commit>.json``, read with ``get_cached_repo_tree``); a
  commit's tree never changes, so this is the hub's word, offline too. Reading it and
  one ``stat`` per file is cheap: every fetch checks sizes (`check_snapshot`).
- **hashes**, on request: online against the hub's listing with
  ``HfApi.verify_repo_checksums`` (sha256 for LFS files, the git blob id, a sha1, for
  the others); offline against the blob's own name, which huggingface_hub's cache
  layout makes the ETag the hub gave, that is the same hash (64 hex digits: sha256,
  40: git blob sha1).

A file no metadata covers (no cached listing, a blob named otherwise, a copy where
the cache could not make symbolic links) is left out and counted as unchecked. Files
the snapshot lacks are not problems here: patterns may have left them out, and
``snapshot_download`` fetches what is missing. `refetch` downloads files again with
``hf_hub_download(force_download=True)``, which replaces the blob atomically.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from hubfork.hub import settings

if TYPE_CHECKING:  # pragma: no cover
    from huggingface_hub import HfApi

_DIGEST_NAMES = {64: "sha256", 40: "git-sha1"}
_HEX = re.compile(r"[0-9a-f]+")
_CHUNK = 1 << 20


@dataclass(frozen=True)
class FileProblem:
    """A cached file that is not what the hub listed: its repo path and what differs."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


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
    #: Whose metadata: "hub" (the hub's listing, fetched now) or "cache" (what the cache recorded).
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
    """Every file of a snapshot folder by its repo path (``/``-separated)."""
    return {p.relative_to(folder).as_posix(): p for p in sorted(folder.rglob("*")) if p.is_file()}


def check_snapshot(repo_id: str, folder: str | os.PathLike[str], cache: Path, *, hashes: bool,
                   api: "HfApi | None" = None, only: Iterable[str] | None = None) -> SnapshotCheck:
    """Check the snapshot `folder` of `repo_id` (its name is the commit): sizes against the cached tree
    listing, and with `hashes` the files' hashes, against the hub's listing through `api` when given
    (a request: its errors propagate), else against the blobs' names. `only` limits the check to
    those repo paths."""
    folder = Path(folder)
    files = snapshot_files(folder)
    if only is not None:
        wanted = set(only)
        files = {path: file for path, file in files.items() if path in wanted}
    sizes = _listed_sizes(repo_id, folder.name, cache)
    problems = {path: FileProblem(path, f"size {file.stat().st_size}, expected {sizes[path]}")
                for path, file in files.items() if path in sizes and file.stat().st_size != sizes[path]}
    unchecked = set(files) - set(sizes)
    if hashes:
        found, unhashed = (_hub_mismatches(api, repo_id, folder, cache, files) if api is not None
                           else _blob_mismatches(files))
        for problem in found:
            problems.setdefault(problem.path, problem)
        unchecked &= unhashed  # unchecked: neither a size nor a hash to compare with
    return SnapshotCheck(repo_id, folder.name, str(folder), len(files) - len(unchecked), hashes,
                         "hub" if hashes and api is not None else "cache",
                         tuple(problems[path] for path in sorted(problems)), tuple(sorted(unchecked)))


def refetch(repo_id: str, commit: str, paths: Iterable[str], *, cache: Path, endpoint: str | None,
            token: str | bool | None) -> None:
    """Download `paths` of `repo_id` at `commit` again into the cache, replacing their blobs."""
    import huggingface_hub

    from hubfork import __version__

    for path in paths:
        huggingface_hub.hf_hub_download(
            repo_id, path, revision=commit, cache_dir=str(cache), force_download=True, endpoint=endpoint,
            token=token, etag_timeout=settings.etag_timeout(), library_name="hubfork", library_version=__version__)


def _listed_sizes(repo_id: str, commit: str, cache: Path) -> dict[str, int]:
    from huggingface_hub import get_cached_repo_tree
    from huggingface_hub.errors import CachedRepoTreeNotFoundError

    try:
        listing = get_cached_repo_tree(repo_id, revision=commit, cache_dir=cache)
    except CachedRepoTreeNotFoundError:
        return {}  # downloaded by a huggingface_hub that kept no listing: nothing to compare with
    return {entry.path: entry.size for entry in listing if entry.size is not None}


def _hub_mismatches(api: "HfApi", repo_id: str, folder: Path, cache: Path,
                    files: dict[str, Path]) -> tuple[list[FileProblem], set[str]]:
    result = api.verify_repo_checksums(repo_id, revision=folder.name, cache_dir=cache)
    found = [FileProblem(m["path"], f"{m['algorithm']} mismatch: {m['actual']}, expected {m['expected']}")
             for m in result.mismatches if m["path"] in files]
    return found, set(result.extra_paths)  # files the hub does not list have no hash to compare with


def _blob_mismatches(files: dict[str, Path]) -> tuple[list[FileProblem], set[str]]:
    found: list[FileProblem] = []
    unhashed: set[str] = set()
    for path, file in files.items():
        expected = Path(os.path.realpath(file)).name if file.is_symlink() else ""
        algorithm = _DIGEST_NAMES.get(len(expected)) if _HEX.fullmatch(expected) else None
        if algorithm is None:
            unhashed.add(path)
            continue
        actual = file_digest(file, algorithm)
        if actual != expected:
            found.append(FileProblem(path, f"{algorithm} mismatch: {actual}, expected {expected}"))
    return found, unhashed


def file_digest(path: Path, algorithm: str) -> str:
    """The file's sha256, or its git blob id (``git-sha1``: sha1 of ``blob <size>\\0`` and the bytes)."""
    if algorithm == "sha256":
        digest = hashlib.sha256()
    else:
        digest = hashlib.sha1()
        digest.update(b"blob %d\0" % path.stat().st_size)
    with open(path, "rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


__all__ = ["FileProblem", "SnapshotCheck", "check_snapshot", "file_digest", "refetch", "snapshot_files"]
