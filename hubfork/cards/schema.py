"""The table of a model's facts: what a card states about its model and its registry entry keeps.

Each row (`Fact`) gives one fact's name (an attribute of `hubfork.cards.records.Card` and of
`hubfork.registry.entry.RegistryEntry`), its type (`FactType`: how a value is checked, written to
JSON, read back and shown), how it is read from a card (its parse rule, a function of a `Reading`),
its label (the one every display uses), where it is shown (`SHOW`, `JUPYTER`, `SITE`), whether it
is a search facet (`Facet`), and its JSON key (in registry.yaml and ``--json``). Everything that
lists facts is derived from `FACTS`: `SUMMARY_FIELDS` and `summary_dict`, `RegistryEntry.to_dict`,
`from_dict` and the registry reader's type check, the fact tables of ``hubfork show``, Jupyter and
the site's entry pages, the site's index columns and facet selects, ``hubfork search``'s facet
options and `hubfork.registry.search.Filters`.

`Card`, `RegistryEntry` and `Filters` stay hand-written dataclasses rather than ones made from the
table (`dataclasses.make_dataclass`): type checkers and IDEs then know their attributes.
tests/cards/test_schema.py checks that each agrees with the table, name for name and type for type.
Adding a fact is a row here, its parse rule, and its attribute on those classes (docs/registry.md,
"Adding a fact").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Literal, Mapping, Sequence

from hubfork.cards import facts
from hubfork.cards.members import collection_members
from hubfork.cards.parts import Architecture, ChangelogEntry, CodeBlock, Problem
from hubfork.cards.yaml_limits import MAX_DEPTH
from hubfork.constants import CARD_KINDS, TFHUB_GROUP_KINDS

if TYPE_CHECKING:
    from hubfork.cards.vocabulary import Vocabulary

#: Where a fact can be shown: ``hubfork show``, a card's or entry's table in Jupyter, a site's entry page.
Place = Literal["show", "jupyter", "site"]
SHOW: Place = "show"
JUPYTER: Place = "jupyter"
SITE: Place = "site"
_EVERYWHERE: frozenset[Place] = frozenset({SHOW, JUPYTER, SITE})


# ------------------------------------------------------------------ types


def _same(value: Any) -> Any:
    return value


def _nothing() -> None:
    return None


def yes_no(value: bool | None) -> str:
    """A flag as read aloud: "yes", "no", or "" when the card does not say."""
    return "" if value is None else ("yes" if value else "no")


def _is_text(value: Any) -> bool:
    return isinstance(value, str)


def _is_integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_flag(value: Any) -> bool:
    return isinstance(value, bool)


def _is_texts(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _is_plain(value: Any, depth: int = 0) -> bool:
    """JSON-like data (what a card's metadata is), nested at most `MAX_DEPTH` levels."""
    if value is None or isinstance(value, (str, int, float)):
        return True
    if depth >= MAX_DEPTH:
        return False
    if isinstance(value, list):
        return all(_is_plain(item, depth + 1) for item in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_plain(v, depth + 1) for k, v in value.items())
    return False


def _is_mapping(value: Any) -> bool:
    return isinstance(value, dict) and _is_plain(value)


def _is_architecture(value: Any) -> bool:
    return isinstance(value, dict) and set(value) <= {"layers", "hidden_size", "heads"} \
        and all(v is None or _is_integer(v) for v in value.values())


def _architecture_from_json(value: dict[str, Any]) -> Architecture | None:
    return Architecture(value.get("layers"), value.get("hidden_size"), value.get("heads")) if value else None


@dataclass(frozen=True)
class FactType:
    """How a fact's value is checked, written and read in a registry file, and shown.

    A registry file's null (or a missing key) is an unknown value wherever it appears; the other
    functions see known values only.
    """

    #: The Python type of a known value, as `RegistryEntry` annotates it (``| None`` added for facts
    #: whose value may be unknown there).
    annotation: str
    #: Whether a registry file's value is of this type, and what a reader is told was expected.
    check: Callable[[Any], bool]
    expected: str
    to_json: Callable[[Any], Any] = _same
    from_json: Callable[[Any], Any] = _same
    #: What an entry holds when its file gives no value.
    missing: Callable[[], Any] = _nothing
    #: A value as text (a table cell's).
    text: Callable[[Any], str] = str


TEXT = FactType("str", _is_text, "text")
WHOLE_NUMBER = FactType("int", _is_integer, "a whole number")
FLAG = FactType("bool", _is_flag, "true or false", text=yes_no)
TEXTS = FactType("tuple[str, ...]", _is_texts, "a list of text", to_json=list, from_json=tuple, missing=tuple,
                 text=", ".join)
MAPPING = FactType("Mapping[str, Any]", _is_mapping,
                   f"a mapping of text keys to plain values (at most {MAX_DEPTH} levels deep)",
                   to_json=dict, missing=dict)
ARCHITECTURE = FactType("Architecture", _is_architecture, "a mapping of layers, hidden_size and heads to whole numbers",
                        to_json=Architecture.to_dict, from_json=_architecture_from_json,
                        text=lambda value: value.label)


# ------------------------------------------------------------------ facets

#: How a facet's value matches an entry's: equal to one of its values (any case), a part of one,
#: yes/no against a flag, or equal after a name is turned into its id (``English`` -> ``en``).
Match = Literal["whole", "part", "flag", "named"]
#: The values a flag facet offers, in this order.
FLAG_VALUES = ("yes", "no", "unknown")


@dataclass(frozen=True)
class Facet:
    """How a fact is searched: ``hubfork search --OPTION``, `Filters` field OPTION (and ``--json``'s
    ``filters`` key), and a select of the site's search page offering the entries' values."""

    option: str
    match: Match
    help: str
    metavar: str
    #: The command-line spellings, when not ``--OPTION`` (with dashes).
    flags: tuple[str, ...] = ()
    #: The only values there are, in this order (the command line takes them in any case).
    choices: tuple[str, ...] = ()
    #: An entry's values, when not its fact's value.
    values: Callable[[Any], list[str]] | None = None
    #: Other spellings of an entry's values that a search matches but the site does not offer.
    spellings: Callable[[Any], list[str]] | None = None

    @property
    def option_strings(self) -> tuple[str, ...]:
        return self.flags or ("--" + self.option.replace("_", "-"),)


def _architectures(record: Any) -> list[str]:
    """An entry's architectures: its network architectures and its L/H/A label."""
    found = facts.network_architectures(record.metadata)
    if record.architecture is not None and record.architecture.label:
        found.append(record.architecture.label)
    return list(dict.fromkeys(found))


def _size_spelling(record: Any) -> list[str]:
    arch = record.architecture
    return [] if arch is None else [f"{arch.layers}/{arch.hidden_size}/{arch.heads}"]


# ------------------------------------------------------------------ parse rules


@dataclass
class Reading:
    """What a fact's parse rule reads: a card as its format's parser found it (identity, metadata,
    body), and the other facts, each read on demand by `fact` (so rules may use each other in any order)."""

    path: str
    family: str
    kind: str | None
    handle: str | None
    name: str | None
    version: int | None
    metadata: Mapping[str, Any]
    #: The card's prose (a TF Hub card's description and body text; a Hugging Face card's body text).
    prose: str
    code_blocks: Sequence[CodeBlock]
    #: Model names the card's code uses, and those its links point at.
    code_handles: Sequence[str]
    link_names: Sequence[str]
    #: The card's lines below its header.
    body_lines: Sequence[str]
    changelog: Sequence[ChangelogEntry]
    vocabulary: Vocabulary
    #: Warnings the rules found.
    problems: list[Problem] = field(default_factory=list)
    _found: dict[str, Any] = field(default_factory=dict, repr=False)

    def fact(self, name: str) -> Any:
        """The fact `name` as its rule reads it from this card (read once)."""
        if name not in self._found:
            rule = BY_NAME[name].read
            if rule is None:
                raise ValueError(f"the fact {name!r} has no parse rule; its card's format parser reads it")
            self._found[name] = rule(self)
        return self._found[name]

    def warn(self, message: str, code: str) -> None:
        self.problems.append(Problem(self.path, 1, message, "warning", code))

    @property
    def is_model(self) -> bool:
        """False for a card of many models (a Collection or Publisher), which states no model's size or API."""
        return self.kind not in TFHUB_GROUP_KINDS

    @property
    def is_encoder(self) -> bool:
        """A card of one model that is not a preprocessor: it may state an API, a preprocessor and .mlm."""
        return self.is_model and not facts.is_preprocessor(self.name, self.fact("tasks"))


def _read_tasks(r: Reading) -> list[str]:
    if r.family == "huggingface":
        return facts.hf_tasks(r.metadata, r.vocabulary.values.get("task", {}))
    return facts.tasks(r.metadata)


def _read_languages(r: Reading) -> list[str]:
    return facts.languages(r.metadata, r.prose, r.vocabulary.language_ids_by_name)


def _read_format(r: Reading) -> str | None:
    if r.family == "huggingface":
        return facts.hf_model_format(r.metadata, r.prose)
    return facts.model_format(r.kind, r.metadata)


def _read_architecture(r: Reading) -> Architecture | None:
    if not r.is_model:
        return None
    from_name, from_prose = facts.architecture(r.name, r.prose)
    if from_name and from_prose and from_name != from_prose:
        r.warn(f"the name says {from_name.label} but the text says {from_prose.label}; using the name", "architecture")
    return from_name or from_prose


def _read_casing(r: Reading) -> str | None:
    return facts.casing(r.name, r.prose) if r.is_model else None


def _read_api(r: Reading) -> str | None:
    if not r.is_encoder:
        return None
    return facts.api(kind=r.kind, format=r.fact("format"), version=r.version, code_blocks=r.code_blocks,
                     prose=r.prose, changelog=r.changelog)


def _read_mlm(r: Reading) -> bool | None:
    # The .mlm subobject is a text-encoder feature; other models neither have nor lack it.
    if not r.is_encoder or not (r.family == "huggingface" or any(t.startswith("text") for t in r.fact("tasks"))):
        return None
    return facts.mlm(r.fact("api"), r.prose, r.code_blocks)


def _read_fine_tunable(r: Reading) -> bool | None:
    return facts.fine_tunable(r.metadata, r.prose)


def _read_preprocessor(r: Reading) -> str | None:
    return facts.preprocessor(r.handle, r.code_handles, r.link_names) if r.is_encoder else None


def _read_parent_model(r: Reading) -> str | None:
    value = r.metadata.get("parent-model") if r.family == "tfhub" else None
    return value if isinstance(value, str) else None


def _read_license(r: Reading) -> str | None:
    return facts.license_id(r.metadata)


def _read_members(r: Reading) -> tuple[str, ...]:
    return collection_members(r.kind, list(r.body_lines))


# ------------------------------------------------------------------ texts shown

#: What the API generations mean.
_API_MEANINGS = {"tf1-hub": "TF1 Hub module, hub.Module format", "list": "TF2 SavedModel, list outputs",
                 "dict": "TF2 SavedModel, dict outputs"}


def _api_text(record: Any) -> str:
    meaning = _API_MEANINGS.get(record.api or "")
    return f"{record.api} ({meaning})" if meaning else record.api or ""


def _architecture_text(record: Any) -> str:
    """``L-12_H-768_A-12 (12 layers, hidden size 768, 12 heads); transformer``: the stated size and the
    card's network architectures."""
    stated = record.architecture.described if record.architecture is not None else ""
    return "; ".join(([stated] if stated else []) + facts.network_architectures(record.metadata))


# ------------------------------------------------------------------ the table

_UNSET: Any = object()


@dataclass(frozen=True)
class Fact:
    """One fact of a model: a row of `FACTS`.

    `read` is None for the facts that name the card (handle, kind, family, publisher, name, version,
    description, metadata: its format's parser reads them, `hubfork.cards.tfhub_format` and
    `hubfork.cards.huggingface_format`) and for `status`, which the registry build sets from the
    catalogue. `describe` gives the text the fact tables show when the value alone does not say
    enough (a table cell shows `cell`).
    """

    name: str
    type: FactType
    label: str
    read: Callable[[Reading], Any] | None = None
    shown: frozenset[Place] = frozenset()
    facet: Facet | None = None
    #: The JSON key: the name unless given.
    key: str = ""
    #: An entry needs it (as non-empty text).
    required: bool = False
    #: What an entry holds when its file gives no value, when not the type's `FactType.missing`.
    default: Any = _UNSET
    describe: Callable[[Any], str] | None = None

    def __post_init__(self) -> None:
        if not self.key:
            object.__setattr__(self, "key", self.name)

    @property
    def annotation(self) -> str:
        """The type `RegistryEntry` gives this fact."""
        known = self.required or self.default is not _UNSET or self.type.missing() is not None
        return self.type.annotation if known else f"{self.type.annotation} | None"

    def missing(self) -> Any:
        return self.type.missing() if self.default is _UNSET else self.default

    def cell(self, record: Any) -> str:
        """The fact of `record` (a card or entry) as a table cell: "" when unknown."""
        value = getattr(record, self.name)
        return "" if value is None else self.type.text(value)

    def text(self, record: Any) -> str:
        """The fact of `record` as the fact tables show it: "" when unknown."""
        return self.describe(record) if self.describe is not None else self.cell(record)

    def facet_values(self, record: Any) -> list[str]:
        """The values of `record` its facet offers (one of `FLAG_VALUES` for a flag)."""
        assert self.facet is not None
        if self.facet.values is not None:
            return self.facet.values(record)
        value = getattr(record, self.name)
        if self.facet.match == "flag":
            return [FLAG_VALUES[2] if value is None else yes_no(value)]
        if value is None:
            return []
        return list(value) if isinstance(value, (list, tuple)) else [str(value)]

    @property
    def many(self) -> bool:
        """Whether its facet may give an entry several values."""
        return self.facet is not None and (self.type is TEXTS or self.facet.values is not None)

    def matches(self, record: Any, wanted: str | bool, names: Mapping[str, str] | None = None) -> bool:
        """Whether `record` passes its facet asking for `wanted` (`names`: ids by lower-cased name, for
        a ``named`` facet)."""
        assert self.facet is not None
        match = self.facet.match
        if match == "flag":
            # Unknown (None) is neither yes nor no.
            return getattr(record, self.name) is wanted
        wanted = str(wanted).lower()
        if match == "named":
            wanted = (names or {}).get(wanted, wanted)
        values = self.facet_values(record)
        if self.facet.spellings is not None:
            values = values + self.facet.spellings(record)
        if match == "part":
            return any(wanted in value.lower() for value in values)
        return any(wanted == value.lower() for value in values)


#: A model's facts, in the order registry entries, ``--json`` and every display list them.
FACTS: tuple[Fact, ...] = (
    Fact("handle", TEXT, "Handle", required=True, shown=frozenset({JUPYTER})),
    Fact("kind", TEXT, "Kind", required=True, shown=_EVERYWHERE,
         facet=Facet("kind", "whole", f"kind of card: {', '.join(CARD_KINDS[:-1])} or {CARD_KINDS[-1]} (any case)",
                     "K", choices=CARD_KINDS)),
    Fact("status", TEXT, "Status", shown=_EVERYWHERE),
    Fact("family", TEXT, "Family", default="tfhub"),
    Fact("publisher", TEXT, "Publisher", shown=frozenset({SHOW, SITE}),
         facet=Facet("publisher", "whole", "publisher, e.g. google", "P")),
    Fact("name", TEXT, "Name"),
    Fact("version", WHOLE_NUMBER, "Version", shown=frozenset({SHOW, SITE})),
    Fact("description", TEXT, "Description", default="", shown=frozenset({SHOW, JUPYTER})),
    Fact("metadata", MAPPING, "Metadata"),
    Fact("tasks", TEXTS, "Tasks", read=_read_tasks, shown=_EVERYWHERE,
         facet=Facet("task", "part", "task, e.g. text-embedding (a part matches)", "T")),
    Fact("languages", TEXTS, "Languages", read=_read_languages, shown=_EVERYWHERE,
         facet=Facet("language", "named", "language id or name (en, English)", "L")),
    Fact("format", TEXT, "Format", read=_read_format, shown=frozenset({SHOW, SITE}),
         facet=Facet("format", "whole", "format: hub, saved_model, saved_model_2, lite, tfjs, coral", "F")),
    Fact("architecture", ARCHITECTURE, "Architecture", read=_read_architecture, shown=_EVERYWHERE,
         describe=_architecture_text,
         facet=Facet("arch", "part", "architecture: transformer, L-12_H-768_A-12, 12/768/12, ... (a part matches)",
                     "A", flags=("--architecture", "--arch"), values=_architectures, spellings=_size_spelling)),
    Fact("casing", TEXT, "Casing", read=_read_casing, shown=_EVERYWHERE),
    Fact("api", TEXT, "API", read=_read_api, shown=_EVERYWHERE, describe=_api_text),
    Fact("mlm", FLAG, "Masked LM head", read=_read_mlm, shown=_EVERYWHERE),
    Fact("fine_tunable", FLAG, "Fine-tunable", read=_read_fine_tunable, shown=_EVERYWHERE,
         facet=Facet("fine_tunable", "flag", "only models that can (yes, the default) or cannot (no) be fine-tuned",
                     "yes|no", choices=FLAG_VALUES)),
    Fact("preprocessor", TEXT, "Preprocessor", read=_read_preprocessor, shown=frozenset({SHOW, JUPYTER})),
    Fact("parent_model", TEXT, "Parent model", read=_read_parent_model, shown=frozenset({SHOW})),
    Fact("license", TEXT, "License", read=_read_license, shown=_EVERYWHERE,
         facet=Facet("license", "whole", "license id, e.g. apache-2.0 or mit (as the card states it)", "ID")),
    Fact("members", TEXTS, "Members", read=_read_members, shown=frozenset({JUPYTER})),
)
BY_NAME: dict[str, Fact] = {fact.name: fact for fact in FACTS}
#: The facts a parse rule reads from a card (the others name the card, or come from the catalogue).
READ_FACTS: tuple[Fact, ...] = tuple(fact for fact in FACTS if fact.read is not None)
#: The facts searched by facet, in the order they are offered.
FACETS: tuple[Fact, ...] = tuple(fact for fact in FACTS if fact.facet is not None)

#: What a card says about its model; a registry entry holds the same fields.
SUMMARY_FIELDS: tuple[str, ...] = tuple(fact.name for fact in FACTS)


def label(name: str) -> str:
    """The label of the fact `name`, the same in every display."""
    return BY_NAME[name].label


def summary_dict(record: Any) -> dict[str, Any]:
    """The facts of a card or registry entry as JSON-ready data, by JSON key, in table order."""
    out: dict[str, Any] = {}
    for fact in FACTS:
        value = getattr(record, fact.name)
        out[fact.key] = None if value is None else fact.type.to_json(value)
    return out


def from_json(data: Mapping[str, Any]) -> dict[str, Any]:
    """The facts of a registry file's entry (`summary_dict`'s form, its values of the types `FactType.check`
    accepts), by name, as `RegistryEntry` holds them."""
    out = {}
    for fact in FACTS:
        value = data.get(fact.key)
        out[fact.name] = fact.missing() if value is None else fact.type.from_json(value)
    return out


def read_facts(reading: Reading) -> dict[str, Any]:
    """Every fact a parse rule reads from the card `reading` holds, by name (its warnings go to
    `Reading.problems`)."""
    return {fact.name: reading.fact(fact.name) for fact in READ_FACTS}


def shown(record: Any, place: Place, texts: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """The facts `place` shows of `record` (a card or entry), as (label, text) in table order, unknown
    ones left out. `texts` gives, by name, the text of a fact that takes more than the record to tell
    (``hubfork show`` says whether the registry has the preprocessor)."""
    texts = texts or {}
    rows = [(fact.label, texts[fact.name] if fact.name in texts else fact.text(record))
            for fact in FACTS if place in fact.shown]
    return [(name, text) for name, text in rows if text]


__all__ = ["ARCHITECTURE", "BY_NAME", "FACETS", "FACTS", "FLAG", "FLAG_VALUES", "JUPYTER", "MAPPING", "READ_FACTS",
           "SHOW", "SITE", "SUMMARY_FIELDS", "TEXT", "TEXTS", "WHOLE_NUMBER", "Fact", "FactType", "Facet", "Place",
           "Reading", "from_json", "label", "read_facts", "shown", "summary_dict", "yes_no"]
