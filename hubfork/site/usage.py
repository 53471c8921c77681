"""The lines a page offers to copy for using its entry: ``hubfork pull``, the text-model
loader for text encoders, and plain ``tensorflow_hub`` calls by tfhub.dev URL (which
``hubfork.install()`` routes to the model's mirror)."""

from __future__ import annotations

from dataclasses import dataclass

from hubfork.constants import HF_CARD_KIND, VARIANT_FORMATS
from hubfork.registry.entry import RegistryEntry

#: Kinds a snippet can load: a model, or one of its converted variants.
_LOADABLE = ("Module", HF_CARD_KIND, *VARIANT_FORMATS)
#: Tasks of models `hubfork.load_text_model` takes.
_TEXT_TASKS = ("text-embedding", "text-language-model", "text-classification")


@dataclass(frozen=True)
class Snippet:
    """A titled piece of code to copy."""

    title: str
    code: str


def tfhub_url(entry: RegistryEntry) -> str | None:
    """The tfhub.dev URL notebooks used for the entry (a variant's with its ``<format>-model/``)."""
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
    """What a page shows to copy for `entry` (nothing for a collection, publisher or placeholder)."""
    if entry.kind not in _LOADABLE:
        return []
    url = tfhub_url(entry)
    name = url if entry.kind in VARIANT_FORMATS and url else entry.handle
    out = [Snippet("Download it", f"hubfork pull {name}")]
    if is_text_encoder(entry):
        out.append(Snippet("Load it as a text model", "import hubfork\n\n"
                           f'model = hubfork.load_text_model("{entry.handle}")\n'
                           'vectors = model.embed(["a text", "another"])'))
    if url and entry.kind == "Module":
        out.append(Snippet("Load it with tensorflow_hub", "import hubfork\nimport tensorflow_hub as hub\n\n"
                           "hubfork.install()  # tfhub.dev URLs now resolve through hubfork\n"
                           f'layer = hub.KerasLayer("{url}")\n'
                           f'model = hub.load("{url}")'))
    return out


__all__ = ["Snippet", "snippets", "tfhub_url", "is_text_encoder"]
