"""Reading a file someone else wrote (a card, a registry): a regular file only, and never
more of it than a limit.

A FIFO named ``x.md`` would block the reader forever and ``/dev/zero`` would never end,
so the path is checked with ``stat`` before it is opened (opening some devices does
something by itself); it is opened non-blocking and checked again on the open file, in
case it was swapped in between; and at most `limit` bytes plus one are read, so a file
that grew since its ``stat`` is refused too.
"""

from __future__ import annotations

import errno
import os
import stat
from typing import BinaryIO

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def read_regular_file(path: str | os.PathLike[str], limit: int) -> bytes:
    """The bytes of the regular file at `path` (symlinks followed), if it holds at most `limit`.

    Raises:
        OSError: the file cannot be read (``strerror`` says why, as for any read); ``errno.EFBIG``
            when it is larger than `limit` (``strerror`` gives both sizes), ``errno.EINVAL`` when it
            is not a regular file (``strerror`` says what it is).
    """
    with open_regular_file(path, limit) as handle:
        status = os.fstat(handle.fileno())
        # Asked for `limit` bytes at once, a read sets that much memory aside (twice as slow for a
        # card); a file that grew since its fstat is read on, up to the limit.
        data = handle.read(min(status.st_size, limit) + 1)
        if len(data) > status.st_size:
            data += handle.read(limit + 1 - len(data))
    if len(data) > limit:
        raise _too_large(path, len(data), limit, grew=True)
    return data


def regular_file_status(path: str | os.PathLike[str], limit: int | None = None) -> os.stat_result:
    """``os.stat`` of `path` (symlinks followed), if it is a regular file (of at most `limit` bytes, when
    given); it is never opened.

    Raises:
        OSError: as ``os.stat``; ``errno.EINVAL`` when it is not a regular file (``strerror`` says
            what it is), ``errno.EFBIG`` when it is larger than `limit`.
    """
    status = os.stat(path)
    _check(status, path, limit)
    return status


def open_regular_file(path: str | os.PathLike[str], limit: int | None = None) -> BinaryIO:
    """The regular file at `path` (symlinks followed, at most `limit` bytes), open for reading.

    Raises:
        OSError: as `read_regular_file`.
    """
    _check(os.stat(path), path, limit)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    handle = os.fdopen(os.open(path, flags), "rb")
    try:
        _check(os.fstat(handle.fileno()), path, limit)
    except BaseException:
        handle.close()
        raise
    return handle


def megabytes(size: int) -> str:
    """A size for messages: ``12.3 MB`` (decimal megabytes, as the limits are given)."""
    return f"{size / 1_000_000:.1f} MB".replace(".0 MB", " MB")


def _check(status: os.stat_result, path: str | os.PathLike[str], limit: int | None) -> None:
    if not stat.S_ISREG(status.st_mode):
        kind = next((name for test, name in _KINDS if test(status.st_mode)), "not a regular file")
        raise OSError(errno.EINVAL, f"not a regular file but {kind}", os.fspath(path))
    if limit is not None and status.st_size > limit:
        raise _too_large(path, status.st_size, limit)


def _too_large(path: str | os.PathLike[str], size: int, limit: int, grew: bool = False) -> OSError:
    found, most = megabytes(size), megabytes(limit)
    if grew:
        found = f"more than {most} (it grew while read)"
    elif found == most:  # just over: megabytes would read as equal
        found, most = f"{size:,} bytes", f"{limit:,} bytes"
    return OSError(errno.EFBIG, f"the file is {found}; at most {most} is read", os.fspath(path))
