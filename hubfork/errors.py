"""Every error hubfork raises, in one place, grouped by concern.

Each error carries the data a caller needs to act on it (the file, the line, the
handle), so callers can catch precisely and messages stay consistent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Sequence

if TYPE_CHECKING:  # pragma: no cover
    from hubfork.cards.records import Problem


class HubforkError(Exception):
    """Base class of every error hubfork raises on purpose."""


# --------------------------------------------------------------------------- cards


class CardError(HubforkError):
    """A model card (or several) has errors.

    `problems` holds every problem found, each with its file and line; the
    message lists them one per line as ``PATH:LINE: severity: message``.
    """

    def __init__(self, problems: Iterable["Problem"]):
        self.problems: tuple["Problem", ...] = tuple(problems)
        if not self.problems:
            raise ValueError("CardError needs at least one problem")
        first = self.problems[0]
        self.path: str = first.path
        self.line: int = first.line
        super().__init__("\n".join(str(p) for p in self.problems))


# ------------------------------------------------------------------------ registry


class RegistryError(HubforkError):
    """A registry file could not be found, read or written."""

    def __init__(self, message: str, *, path: str | None = None):
        self.path = path
        super().__init__(f"{path}: {message}" if path else message)


class RegistryNotFoundError(RegistryError):
    """No registry file where one was expected."""


class RegistryFormatError(RegistryError):
    """A registry file is not a registry hubfork can read (with the line, when known)."""

    def __init__(self, message: str, *, path: str, line: int | None = None):
        self.line = line
        where = f"{path}:{line}" if line is not None else path
        HubforkError.__init__(self, f"{where}: {message}")
        self.path = path


class EntryNotFoundError(RegistryError, LookupError):
    """No registry entry for a handle; `suggestions` lists close handles."""

    def __init__(self, handle: str, *, path: str | None = None, suggestions: Sequence[str] = ()):
        self.handle = handle
        self.suggestions = tuple(suggestions)
        message = f"no registry entry for {handle!r}"
        if self.suggestions:
            message += "; did you mean " + " or ".join(repr(s) for s in self.suggestions) + "?"
        super().__init__(message, path=path)


# -------------------------------------------------------------------------- models


class ModelError(HubforkError):
    """A model could not be built, converted, written or loaded."""


class ModelFormatError(ModelError):
    """A checkpoint or SavedModel is not in a form hubfork handles (says what was found)."""


__all__ = [
    "HubforkError",
    "CardError",
    "RegistryError",
    "RegistryNotFoundError",
    "RegistryFormatError",
    "EntryNotFoundError",
    "ModelError",
    "ModelFormatError",
]
