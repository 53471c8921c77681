"""What a resolver turns a model name into."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

#: ``repo``: a repo on a hub (Hugging Face-style, a local hub, the embedded hub); ``folder``: a local model
#: folder; ``archive``: a local .tar.gz; ``compressed``: a TF Hub-format archive over HTTP (tfhub.dev, Kaggle
#: model URLs, any ``?tf-hub-format=compressed`` URL); ``kaggle``: a Kaggle Models handle, through kagglehub.
Kind = Literal["repo", "folder", "archive", "compressed", "kaggle"]
#: Where a candidate comes from, in the order they are tried: the user's own mapping
#: (``registry add-source``), the model's official home, a mirror the shipped registry knows.
Origin = Literal["user", "official", "mirror"]


@dataclass(frozen=True)
class ResolvedName:
    """Where the model a name refers to lives.

    For a repo: `repo_id`, `revision` (None: the default branch) and `endpoint`
    (None: the configured one, ``HF_ENDPOINT``); `pinned` says the name itself
    carried the revision. For a folder or archive: `path`. For a compressed archive
    over HTTP: `url` (the name's URL on the configured endpoint; `variant` says a Lite,
    TF.js or Coral format). For a Kaggle handle: `kaggle`. `handle` is the registry
    handle the name went through, if any; `origin` says whose source this is;
    `fallbacks` are further places that hold the same model, tried in order.
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
    url: str | None = None
    kaggle: str | None = None
    variant: str | None = None
    origin: Origin | None = None
    fallbacks: tuple["ResolvedName", ...] = field(default=())

    def candidates(self) -> tuple["ResolvedName", ...]:
        """This location, then its fallbacks (each without fallbacks of its own)."""
        return (replace(self, fallbacks=()), *self.fallbacks)

    def with_revision(self, revision: str | None) -> "ResolvedName":
        """The same location (and fallbacks) at another revision (repos only: an archive URL or a
        Kaggle handle names its version itself)."""
        def at(place: "ResolvedName") -> "ResolvedName":
            return replace(place, revision=revision) if place.kind == "repo" else place

        return replace(at(self), fallbacks=tuple(at(f) for f in self.fallbacks))

    @property
    def where(self) -> str:
        """This place, for people: ``org/repo@rev``, the URL, the Kaggle handle or the path."""
        if self.kind == "repo":
            return (self.repo_id or "") + (f"@{self.revision}" if self.revision else "")
        if self.kind == "compressed":
            return self.url or ""
        if self.kind == "kaggle":
            return f"Kaggle Models {self.kaggle}"
        return str(self.path)


def with_fallbacks(places: "list[ResolvedName]") -> ResolvedName:
    """The first place, with the others as its fallbacks."""
    first, *rest = places
    return replace(first, fallbacks=tuple(rest))


__all__ = ["Kind", "Origin", "ResolvedName", "with_fallbacks"]
