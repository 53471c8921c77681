"""What a resolver turns a model name into."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

#: ``repo``: a repo on a hub; ``folder``: a local model folder; ``archive``: a local .tar.gz.
Kind = Literal["repo", "folder", "archive"]


@dataclass(frozen=True)
class ResolvedName:
    """Where the model a name refers to lives.

    For a repo: `repo_id`, `revision` (None: the default branch) and `endpoint`
    (None: the configured one, ``HF_ENDPOINT``); `pinned` says the name itself
    carried the revision. For a folder or archive: `path`. `handle` is the
    registry handle the name went through, if any; `fallbacks` are further repos
    that hold the same model (a registry entry may list several sources).
    """

    name: str
    form: str
    kind: Kind
    repo_id: str | None = None
    revision: str | None = None
    endpoint: str | None = None
    pinned: bool = False
    path: Path | None = None
    handle: str | None = None
    fallbacks: tuple["ResolvedName", ...] = field(default=())

    def candidates(self) -> tuple["ResolvedName", ...]:
        """This location, then its fallbacks (each without fallbacks of its own)."""
        return (replace(self, fallbacks=()), *self.fallbacks)

    def with_revision(self, revision: str | None) -> "ResolvedName":
        """The same location (and fallbacks) at another revision."""
        return replace(self, revision=revision, fallbacks=tuple(replace(f, revision=revision) for f in self.fallbacks))


__all__ = ["Kind", "ResolvedName"]
