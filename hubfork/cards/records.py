"""A parsed model card (`Card`), with the typed pieces it is made of (`hubfork.cards.parts`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from hubfork.cards import facts
from hubfork.cards.parts import Architecture, ChangelogEntry, CodeBlock, Problem, Section, Severity, Source
from hubfork.cards.schema import JUPYTER, shown, summary_dict

Family = Literal["tfhub", "huggingface"]


class StatedEmbedding:
    """How a card says its embeddings are meant to be pooled and normalised (its ``pooling``
    and ``normalize`` metadata), for the card and for its registry entry alike."""

    __slots__ = ()
    metadata: dict[str, Any]

    @property
    def pooling(self) -> str | None:
        """The pooling the card's ``pooling`` metadata gives its embeddings, if any."""
        return facts.pooling(self.metadata)

    @property
    def normalize(self) -> bool | None:
        """Whether the card's ``normalize`` metadata says its embeddings are normalised, if it says."""
        return facts.normalize(self.metadata)


@dataclass(slots=True)
class Card(StatedEmbedding):
    """A parsed model card: what it names, what it states, and what is wrong with it.

    Its facts are those of `hubfork.cards.schema.FACTS` (tests/cards/test_schema.py checks that
    every row has its attribute here), and the card's body structure, sources and problems.

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
    # Facts read by their parse rules from metadata, name and prose: the rows of `hubfork.cards.schema.FACTS`,
    # which give each one's type, label and JSON key.
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
    #: The license id the card states (``license`` metadata or front matter), as written.
    license: str | None = None
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

        rows = shown(self, JUPYTER) + [("File", self.path), ("Problems", "; ".join(str(p) for p in self.problems))]
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


# The pieces are defined in `hubfork.cards.parts` and named here too, where a card's users look for them.
__all__ = ["Architecture", "Card", "ChangelogEntry", "CodeBlock", "Family", "Problem", "Section", "Severity", "Source",
           "StatedEmbedding"]
