"""The registry: every card's entry, looked up by handle and searched."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, Iterator

from hubfork.constants import CARD_KINDS, ENV_REGISTRY, VARIANT_FORMATS
from hubfork.errors import EntryNotFoundError
from hubfork.handles import hub_url_to_repo, kaggle_key, tfhub_url_to_handle
from hubfork.registry import store
from hubfork.registry.entry import RegistryEntry
from hubfork.registry.search import Filters, SearchResults, search

# Which card a lookup prefers when several share a handle: CARD_KINDS lists the loadable model first.
_KIND_RANK = {kind: i for i, kind in enumerate(CARD_KINDS)}


def preferred(entries: Iterable[RegistryEntry]) -> RegistryEntry | None:
    """The entry a lookup returns among `entries` (same handle or model): the newest
    version, and among those the kind that comes first in `CARD_KINDS`."""
    entries = list(entries)
    if not entries:
        return None
    newest = max(e.version or 0 for e in entries)
    return min((e for e in entries if (e.version or 0) == newest),
               key=lambda e: _KIND_RANK.get(e.kind, len(CARD_KINDS)))
_URL_VARIANTS = {f"/{variant_format}-model/": kind for kind, variant_format in VARIANT_FORMATS.items()}


def _variant_kind(url: str) -> str | None:
    return next((kind for marker, kind in _URL_VARIANTS.items() if marker in url), None)


class Registry:
    """The entries of one registry file, by handle."""

    def __init__(self, entries: list[RegistryEntry], path: Path | None = None, cards_dir: str | None = None):
        self.entries = entries
        self.path = path
        #: The cards folder the registry was built from, relative to `path`'s folder.
        self.cards_dir = cards_dir
        # One handle may name several cards: tfhub.dev gave a model and its
        # Lite/Tfjs/Coral variant (or its placeholder) the same handle.
        self._by_handle: dict[str, list[RegistryEntry]] = {}
        self._by_lower: dict[str, list[RegistryEntry]] = {}
        for entry in entries:
            self._by_handle.setdefault(entry.handle, []).append(entry)
            self._by_lower.setdefault(entry.handle.lower(), []).append(entry)

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None) -> "Registry":
        """Load a registry file; with no path, the default registry (see
        `hubfork.registry.store.default_registry_path`), with the user's own registry
        (``$HUBFORK_HOME/registry.yaml``, when there is one) layered over it, unless
        ``$HUBFORK_REGISTRY`` names the one file to use."""
        if path is not None or os.environ.get(ENV_REGISTRY):
            return cls.load_file(path if path is not None else store.default_registry_path())
        shipped = cls.load_file(store.default_registry_path())
        user = store.user_registry_path()
        if not user.is_file():
            return shipped
        return LayeredRegistry([cls.load_file(user), shipped])

    @classmethod
    def load_file(cls, path: str | os.PathLike[str]) -> "Registry":
        """Load exactly one registry file."""
        file = Path(path)
        document = store.read(file)
        entries = [RegistryEntry.from_dict(item) for item in document["entries"]]
        return cls(entries, file, document.get("cards"))

    @property
    def where(self) -> str | None:
        """The registry file(s) read, for messages."""
        return str(self.path) if self.path is not None else None

    def origin(self, entry: RegistryEntry) -> "Registry":
        """The registry file an entry was read from (itself, for one file)."""
        return self

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[RegistryEntry]:
        return iter(self.entries)

    def __contains__(self, handle: object) -> bool:
        return isinstance(handle, str) and self.find(handle) is not None

    def find(self, name: str, kind: str | None = None) -> RegistryEntry | None:
        """The entry a name refers to, or None.

        Accepts a handle or repo id in any case, a tfhub.dev or hub URL, and a
        TF Hub handle without its version (meaning the newest version listed).
        When several cards share the handle, `kind` picks one; otherwise the
        loadable model comes first (Module, then Model, Placeholder, Collection,
        Publisher, Lite, Tfjs, Coral), or the variant a tfhub.dev URL names.
        """
        name = name.strip()
        if name.startswith(("http://", "https://")):
            kind = kind or _variant_kind(name)
            converted = tfhub_url_to_handle(name)
            if converted is None:
                ref = hub_url_to_repo(name)
                converted = ref.repo_id if ref else None
            if converted is None:
                return None
            name = converted
        found = self._by_handle.get(name) or self._by_lower.get(name.lower())
        if not found:
            prefix = name.lower().rstrip("/") + "/"
            versions = [
                e for e in self.entries
                if e.version is not None and e.handle.lower().startswith(prefix) and e.handle[len(prefix):].isdigit()
            ]
            found = versions
        if kind is not None:
            found = [e for e in found if e.kind.lower() == kind.lower()]
        return preferred(found)

    def find_kaggle(self, publisher: str, model: str, variation: str, version: int | None) -> RegistryEntry | None:
        """The entry a Kaggle model names: same publisher and version (any, when None), and a name equal
        to `model` + `variation` once lower-cased without '-' and '_' (`hubfork.handles.kaggle_key`)."""
        key = kaggle_key(model + variation)
        return preferred(
            e for e in self.entries
            if (e.publisher or "").lower() == publisher.lower() and e.name and kaggle_key(e.name) == key
            and (version is None or e.version == version)
        )

    def find_all(self, name: str) -> list[RegistryEntry]:
        """Every entry with exactly this handle (any case)."""
        return list(self._by_lower.get(name.strip().lower(), []))

    def get(self, name: str) -> RegistryEntry:
        """Like `find`, but raise `EntryNotFoundError` (with close handles) when absent."""
        entry = self.find(name)
        if entry is None:
            from difflib import get_close_matches

            close = get_close_matches(name, list(self._by_handle), n=3, cutoff=0.6)
            raise EntryNotFoundError(name, path=self.where, suggestions=close)
        return entry

    def search(self, query: str | None = None, **filters: str | None) -> "SearchResults":
        """Entries matching `query` and the filters (language, task, format,
        publisher, arch, kind), best first."""
        from hubfork.cards.vocabulary import Vocabulary

        return search(self.entries, query, Filters(**filters),
                      language_ids=Vocabulary.default().language_ids_by_name)

    def card_file(self, entry: RegistryEntry) -> Path | None:
        """Where an entry's card file is, when the registry was loaded from a file."""
        if self.path is None:
            return None
        return self.path.parent / entry.card_path


class LayeredRegistry(Registry):
    """Registries read as one: for each handle and kind, the entries of the first layer that has
    any (the user's registry over the shipped one, so a user's mapping replaces the shipped entry)."""

    def __init__(self, layers: Iterable[Registry]):
        self.layers = tuple(layers)
        entries: list[RegistryEntry] = []
        # Entries are unhashable (their metadata is a dict) and equal ones may come from two files.
        self._origins: dict[int, Registry] = {}
        claimed: set[tuple[str, str]] = set()
        for layer in self.layers:
            kept = [e for e in layer if (e.handle.lower(), e.kind) not in claimed]
            entries += kept
            self._origins.update((id(e), layer) for e in kept)
            claimed |= {(e.handle.lower(), e.kind) for e in layer}
        # Stable: duplicates within one layer keep the order that layer's lookups prefer.
        entries.sort(key=lambda e: (e.handle, e.kind))
        base = self.layers[-1]
        super().__init__(entries, base.path, base.cards_dir)

    @property
    def where(self) -> str | None:
        return " over ".join(str(layer.path) for layer in self.layers)

    def origin(self, entry: RegistryEntry) -> Registry:
        return self._origins.get(id(entry), self)

    def card_file(self, entry: RegistryEntry) -> Path | None:
        origin = self.origin(entry)
        return origin.card_file(entry) if origin is not self else super().card_file(entry)
