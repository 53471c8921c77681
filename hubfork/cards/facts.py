"""Facts a card states about its model, read from metadata, name or prose.

Each function takes the pieces it needs and returns a value, or None when the
card does not say. Names are trusted before prose: ``bert_en_uncased_L-12_H-768_A-12``
is exact, a sentence may be about another model.

Regexes are guarded by a plain substring test: Python's re cannot skip ahead
on patterns that start with \\b or an alternation, and these run over
thousands of cards in a registry build. For the same reason a pattern that
starts at a word boundary is an `_AtWord` (re scans for its first letters, the
boundary is checked where they are found), and an alternation whose matches
only count as found or not is a tuple of patterns, each starting with a literal.
"""

from __future__ import annotations

import re
from typing import Iterable, Iterator, Mapping, Sequence

from hubfork.cards.parts import Architecture, ChangelogEntry, CodeBlock
from hubfork.constants import POOLINGS, VARIANT_FORMATS

_NAME_SIZE = re.compile(r"(?:^|[_/-])L-(\d+)_H-(\d+)_A-(\d+)(?=$|[_/-])", re.IGNORECASE)
_WORD_CHARACTER = re.compile(r"\w")


class _AtWord:
    """A pattern preceded by ``\\b``, where the pattern starts with a word character: ``\\b`` is
    then "not after a word character", checked on each place the rest matches. Each call finds
    what ``re.compile(r"\\b" + pattern)`` finds, at the same places, with the same groups."""

    __slots__ = ("_pattern",)

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._pattern = re.compile(pattern, flags)

    def _next(self, text: str, pos: int) -> re.Match[str] | None:
        search = self._pattern.search
        while (match := search(text, pos)) is not None:
            start = match.start()
            if start == 0 or not _WORD_CHARACTER.match(text, start - 1):
                return match
            pos = start + 1
        return None

    def search(self, text: str) -> re.Match[str] | None:
        return self._next(text, 0)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        pos = 0
        while (match := self._next(text, pos)) is not None:
            yield match
            # Matches are never empty: the next one starts past this one, as finditer's do.
            pos = match.end()


def _any_found(patterns: Sequence[re.Pattern[str] | _AtWord], text: str) -> bool:
    return any(pattern.search(text) for pattern in patterns)


_PROSE_LAYERS = _AtWord(r"L\s*=\s*(\d+)\b")
_PROSE_HIDDEN = _AtWord(r"H\s*=\s*(\d+)\b")
_PROSE_HEADS = _AtWord(r"A\s*=\s*(\d+)\b")
_PROSE_UNCASED = re.compile(r"[\"“']uncased[\"”']|\buncased\s+way\b", re.IGNORECASE)
_PROSE_CASED = re.compile(r"[\"“']cased[\"”']|(?<!un)\bcased\s+way\b", re.IGNORECASE)
_TF1_SIGNALS = (re.compile(r"signature\s*=\s*[\"']tokens[\"']"), _AtWord(r"hub\.Module\("))
_DICT_SIGNALS = (
    re.compile(r"outputs\[\s*[\"'](?:pooled_output|sequence_output|encoder_outputs|default)[\"']\s*\]"),
    _AtWord(r"expects\s+a\s+dict\b"),
    _AtWord(r"Uses\s+dicts\b"),
)
_LIST_SIGNALS = _AtWord(r"pooled_output\s*,\s*sequence_output\s*=\s*\w+\(\s*\[")
_MLM = re.compile(r"\.mlm\b|`mlm`\s+subobject|\bmlm\s+subobject", re.IGNORECASE)
_ALL_TRAINABLE = re.compile(r"\bAll\s+parameters\s+(?:in\s+the\s+(?:module|model)\s+)?are\s+trainable\b", re.IGNORECASE)
_NOT_TRAINABLE = re.compile(r"\bhas\s+no\s+trainable\s+(?:parameters|variables)\b", re.IGNORECASE)
_PRETRAINED_FOR = _AtWord(r"pre-?trained\s+(?:for|on)\s+([A-Z][a-z]+)\b")

ENCODER_TASKS = frozenset({"text-embedding", "text-language-model"})


def architecture(name: str | None, prose: str) -> tuple[Architecture | None, Architecture | None]:
    """The size a card states, from its name and from its prose (either may be None).

    The name's ``L-12_H-768_A-12`` wins; the prose's ``L=12 ... H=768 ... A=12``
    fills in a card whose name does not say.
    """
    from_name = None
    if name:
        match = _NAME_SIZE.search(name)
        if match:
            from_name = Architecture(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    patterns = (_PROSE_LAYERS, _PROSE_HIDDEN, _PROSE_HEADS)
    values = [_first_int(p, prose) for p in patterns] if "=" in prose else [None] * 3
    from_prose = Architecture(*values) if any(v is not None for v in values) else None
    return from_name, from_prose


def _first_int(pattern: _AtWord, text: str) -> int | None:
    match = pattern.search(text)
    return int(match.group(1)) if match else None


def casing(name: str | None, prose: str) -> str | None:
    """"cased" or "uncased" from the name's words, else from the prose."""
    if name:
        words = set(re.split(r"[_/.-]", name.lower()))
        if "uncased" in words:
            return "uncased"
        if "cased" in words:
            return "cased"
    if "cased" not in prose.lower():
        return None
    uncased = bool(_PROSE_UNCASED.search(prose))
    cased = bool(_PROSE_CASED.search(prose))
    if uncased != cased:
        return "uncased" if uncased else "cased"
    return None


def is_preprocessor(name: str | None, tasks: Sequence[str]) -> bool:
    return bool(name and "preprocess" in name.lower()) or "text-preprocessing" in tasks


def preprocessor(own_handle: str | None, code_names: Sequence[str], link_names: Sequence[str]) -> str | None:
    """The companion preprocessor a card names: the first one in its code, else
    the first one its links point at. A name counts when it has "preprocess" in
    it and is not the card's own."""
    for names in (code_names, link_names):
        for name in names:
            if "preprocess" in name.lower() and name != own_handle:
                return name
    return None


def api(
    *,
    kind: str | None,
    format: str | None,
    version: int | None,
    code_blocks: Sequence[CodeBlock],
    prose: str,
    changelog: Sequence[ChangelogEntry],
) -> str | None:
    """The encoder API generation a card tells: "tf1-hub", "list" or "dict".

    Order of trust: the format (``hub`` is the TF1 Hub format), the card's usage
    code, its prose, then its changelog up to the card's own version.
    """
    if kind == "Module" and format == "hub":
        return "tf1-hub"
    code = "\n".join(block.text for block in code_blocks)
    for text in (code, prose):
        if ("tokens" in text or "hub.Module" in text) and _any_found(_TF1_SIGNALS, text):
            return "tf1-hub"
        has_dict = ("dict" in text or "outputs[" in text) and _any_found(_DICT_SIGNALS, text)
        has_list = "sequence_output" in text and bool(_LIST_SIGNALS.search(text))
        if has_dict != has_list:
            return "dict" if has_dict else "list"
    for entry in sorted(changelog, key=lambda e: -e.version):
        if version is not None and entry.version > version:
            continue
        notes = " ".join(entry.notes)
        if re.search(r"\bdicts?\b", notes, re.IGNORECASE):
            return "dict"
        if re.search(r"\blists?\b", notes, re.IGNORECASE):
            return "list"
    return None


def mlm(api_generation: str | None, prose: str, code_blocks: Iterable[CodeBlock]) -> bool | None:
    """Whether the model offers the ``.mlm`` subobject: True when the card says so,
    False for an encoder whose card does not, None when the card is not about an encoder."""
    code = "\n".join(block.text for block in code_blocks)
    if "mlm" in prose.lower() and _MLM.search(prose) or ".mlm" in code and re.search(r"\.mlm\b", code):
        return True
    return False if api_generation is not None else None


def fine_tunable(metadata: Mapping[str, object], prose: str) -> bool | None:
    """The ``fine-tunable`` metadata as a bool, else what the prose says."""
    value = metadata.get("fine-tunable")
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    if isinstance(value, bool):
        return value
    if "trainable" not in prose:
        return None
    if _ALL_TRAINABLE.search(prose):
        return True
    if _NOT_TRAINABLE.search(prose):
        return False
    return None


def pooling(metadata: Mapping[str, object]) -> str | None:
    """How the card says its embeddings are pooled (``pooling``, one of `POOLINGS`), else None."""
    value = metadata.get("pooling")
    value = value.strip().lower() if isinstance(value, str) else None
    return value if value in POOLINGS else None


def normalize(metadata: Mapping[str, object]) -> bool | None:
    """Whether the card says its embeddings are L2-normalised (``normalize: true|false``), else None."""
    value = metadata.get("normalize")
    if isinstance(value, bool):  # a Hugging Face card's YAML
        return value
    value = value.strip().lower() if isinstance(value, str) else None
    return {"true": True, "false": False}.get(value) if value else None


def languages(metadata: Mapping[str, object], prose: str, names_to_ids: Mapping[str, str]) -> list[str]:
    """Language ids from metadata (``language``), else from "pre-trained for English"."""
    value = metadata.get("language")
    values = [value] if isinstance(value, str) else value if isinstance(value, list) else None
    if values is not None:
        # Some cards list several languages in one line: "language: as, bn, en".
        split = [part.strip() for v in values for part in str(v).split(",")]
        return list(dict.fromkeys(part for part in split if part))
    found: list[str] = []
    if "trained" not in prose:
        return found
    for match in _PRETRAINED_FOR.finditer(prose):
        lang = names_to_ids.get(match.group(1).lower())
        if lang and lang not in found:
            found.append(lang)
    return found


def tasks(metadata: Mapping[str, object]) -> list[str]:
    """``task`` values, or the older ``module-type`` when a card has no ``task``."""
    for key in ("task", "module-type"):
        value = metadata.get(key)
        if isinstance(value, str):
            return [value]
        if isinstance(value, list):
            return [str(v) for v in value]
    return []


def hf_tasks(metadata: Mapping[str, object], known_tasks: Iterable[str]) -> list[str]:
    """A Hugging Face card's tasks: its ``pipeline_tag``, then those of its ``tags`` that are tasks
    of `known_tasks` (tfhub.dev's task vocabulary)."""
    found = []
    pipeline = metadata.get("pipeline_tag")
    if isinstance(pipeline, str):
        found.append(pipeline)
    known = set(known_tasks)
    tags = metadata.get("tags")
    for tag in tags if isinstance(tags, list) else []:
        if isinstance(tag, str) and tag in known and tag not in found:
            found.append(tag)
    return found


def network_architectures(metadata: Mapping[str, object]) -> list[str]:
    """The ``network-architecture`` metadata (``transformer``, ``dan``...) as a list."""
    value = metadata.get("network-architecture")
    if isinstance(value, list):
        return [str(v) for v in value]
    return [value] if isinstance(value, str) else []


def license_id(metadata: Mapping[str, object]) -> str | None:
    """The license id a card states (``apache-2.0``, ``mit``): a TF Hub card's ``license`` metadata
    line or a Hugging Face card's ``license`` front matter, as written; None when it states none."""
    value = metadata.get("license")
    value = value.strip() if isinstance(value, str) else None
    return value or None


def model_format(kind: str | None, metadata: Mapping[str, object]) -> str | None:
    """The model's format: the ``format`` metadata, or the variant a kind implies."""
    value = metadata.get("format")
    if isinstance(value, str):
        return value
    return VARIANT_FORMATS.get(kind or "")


def hf_model_format(metadata: Mapping[str, object], prose: str) -> str | None:
    """A Hugging Face card's format: its ``format`` key, else ``saved_model_2`` when its library is
    TF Hub's or Keras's or its text speaks of a SavedModel."""
    value = metadata.get("format")
    if isinstance(value, str):
        return value
    if metadata.get("library_name") in ("tfhub", "tf-keras", "keras") or "SavedModel" in prose:
        return "saved_model_2"
    return None
