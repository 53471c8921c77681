"""Typed records a parsed model card is made of."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning"]
Family = Literal["tfhub", "huggingface"]

@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a card, at a line (1-based) of a file."""

    path: str
    line: int
    message: str
    severity: Severity = "error"
    #: A short stable name for the kind of problem, e.g. ``first-line``.
    code: str = ""

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.severity}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class Architecture:
    """Transformer size as a card states it: L layers, H hidden size, A heads."""

    layers: int | None = None
    hidden_size: int | None = None
    heads: int | None = None

    @property
    def label(self) -> str:
        """``L-12_H-768_A-12``, the way BERT model names spell it."""
        parts = []
        for letter, value in (("L", self.layers), ("H", self.hidden_size), ("A", self.heads)):
            if value is not None:
                parts.append(f"{letter}-{value}")
        return "_".join(parts)

    @property
    def described(self) -> str:
        """``L-12_H-768_A-12 (12 layers, hidden size 768, 12 heads)``, the parts stated; empty when none is."""
        said = [f"{self.layers} layers" if self.layers is not None else "",
                f"hidden size {self.hidden_size}" if self.hidden_size is not None else "",
                f"{self.heads} heads" if self.heads is not None else ""]
        return f"{self.label} ({', '.join(s for s in said if s)})" if self.label else ""

    def to_dict(self) -> dict[str, int | None]:
        return {"layers": self.layers, "hidden_size": self.hidden_size, "heads": self.heads}


@dataclass(frozen=True, slots=True)
class Section:
    """A heading of the card body and the lines it spans (1-based, inclusive)."""

    title: str
    level: int
    line: int
    end_line: int

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "level": self.level, "line": self.line, "end_line": self.end_line}


@dataclass(frozen=True, slots=True)
class CodeBlock:
    """A fenced or indented code block: its language (may be empty), first line, text."""

    language: str
    line: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"language": self.language, "line": self.line, "text": self.text}


@dataclass(frozen=True, slots=True)
class ChangelogEntry:
    """One ``Version N`` entry of a card's changelog."""

    version: int
    line: int
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"version": self.version, "line": self.line, "notes": list(self.notes)}


@dataclass(frozen=True, slots=True)
class Source:
    """Where a model can be fetched: a hub repo id, a revision, and a hub endpoint
    when it is not the default one."""

    repo_id: str
    revision: str | None = None
    endpoint: str | None = None

    def to_dict(self) -> dict[str, str]:
        out = {"repo_id": self.repo_id}
        if self.revision is not None:
            out["revision"] = self.revision
        if self.endpoint is not None:
            out["endpoint"] = self.endpoint
        return out


#: What a card says about its model; a registry entry holds the same fields.
SUMMARY_FIELDS = (
    "handle", "kind", "family", "publisher", "name", "version", "description", "metadata", "architecture",
    "casing", "preprocessor", "api", "mlm", "fine_tunable", "languages", "tasks", "format", "parent_model",
    "members", "status",
)


def summary_dict(record: Any) -> dict[str, Any]:
    """The `SUMMARY_FIELDS` of a card or registry entry as JSON-ready data, in that order."""
    out: dict[str, Any] = {}
    for name in SUMMARY_FIELDS:
        value = getattr(record, name)
        if name == "architecture":
            value = value.to_dict() if value else None
        elif name == "metadata":
            value = dict(value)
        elif isinstance(value, tuple):
            value = list(value)
        out[name] = value
    return out


class StatedEmbedding:
    """How a card says its embeddings are meant to be pooled and normalised (its ``pooling``
    and ``normalize`` metadata), for the card and for its registry entry alike."""

    __slots__ = ()
    metadata: dict[str, Any]

    @property
    def pooling(self) -> str | None:
        """The pooling the card's ``pooling`` metadata gives its embeddings, if any."""
        from hubfork.cards import facts

        return facts.pooling(self.metadata)

    @property
    def normalize(self) -> bool | None:
        """Whether the card's ``normalize`` metadata says its embeddings are normalised, if it says."""
        from hubfork.cards import facts

        return facts.normalize(self.metadata)


@dataclass(slots=True)
class Card(StatedEmbedding):
    """A parsed model card: what it names, what it states, and what is wrong with it.

    `handle` is the TF Hub handle (``publisher/name/version``; a collection is
    ``publisher/name`` and a publisher page ``publisher``, as tfhub.dev's
    validator names them) or, for a Hugging Face card, the repo id. It is None
    only when the card could not be identified at all (see `problems`).
    """

    path: str
    family: Family | None = None
    kind: str | None = None
    handle: str | None = None
    publisher: str | None = None
    name: str | None = None
    version: int | None = None
    description: str = ""
    #: Metadata as written: TF Hub ``<!-- key: value -->`` lines (the keys
    #: dataset, language, task and network-architecture as lists, every other key
    #: a string), or a Hugging Face card's YAML front matter.
    metadata: dict[str, Any] = field(default_factory=dict)
    # Facts derived from metadata, name and prose.
    architecture: Architecture | None = None
    casing: Literal["cased", "uncased"] | None = None
    preprocessor: str | None = None
    api: Literal["tf1-hub", "list", "dict"] | None = None
    mlm: bool | None = None
    fine_tunable: bool | None = None
    languages: list[str] = field(default_factory=list)
    tasks: list[str] = field(default_factory=list)
    format: str | None = None
    parent_model: str | None = None
    #: A Collection card's models: the handles its tfhub.dev links name, in card order.
    members: tuple[str, ...] = ()
    #: `hubfork.constants.STATUS_DELETED` for a catalogue card whose model was deleted (set by the registry build,
    #: which reads the catalogue's list); None otherwise.
    status: str | None = None
    #: A publisher page's icon (its ``[![Icon URL]](...)`` line).
    icon_url: str | None = None
    # Body structure.
    sections: list[Section] = field(default_factory=list)
    code_blocks: list[CodeBlock] = field(default_factory=list)
    #: Model names the card's code uses (TF Hub handles, repo ids), in order.
    code_handles: list[str] = field(default_factory=list)
    changelog: list[ChangelogEntry] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def _repr_html_(self) -> str:
        # Jupyter shows a card as this table; other front ends use the dataclass repr.
        from hubfork._html import fields_table

        rows = [("handle", self.handle or ""), ("kind", self.kind or ""), ("description", self.description or ""),
                ("architecture", self.architecture.label if self.architecture else ""), ("casing", self.casing or ""),
                ("API", self.api or ""), ("preprocessor", self.preprocessor or ""), ("file", self.path),
                ("problems", "; ".join(str(p) for p in self.problems))]
        return fields_table((key, value) for key, value in rows if value)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        """True when the card has no errors (warnings allowed)."""
        return not self.errors

    def raise_for_problems(self) -> "Card":
        """Raise `CardError` when the card has errors; return the card otherwise."""
        from hubfork.errors import CardError

        if self.errors:
            raise CardError(self.errors)
        return self

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of every field (``source`` is the card file)."""
        return {
            **summary_dict(self),
            "icon_url": self.icon_url,
            "sources": [s.to_dict() for s in self.sources],
            "source": self.path,
            "sections": [s.to_dict() for s in self.sections],
            "code_blocks": [c.to_dict() for c in self.code_blocks],
            "code_handles": list(self.code_handles),
            "changelog": [c.to_dict() for c in self.changelog],
            "problems": [p.to_dict() for p in self.problems],
        }
