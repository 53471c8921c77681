"""``hubfork embed`` pools and normalises as the model says when the caller does not:
all-MiniLM-L6-v2, by name through the embedded hub, gives sentence-transformers' embedding. The command
runs in this process (`run_cli_here`): what it prints is under test, not a fresh process, which
tests/cli/test_quiet.py and the loading tests run ``hubfork embed`` as."""

from __future__ import annotations

import json

import numpy as np

from tests.conftest import run_cli_here
from tests.fixtures.models import minilm_folder

TEXT = "hello world"


CARD = "the model card of hubfork/all-MiniLM-L6-v2/1"
#: The options given -> the note embed must print about the defaults it applied (None: no note).
NOTES = {
    (): f"hubfork: note: embeddings default to mean pooling, normalised, as {CARD} says",
    ("--pooling", "pooled", "--no-normalize"): None,
    ("--pooling", "pooled"): f"hubfork: note: embeddings default to being normalised, as {CARD} says",
}


def _embedding(*options: str) -> np.ndarray:
    result = run_cli_here("embed", "--model", "hubfork/all-MiniLM-L6-v2", *options, "--json", TEXT)
    assert result.returncode == 0, result.stderr
    # A note only for a default that applied, naming it.
    notes = [line for line in result.stderr.splitlines() if line.startswith("hubfork: note: embeddings")]
    assert notes == ([NOTES[options]] if NOTES[options] else []), result.stderr
    return np.array(json.loads(result.stdout)[0]["embedding"], np.float32)


def test_minilm_by_name_embeds_as_sentence_transformers_does(embedded_hub):
    from sentence_transformers import SentenceTransformer

    expected = SentenceTransformer(str(minilm_folder()), device="cpu").encode([TEXT])[0]
    got = _embedding()
    np.testing.assert_allclose(np.linalg.norm(got), 1.0, atol=1e-6)
    np.testing.assert_allclose(got, expected, atol=1e-5)

    pooled = _embedding("--pooling", "pooled", "--no-normalize")
    assert abs(np.linalg.norm(pooled) - 1.0) > 0.05  # the pooler output, not a unit vector
    assert not np.allclose(pooled, got, atol=1e-3)
    # The caller chose the pooling only; normalisation is still the model's.
    np.testing.assert_allclose(_embedding("--pooling", "pooled"), pooled / np.linalg.norm(pooled), atol=1e-6)
