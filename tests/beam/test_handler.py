"""`TextEmbeddingModelHandler` in RunInference, unkeyed and keyed: each text's vector is `TextModel.embed`'s;
the model is resolved and scanned through hubfork when a worker loads it."""

from __future__ import annotations

import apache_beam as beam
import numpy as np
import pytest
from apache_beam.ml.inference.base import KeyedModelHandler, PredictionResult, RunInference
from apache_beam.testing.util import assert_that

from hubfork.beam import TextEmbeddingModelHandler
from hubfork.errors import UnsafeModelError
from tests.beam.conftest import texts

TEXTS = texts(40, seed=7)


def handler(tiny_model, **options) -> TextEmbeddingModelHandler:
    return TextEmbeddingModelHandler(str(tiny_model.encoder), **tiny_model.load_options(), **options)


def matches(want: dict[str, np.ndarray], model_id: str):
    """A Beam check: one result per expected text, each with its vector (keyed or not)."""

    def check(results):
        # Unkeyed: PredictionResults, found by their text; keyed: (key, PredictionResult).
        pairs = [(r.example, r) if isinstance(r, PredictionResult) else r for r in results]
        assert sorted(key for key, _ in pairs) == sorted(want)
        for key, result in pairs:
            assert result.model_id == model_id
            assert result.inference.dtype == np.float32
            np.testing.assert_allclose(result.inference, want[key], rtol=0, atol=1e-6)

    return check


def test_unkeyed(tiny_model, reference):
    model = handler(tiny_model, pooling="mean", normalize=True, max_batch_size=16, encoder_batch_size=8)
    want = dict(zip(TEXTS, reference.embed(TEXTS, pooling="mean", normalize=True)))
    with beam.Pipeline() as pipeline:
        results = pipeline | beam.Create(TEXTS) | RunInference(model)
        assert_that(results, matches(want, str(tiny_model.encoder)))


def test_keyed_with_inference_args(tiny_model, reference):
    """Keys come back with their texts' vectors; inference_args override the handler's pooling per call."""
    keyed = KeyedModelHandler(handler(tiny_model, pooling="mean", normalize=True))
    want = dict(zip((f"k{i}" for i in range(len(TEXTS))), reference.embed(TEXTS, pooling="cls", normalize=False)))
    with beam.Pipeline() as pipeline:
        results = (pipeline | beam.Create([(f"k{i}", t) for i, t in enumerate(TEXTS)])
                   | RunInference(keyed, inference_args={"pooling": "cls", "normalize": False}))
        assert_that(results, matches(want, str(tiny_model.encoder)))


def test_what_beam_asks_of_a_handler(tiny_model):
    # Fixed batches unless asked: Beam's adaptive batching would start at one text a batch.
    assert handler(tiny_model, max_batch_size=32).batch_elements_kwargs() == {"min_batch_size": 32,
                                                                              "max_batch_size": 32}
    model = handler(tiny_model, min_batch_size=4, max_batch_size=32)
    assert model.batch_elements_kwargs() == {"min_batch_size": 4, "max_batch_size": 32}
    assert model.get_num_bytes(["ab", "é"]) == 4
    assert model.get_metrics_namespace() == "hubfork"
    assert not model.share_model_across_processes()
    assert handler(tiny_model, share_model_across_processes=True).share_model_across_processes()
    with pytest.raises(ValueError, match="takes inference_args pooling, normalize; not batch"):
        model.validate_inference_args({"batch": 1})
    with pytest.raises(ValueError, match="unknown pooling 'max'"):
        handler(tiny_model, pooling="max")
    with pytest.raises(ValueError, match="min_batch_size <= max_batch_size"):
        handler(tiny_model, min_batch_size=8, max_batch_size=4)


def test_it_pickles_without_the_model(tiny_model):
    """Beam ships the handler to workers: it carries the name and options, and each worker loads the model."""
    import pickle

    copy = pickle.loads(pickle.dumps(handler(tiny_model, pooling="cls")))
    assert (copy.model_name, copy.pooling, copy.load_options) == (str(tiny_model.encoder), "cls",
                                                                  tiny_model.load_options())


def test_a_model_with_scan_findings_is_refused_unless_trusted(tmp_path):
    from tests.fixtures.crafted import PAYLOADS, SHAPES

    writer = next(p for p in PAYLOADS if p.key == "writefile")
    path, target = tmp_path / "evil", tmp_path / "written.out"
    SHAPES["call"][0](writer, path, target)
    with pytest.raises(UnsafeModelError, match="WriteFile"):
        TextEmbeddingModelHandler(str(path)).load_model()
    # Trusted, the scan is skipped and loading goes on to find it is no text encoder.
    with pytest.raises(Exception) as caught:
        TextEmbeddingModelHandler(str(path), trust=True).load_model()
    assert not isinstance(caught.value, UnsafeModelError)
    assert not target.exists()


def test_one_model_shared_by_the_processes_of_a_machine(tiny_model, reference):
    """share_model_across_processes: Beam serves one copy of the model from its own process; the vectors
    that come back through it are the same."""
    model = handler(tiny_model, pooling="mean", normalize=True, share_model_across_processes=True, max_batch_size=8)
    want = dict(zip(TEXTS, reference.embed(TEXTS, pooling="mean", normalize=True)))
    with beam.Pipeline() as pipeline:
        results = pipeline | beam.Create(TEXTS) | RunInference(model)
        assert_that(results, matches(want, str(tiny_model.encoder)))
