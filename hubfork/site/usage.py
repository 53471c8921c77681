"""The lines a page offers to copy for using its entry: ``hubfork pull``, the text-model
loader for text encoders, and plain ``tensorflow_hub`` calls by tfhub.dev URL after
``hubfork.install()`` (which fetches, scans and caches the model, from tfhub.dev or a mirror).

Only what works as written is offered: nothing for a Collection, Publisher or Placeholder (no files
of their own); for a model no source serves (deleted by tfhub.dev with no mirror, or a card naming
none), the ``hubfork registry add-source`` line that records one instead. ``hubfork show`` prints
the same lines (`use_lines`)."""

from __future__ import annotations

from dataclasses import dataclass

from hubfork.constants import HF_CARD_KIND, VARIANT_FORMATS
from hubfork.registry.availability import add_source_command, has_source, names_files
from hubfork.registry.entry import RegistryEntry

#: Tasks of models `hubfork.load_text_model` takes.
_TEXT_TASKS = ("text-embedding", "text-language-model", "text-classification")


@dataclass(frozen=True)
class Snippet:
    """A titled piece of code to copy."""

    title: str
    code: str


def tfhub_url(entry: RegistryEntry) -> str | None:
    """The tfhub.dev URL of the entry (a variant's with its ``<format>-model/``), as notebooks use it."""
    if entry.family != "tfhub" or entry.version is None or not entry.publisher or not entry.name:
        return None
    variant = VARIANT_FORMATS.get(entry.kind)
    middle = f"{variant}-model/" if variant else ""
    return f"https://tfhub.dev/{entry.publisher}/{middle}{entry.name}/{entry.version}"


def is_text_encoder(entry: RegistryEntry) -> bool:
    """A BERT-style text encoder `hubfork.load_text_model` loads: a model (not a variant) with a stated
    L/H/A size or text preprocessor, or a Hugging Face model with a text task."""
    if entry.kind not in ("Module", HF_CARD_KIND):
        return False
    if entry.architecture is not None or entry.preprocessor is not None:
        return True
    return entry.family == "huggingface" and any(task in _TEXT_TASKS for task in entry.tasks)


def snippets(entry: RegistryEntry) -> list[Snippet]:
    """What a page shows to copy for `entry` (see the module's docstring for when it is nothing)."""
    if not names_files(entry) or not has_source(entry):
        return []
    url = tfhub_url(entry)
    # The tfhub.dev URL is what users already have in their code; a registry handle names the rest.
    out = [Snippet("Download it", f"hubfork pull {url or entry.handle}")]
    if is_text_encoder(entry):
        out.append(Snippet("Load it as a text model", "import hubfork\n\n"
                           f'model = hubfork.load_text_model("{entry.handle}")\n'
                           'vectors = model.embed(["a text", "another"])'))
    if url and entry.kind == "Module":
        out.append(Snippet("Load it with tensorflow_hub", "import hubfork\nimport tensorflow_hub as hub\n\n"
                           "hubfork.install()  # hubfork fetches, scans and caches the model first\n"
                           f'layer = hub.KerasLayer("{url}")\n'
                           f'model = hub.load("{url}")'))
    return out


#: The headings of `use_lines`: lines that fetch and load the model, or the line that adds a source for it.
USE_IT, ADD_A_SOURCE = "Use it", "Add a source"


def use_lines(entry: RegistryEntry) -> tuple[str, list[Snippet]]:
    """What to copy to use `entry`, under its heading: `USE_IT` and its `snippets`; for a model no source
    serves, `ADD_A_SOURCE` and the line that records one (`add_source_command`); else no lines (a card that
    names no files, or one that command cannot map)."""
    command = add_source_command(entry)
    if command is not None:
        return ADD_A_SOURCE, [Snippet("No source is known: if a hub repo holds a copy, record it", command)]
    return USE_IT, snippets(entry)


__all__ = ["Snippet", "snippets", "USE_IT", "ADD_A_SOURCE", "use_lines", "tfhub_url", "is_text_encoder"]
