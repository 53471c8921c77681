"""From registry entries to hub repos: TF Hub handles, tfhub.dev URLs and Kaggle
URLs all name models that only the registry can place on a hub."""

from __future__ import annotations

import os
import re
from dataclasses import replace
from typing import TYPE_CHECKING, Union

from hubfork.constants import EMBEDDED_ENDPOINT
from hubfork.errors import EntryNotFoundError, NotInRegistryError
from hubfork.handles import HF_HOSTS
from hubfork.hub.names import check_repo_id, check_revision
from hubfork.hub.resolved import ResolvedName

if TYPE_CHECKING:  # pragma: no cover
    from hubfork.registry.entry import RegistryEntry
    from hubfork.registry.registry import Registry

RegistryLike = Union["Registry", str, "os.PathLike[str]", None]

def hub_endpoint(endpoint: str | None) -> str | None:
    """The endpoint to use for a URL's host: None (the configured endpoint, so
    ``HF_ENDPOINT`` can redirect huggingface.co to a mirror) for huggingface.co
    itself, the URL's own scheme and host for any other hub, and ``embedded`` as it is."""
    if endpoint is None:
        return None
    if endpoint == EMBEDDED_ENDPOINT:  # not a URL: the embedded hub, built and served on demand (fetch)
        return EMBEDDED_ENDPOINT
    host = re.sub(r"^[a-z]+://", "", endpoint.lower()).split("/")[0].split(":")[0]
    return None if host in HF_HOSTS else endpoint.rstrip("/")


class RegistrySources:
    """A registry, loaded on first use, asked where a model can be fetched."""

    def __init__(self, registry: RegistryLike = None):
        self._given = registry
        self._registry: "Registry | None" = None

    @property
    def registry(self) -> "Registry":
        if self._registry is None:
            from hubfork.registry.registry import Registry

            given = self._given
            self._registry = given if isinstance(given, Registry) else Registry.load(given)
        return self._registry

    @property
    def where(self) -> str | None:
        return self.registry.where

    def by_handle(self, name: str, handle: str, form: str) -> ResolvedName:
        """The repo of the entry `handle` names (a handle without version: the newest)."""
        try:
            entry = self.registry.get(handle)
        except EntryNotFoundError as exc:
            raise NotInRegistryError(name, handle=handle, registry=self.where,
                                     suggestions=exc.suggestions) from None
        return self._resolved(name, entry, form)

    def by_kaggle(self, name: str, publisher: str, model: str, variation: str, version: int | None,
                  form: str) -> ResolvedName:
        """The repo of the entry a Kaggle model URL names: same publisher and version, and a
        name equal to `model` + `variation` once lower-cased without '-' and '_'."""
        entry = self.registry.find_kaggle(publisher, model, variation, version)
        if entry is None:
            wanted = f"{publisher}/{model}+{variation}" + (f" version {version}" if version is not None else "")
            raise NotInRegistryError(name, registry=self.where,
                                     reason=f"no registry entry matches Kaggle model {wanted}")
        return self._resolved(name, entry, form)

    def _resolved(self, name: str, entry: "RegistryEntry", form: str) -> ResolvedName:
        if not entry.sources:
            raise NotInRegistryError(name, handle=entry.handle, registry=self.where,
                                     reason=f"registry entry {entry.handle!r} gives no hub repo to fetch it from")
        # Our hubs tag version N of a TF Hub model as v{N} when the card names no revision.
        default = f"v{entry.version}" if entry.version is not None else None
        found = []
        for source in entry.sources:
            revision = source.revision or default
            found.append(ResolvedName(
                name, form, "repo", repo_id=check_repo_id(source.repo_id, name),
                revision=check_revision(revision, name) if revision else None,
                endpoint=hub_endpoint(source.endpoint), handle=entry.handle))
        first, *rest = found
        return replace(first, fallbacks=tuple(rest))


__all__ = ["RegistrySources", "RegistryLike", "hub_endpoint"]
