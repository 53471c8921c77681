"""One registry entry: what the registry knows about one card's model."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from hubfork.cards import facts
from hubfork.cards.records import Architecture, Card, Source, StatedEmbedding
from hubfork.cards.schema import FACTS, JUPYTER, from_json, shown, summary_dict


@dataclass(frozen=True, slots=True)
class RegistryEntry(StatedEmbedding):
    """A card's handle, kind, metadata and derived facts, where the card is, and
    where its model can be fetched.

    Its facts are those of `hubfork.cards.schema.FACTS`, of the types the table gives
    (tests/cards/test_schema.py checks both); `from_dict`, `to_dict` and the registry
    reader's type check (`entry_problem`) follow the table.
    """

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
    #: A Collection's models (handles as its card's links write them); empty for other kinds.
    members: tuple[str, ...] = ()
    #: `hubfork.constants.STATUS_DELETED` when tfhub.dev deleted the model's files; None otherwise.
    status: str | None = None
    #: The license id its card states (``license`` metadata or front matter).
    license: str | None = None
    #: The models its card links to or loads in code (TF Hub handles and repo ids, as written, once each; its own
    #: model left out): the catalogue's link graph, which ranks a model many cards link to higher
    #: (`hubfork.registry.registry.Registry.prominence`).
    links: tuple[str, ...] = ()
    _search_text: list[str] = field(default_factory=list, compare=False, repr=False)

    @classmethod
    def from_card(cls, card: Card, *, card_path: str, sha256: str, links: tuple[str, ...] = ()) -> "RegistryEntry":
        if card.handle is None or card.kind is None or card.family is None:
            raise ValueError(f"{card.path}: a card without a handle cannot be a registry entry")
        # An entry is frozen: a card's lists become tuples.
        values = {fact.name: getattr(card, fact.name) for fact in FACTS}
        values = {name: tuple(value) if isinstance(value, list) else value for name, value in values.items()}
        return cls(**values, card_path=card_path, card_sha256=sha256, sources=tuple(card.sources), links=links)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "RegistryEntry":
        """Build an entry from its registry-file form (see `to_dict`), whose fields have the
        types `entry_problem` checks (as `hubfork.registry.store.read` does for every entry)."""
        card = data.get("card") or {}
        return cls(
            **from_json(data),
            card_path=card.get("path", ""),
            card_sha256=card.get("sha256", ""),
            sources=tuple(
                Source(s["repo_id"], s.get("revision"), s.get("endpoint")) for s in data.get("sources") or ()
            ),
            # Optional: a registry written before the link graph was kept reads as one without links.
            links=tuple(data.get("links") or ()),
        )

    def to_dict(self) -> dict[str, Any]:
        """The entry as written in registry.yaml (keys in a fixed order)."""
        return {
            **summary_dict(self),
            "card": {"path": self.card_path, "sha256": self.card_sha256},
            "sources": [s.to_dict() for s in self.sources],
            "links": list(self.links),
        }

    @property
    def network_architectures(self) -> list[str]:
        return facts.network_architectures(self.metadata)

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
        """The facts worth reading at a glance, as (label, text), empty ones left out."""
        sources = ", ".join(s.repo_id + (f"@{s.revision}" if s.revision else "")
                            + (f" ({s.endpoint})" if s.endpoint else "") for s in self.sources)
        return shown(self, JUPYTER) + ([("Sources", sources)] if sources else [])


# ----------------------------------------------------------------- the file form's types
# What `to_dict` writes, field by field: (test, what a reader is told was expected), the facts'
# from their types in `hubfork.cards.schema.FACTS`. A missing field or null is allowed except for
# the facts the table marks required (`handle` and `kind`). Checked on every read, so that a
# hand-edited or hostile registry fails with the entry and field named, not as an AttributeError
# deep in a search.


def _card(value: Any) -> bool:
    return isinstance(value, dict) and all(isinstance(value.get(k, ""), str) for k in ("path", "sha256"))


def _sources(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(s, dict) and isinstance(s.get("repo_id"), str) and s["repo_id"]
        and all(s.get(k) is None or isinstance(s[k], str) for k in ("revision", "endpoint"))
        for s in value
    )


_FIELD_TYPES: dict[str, tuple[Any, str]] = {
    **{fact.key: (fact.type.check, fact.type.expected) for fact in FACTS},
    "card": (_card, "a mapping with 'path' and 'sha256' as text"),
    "sources": (_sources, "a list of mappings with 'repo_id' (and optional 'revision', 'endpoint') as text"),
    "links": (lambda value: isinstance(value, list) and all(isinstance(v, str) for v in value), "a list of text"),
}
_REQUIRED = tuple(fact.key for fact in FACTS if fact.required)


def entry_problem(data: Any) -> str | None:
    """What is wrong with one entry of a registry file (in its `RegistryEntry.to_dict` form), or
    None: a missing handle or kind, or the first field whose value is not of the type written."""
    if not isinstance(data, dict):
        return f"is {_shown(data)}; expected a mapping of fields"
    for name in _REQUIRED:
        if not (isinstance(data.get(name), str) and data[name]):
            needed = " and ".join(f"'{key}'" for key in _REQUIRED)
            return f"needs at least {needed} as text; '{name}' is {_shown(data.get(name))}"
    for name, (test, expected) in _FIELD_TYPES.items():
        value = data.get(name)
        if value is not None and not test(value):
            return f"has '{name}' as {_shown(value)}; expected {expected}"
    return None


def _shown(value: Any) -> str:
    """A value's type and the start of its text, for messages."""
    if value is None:
        return "missing"
    text = repr(value)
    return f"{type(value).__name__} {text[:60] + '...' if len(text) > 60 else text}"
