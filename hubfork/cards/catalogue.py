"""The layout of a vendored tfhub.dev checkout: which of its files are cards.

A checkout of the tensorflow/tfhub.dev repository keeps its cards under
``assets/docs/`` and its tag vocabularies under ``tags/``; the markdown files
at its top (README.md) are about the repository, not models.
"""

from __future__ import annotations

from pathlib import Path

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
