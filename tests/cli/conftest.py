"""A preprocessor for the tiny encoders of every generation (`tests.fixtures.models`)
that the CLI's model commands run."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def tiny_preprocessor(tmp_path_factory, tiny_vocab) -> Path:
    """An uncased preprocessor SavedModel on the tiny vocab, as hubfork writes them."""
    from hubfork.models.export.preprocessor import write_preprocessor

    return write_preprocessor(tmp_path_factory.mktemp("preprocess") / "preprocess", tiny_vocab, lower_case=True)
