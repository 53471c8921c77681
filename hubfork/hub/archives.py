"""Unpacking TF Hub-format ``.tar.gz`` archives into the cache: safely, atomically
and once.

tfhub.dev served models as compressed tarballs of the SavedModel folder. An
archive from elsewhere is untrusted input, so every member is checked before
anything is written: only regular files and folders, no absolute paths, no
``..``, nothing that would land outside the target folder (links and devices
are refused outright rather than judged). The archive is unpacked into a
staging folder that is renamed into place, under a file lock, so concurrent
callers never see (or make) a half-unpacked model, and a second call reuses
the first one's folder.
"""

from __future__ import annotations

import hashlib
import os
import re
import tarfile
from pathlib import Path, PurePosixPath, PureWindowsPath

from hubfork._files import staged_folder
from hubfork.errors import ArchiveError

#: Where archives are unpacked, inside the hub cache.
ARCHIVES_FOLDER = Path(".hubfork") / "archives"


def archive_key(archive: Path) -> str:
    """A name for an archive's unpacked folder: its stem, and a digest of its absolute
    path, size and modification time (so an archive replaced in place is unpacked anew
    without hashing gigabytes on every call)."""
    stat = archive.stat()
    digest = hashlib.sha256(f"{archive.resolve()}\0{stat.st_size}\0{stat.st_mtime_ns}".encode()).hexdigest()[:16]
    stem = re.sub(r"\.(tar\.gz|tgz)$", "", archive.name, flags=re.I)
    stem = re.sub(r"[^\w.-]", "_", stem)[:60] or "archive"
    return f"{stem}--{digest}"


def unpack_archive(archive: str | os.PathLike[str], cache_dir: str | os.PathLike[str]) -> Path:
    """Unpack `archive` under `cache_dir` (once) and return the model folder.

    The model folder is the unpacked root, or the single folder the archive holds
    when it wraps everything in one. Raises `ArchiveError` for an unreadable or
    unsafe archive, with nothing written.
    """
    from huggingface_hub.utils import WeakFileLock

    archive = Path(archive)
    root = Path(cache_dir) / ARCHIVES_FOLDER
    target = root / archive_key(archive)
    if target.is_dir():  # only ever created by the rename below, so complete
        return model_root(target)
    root.mkdir(parents=True, exist_ok=True)
    with WeakFileLock(root / f"{target.name}.lock"):
        if not target.is_dir():
            with staged_folder(target) as staging:
                extract_safely(archive, staging)
    return model_root(target)


def model_root(folder: Path) -> Path:
    """`folder`, or the one folder inside it when that is all it holds."""
    entries = list(folder.iterdir())
    if len(entries) == 1 and entries[0].is_dir() and not (folder / "saved_model.pb").exists():
        return entries[0]
    return folder


def extract_safely(archive: Path, dest: Path) -> None:
    """Check every member of `archive`, then extract them all into `dest` (which must exist).

    Nothing is written unless every member passes.
    """
    try:
        with tarfile.open(archive, "r:*") as tar:
            members = tar.getmembers()
            for member in members:
                check_member(member, archive, dest)
            if hasattr(tarfile, "data_filter"):
                # Belt and braces: the stdlib's own filter refuses the same things again.
                tar.extractall(dest, members=members, filter="data")
            else:  # pragma: no cover - Python without the 2023 tarfile filters
                tar.extractall(dest, members=members)
    except ArchiveError:
        raise
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise ArchiveError(str(archive), f"cannot unpack: {exc}") from exc


def check_member(member: tarfile.TarInfo, archive: Path, dest: Path) -> None:
    """Raise `ArchiveError` unless `member` is a regular file or folder that lands inside `dest`."""
    name = member.name
    if not (member.isreg() or member.isdir()):
        kind = ("a symbolic link" if member.issym() else "a hard link" if member.islnk()
                else "a FIFO" if member.isfifo() else "a device" if member.isdev()
                else "not a regular file or folder")
        raise ArchiveError(str(archive), f"is {kind}; model archives may hold only regular files and folders",
                           member=name)
    posix = PurePosixPath(name)
    if posix.is_absolute() or PureWindowsPath(name).is_absolute() or PureWindowsPath(name).drive:
        raise ArchiveError(str(archive), "is an absolute path", member=name)
    if "\\" in name or "\0" in name or ".." in posix.parts:
        raise ArchiveError(str(archive), "would land outside the archive's folder ('..' or a backslash)",
                           member=name)
    target = os.path.realpath(os.path.join(dest, name))
    base = os.path.realpath(dest)
    if os.path.commonpath([base, target]) != base:
        raise ArchiveError(str(archive), "would land outside the archive's folder", member=name)


__all__ = ["ARCHIVES_FOLDER", "archive_key", "unpack_archive", "extract_safely", "check_member", "model_root"]
