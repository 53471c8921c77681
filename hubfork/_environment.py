"""Environment variables a user may have set badly, read the one way: a number out of range falls back
to its default with one warning line on stderr naming the variable; a folder that cannot be one is a
`SettingError` naming it.

Standard library only (and the import-free `hubfork.errors`): ``import hubfork`` reads some of these
before anything else is loaded.
"""

from __future__ import annotations

import math
import os
import stat
import sys
from pathlib import Path

# What was warned about, so that a value read at every request is reported once per process.
_warned: set[str] = set()


def warn(message: str) -> None:
    """One line ``hubfork: warning: MESSAGE`` on stderr, once per process for the same message."""
    if message in _warned:
        return
    _warned.add(message)
    stream = sys.stderr
    if stream is None:
        return
    # Written before the command line sets its streams up, possibly to an ASCII terminal: what the
    # encoding cannot show is escaped rather than raised.
    encoding = getattr(stream, "encoding", None) or "utf-8"
    line = f"hubfork: warning: {message}\n".encode(encoding, "backslashreplace").decode(encoding)
    stream.write(line)
    stream.flush()


def env_number(name: str, default: float, *, minimum: float | None = None, maximum: float | None = None,
               integer: bool = False) -> float:
    """``$name`` as a positive number, else `default`: unset or empty gives the default quietly; a value
    that is not a number (a whole one with `integer`, as ``int()`` reads it), not above 0, or outside
    `minimum`..`maximum` (both included) gives it with a `warn` line naming the variable."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value: float = int(text) if integer else float(text)
    except ValueError:
        value = math.nan
    # NaN fails every comparison; a whole number too large for a float still compares exactly.
    if (0 < value < math.inf and (minimum is None or value >= minimum)
            and (maximum is None or value <= maximum)):
        return value
    shown = text if len(text) <= 40 else text[:40] + "..."
    warn(f"{name}={shown!r} is not {_expected(minimum, maximum, integer)}; using {default:g}")
    return default


def _expected(minimum: float | None, maximum: float | None, integer: bool) -> str:
    kind = "a whole number" if integer else "a finite number"
    lowest = 1 if minimum is None and integer else minimum
    if lowest is not None and maximum is not None:
        return f"{kind} from {lowest:g} to {maximum:g}"
    if lowest is not None:
        return f"{kind} of at least {lowest:g}"
    return f"{kind} above 0" + (f" and at most {maximum:g}" if maximum is not None else "")


def usable_folder(variable: str, path: Path, value: str | None = None) -> Path:
    """`path` (taken from ``$variable``, whose text is `value`, default `path`) if it is a folder, or
    nothing is there yet under a folder that could hold it.

    Raises:
        SettingError: it, or a folder above it, is a file (or another thing that is not a folder), a
            broken link, or cannot be looked at.
    """
    shown = str(path) if value is None else value
    place = path
    while True:
        try:
            mode = os.stat(place).st_mode
        except (FileNotFoundError, NotADirectoryError):
            # Not there yet (it would be made), or under a file: the folders above tell which.
            if os.path.islink(place):
                raise _not_a_folder(variable, shown, f"{place} is a broken link") from None
            if place.parent == place:
                return path
            place = place.parent
            continue
        except (OSError, ValueError) as exc:
            raise _not_a_folder(variable, shown, f"{place}: {getattr(exc, 'strerror', None) or exc}") from None
        if not stat.S_ISDIR(mode):
            raise _not_a_folder(variable, shown, f"{place} is {'a file' if stat.S_ISREG(mode) else 'not a folder'}")
        return path


def _not_a_folder(variable: str, value: str, why: str):
    from hubfork.errors import SettingError

    return SettingError(variable, f"must name a folder, but {why}", value=value)


__all__ = ["warn", "env_number", "usable_folder"]
