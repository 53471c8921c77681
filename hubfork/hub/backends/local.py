"""Models already on this machine: a folder is used where it is, a ``.tar.gz`` is unpacked into the
cache once (`hubfork.hub.archives`)."""

from __future__ import annotations

from hubfork.hub.backends.base import LOCAL, Backend, FetchOptions
from hubfork.hub.resolved import ResolvedName
from hubfork.hub.snapshot import Snapshot


class FolderBackend(Backend):
    id = LOCAL

    def serves(self, place: ResolvedName) -> bool:
        return place.kind == "folder"

    def fetch(self, place: ResolvedName, options: FetchOptions) -> Snapshot:
        return Snapshot(str(place.path), place.name, place.form, place.kind, source=self.id)


class ArchiveBackend(Backend):
    id = LOCAL

    def serves(self, place: ResolvedName) -> bool:
        return place.kind == "archive"

    def fetch(self, place: ResolvedName, options: FetchOptions) -> Snapshot:
        from hubfork.hub.archives import unpack_archive

        assert place.path is not None
        return Snapshot(str(unpack_archive(place.path, options.cache)), place.name, place.form, place.kind,
                        source=self.id)


__all__ = ["FolderBackend", "ArchiveBackend"]
