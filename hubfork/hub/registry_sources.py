"""Which places serve a catalogue model, in the order they are tried.

A TF Hub handle, a tfhub.dev URL, a Kaggle URL or a kagglehub handle names a model
whose official home is known from the name alone (tfhub.dev, served by Kaggle
Models since 2023-11-15; Kaggle Models itself). The registry adds what the name
cannot say: the user's own mappings (``hubfork registry add-source``, or a
registry file the user chose) are tried first, then the official home, then the
mirrors the shipped registry knows; and a model tfhub.dev deleted is not looked
for there (`hubfork.registry.availability`).
"""

from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Union

from hubfork.constants import EMBEDDED_ENDPOINT, KAGGLE_SOURCE_ENDPOINT, TFHUB_DELETED_DATE
from hubfork.errors import ModelDeletedError, NotInRegistryError
from hubfork.handles import HF_HOSTS
from hubfork.hub.names import check_repo_id, check_revision
from hubfork.hub.resolved import Origin, ResolvedName, with_fallbacks

if TYPE_CHECKING:  # pragma: no cover
    from hubfork.cards.records import Source
    from hubfork.registry.entry import RegistryEntry
    from hubfork.registry.registry import Registry

RegistryLike = Union["Registry", str, "os.PathLike[str]", None]


def hub_endpoint(endpoint: str | None) -> str | None:
    """The endpoint to use for a URL's host: None (the configured endpoint, so
    ``HF_ENDPOINT`` can redirect huggingface.co to a mirror) for huggingface.co
    itself, the URL's own scheme and host for any other hub, and ``embedded`` as it is."""
    if endpoint is None:
        return None
    if endpoint in (EMBEDDED_ENDPOINT, KAGGLE_SOURCE_ENDPOINT):  # not URLs: served by their own backends
        return endpoint
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

    def places(self, name: str, form: str, *, lookup: str, official: ResolvedName | None,
               kaggle: tuple[str, str, str, int | None] | None = None) -> ResolvedName:
        """Every place that serves the model `name` names, in order: the user's sources, `official`
        (unless tfhub.dev deleted the model, or the registry's entry is a model of its own that never
        was on tfhub.dev), the shipped registry's mirrors.

        `lookup` is what the registry is asked (a handle or tfhub.dev URL); `kaggle` (publisher, model,
        variation, version) matches an entry by its Kaggle name instead.

        Raises:
            ModelDeletedError: tfhub.dev deleted the model and no source holds it.
            NotInRegistryError: the registry's entry gives no source and the name no official one.
        """
        user, shipped = self._entries(lookup, kaggle)
        entry = user or shipped
        handle = entry.handle if entry is not None else (official.handle if official is not None else None)
        if official is not None and shipped is not None and not _official_applies(shipped):
            official = None
        found: list[ResolvedName] = []
        if user is not None:
            found += self._from_sources(name, form, user, "user")
        if official is not None:
            found.append(official if handle is None else _with_handle(official, handle))
        if shipped is not None and shipped is not user:
            found += self._from_sources(name, form, shipped, "mirror")
        if found:
            return with_fallbacks(found)
        from hubfork.registry.availability import is_deleted

        if shipped is not None and is_deleted(shipped):
            raise ModelDeletedError(name, handle=shipped.handle, deleted=TFHUB_DELETED_DATE)
        raise NotInRegistryError(name, handle=handle, registry=self.where,
                                 reason=(f"registry entry {handle!r} gives no source to fetch it from" if entry
                                         else "not in the registry"))

    def _entries(self, lookup: str, kaggle: tuple[str, str, str, int | None] | None
                 ) -> tuple["RegistryEntry | None", "RegistryEntry | None"]:
        """The entry the user's registry gives (None when it is the shipped one's) and the shipped one's."""
        from hubfork.registry.store import shipped_registry_path

        registry = self.registry
        layers = getattr(registry, "layers", (registry,))
        shipped_path = _real(shipped_registry_path())
        user = shipped = None
        for layer in layers:
            entry = layer.find_kaggle(*kaggle) if kaggle is not None else layer.find(lookup)
            if entry is None:
                continue
            if layer.path is not None and _real(layer.path) == shipped_path:
                shipped = shipped or entry
            else:
                user = user or entry
        return user, shipped

    def _from_sources(self, name: str, form: str, entry: "RegistryEntry", origin: Origin) -> list[ResolvedName]:
        # Our hubs tag version N of a TF Hub model as v{N} when the card names no revision.
        default = f"v{entry.version}" if entry.version is not None else None
        return [_place(name, form, source, default, entry.handle, origin) for source in entry.sources]


def _place(name: str, form: str, source: "Source", default: str | None, handle: str, origin: Origin) -> ResolvedName:
    if source.endpoint == KAGGLE_SOURCE_ENDPOINT:
        kaggle = source.repo_id + (f"/{source.revision}" if source.revision else "")
        return ResolvedName(name, form, "kaggle", kaggle=kaggle, handle=handle, origin=origin)
    revision = source.revision or default
    return ResolvedName(name, form, "repo", repo_id=check_repo_id(source.repo_id, name),
                        revision=check_revision(revision, name) if revision else None,
                        endpoint=hub_endpoint(source.endpoint), handle=handle, origin=origin)


def _official_applies(shipped: "RegistryEntry") -> bool:
    """tfhub.dev is asked unless the shipped registry says it deleted the model, or that the entry is a
    model of the project's own (its card is not the catalogue's, so tfhub.dev never had it)."""
    from hubfork.registry.availability import from_catalogue, is_deleted

    return from_catalogue(shipped) and not is_deleted(shipped)


def _with_handle(place: ResolvedName, handle: str) -> ResolvedName:
    return replace(place, handle=handle)


def _real(path: "str | os.PathLike[str]") -> str:
    return os.path.realpath(Path(path))


__all__ = ["RegistrySources", "RegistryLike", "hub_endpoint"]
