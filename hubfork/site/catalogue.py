"""What a site knows about its registry: each entry's page, and the lookups its pages link by
(a tfhub.dev URL or a handle to the entry's page, versions, variants, collections, members).

Names are resolved by the registry (`Registry.find`, which indexes its entries once, so that
linking thousands of cards costs no scan per link). The relations between entries are the
registry's own (``versions_of``, ``variants_of``, ``collections_of``, ``members_of``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hubfork.handles import TFHUB_HOSTS, split_url
from hubfork.registry.entry import RegistryEntry
from hubfork.registry.registry import Registry
from hubfork.site.paths import page_path, page_slugs


@dataclass
class SiteCatalogue:
    """A registry's entries in order, each with its page, and lookups between them."""

    registry: Registry
    entries: list[RegistryEntry] = field(init=False)
    slugs: list[str] = field(init=False)

    def __post_init__(self) -> None:
        self.entries = list(self.registry)
        self.slugs = page_slugs(self.entries)
        self._index = {id(entry): i for i, entry in enumerate(self.entries)}

    # ------------------------------------------------------------------ pages

    def index_of(self, entry: RegistryEntry) -> int:
        """The entry's place in `entries` (the entry itself, not an equal one)."""
        return self._index[id(entry)]

    def page(self, entry: RegistryEntry) -> str:
        """The entry's page, relative to the site's root."""
        return page_path(self.slugs[self.index_of(entry)])

    # ---------------------------------------------------------------- lookups

    def find(self, name: str, kind: str | None = None) -> RegistryEntry | None:
        """The entry with a page here that a handle or tfhub.dev URL names (model, variant,
        collection or publisher page), as `Registry.find` resolves it; `kind` picks a variant."""
        if name.startswith(("http://", "https://")) and (getattr(split_url(name), "hostname", None) or "") \
                not in TFHUB_HOSTS:
            # A card's link to another site is that site's page, even when its path reads like a handle.
            return None
        found = self.registry.find(name, kind)
        return found if found is not None and id(found) in self._index else None

    # -------------------------------------------------------------- relations
    # The registry answers these; answers are kept to the entries that have a page here.

    def versions(self, entry: RegistryEntry) -> list[RegistryEntry]:
        """Every version of the entry's model of its kind, newest first (the entry among them)."""
        return self._here(self.registry.versions_of(entry))

    def variants(self, entry: RegistryEntry) -> list[RegistryEntry]:
        """The other cards of the entry's handle (its Lite, Tfjs or Coral variant, or the model)."""
        return self._here(self.registry.variants_of(entry))

    def collections(self, entry: RegistryEntry) -> list[RegistryEntry]:
        """The collections that list the entry's model."""
        return self._here(self.registry.collections_of(entry))

    def members(self, entry: RegistryEntry) -> list[tuple[str, RegistryEntry | None]]:
        """A collection's member handles, each with the entry it names (None when unknown)."""
        return [(handle, found if found is not None and id(found) in self._index else None)
                for handle, found in self.registry.members_of(entry)]

    def _here(self, entries: list[RegistryEntry]) -> list[RegistryEntry]:
        return [e for e in entries if id(e) in self._index]


__all__ = ["SiteCatalogue"]
