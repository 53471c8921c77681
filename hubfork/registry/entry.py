"""One registry entry: what the registry knows about one card's model."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from hubfork.cards.records import SUMMARY_FIELDS, Architecture, Card, Source, StatedEmbedding, summary_dict
from hubfork.cards.yaml_limits import MAX_DEPTH


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
    #: A Collection's models (handles as its card's links write them); empty for other kinds.
    members: tuple[str, ...] = ()
    #: `hubfork.constants.STATUS_DELETED` when tfhub.dev deleted the model's files; None otherwise.
    status: str | None = None
    _search_text: list[str] = field(default_factory=list, compare=False, repr=False)

    @classmethod
    def from_card(cls, card: Card, *, card_path: str, sha256: str) -> "RegistryEntry":
        if card.handle is None or card.kind is None or card.family is None:
            raise ValueError(f"{card.path}: a card without a handle cannot be a registry entry")
        fields = {name: getattr(card, name) for name in SUMMARY_FIELDS}
        fields.update(languages=tuple(card.languages), tasks=tuple(card.tasks), members=tuple(card.members))
        return cls(**fields, card_path=card_path, card_sha256=sha256, sources=tuple(card.sources))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "RegistryEntry":
        """Build an entry from its registry-file form (see `to_dict`), whose fields have the
        types `entry_problem` checks (as `hubfork.registry.store.read` does for every entry)."""
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
            members=tuple(data.get("members") or ()),
            status=data.get("status"),
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
        rows = [
            ("handle", self.handle),
            ("kind", self.kind),
            ("status", self.status or ""),
            ("description", self.description),
            ("architecture", self.architecture.label if self.architecture else ""),
            ("casing", self.casing or ""),
            ("api", self.api or ""),
            ("preprocessor", self.preprocessor or ""),
            ("languages", ", ".join(self.languages)),
            ("tasks", ", ".join(self.tasks)),
            ("fine-tunable", yes_no(self.fine_tunable)),
            ("masked LM", yes_no(self.mlm)),
            ("sources", ", ".join(s.repo_id + (f"@{s.revision}" if s.revision else "")
                                  + (f" ({s.endpoint})" if s.endpoint else "") for s in self.sources)),
            ("members", ", ".join(self.members)),
        ]
        return [(key, value) for key, value in rows if value]


def yes_no(value: bool | None) -> str:
    """A flag as read aloud: "yes", "no", or "" when the card does not say."""
    return "" if value is None else ("yes" if value else "no")


# ----------------------------------------------------------------- the file form's types
# What `to_dict` writes, field by field: (test, what a reader is told was expected). A
# missing field or null is allowed wherever `from_dict` has a default; `handle` and `kind`
# must be there. Checked on every read, so that a hand-edited or hostile registry fails
# with the entry and field named, not as an AttributeError deep in a search.


def _text(value: Any) -> bool:
    return isinstance(value, str)


def _integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _flag(value: Any) -> bool:
    return isinstance(value, bool)


def _texts(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _plain(value: Any, depth: int = 0) -> bool:
    """JSON-like data (what a card's metadata is), nested at most `MAX_DEPTH` levels."""
    if value is None or isinstance(value, (str, int, float)):
        return True
    if depth >= MAX_DEPTH:
        return False
    if isinstance(value, list):
        return all(_plain(item, depth + 1) for item in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v, depth + 1) for k, v in value.items())
    return False


def _architecture(value: Any) -> bool:
    return isinstance(value, dict) and set(value) <= {"layers", "hidden_size", "heads"} \
        and all(v is None or _integer(v) for v in value.values())


def _card(value: Any) -> bool:
    return isinstance(value, dict) and all(isinstance(value.get(k, ""), str) for k in ("path", "sha256"))


def _sources(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(s, dict) and isinstance(s.get("repo_id"), str) and s["repo_id"]
        and all(s.get(k) is None or isinstance(s[k], str) for k in ("revision", "endpoint"))
        for s in value
    )


_TEXT = (_text, "text")
_FIELD_TYPES: dict[str, tuple[Any, str]] = {
    "handle": _TEXT, "kind": _TEXT, "family": _TEXT, "publisher": _TEXT, "name": _TEXT,
    "version": (_integer, "a whole number"), "description": _TEXT,
    "metadata": (lambda v: isinstance(v, dict) and _plain(v),
                 f"a mapping of text keys to plain values (at most {MAX_DEPTH} levels deep)"),
    "architecture": (_architecture, "a mapping of layers, hidden_size and heads to whole numbers"),
    "casing": _TEXT, "preprocessor": _TEXT, "api": _TEXT,
    "mlm": (_flag, "true or false"), "fine_tunable": (_flag, "true or false"),
    "languages": (_texts, "a list of text"), "tasks": (_texts, "a list of text"),
    "format": _TEXT, "parent_model": _TEXT, "members": (_texts, "a list of text"), "status": _TEXT,
    "card": (_card, "a mapping with 'path' and 'sha256' as text"),
    "sources": (_sources, "a list of mappings with 'repo_id' (and optional 'revision', 'endpoint') as text"),
}
_REQUIRED = ("handle", "kind")


def entry_problem(data: Any) -> str | None:
    """What is wrong with one entry of a registry file (in its `RegistryEntry.to_dict` form), or
    None: a missing handle or kind, or the first field whose value is not of the type written."""
    if not isinstance(data, dict):
        return f"is {_shown(data)}; expected a mapping of fields"
    for name in _REQUIRED:
        if not (isinstance(data.get(name), str) and data[name]):
            return f"needs at least 'handle' and 'kind' as text; '{name}' is {_shown(data.get(name))}"
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
