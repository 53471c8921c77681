"""One registry entry: what the registry knows about one card's model."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from hubfork.cards.records import SUMMARY_FIELDS, Architecture, Card, Source, StatedEmbedding, summary_dict


@dataclass(frozen=True, slots=True)
class RegistryEntry(StatedEmbedding):
    """A card's handle, kind, metadata and derived facts, where the card is, and
    where its model can be fetched."""

    handle: str
    kind: str
    family: str
    publisher: str | None
    name: str | None
    version: int | None
    description: str
    metadata: Mapping[str, Any]
    architecture: Architecture | None
    casing: str | None
    preprocessor: str | None
    api: str | None
    mlm: bool | None
    fine_tunable: bool | None
    languages: tuple[str, ...]
    tasks: tuple[str, ...]
    format: str | None
    parent_model: str | None
    #: The card file, relative to the registry file's folder (POSIX separators).
    card_path: str
    card_sha256: str
    sources: tuple[Source, ...] = ()
    _search_text: list[str] = field(default_factory=list, compare=False, repr=False)

    @classmethod
    def from_card(cls, card: Card, *, card_path: str, sha256: str) -> "RegistryEntry":
        if card.handle is None or card.kind is None or card.family is None:
            raise ValueError(f"{card.path}: a card without a handle cannot be a registry entry")
        fields = {name: getattr(card, name) for name in SUMMARY_FIELDS}
        fields.update(languages=tuple(card.languages), tasks=tuple(card.tasks))
        return cls(**fields, card_path=card_path, card_sha256=sha256, sources=tuple(card.sources))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "RegistryEntry":
        """Build an entry from its registry-file form (see `to_dict`)."""
        arch = data.get("architecture")
        card = data.get("card") or {}
        return cls(
            handle=data["handle"],
            kind=data["kind"],
            family=data.get("family", "tfhub"),
            publisher=data.get("publisher"),
            name=data.get("name"),
            version=data.get("version"),
            description=data.get("description") or "",
            metadata=data.get("metadata") or {},
            architecture=Architecture(arch.get("layers"), arch.get("hidden_size"), arch.get("heads")) if arch else None,
            casing=data.get("casing"),
            preprocessor=data.get("preprocessor"),
            api=data.get("api"),
            mlm=data.get("mlm"),
            fine_tunable=data.get("fine_tunable"),
            languages=tuple(data.get("languages") or ()),
            tasks=tuple(data.get("tasks") or ()),
            format=data.get("format"),
            parent_model=data.get("parent_model"),
            card_path=card.get("path", ""),
            card_sha256=card.get("sha256", ""),
            sources=tuple(
                Source(s["repo_id"], s.get("revision"), s.get("endpoint")) for s in data.get("sources") or ()
            ),
        )

    def to_dict(self) -> dict[str, Any]:
        """The entry as written in registry.yaml (keys in a fixed order)."""
        return {
            **summary_dict(self),
            "card": {"path": self.card_path, "sha256": self.card_sha256},
            "sources": [s.to_dict() for s in self.sources],
        }

    @property
    def network_architectures(self) -> list[str]:
        value = self.metadata.get("network-architecture")
        if isinstance(value, list):
            return [str(v) for v in value]
        return [value] if isinstance(value, str) else []

    def search_text(self) -> list[str]:
        """Lower-cased fields a query is matched against: name, handle, tags, description."""
        if not self._search_text:
            self._search_text.extend(
                [
                    (self.name or self.handle).lower(),
                    self.handle.lower(),
                    " ".join(self.tasks + tuple(self.network_architectures) + self.languages).lower()
                    + " " + self.kind.lower() + " " + (self.architecture.label.lower() if self.architecture else ""),
                    self.description.lower(),
                ]
            )
        return self._search_text

    def _repr_html_(self) -> str:
        # Jupyter shows an entry as this table; other front ends use the dataclass repr.
        from hubfork._html import fields_table

        return fields_table(self._display_rows())

    def _display_rows(self) -> list[tuple[str, str]]:
        """The fields worth reading at a glance, as (label, text), empty ones left out."""
        def flag(value: bool | None) -> str:
            return "" if value is None else ("yes" if value else "no")

        rows = [
            ("handle", self.handle),
            ("kind", self.kind),
            ("description", self.description),
            ("architecture", self.architecture.label if self.architecture else ""),
            ("casing", self.casing or ""),
            ("api", self.api or ""),
            ("preprocessor", self.preprocessor or ""),
            ("languages", ", ".join(self.languages)),
            ("tasks", ", ".join(self.tasks)),
            ("fine-tunable", flag(self.fine_tunable)),
            ("masked LM", flag(self.mlm)),
            ("sources", ", ".join(s.repo_id + (f"@{s.revision}" if s.revision else "")
                                  + (f" ({s.endpoint})" if s.endpoint else "") for s in self.sources)),
        ]
        return [(key, value) for key, value in rows if value]
