"""Every loading test runs in its own Hugging Face environment (see `tests.fixtures.hub.hf_isolated`)."""

import pytest


@pytest.fixture(autouse=True)
def _hf_isolated(hf_isolated):
    return hf_isolated
