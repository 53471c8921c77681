"""Unpacking TF Hub-format ``.tar.gz`` archives into the cache: safely, atomically
and once.

tfhub.dev served models as compressed tarballs of the SavedModel folder. An
archive from elsewhere is untrusted input, so every member is checked before
anything is written: only regular files and folders, no absolute paths, no
``..``, nothing that would land outside the target folder (links and devices
are refused outright rather than judged), and limits on the files' total size,
their count and how much the archive expands (`ArchiveLimits`) are checked from
the tar headers, before any member's data is read. The archive is unpacked into a
staging folder that is renamed into place, under a file lock, so concurrent
callers never see (or make) a half-unpacked model, and a second call reuses
the first one's folder.
"""

from __future__ import annotations

import bz2
import hashlib
import io
import lzma
import os
import re
import tarfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import BinaryIO, Iterator

from hubfork._files import staged_folder
from hubfork.constants import (
    ARCHIVE_MAX_BYTES,
    ARCHIVE_MAX_HEADER_BYTES,
    ARCHIVE_MAX_MEMBERS,
    ARCHIVE_MAX_RATIO,
    ARCHIVE_RATIO_FREE_BYTES,
    ENV_ARCHIVE_MAX_BYTES,
    ENV_ARCHIVE_MAX_MEMBERS,
    ENV_ARCHIVE_MAX_RATIO,
    SAVED_MODEL,
)
from hubfork.errors import ArchiveError, HubError

#: Bytes of a member's data copied at a time.
_BUFSIZE = 1 << 20
#: Bytes of compressed input decompressed at a time: what zlib leaves of it when its output is full (a
#: very compressible stretch) is copied at each call, so it stays small.
_GZIP_INPUT = 64 << 10
#: Bytes tarfile asks of the (capped) decompressed stream at a time: large enough to make few calls, small
#: enough that a bomb refused from its first header has had little decompressed.
_TAR_BUFSIZE = 256 << 10
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
    if len(entries) == 1 and entries[0].is_dir() and not (folder / SAVED_MODEL).exists():
        return entries[0]
    return folder


def extract_safely(archive: Path, dest: Path) -> None:
    """Check every member of `archive`, then extract them all into `dest` (which must exist).

    Two passes over the (decompressed) stream: the first reads only the tar headers and checks
    each member and the limits (`archive_limits`), the second extracts, checking again. Nothing is
    written unless every member passes, and no member's data is read before its header passed.
    """
    limits = archive_limits(archive)
    try:
        with open(archive, "rb") as raw:
            budget = limits.budget(os.fstat(raw.fileno()).st_size)
            with _open_tar(raw, archive, limits, budget) as tar:
                for _ in _checked_members(tar, archive, dest, limits, budget):
                    pass  # headers only: a member's data is skipped once its header passed
            raw.seek(0)
            with _open_tar(raw, archive, limits, budget) as tar:
                members = _checked_members(tar, archive, dest, limits, budget)
                if hasattr(tarfile, "data_filter"):
                    # Belt and braces: the stdlib's own filter refuses the same things again.
                    tar.extractall(dest, members=members, filter="data")
                else:  # pragma: no cover - Python without the 2023 tarfile filters
                    tar.extractall(dest, members=members)
    except ArchiveError:
        raise
    except RecursionError:
        raise ArchiveError(str(archive), "cannot unpack: its tar headers are nested too deeply") from None
    except (tarfile.TarError, EOFError, OSError, zlib.error, lzma.LZMAError) as exc:
        raise ArchiveError(str(archive), f"cannot unpack: {exc}") from exc


@dataclass(frozen=True)
class ArchiveLimits:
    """How much an archive may unpack to (see hubfork.constants; each has an environment variable)."""

    max_bytes: int = ARCHIVE_MAX_BYTES
    max_members: int = ARCHIVE_MAX_MEMBERS
    max_ratio: int = ARCHIVE_MAX_RATIO
    ratio_free_bytes: int = ARCHIVE_RATIO_FREE_BYTES
    max_header_bytes: int = ARCHIVE_MAX_HEADER_BYTES

    def budget(self, compressed: int) -> int:
        """The bytes of files an archive of `compressed` bytes may unpack to."""
        return min(self.max_bytes, max(self.ratio_free_bytes, self.max_ratio * compressed))

    def stream_cap(self, budget: int) -> int:
        """The bytes the decompressed tar stream may hold: the files' budget, each member's padding
        to a 512-byte block and its header, the extended headers, and the end-of-archive record."""
        return budget + 2 * tarfile.BLOCKSIZE * (self.max_members + 1) + self.max_header_bytes + tarfile.RECORDSIZE


def archive_limits(archive: Path | str = "") -> ArchiveLimits:
    """The limits in force: hubfork.constants' defaults, or the environment's.

    Raises:
        ArchiveError: an environment variable that is not a positive whole number.
    """
    def read(variable: str, default: int) -> int:
        text = os.environ.get(variable, "").strip()
        if not text:
            return default
        if not text.isdigit() or int(text) < 1:
            raise ArchiveError(str(archive), f"{variable} must be a positive whole number, not {text!r}")
        return int(text)

    return ArchiveLimits(max_bytes=read(ENV_ARCHIVE_MAX_BYTES, ARCHIVE_MAX_BYTES),
                         max_members=read(ENV_ARCHIVE_MAX_MEMBERS, ARCHIVE_MAX_MEMBERS),
                         max_ratio=read(ENV_ARCHIVE_MAX_RATIO, ARCHIVE_MAX_RATIO))


def extract_stream(fileobj: BinaryIO, dest: Path, name: str, *, size: int | None = None) -> None:
    """Check and extract a tar(.gz) archive read once from `fileobj` (an HTTP body) into `dest`, which must
    exist and should be a staging folder (`hubfork._files.staged_folder`): the archive arrives once, so
    the checks of `extract_safely` run in one pass, each member's header before its data is read.

    A member that fails stops the extraction midway, so `dest` may hold the members before it: the
    staging folder is what makes the whole atomic (it is removed, never renamed into place). `name`
    (the URL) is what errors name; `size`, the archive's bytes when the server promised them, sets the
    expansion budget (`ArchiveLimits.budget`); without it the byte limit alone bounds the files.

    Raises:
        ArchiveError: an unreadable or unsafe archive, or one over the limits.
    """
    limits = archive_limits(name)
    budget = limits.budget(size) if size is not None else limits.max_bytes
    archive = Path(name)
    buffered = fileobj if hasattr(fileobj, "peek") else io.BufferedReader(fileobj)  # type: ignore[arg-type]
    try:
        magic = buffered.peek(6)[:6]  # type: ignore[union-attr]
        with _tar_over(buffered, magic, archive, limits, budget) as tar:
            members = _checked_members(tar, archive, dest, limits, budget)
            if hasattr(tarfile, "data_filter"):
                tar.extractall(dest, members=members, filter="data")
            else:  # pragma: no cover - Python without the 2023 tarfile filters
                tar.extractall(dest, members=members)
    except HubError:  # an ArchiveError, or the stream's own (the transfer broke): passed on as they are
        raise
    except RecursionError:
        raise ArchiveError(name, "cannot unpack: its tar headers are nested too deeply") from None
    except (tarfile.TarError, EOFError, OSError, zlib.error, lzma.LZMAError) as exc:
        raise ArchiveError(name, f"cannot unpack: {exc}") from exc


def _open_tar(raw: BinaryIO, archive: Path, limits: ArchiveLimits, budget: int) -> tarfile.TarFile:
    """`raw` as a tar stream read once, front to back, through a cap on its decompressed bytes."""
    magic = raw.read(6)
    raw.seek(0)
    return _tar_over(raw, magic, archive, limits, budget)


def _tar_over(raw: BinaryIO, magic: bytes, archive: Path, limits: ArchiveLimits, budget: int) -> tarfile.TarFile:
    """`raw` (whose first bytes are `magic`) decompressed, capped (`_CappedReader`) and read as a tar stream."""
    stream: BinaryIO = raw
    if magic.startswith(b"\x1f\x8b"):
        stream = _GzipReader(raw)
    elif magic.startswith(b"BZh"):
        stream = bz2.BZ2File(raw)
    elif magic.startswith(b"\xfd7zXZ\x00"):
        stream = lzma.LZMAFile(raw)
    capped = _CappedReader(stream, limits.stream_cap(budget), archive)
    # Reads of 256 KiB and copies of 1 MiB, not tarfile's 10 and 16 KiB: a 400 MB download makes far fewer
    # calls through the decompressor and the cap.
    return tarfile.open(fileobj=capped, mode="r|", tarinfo=_header_checked(archive, limits), bufsize=_TAR_BUFSIZE,
                        copybufsize=_BUFSIZE)


def _checked_members(tar: tarfile.TarFile, archive: Path, dest: Path, limits: ArchiveLimits,
                     budget: int) -> Iterator[tarfile.TarInfo]:
    """The members of `tar`, each checked (`check_member`, the count and the size so far) before the
    stream moves on to its data."""
    count = total = 0
    for member in tar:
        count += 1
        if count > limits.max_members:
            raise ArchiveError(str(archive), f"holds more than {limits.max_members} members (the limit; "
                                             f"{ENV_ARCHIVE_MAX_MEMBERS} raises it)", member=member.name)
        check_member(member, archive, dest)
        total += member.size
        if total > budget:
            raise ArchiveError(str(archive), _over_budget(total, budget, limits), member=member.name)
        yield member


def _over_budget(total: int, budget: int, limits: ArchiveLimits) -> str:
    if budget == limits.max_bytes:
        return (f"its files come to more than {limits.max_bytes} bytes (the limit; {ENV_ARCHIVE_MAX_BYTES} "
                "raises it)")
    return (f"its files come to more than {budget} bytes, over {limits.max_ratio} times the archive's size "
            f"(a compression bomb, not a model; {ENV_ARCHIVE_MAX_RATIO} raises the ratio)")


def _header_checked(archive: Path, limits: ArchiveLimits) -> type[tarfile.TarInfo]:
    """A TarInfo class that refuses an extended header (pax, GNU long name) larger than the limit
    before tarfile reads it into memory."""

    class HeaderCheckedTarInfo(tarfile.TarInfo):
        def _proc_member(self, tar: tarfile.TarFile) -> tarfile.TarInfo:
            if self.type in _EXTENDED_HEADERS and self.size > limits.max_header_bytes:
                raise ArchiveError(str(archive), f"has an extended tar header of {self.size} bytes (more than "
                                                 f"{limits.max_header_bytes})", member=self.name)
            return super()._proc_member(tar)

    return HeaderCheckedTarInfo


_EXTENDED_HEADERS = (tarfile.XHDTYPE, tarfile.XGLTYPE, tarfile.SOLARIS_XHDTYPE, tarfile.GNUTYPE_LONGNAME,
                     tarfile.GNUTYPE_LONGLINK)


class _GzipReader:
    """A gzip stream decompressed as it is read (what `gzip.GzipFile` does, without its 8 KiB reads, its
    Python CRC and its buffer): zlib is fed whatever `raw.read` gives (an HTTP body's chunks as they arrive,
    or a file's 64 KiB) and checks each member's CRC and length itself; `read(n)` gives at most `n` bytes, and
    may give fewer (tarfile's stream reads until it has what it wants). Members may follow one another, with
    zero bytes between them, as GzipFile allows; a stream that ends mid-member raises EOFError, as it does."""

    def __init__(self, raw: BinaryIO):
        self.raw = raw
        self._zlib: zlib._Decompress | None = None  # None between members (and before the first)
        self._input = b""  # compressed bytes read but not yet decompressed

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            return b"".join(iter(lambda: self.read(_BUFSIZE), b""))
        while size:
            chunk = self._input or self.raw.read(_GZIP_INPUT)
            self._input = b""
            if self._zlib is None:
                if not chunk:
                    return b""  # the end, between members
                chunk = chunk.lstrip(b"\0")
                if not chunk:
                    continue
                self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
            # At most `size` bytes out, whatever the ratio: what does not fit stays in unconsumed_tail.
            data = self._zlib.decompress(chunk, size)
            if self._zlib.eof:
                self._input, self._zlib = self._zlib.unused_data, None
            else:
                self._input = self._zlib.unconsumed_tail
            if data:
                return data
            if not chunk:  # nothing more to read, and nothing the decompressor still held
                raise EOFError("Compressed file ended before the end-of-stream marker was reached")
        return b""


class _CappedReader:
    """A read-only stream that refuses to give more than `cap` bytes: the backstop against tar
    headers that lie about what follows them (or decompressors asked for more than was checked)."""

    def __init__(self, stream: BinaryIO, cap: int, archive: Path):
        self.stream, self.cap, self.archive, self.count = stream, cap, archive, 0

    def read(self, size: int = -1) -> bytes:
        room = self.cap - self.count + 1  # one byte past the cap is enough to know it is passed
        data = self.stream.read(room if size is None or size < 0 else min(size, room))
        self.count += len(data)
        if self.count > self.cap:
            raise ArchiveError(str(self.archive), f"decompresses to more than {self.cap} bytes of tar stream, more "
                                                  "than its headers allow (a compression bomb, not a model)")
        return data


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


__all__ = ["ARCHIVES_FOLDER", "ArchiveLimits", "archive_limits", "archive_key", "unpack_archive", "extract_safely",
           "extract_stream", "check_member", "model_root"]
