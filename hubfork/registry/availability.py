"""Where an entry's model can be fetched: its official home, its mirrors, or nowhere.

One reading for every place that says it (the hub's choice of sources, ``show``, ``search
--has-source``, the web catalogue): a model of the vendored tfhub.dev catalogue that was not
deleted is served by tfhub.dev, whose links have redirected to Kaggle Models since 2023-11-15
(tensorflow_hub still downloads them); the 16 models the catalogue's README lists were deleted on
2024-03-18; a card's ``hub-repo`` sources are mirrors (or, in the user's registry, their own).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hubfork.constants import HF_CARD_KIND, STATUS_DELETED, TFHUB_DELETED_DATE

if TYPE_CHECKING:  # pragma: no cover
    from hubfork.cards.records import Source
    from hubfork.registry.entry import RegistryEntry

#: The folder of the vendored tfhub.dev catalogue, as it appears in an entry's card path.
CATALOGUE_FOLDER = "tfhub.dev"
#: The kinds of catalogue card whose model tfhub.dev serves: a model and its deployment formats
#: (Collections, Publishers and Placeholders name no files of their own).
SERVED_KINDS = ("Module", "Lite", "Tfjs", "Coral")
#: How the official source is named for people.
OFFICIAL_LABEL = "tfhub.dev (served by Kaggle Models)"
#: The one word `source_word` gives for where an entry's model can be fetched, in the order it decides:
#: tfhub.dev serves it (Kaggle Models), else a hub repo of its card (a mirror, or the user's own), else tfhub.dev
#: deleted it, else nothing is known (or the card names no files: a Collection, Publisher or Placeholder).
SOURCE_WORDS = ("tfhub.dev", "mirror", "deleted", "none")


def from_catalogue(entry: "RegistryEntry") -> bool:
    """Whether the entry's card is one of the vendored tfhub.dev catalogue's."""
    return CATALOGUE_FOLDER in entry.card_path.split("/")


def is_deleted(entry: "RegistryEntry") -> bool:
    """Whether tfhub.dev deleted the entry's model (it never moved to Kaggle Models)."""
    return entry.status == STATUS_DELETED


def on_tfhub(entry: "RegistryEntry") -> bool:
    """Whether tfhub.dev (Kaggle Models) serves the entry's model today."""
    return entry.kind in SERVED_KINDS and from_catalogue(entry) and not is_deleted(entry)


def source_text(source: "Source") -> str:
    """``org/repo@rev (endpoint)``: a mirror, for people."""
    return source.repo_id + (f"@{source.revision}" if source.revision else "") + (
        f" ({source.endpoint})" if source.endpoint else "")


def source_labels(entry: "RegistryEntry") -> list[str]:
    """Every source of the entry's model, for people: the official one first, then its mirrors, or
    ``deleted 2024-03-18`` when tfhub.dev deleted it (its mirrors, if any, still listed)."""
    labels = [OFFICIAL_LABEL] if on_tfhub(entry) else []
    if is_deleted(entry):
        labels.append(f"deleted {TFHUB_DELETED_DATE}")
    return labels + [source_text(source) for source in entry.sources]


def has_source(entry: "RegistryEntry") -> bool:
    """Whether any source serves the entry's model."""
    return on_tfhub(entry) or bool(entry.sources)


def source_word(entry: "RegistryEntry") -> str:
    """Where the entry's model can be fetched, in one of `SOURCE_WORDS` (for a table column or a badge)."""
    tfhub, mirror, deleted, none = SOURCE_WORDS
    if on_tfhub(entry):
        return tfhub
    if entry.sources:
        return mirror
    return deleted if is_deleted(entry) else none


def names_files(entry: "RegistryEntry") -> bool:
    """Whether the entry's card is of a model or a variant of one: files some source could serve (a
    Collection, Publisher or Placeholder card names none of its own)."""
    return entry.kind in SERVED_KINDS or entry.kind == HF_CARD_KIND


def no_source_text(entry: "RegistryEntry") -> str:
    """Why `source_labels` is empty, for people: a card that names no files, or a model no source is known for."""
    if not names_files(entry):
        return f"none: a {entry.kind} card names no model files of its own"
    return "none known"


def add_source_command(entry: "RegistryEntry") -> str | None:
    """The command that records a hub repo holding the entry's model (``hubfork registry add-source HANDLE
    REPO_ID[@REV]``, with placeholders for the repo), when no source serves the model and the command takes
    its handle: a TF Hub model's ``publisher/name/version`` (it maps the model, not a Lite/Tfjs/Coral variant
    of it, and no Hugging Face card). None otherwise."""
    if has_source(entry) or entry.kind != "Module" or entry.family != "tfhub" or entry.version is None:
        return None
    return f"hubfork registry add-source {entry.handle} org/repo@rev"


def status_text(entry: "RegistryEntry") -> str:
    """The entry's status for people: for a deleted model when and by whom, and whether a mirror still
    serves it (the only way to fetch it); otherwise the registry's status as it is ("" for none)."""
    if not is_deleted(entry):
        return entry.status or ""
    mirror = "a mirror serves it (see its sources)" if entry.sources else "no mirror of it is known"
    return f"deleted {TFHUB_DELETED_DATE}: tfhub.dev removed it; {mirror}"


__all__ = ["CATALOGUE_FOLDER", "SERVED_KINDS", "OFFICIAL_LABEL", "from_catalogue", "is_deleted", "on_tfhub",
           "source_text", "source_labels", "has_source", "SOURCE_WORDS", "source_word", "names_files", "no_source_text",
           "add_source_command", "status_text"]
