"""The registry: every card's entry, looked up by handle and searched."""

from __future__ import annotations

import hashlib
import os
from collections import OrderedDict
from functools import cached_property
from pathlib import Path
from typing import Iterable, Iterator

from hubfork.constants import CARD_KINDS, ENV_REGISTRY, TFHUB_GROUP_KINDS, VARIANT_FORMATS
from hubfork.errors import EntryNotFoundError
from hubfork.registry import store
from hubfork.registry.entry import RegistryEntry
from hubfork.registry.search import Filters, Prominence, SearchResults, group_key, model_key, search

# Which card a lookup prefers when several share a handle: CARD_KINDS lists the loadable model first.
_KIND_RANK = {kind: i for i, kind in enumerate(CARD_KINDS)}


# Each `load_text_model` looks companions up in the registry, and a notebook or a server loads it again
# and again: the entries of the last few files read are kept by the hash of their bytes, so loading
# unchanged bytes again costs a hash (milliseconds) instead of a parse (half a second for the shipped
# registry). Entries are immutable, so registries loaded from the same bytes can share them.
_PARSED: OrderedDict[bytes, tuple[tuple[RegistryEntry, ...], str | None]] = OrderedDict()
_PARSED_KEPT = 4


def _parsed(raw: bytes, file: Path) -> tuple[tuple[RegistryEntry, ...], str | None]:
    """The entries and cards folder of a registry file's bytes."""
    key = hashlib.sha256(raw).digest()
    found = _PARSED.get(key)
    if found is None:
        document = store.parse(raw, file)
        found = (tuple(RegistryEntry.from_dict(item) for item in document["entries"]), document.get("cards"))
        _PARSED[key] = found
        while len(_PARSED) > _PARSED_KEPT:
            _PARSED.popitem(last=False)
    else:
        _PARSED.move_to_end(key)
    return found


def preferred(entries: Iterable[RegistryEntry]) -> RegistryEntry | None:
    """The entry a lookup returns among `entries` (same handle or model): the newest
    version, and among those the kind that comes first in `CARD_KINDS`."""
    entries = list(entries)
    if not entries:
        return None
    newest = max(e.version or 0 for e in entries)
    return min((e for e in entries if (e.version or 0) == newest),
               key=lambda e: _KIND_RANK.get(e.kind, len(CARD_KINDS)))


def _model_of(entry: RegistryEntry) -> str:
    """The `model_key` of an entry's model; an entry without a version is a model of its own."""
    return group_key(entry)[0]


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
        entries, cards_dir = _parsed(store.read_bytes(file), file)
        return cls(list(entries), file, cards_dir)

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
        TF Hub handle without its version (meaning the newest version listed, even when a
        Collection has that handle). When several cards share the handle, `kind` picks one; otherwise the
        loadable model comes first (Module, then Model, Placeholder, Collection,
        Publisher, Lite, Tfjs, Coral), or the variant or collection a tfhub.dev URL names
        (``https://tfhub.dev/google/collections/bert/1`` is the Collection ``google/bert``,
        ``https://tfhub.dev/google`` the Publisher ``google``).
        """
        name = name.strip()
        if name.startswith(("http://", "https://")):
            from hubfork.handles import (
                hub_url_to_repo,
                tfhub_collection_handle,
                tfhub_url_to_handle,
                tfhub_url_to_publisher,
            )

            kind = kind or _variant_kind(name)
            converted = tfhub_url_to_handle(name)
            collection = tfhub_collection_handle(converted) if converted else None
            if collection is not None:
                converted, kind = collection, kind or "Collection"
            if converted is None:
                converted = tfhub_url_to_publisher(name)
                kind = kind or ("Publisher" if converted else None)
            if converted is None:
                ref = hub_url_to_repo(name)
                converted = ref.repo_id if ref else None
            if converted is None:
                return None
            name = converted
        exact = self._by_handle.get(name) or self._by_lower.get(name.lower()) or []
        key = name.lower().rstrip("/")
        versions = [e for e in self._models.get(key, ()) if e.version is not None and model_key(e.handle) == key]
        if kind is not None:
            kind = kind.lower()
            return preferred(e for e in exact if e.kind.lower() == kind) \
                or preferred(e for e in versions if e.kind.lower() == kind)
        # A model's handle without version names its newest version, before a Collection of the same name.
        return preferred(e for e in exact if e.kind not in TFHUB_GROUP_KINDS) or preferred(versions) \
            or preferred(exact)

    def find_kaggle(self, publisher: str, model: str, variation: str, version: int | None) -> RegistryEntry | None:
        """The entry a Kaggle model names: same publisher and version (any, when None), and a name equal
        to `model` + `variation` once lower-cased without '-' and '_' (`hubfork.handles.kaggle_key`)."""
        from hubfork.handles import kaggle_key

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

    def search(self, query: str | None = None, **filters: str | bool | None) -> "SearchResults":
        """The entries matching `query` and the filters (kind, publisher, task, language, format, arch,
        fine_tunable, license, has_source; see `hubfork.registry.search.Filters`), best first by
        `hubfork.registry.ranking` with this registry's `prominence`: one per model and kind, its newest
        matching version (`SearchResults.versions_of` and `versions_hint` give its versions;
        `hubfork.registry.search.page` cuts the results into pages)."""
        language_ids = None
        if filters.get("language"):
            from hubfork.cards.vocabulary import Vocabulary

            language_ids = Vocabulary.default().language_ids_by_name
        return search(self.entries, query, Filters(**filters), language_ids=language_ids, prominence=self.prominence)

    def prominence(self, entry: RegistryEntry) -> Prominence:
        """What the catalogue says of `entry`'s standing, for ranking (`hubfork.registry.ranking`): whether a
        publisher page names its publisher, how many Collections list its model, how many other models'
        cards link to it. Collections and publisher pages themselves have no collections or links."""
        official = int((entry.publisher or "").lower() in self._publishers)
        if entry.kind in TFHUB_GROUP_KINDS:
            return Prominence(official)
        model = _model_of(entry)
        return Prominence(official, len(self._collections.get(model, ())), self._linked.get(model, 0))

    def card_file(self, entry: RegistryEntry) -> Path | None:
        """Where an entry's card file is, when the registry was loaded from a file: as the registry says,
        unchecked (read it through `hubfork.registry.card_files.card_file_to_read`)."""
        if self.path is None:
            return None
        return self.path.parent / entry.card_path

    # ------------------------------------------------------------ relations between entries

    def versions_of(self, entry: RegistryEntry) -> list[RegistryEntry]:
        """Every version of `entry`'s model of its kind, newest first, `entry` among them (a
        Collection or Publisher has only itself)."""
        if entry.kind in TFHUB_GROUP_KINDS:
            return [entry]
        same = [e for e in self._models.get(_model_of(entry), ()) if e.kind == entry.kind]
        return sorted(same, key=lambda e: -(e.version or 0)) or [entry]

    def variants_of(self, entry: RegistryEntry) -> list[RegistryEntry]:
        """The other cards of `entry`'s handle: tfhub.dev gave a model's Lite, Tfjs and Coral
        variants (and its placeholder) the model's handle; loadable kinds first."""
        return sorted((e for e in self._by_lower.get(entry.handle.lower(), ()) if e is not entry),
                      key=lambda e: _KIND_RANK.get(e.kind, len(CARD_KINDS)))

    def collections_of(self, entry: RegistryEntry) -> list[RegistryEntry]:
        """The Collections that list `entry`'s model (any version of it: members are matched by
        handle without version, in any case), in registry order."""
        if entry.kind in TFHUB_GROUP_KINDS:
            return []
        return list(self._collections.get(_model_of(entry), ()))

    def members_of(self, collection: RegistryEntry) -> list[tuple[str, RegistryEntry | None]]:
        """A Collection's members in card order, each with the newest registry entry of the model it
        names (its loadable kind first), or None when the registry does not know it."""
        members = collection.members
        return [(member, preferred(self._models.get(model_key(member), ()))) for member in members]

    @cached_property
    def _models(self) -> dict[str, list[RegistryEntry]]:
        """Each model's entries (every version and variant) by `model_key`; groups left out."""
        models: dict[str, list[RegistryEntry]] = {}
        for entry in self.entries:
            if entry.kind not in TFHUB_GROUP_KINDS:
                models.setdefault(_model_of(entry), []).append(entry)
        return models

    @cached_property
    def _publishers(self) -> frozenset[str]:
        """The publishers the catalogue has a publisher page for, lower-cased."""
        return frozenset(e.handle.lower() for e in self.entries if e.kind == "Publisher")

    @cached_property
    def _linked(self) -> dict[str, int]:
        """How many other models' cards link to each model, by `model_key`. A model's versions and variants
        count once, and Collections not at all (they count as collections); nor does a card's link to its own
        preprocessor (every encoder's card names one: a pairing, not a model built on another)."""
        sources: dict[str, set[str]] = {}
        for entry in self.entries:
            if entry.links and entry.kind not in TFHUB_GROUP_KINDS:
                companion = model_key(entry.preprocessor) if entry.preprocessor else None
                sources.setdefault(_model_of(entry), set()).update(
                    key for key in map(model_key, entry.links) if key != companion)
        linked: dict[str, int] = {}
        for source, targets in sources.items():
            for target in targets - {source}:
                if target in self._models:
                    linked[target] = linked.get(target, 0) + 1
        return linked

    @cached_property
    def _collections(self) -> dict[str, list[RegistryEntry]]:
        """The Collections listing each model, by `model_key`."""
        listed: dict[str, list[RegistryEntry]] = {}
        for entry in self.entries:
            if entry.kind == "Collection":
                for key in dict.fromkeys(model_key(m) for m in entry.members):
                    listed.setdefault(key, []).append(entry)
        return listed


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
