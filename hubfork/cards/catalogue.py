"""The layout of a vendored tfhub.dev checkout: which of its files are cards.

A checkout of the tensorflow/tfhub.dev repository keeps its cards under
``assets/docs/`` and its tag vocabularies under ``tags/``; the markdown files
at its top (README.md) are about the repository, not models.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Iterable

from hubfork.cards.checks import HUBFORK_KEYS
from hubfork.cards.tfhub_format import parse_header
from hubfork.errors import CardError

#: Where a tfhub.dev checkout keeps its cards, relative to its top folder.
CATALOGUE_DOCS = ("assets", "docs")
#: Where it keeps its tag vocabularies (one YAML file per tag).
CATALOGUE_TAGS = "tags"


def is_catalogue_root(folder: Path) -> bool:
    """True for the top folder of a tfhub.dev checkout (it has ``assets/docs/`` and ``tags/``)."""
    try:
        return folder.joinpath(*CATALOGUE_DOCS).is_dir() and (folder / CATALOGUE_TAGS).is_dir()
    except OSError:
        return False


#: The catalogue's README, which lists the model assets tfhub.dev deleted.
CATALOGUE_README = "README.md"
# A link of that list: the card folder of a deleted model on GitHub,
# ``https://github.com/tensorflow/tfhub.dev/tree/master/assets/docs/<publisher>/models/<path>``.
_DELETED_LINK = re.compile(r"\(https://github\.com/tensorflow/tfhub\.dev/tree/[^/\s)]+/assets/docs/"
                           r"([\w.-]+/models/[\w./-]+?)/?\)")


def deleted_folders(root: Path) -> tuple[str, ...]:
    """The card folders (``<publisher>/models/<path>``, relative to ``assets/docs``) of the model
    assets the README of the catalogue at `root` says were deleted, in its order; none without a
    README. Every card under such a folder (each version and variant) is of a deleted model.

    Raises:
        OSError: the README exists but cannot be read.
    """
    try:
        text = (root / CATALOGUE_README).read_text(encoding="utf-8")
    except FileNotFoundError:
        return ()
    return tuple(dict.fromkeys(match.group(1) for match in _DELETED_LINK.finditer(text)
                               if ".." not in match.group(1).split("/")))


def deleted_cards(paths: Iterable[str | os.PathLike[str]]) -> set[str]:
    """Those of `paths` (as strings) that are cards of deleted models, in whatever catalogue (folder
    with ``assets/docs`` and ``tags``) each lies; each catalogue's list is read once.

    Raises:
        OSError: a catalogue's README exists but cannot be read.
    """
    # Plain string work: a build asks this of every card, and Path objects would cost it 50 ms.
    marker = os.sep + os.path.join(*CATALOGUE_DOCS) + os.sep
    prefixes: dict[str, tuple[str, ...]] = {}
    found = set()
    for path in map(os.fspath, paths):
        at = path.rfind(marker)
        if at >= 0:
            root, inside = path[:at] or os.sep, path[at + len(marker):]
        elif path.startswith(marker[1:]):
            root, inside = ".", path[len(marker) - 1:]
        else:
            continue
        if root not in prefixes:
            folder = Path(root)
            prefixes[root] = tuple(f"{d}/" for d in deleted_folders(folder)) if is_catalogue_root(folder) else ()
        if prefixes[root] and inside.replace(os.sep, "/").startswith(prefixes[root]):
            found.add(path)
    return found


# ----------------------------------------------------------------- project keys in catalogue cards
# hubfork may add its own metadata keys (`HUBFORK_KEYS`: where a model is mirrored, how its
# embeddings are pooled) to a vendored catalogue card and nothing else; a refresh from tfhub.dev
# keeps the catalogue's text and carries those lines over.


def project_key_lines(text: str, path: str = "<card>") -> list[tuple[str, str]]:
    """The metadata lines of a TF Hub card that state hubfork's own keys: (key, line as written), in order."""
    lines = text.split("\n")
    header = parse_header([line.rstrip("\r") for line in lines], path)
    return [(entry.key, lines[entry.line - 1]) for entry in header.metadata_lines if entry.key in HUBFORK_KEYS]


def with_project_keys(text: str, key_lines: list[tuple[str, str]], path: str = "<card>") -> str:
    """`text` (a catalogue card) with `key_lines` (from `project_key_lines`) added at the end of its
    metadata block, leaving out the keys it already states.

    Raises:
        CardError: the card has no metadata block to add them to (its first line is not a TF Hub card's).
    """
    lines = text.split("\n")
    header = parse_header([line.rstrip("\r") for line in lines], path)
    if header.kind is None:
        raise CardError([p for p in header.problems if p.severity == "error"])
    stated = {entry.key for entry in header.metadata_lines}
    new = [line for key, line in key_lines if key not in stated]
    if not new:
        return text
    # After the block's last metadata line, else where the block ends (before the body's first heading).
    at = header.metadata_lines[-1].line if header.metadata_lines else min(header.body_line - 1, len(lines))
    return "\n".join(lines[:at] + new + lines[at:])
