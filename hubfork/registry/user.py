"""The user's own registry: cards in ``$HUBFORK_HOME/cards`` that say where a TF Hub model now
lives, built into ``$HUBFORK_HOME/registry.yaml``, which `Registry.load` layers over the shipped one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from hubfork.cards.checks import is_hub_endpoint
from hubfork.cards.parser import read_card_file
from hubfork.cards.values import card_value_problem
from hubfork.errors import RegistryError, SourceError
from hubfork.handles import (
    KAGGLE_HOSTS,
    is_repo_id,
    is_revision,
    is_tfhub_handle,
    kaggle_url_to_model,
    split_url,
    tfhub_url_to_handle,
)
from hubfork.registry import store
from hubfork.registry.card_files import card_file_to_read
from hubfork.registry.entry import RegistryEntry
from hubfork.registry.registry import Registry, preferred
from hubfork.registry.update import put_card

# The card keys that say where a model is; a user's mapping replaces the shipped card's.
_SOURCE_KEY = re.compile(r"^\s*<!--\s*hub-(?:repo|endpoint)\s*:.*-->\s*$")

# What a card for a model the shipped registry does not know says besides its source: the
# metadata tfhub.dev required of a Module, with the values hubfork's hubs mostly hold (TF2
# SavedModel text encoders). The SavedModel itself decides how it is loaded.
_MINIMAL_CARD = """\
# Module {handle}
{handle}, mapped to a hub repo with hubfork registry add-source.

<!-- asset-path: legacy -->
<!-- fine-tunable: true -->
<!-- format: saved_model_2 -->
<!-- task: text-embedding -->
"""


@dataclass(frozen=True)
class AddedSource:
    """What `add_source` wrote."""

    handle: str
    card: Path
    registry: Registry
    #: The shipped entry the user's card was made from, if there was one.
    replaces: RegistryEntry | None


def add_source(name: str, repo: str, *, endpoint: str | None = None, base: Registry | None = None) -> AddedSource:
    """Record that the TF Hub model `name` (a handle, a tfhub.dev URL, or a Kaggle URL that an entry of
    `base` matches) is `repo` (``org/name[@revision]``, on `endpoint`, default the configured hub) in the
    user's registry, and rebuild it.

    The card is the shipped registry's (`base`, default `store.default_registry_path`) card for the
    handle with its source replaced, else a minimal Module card. It is written as
    `hubfork.registry.update.put_card` writes cards: atomically, under the registry's lock, and put
    back as it was when the rebuild fails.

    Raises:
        SourceError: `name`, `repo` or `endpoint` is malformed (nothing is written).
        CardError: the user's cards have errors (the registry is left as it was).
        RegistryError: the shipped card of the handle is not one `base` may read (outside its cards
            folder: `hubfork.registry.card_files`), or cannot be read (not a regular file, too large).
    """
    hub_repo = _hub_repo(repo)
    if endpoint is not None and not is_hub_endpoint(endpoint.strip()):
        raise SourceError(name, f"the endpoint must be an http(s) URL of a hub, 'embedded' or the file:///path "
                                f"of a local hub's folder, not {endpoint!r}")
    base = base if base is not None else Registry.load_file(store.default_registry_path())
    handle = _handle(name, base)
    shipped = preferred(base.find_all(handle))
    text = with_source(_card_text(handle, shipped, base), hub_repo, endpoint.strip().rstrip("/") if endpoint else None)
    card_file, built = put_card(text, store.user_cards_dir(), store.user_registry_path())
    return AddedSource(handle, card_file, built.registry, shipped)


def with_source(text: str, hub_repo: str, endpoint: str | None = None) -> str:
    """A TF Hub card's text with its ``hub-repo`` (and ``hub-endpoint``) replaced by these,
    placed at the end of the metadata block.

    Raises:
        SourceError: `hub_repo` or `endpoint` cannot be written into a card (`hubfork.cards.values`).
    """
    _check_value(hub_repo, "hub-repo", hub_repo)
    if endpoint is not None:
        _check_value(hub_repo, "hub-endpoint", endpoint)
    lines = text.splitlines()
    body = next((i for i in range(1, len(lines)) if lines[i].startswith("#")), len(lines))
    header = [line for line in lines[:body] if not _SOURCE_KEY.match(line)]
    end = max(i for i, line in enumerate(header) if line.strip()) + 1
    added = [f"<!-- hub-repo: {hub_repo} -->"] + ([f"<!-- hub-endpoint: {endpoint} -->"] if endpoint else [])
    return "\n".join(header[:end] + added + header[end:] + lines[body:]) + "\n"


def _handle(name: str, base: Registry) -> str:
    text = name.strip()
    parts = split_url(text)
    if parts is not None and parts.hostname in KAGGLE_HOSTS:
        return _kaggle_handle(name, base)
    if text.startswith(("http://", "https://")):
        converted = tfhub_url_to_handle(text)
        if converted is None:
            raise SourceError(name, "not a tfhub.dev model URL (https://tfhub.dev/publisher/name/version)")
        text = converted
    parts = text.split("/")
    if not is_tfhub_handle(text) or any(part.startswith(".") for part in parts):
        raise SourceError(name, "a TF Hub handle is publisher/name/version (letters, digits, '-', '_', '.'; "
                                "a version number last)")
    return text


def _kaggle_handle(name: str, base: Registry) -> str:
    # A Kaggle name is not a TF Hub handle; only the registry knows which handle it was.
    model = kaggle_url_to_model(name.strip())
    if model is None:
        raise SourceError(name, "not a Kaggle model URL (https://www.kaggle.com/models/owner/model/Framework/"
                                "variation/N, or .../frameworks/F/variations/V/versions/N)")
    entry = base.find_kaggle(model.publisher, model.model, model.variation, model.version)
    if entry is None or entry.version is None or not is_tfhub_handle(entry.handle):
        raise SourceError(name, f"no entry of {base.where} matches this Kaggle model; give its TF Hub handle "
                                "publisher/name/version instead")
    return entry.handle


def _hub_repo(repo: str) -> str:
    repo_id, at, revision = repo.strip().partition("@")
    if not is_repo_id(repo_id):
        raise SourceError(repo, "the hub repo must be a repo id org/name, optionally with @revision (each part "
                                "letters, digits, '-', '_', '.'; no '..' or '--')")
    if at and not is_revision(revision):
        raise SourceError(repo, f"{revision!r} is not a revision a hub takes (a branch, tag or commit)")
    return repo_id + (f"@{revision}" if at else "")


def _card_text(handle: str, shipped: RegistryEntry | None, base: Registry) -> str:
    """The shipped card of `handle` (its body keeps the facts derived from it), else one made from
    its entry, else a minimal card."""
    if shipped is None or shipped.family != "tfhub":
        return _MINIMAL_CARD.format(handle=handle)
    card_file = card_file_to_read(base, shipped)
    if card_file is None or not card_file.exists():
        return _from_entry(shipped)
    _, text, problem = read_card_file(card_file)
    if problem is not None:
        raise RegistryError(f"{problem.message}; it is the card of {handle} in {base.where}", path=str(card_file))
    return text


def _from_entry(entry: RegistryEntry) -> str:
    description = entry.description or entry.handle
    _check_value(entry.handle, "description", description)
    lines = [f"# {entry.kind} {entry.handle}", description, ""]
    for key, value in entry.metadata.items():
        _check_value(entry.handle, "metadata key", key)
        for item in value if isinstance(value, list) else [value]:
            _check_value(entry.handle, key, str(item))
            lines.append(f"<!-- {key}: {item} -->")
    return "\n".join(lines) + "\n"


def _check_value(name: str, key: str, value: str) -> None:
    """Refuse a value no card can hold: it could end its line and add metadata of its own."""
    problem = card_value_problem(value)
    if problem is not None:
        raise SourceError(name, f"the {key} value {value!r} {problem}")


__all__ = ["AddedSource", "add_source", "with_source"]
