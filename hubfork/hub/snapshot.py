"""`Snapshot`: a fetched model, its local folder and where it came from."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from hubfork.hub.cache_check import SnapshotCheck


@dataclass(frozen=True)
class Snapshot:
    """A fetched model: its local `path`, and where it came from."""

    path: str
    name: str
    form: str
    kind: str
    repo_id: str | None = None
    #: The revision asked for ("main" when none was), None for local models.
    revision: str | None = None
    #: The commit the revision pointed to (the snapshot folder's name), None for local models.
    commit: str | None = None
    endpoint: str | None = None
    #: The registry handle the name went through, if any.
    handle: str | None = None
    #: What checking its cached files found (`hubfork.hub.cache_check`); None for local folders and archives.
    check: "SnapshotCheck | None" = field(default=None, repr=False, compare=False)
    #: The fetch backend that served it (`hubfork.hub.backends`).
    source: str | None = None
    #: For an archive fetched over HTTP: the URL it was finally read from (after redirects), its size,
    #: sha256 and ETag, as recorded when it was unpacked.
    url: str | None = None
    archive_bytes: int | None = None
    archive_sha256: str | None = None
    etag: str | None = None

    @property
    def repaired(self) -> tuple[str, ...]:
        """Files fetched again because their cached copy was corrupt."""
        return self.check.repaired if self.check is not None else ()

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = asdict(replace(self, check=None))
        del data["check"]
        data["repaired"] = list(self.repaired)
        return data


__all__ = ["Snapshot"]
