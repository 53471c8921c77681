"""Fixtures the CLI's model commands share with tests/models: the tiny vocab and the
real tiny encoders of every generation (re-exported, so they stay defined once),
and a preprocessor for them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.models.conftest import generations, tiny_config, tiny_vocab, tiny_weights  # noqa: F401 (fixtures)


@pytest.fixture(scope="session")
def tiny_preprocessor(tmp_path_factory, tiny_vocab) -> Path:  # noqa: F811 (the fixture, not the import)
    """An uncased preprocessor SavedModel on the tiny vocab, as hubfork writes them."""
    from hubfork.models.export.preprocessor import write_preprocessor

    return write_preprocessor(tmp_path_factory.mktemp("preprocess") / "preprocess", tiny_vocab, lower_case=True)
