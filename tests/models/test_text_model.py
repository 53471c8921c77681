"""`hubfork.load_text_model` and `TextModel` against the pipelines people wire by
hand with tensorflow_hub, and against transformers and sentence-transformers.

Every encoder here is a real SavedModel written by hubfork's writers (the
`wide_encoders` fixture: the same weights in every generation), every
preprocessor a real TF Text SavedModel, every hub a real olah server.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import warnings
from pathlib import Path
from typing import Any

import huggingface_hub  # noqa: F401  (imported before any test sets HF_HUB_OFFLINE, which it reads once)
import numpy as np
import pytest

import hubfork
from hubfork.constants import GENERATIONS, POOLINGS
from hubfork.errors import ModelError, ModelFormatError, NoMaskedLMError, NotTrainableError, TextInputError
from hubfork.models import _tf, text_model
from hubfork.models.batching import length_batches
from tests.fixtures.models import ANIMAL_LABELS, ANIMAL_TEXTS, fit_until_loss_halves, minilm_folder, real_sentences

tf = _tf.tensorflow()
hub = _tf.tensorflow_hub()
keras = _tf.keras()
_tf.tensorflow_text()  # the preprocessors' ops

KEYS = ("input_word_ids", "input_mask", "input_type_ids")
#: Texts of the tiny vocab (and some it lacks), of different lengths, one of them empty.
TEXTS = ["the cat sat on the mat.", "Hello, world!", "A big dog is running fast, the small cat was slow!",
         "unaffable", "", "dog", "The Cat is BIG. the dog is small. the mat was big, a cat sat on a dog!"]


# ----------------------------------------------------------------------------- fixtures


class _Models(dict):
    """TextModels of each generation with the given preprocessor, loaded on first use."""

    def __init__(self, wide_encoders, preprocessor):
        super().__init__()
        self.wide_encoders, self.preprocessor = wide_encoders, preprocessor

    def __missing__(self, generation):
        self[generation] = hubfork.load_text_model(self.wide_encoders[generation], preprocessor=self.preprocessor)
        return self[generation]


@pytest.fixture(scope="module")
def models(wide_encoders, tiny_preprocessor):
    return _Models(wide_encoders, tiny_preprocessor)


def raw_encoder_outputs(generation: str, folder: Path, packed: dict) -> dict[str, np.ndarray]:
    """The encoder called as its generation's TF Hub docs call it: no hubfork code involved."""
    if generation == "tf1-hub":
        outputs = hub.load(str(folder)).signatures["tokens"](
            input_ids=tf.constant(packed["input_word_ids"]), input_mask=tf.constant(packed["input_mask"]),
            segment_ids=tf.constant(packed["input_type_ids"]))
        return {k: outputs[k].numpy() for k in ("pooled_output", "sequence_output")}
    layer = hub.KerasLayer(str(folder))
    if generation in ("v1", "v2"):
        pooled, sequence = layer([tf.constant(packed[k]) for k in KEYS])
        return {"pooled_output": pooled.numpy(), "sequence_output": sequence.numpy()}
    outputs = layer({k: tf.constant(packed[k]) for k in KEYS})
    return {"pooled_output": outputs["pooled_output"].numpy(), "sequence_output": outputs["sequence_output"].numpy(),
            "encoder_outputs": [o.numpy() for o in outputs["encoder_outputs"]]}


class HandWired:
    """hub.KerasLayer(preprocessor) at its fixed 128 tokens, then the raw encoder call; cached."""

    def __init__(self, wide_encoders, preprocessor):
        self.wide_encoders = wide_encoders
        self.preprocess = hub.KerasLayer(str(preprocessor))
        self._cache: dict = {}

    def packed(self, texts) -> dict[str, np.ndarray]:
        return {k: v.numpy() for k, v in self.preprocess(tf.constant(list(texts))).items()}

    def outputs(self, generation, texts):
        key = (generation, tuple(texts))
        if key not in self._cache:
            packed = self.packed(texts)
            assert packed["input_word_ids"].shape == (len(texts), 128)
            self._cache[key] = packed, raw_encoder_outputs(generation, self.wide_encoders[generation], packed)
        return self._cache[key]

    def embed(self, generation, texts, pooling="pooled", normalize=False) -> np.ndarray:
        packed, outputs = self.outputs(generation, texts)
        return pool(packed, outputs, pooling, normalize)


def pool(packed, outputs, pooling, normalize) -> np.ndarray:
    if pooling == "pooled":
        vectors = outputs["pooled_output"]
    elif pooling == "cls":
        vectors = outputs["sequence_output"][:, 0]
    else:
        mask = packed["input_mask"][..., None].astype(np.float32)
        vectors = (outputs["sequence_output"] * mask).sum(1) / mask.sum(1)
    if normalize:
        vectors = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors


@pytest.fixture(scope="module")
def hand_wired(wide_encoders, tiny_preprocessor) -> HandWired:
    return HandWired(wide_encoders, tiny_preprocessor)


def max_diff(a, b) -> float:
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape, (a.shape, b.shape)
    return float(np.max(np.abs(a - b))) if a.size else 0.0


# ----------------------------------------------------------------------------- every generation


@pytest.mark.parametrize("generation", GENERATIONS)
def test_facts_of_each_generation(models, generation, tiny_preprocessor, wide_encoders):
    model = models[generation]
    assert model.generation == generation
    assert model.outputs == (("pooled_output", "sequence_output", "encoder_outputs") if generation in ("v3", "v4")
                             else ("pooled_output", "sequence_output"))
    assert model.has_mlm is (generation == "v4")
    assert model.preprocessor_source == "given" and model.preprocessor.path == tiny_preprocessor
    assert model.path == wide_encoders[generation] and model.name == str(wide_encoders[generation])
    assert model.device == default_device() and model.notes == []


@pytest.mark.parametrize("generation", GENERATIONS)
def test_embed_equals_the_hand_wired_tensorflow_hub_pipeline(models, hand_wired, generation, tiny_config):
    model = models[generation]
    for pooling in POOLINGS:
        for normalize in (False, True):
            ours = model.embed(TEXTS, pooling=pooling, normalize=normalize)
            theirs = hand_wired.embed(generation, TEXTS, pooling, normalize)
            assert ours.dtype == np.float32 and ours.shape == (len(TEXTS), tiny_config.hidden_size)
            assert max_diff(ours, theirs) <= 1e-5, (pooling, normalize)
            if normalize:
                np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-6)
    # The three poolings are different things.
    pooled, mean, cls = (model.embed(TEXTS, pooling=p) for p in ("pooled", "mean", "cls"))
    assert max_diff(pooled, mean) > 1e-3 and max_diff(mean, cls) > 1e-3 and max_diff(pooled, cls) > 1e-3


@pytest.mark.parametrize("generation", GENERATIONS)
def test_keras_model_equals_the_hand_wired_pipeline(models, hand_wired, generation):
    model = models[generation]
    packed, theirs = hand_wired.outputs(generation, TEXTS)
    outputs = model.keras_model()(tf.constant(TEXTS))
    assert set(outputs) == set(model.outputs)
    assert max_diff(outputs["pooled_output"], theirs["pooled_output"]) <= 1e-5
    assert max_diff(outputs["sequence_output"], theirs["sequence_output"]) <= 1e-5
    if "encoder_outputs" in model.outputs:
        assert len(outputs["encoder_outputs"]) == len(theirs["encoder_outputs"]) == 2
        for ours, raw in zip(outputs["encoder_outputs"], theirs["encoder_outputs"]):
            assert max_diff(ours, raw) <= 1e-5
    # One output by name is that tensor; the embed() of the same texts agrees with it.
    pooled = model.keras_model(outputs="pooled_output")(tf.constant(TEXTS))
    assert max_diff(pooled, model.embed(TEXTS)) <= 1e-5


def test_keras_model_at_another_seq_length_and_unknown_outputs(models, tiny_preprocessor):
    model = models["v3"]
    short = model.keras_model(seq_length=8, outputs=["sequence_output"])(tf.constant(TEXTS))
    assert set(short) == {"sequence_output"} and short["sequence_output"].shape[1] == 8
    pre = hub.load(str(tiny_preprocessor))
    packed = pre.bert_pack_inputs([pre.tokenize(tf.constant(TEXTS))], seq_length=tf.constant(8))
    theirs = hub.KerasLayer(str(model.path))(packed)["sequence_output"]
    assert max_diff(short["sequence_output"], theirs) <= 1e-5
    with pytest.raises(ModelError, match="a v2 encoder has no output 'encoder_outputs'"):
        models["v2"].keras_model(outputs="encoder_outputs")


# ----------------------------------------------------------------------------- pairing

TINY_HANDLE = "hubfork-test/tiny_bert/1"
TINY_PREPROCESS_HANDLE = "hubfork-test/tiny_bert_preprocess/1"
TINY_REPO = "hubfork-test/tiny-bert"
TINY_PREPROCESS_REPO = "hubfork-test/tiny-bert_preprocess"

ENCODER_CARD = """\
# Module {handle}
A tiny random BERT for hubfork's text model tests.

<!-- asset-path: legacy -->
<!-- fine-tunable: true -->
<!-- format: saved_model_2 -->
<!-- task: text-embedding -->
{hub_repo}

## Overview

A BERT encoder with random weights: 2 layers, hidden size 32, 2 attention heads.

## Usage

```python
preprocessor = hub.KerasLayer("https://tfhub.dev/{preprocessor}")
encoder = hub.KerasLayer("https://tfhub.dev/{handle}", trainable=True)
outputs = encoder(preprocessor(sentences))
```
"""

PREPROCESSOR_CARD = """\
# Module {handle}
Text preprocessing for the tiny random BERT of hubfork's text model tests.

<!-- asset-path: legacy -->
<!-- fine-tunable: false -->
<!-- format: saved_model_2 -->
<!-- task: text-preprocessing -->
<!-- hub-repo: {repo}@v1 -->

## Overview

Uncased WordPiece tokenization and BERT input packing.
"""


@pytest.fixture(scope="module")
def tiny_hub(tmp_path_factory, wide_encoders, tiny_preprocessor):
    """A local hub (olah, loopback, free port) holding the v3 encoder and its preprocessor,
    and a registry built from TF Hub cards that point at its repos."""
    from hubfork.hub.local_hub import LocalHub
    from hubfork.registry.build import build_registry

    root = tmp_path_factory.mktemp("tiny-hub")
    local = LocalHub(root / "hub").init()
    local.add(wide_encoders["v3"], TINY_REPO, tag="v1")
    local.add(tiny_preprocessor, TINY_PREPROCESS_REPO, tag="v1")
    cards = root / "cards" / "hubfork-test" / "models"
    (cards / "tiny_bert").mkdir(parents=True)
    (cards / "tiny_bert_preprocess").mkdir(parents=True)
    (cards / "tiny_bert" / "1.md").write_text(ENCODER_CARD.format(
        handle=TINY_HANDLE, hub_repo=f"<!-- hub-repo: {TINY_REPO}@v1 -->", preprocessor=TINY_PREPROCESS_HANDLE))
    (cards / "tiny_bert_preprocess" / "1.md").write_text(PREPROCESSOR_CARD.format(
        handle=TINY_PREPROCESS_HANDLE, repo=TINY_PREPROCESS_REPO))
    registry = build_registry(root / "cards", root / "registry.yaml", jobs=1).path
    server = local.start(port=0)
    try:
        yield server.endpoint, registry
    finally:
        server.stop()
        assert not server.running()


@pytest.fixture
def hf_on(tmp_path, monkeypatch):
    """A fresh Hugging Face cache and home for this test, no token, online; returns a function
    that points HF_ENDPOINT at a hub."""
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf-cache"))
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    return lambda endpoint: monkeypatch.setenv("HF_ENDPOINT", endpoint)


def test_companion_named_by_the_registry_entry(tiny_hub, hf_on, tmp_path, models, tiny_preprocessor):
    endpoint, registry = tiny_hub
    hf_on(endpoint)
    from hubfork.registry.registry import Registry

    assert Registry.load(registry).get(TINY_HANDLE).preprocessor == TINY_PREPROCESS_HANDLE
    model = hubfork.load_text_model(TINY_HANDLE, registry=registry)
    assert model.generation == "v3" and model.preprocessor_source == "companion" and model.notes == []
    # Both came from the hub into this test's Hugging Face cache.
    cache = tmp_path / "hf-cache"
    assert model.path.is_relative_to(cache / "models--hubfork-test--tiny-bert")
    assert model.preprocessor.path.is_relative_to(cache / "models--hubfork-test--tiny-bert_preprocess")
    assert (model.preprocessor.path / "saved_model.pb").read_bytes() == \
        (tiny_preprocessor / "saved_model.pb").read_bytes()
    assert max_diff(model.embed(TEXTS, pooling="mean"), models["v3"].embed(TEXTS, pooling="mean")) <= 1e-6


def _with_card(folder: Path, target: Path, card: str) -> Path:
    shutil.copytree(folder, target)
    (target / "README.md").write_text(card, encoding="utf-8")
    return target


def test_companion_named_by_the_card_in_the_model_folder(tiny_hub, hf_on, tmp_path, wide_encoders, models):
    endpoint, registry = tiny_hub
    hf_on(endpoint)
    card = ENCODER_CARD.format(handle="hubfork-test/tiny_bert_local/1", hub_repo="",
                               preprocessor=TINY_PREPROCESS_HANDLE)
    folder = _with_card(wide_encoders["v2"], tmp_path / "carded", card)
    model = hubfork.load_text_model(folder, registry=registry)
    assert model.generation == "v2" and model.preprocessor_source == "companion"
    assert model.preprocessor.path.is_relative_to(tmp_path / "hf-cache" / "models--hubfork-test--tiny-bert_preprocess")
    assert max_diff(model.embed(TEXTS), models["v2"].embed(TEXTS)) <= 1e-6


def test_a_given_preprocessor_wins_over_the_companion(tiny_hub, hf_on, tiny_preprocessor):
    endpoint, registry = tiny_hub
    hf_on(endpoint)
    model = hubfork.load_text_model(TINY_HANDLE, registry=registry, preprocessor=tiny_preprocessor)
    assert model.preprocessor_source == "given" and model.preprocessor.path == tiny_preprocessor


def test_preprocessor_built_from_the_encoders_vocab(wide_encoders, models, tmp_path, monkeypatch):
    """tf1-hub by its tokenization_info signature, v2 and v3 by .vocab_file: the same ids as the
    companion, and written once into hubfork's cache."""
    monkeypatch.setenv("HUBFORK_CACHE", str(tmp_path / "hubfork-cache"))
    companion = models["v3"].preprocessor  # the v3 encoder loaded with the companion preprocessor
    sentences = TEXTS + real_sentences(31)  # an even number, split into pairs below
    expected = companion.pack(sentences)
    expected_pairs = companion.pack_pairs(sentences[::2], sentences[1::2])
    built = set()
    for generation in ("tf1-hub", "v2", "v3"):
        model = hubfork.load_text_model(wide_encoders[generation])
        assert model.generation == generation and model.preprocessor_source == "vocab", generation
        assert model.notes == []
        path = model.preprocessor.path
        assert path.is_relative_to(tmp_path / "hubfork-cache" / "preprocessors") and path.name.endswith("-uncased-128")
        built.add(path)
        packed = model.preprocessor.pack(sentences)
        pairs = model.preprocessor.pack_pairs(sentences[::2], sentences[1::2])
        for key in KEYS:
            np.testing.assert_array_equal(packed[key], expected[key], err_msg=f"{generation} {key}")
            np.testing.assert_array_equal(pairs[key], expected_pairs[key], err_msg=f"{generation} {key}")
        assert model.preprocessor.special_tokens() == companion.special_tokens()
    assert len(built) == 1  # one vocab, one casing, one length: written once, reused


def test_no_vocab_and_no_companion_is_refused(tmp_path, tiny_config, tiny_weights):
    from hubfork.models.export.encoder import build_keras_model

    bare = tmp_path / "bare"
    keras.models.save_model(build_keras_model(tiny_config, tiny_weights, "v3"), str(bare), save_format="tf",
                            include_optimizer=False)
    with pytest.raises(ModelFormatError, match="no preprocessor for this v3 encoder") as caught:
        hubfork.load_text_model(bare)
    assert str(bare) in str(caught.value) and "vocab" in str(caught.value)


def test_a_companion_that_cannot_be_fetched_falls_back_to_the_vocab(tiny_hub, hf_on, tmp_path, wide_encoders,
                                                                     models, monkeypatch):
    _, registry = tiny_hub
    hf_on("http://127.0.0.1:9")  # never asked: offline
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    card = ENCODER_CARD.format(handle="hubfork-test/tiny_bert_local/1", hub_repo="",
                               preprocessor=TINY_PREPROCESS_HANDLE)
    folder = _with_card(wide_encoders["v3"], tmp_path / "carded", card)
    model = hubfork.load_text_model(folder, registry=registry)  # the companion is not in the empty cache
    assert model.preprocessor_source == "vocab"
    (note,) = model.notes
    assert TINY_PREPROCESS_HANDLE in note and "could not be fetched" in note and "vocab" in note
    assert max_diff(model.embed(TEXTS), models["v3"].embed(TEXTS)) <= 1e-6


# ----------------------------------------------------------------------------- dynamic padding and inputs


@pytest.fixture(scope="module")
def sentences() -> list[str]:
    return real_sentences(40)


@pytest.mark.parametrize("generation", ["tf1-hub", "v1", "v3"])
def test_dynamic_padding_agrees_with_fixed_128(models, hand_wired, sentences, generation):
    model = models[generation]
    widths = {batch.width for batch in length_batches(model.preprocessor.pack(sentences), 3)}
    assert len(widths) >= 3 and min(widths) < 64  # the batches really are cut to different widths
    for pooling in ("mean", "pooled"):
        ours = model.embed(sentences, pooling=pooling, batch_size=3)
        assert max_diff(ours, hand_wired.embed(generation, sentences, pooling)) <= 1e-5, pooling


def test_results_come_back_in_the_callers_order(models, hand_wired, sentences):
    order = np.random.default_rng(0).permutation(len(sentences))
    shuffled = [sentences[i] for i in order]
    ours = models["v3"].embed(shuffled, pooling="mean", batch_size=4)
    assert max_diff(ours, hand_wired.embed("v3", sentences, "mean")[order]) <= 1e-5


def test_texts_are_embedded_in_chunks(models, hand_wired, sentences, monkeypatch):
    texts = sentences[:11]
    first, second = sentences[11:17], sentences[17:23]
    pairs = models["v3"].embed_pairs(first, second, batch_size=3)  # one chunk
    monkeypatch.setattr(text_model, "CHUNK", 4)  # 11 texts: chunks of 4, 4 and 3; 6 pairs: 4 and 2
    ours = models["v3"].embed(texts, pooling="mean", batch_size=3)
    assert max_diff(ours, hand_wired.embed("v3", texts, "mean")) <= 1e-5
    assert max_diff(models["v3"].embed_pairs(first, second, batch_size=3), pairs) <= 1e-5


def _spy_batches(model, monkeypatch) -> list[tuple[Any, tuple[int, int]]]:
    """Record (function key, [rows, width]) of every batch `model` runs."""
    seen: list[tuple[Any, tuple[int, int]]] = []
    run = model._run

    def spy(key, inputs):
        for batch in inputs if isinstance(inputs, tuple) else (inputs,):
            seen.append((key, batch["input_word_ids"].shape))
        return run(key, inputs)

    monkeypatch.setattr(model, "_run", spy)
    return seen


def test_batches_are_sized_by_tokens_cut_exactly_and_come_back_in_order(models, hand_wired, sentences,
                                                                         monkeypatch):
    model = dataclasses.replace(models["v3"])  # a model of its own: the spy stays on it
    order = np.random.default_rng(1).permutation(len(sentences))
    shuffled = [sentences[i] for i in order]
    seen = _spy_batches(model, monkeypatch)
    ours = model.embed(shuffled, pooling="mean", normalize=True, batch_size=4)
    assert max_diff(ours, hand_wired.embed("v3", sentences, "mean", normalize=True)[order]) <= 1e-5
    shapes = [shape for _, shape in seen]
    sizes = text_model.lengths(model.preprocessor.pack(shuffled))
    budget = text_model.token_budget(model.preprocessor.pack(shuffled), 4, multiple=1)
    assert sum(rows for rows, _ in shapes) == len(sentences)
    assert len({rows for rows, _ in shapes}) >= 3  # short texts get more rows than long ones
    assert all(rows * width <= budget or rows == 1 for rows, width in shapes)
    # Without XLA each batch is as wide as its longest text, not a rounded bucket.
    assert shapes[0][1] == sizes.max() and any(width % 8 for _, width in shapes)
    assert {key[-1] for key, _ in seen} == {False}


def _spy_calls(model, monkeypatch) -> list[int]:
    """Record how many batches each of `model`'s embedding calls hands TensorFlow."""
    calls: list[int] = []
    run = model._run

    def spy(key, inputs):
        calls.append(len(inputs))
        return run(key, inputs)

    monkeypatch.setattr(model, "_run", spy)
    return calls


def test_two_batches_go_to_tensorflow_in_one_call_with_the_same_numbers(models, sentences, monkeypatch):
    model = dataclasses.replace(models["v3"], _functions={})
    calls = _spy_calls(model, monkeypatch)
    paired = model.embed(sentences, pooling="mean", normalize=True, batch_size=4)
    assert text_model.BATCHES_PER_CALL == 2 and len(calls) >= 3
    assert set(calls[:-1]) == {2} and calls[-1] in (1, 2)
    calls.clear()
    monkeypatch.setattr(text_model, "BATCHES_PER_CALL", 1)
    single = model.embed(sentences, pooling="mean", normalize=True, batch_size=4)
    assert set(calls) == {1}
    assert max_diff(paired, single) <= 1e-6
    xla = dataclasses.replace(models["v3"], jit_compile=True, _functions={})
    calls = _spy_calls(xla, monkeypatch)
    monkeypatch.setattr(text_model, "BATCHES_PER_CALL", 2)
    assert max_diff(xla.embed(sentences[:12], pooling="mean", normalize=True, batch_size=4), paired[:12]) <= 1e-5
    assert set(calls) == {1}  # XLA would compile every pair of widths


def test_xla_is_chosen_by_the_number_of_tokens(models):
    auto = dataclasses.replace(models["v3"], jit_compile=None)
    assert not auto.use_xla(text_model.XLA_AUTO_MIN_TOKENS - 1)
    assert auto.use_xla(text_model.XLA_AUTO_MIN_TOKENS)
    assert dataclasses.replace(models["v3"], jit_compile=True).use_xla(0)
    assert not dataclasses.replace(models["v3"], jit_compile=False).use_xla(10 ** 9)


def test_automatic_xla_gives_the_same_numbers_in_order(models, hand_wired, sentences, monkeypatch):
    texts = sentences[:16]
    tokens = int(text_model.lengths(models["v3"].preprocessor.pack(texts)).sum())
    auto = dataclasses.replace(models["v3"], jit_compile=None, _functions={})
    seen = _spy_batches(auto, monkeypatch)
    monkeypatch.setattr(text_model, "XLA_AUTO_MIN_TOKENS", tokens + 1)
    short = auto.embed(texts, pooling="mean", batch_size=8)  # one token short of the threshold: plain
    assert {key[-1] for key, _ in seen} == {False}
    seen.clear()
    monkeypatch.setattr(text_model, "XLA_AUTO_MIN_TOKENS", tokens)
    long = auto.embed(texts[::-1], pooling="mean", batch_size=8)
    assert {key[-1] for key, _ in seen} == {True}
    assert all(width % text_model.DEFAULT_MULTIPLE == 0 for _, (_, width) in seen)  # few shapes to compile
    reference = hand_wired.embed("v3", texts, "mean")
    assert max_diff(short, reference) <= 1e-5
    assert max_diff(long, reference[::-1]) <= 1e-5


def test_empty_and_single_inputs(models, tiny_config):
    model = models["v3"]
    for pooling in POOLINGS:
        empty = model.embed([], pooling=pooling)
        assert empty.shape == (0, tiny_config.hidden_size) and empty.dtype == np.float32
    assert model.embed_pairs([], []).shape == (0, tiny_config.hidden_size)
    one = model.embed("the cat sat on the mat.", pooling="mean")
    assert one.shape == (tiny_config.hidden_size,)
    assert max_diff(one, model.embed(["the cat sat on the mat."], pooling="mean")[0]) <= 1e-6
    assert model.embed(("a", "dog")).shape == (2, tiny_config.hidden_size)  # any sequence of strings
    pair = model.embed_pairs("the cat", "a dog")
    assert pair.shape == (tiny_config.hidden_size,)


def test_bad_text_inputs_are_refused_naming_the_item(models):
    model = models["v3"]
    with pytest.raises(TextInputError, match=r"texts\[2\] is a int, not a string"):
        model.embed(["a", "b", 3])
    with pytest.raises(TextInputError, match=r"texts\[1\] is a NoneType"):
        model.embed(["a", None])
    with pytest.raises(TextInputError, match=r"texts\[0\] is a bytes"):
        model.embed([b"bytes"])
    with pytest.raises(TextInputError, match="texts must be a string or a sequence of strings, not bytes"):
        model.embed(b"bytes")
    with pytest.raises(TextInputError, match="not int"):
        model.embed(5)
    with pytest.raises(TextInputError, match=r"second\[1\] is a float"):
        model.embed_pairs(["a", "b"], ["c", 1.5])
    with pytest.raises(TextInputError, match=r"texts\[1\]"):
        model.similarity(["a", 2])
    with pytest.raises(ModelError, match="unknown pooling 'max'"):
        model.embed(["a"], pooling="max")
    assert isinstance(TextInputError("x"), ValueError)


def test_similarity_is_the_cosine_of_mean_embeddings(models, hand_wired):
    matrix = models["v3"].similarity(TEXTS)
    vectors = hand_wired.embed("v3", TEXTS, "mean", normalize=True)
    assert matrix.shape == (len(TEXTS), len(TEXTS))
    assert max_diff(matrix, vectors @ vectors.T) <= 1e-5
    np.testing.assert_allclose(np.diag(matrix), 1.0, atol=1e-5)


# ----------------------------------------------------------------------------- XLA


def test_jit_compile_gives_the_same_numbers(wide_encoders, tiny_preprocessor, models, sentences):
    model = hubfork.load_text_model(wide_encoders["v3"], preprocessor=tiny_preprocessor, jit_compile=True)
    assert model.jit_compile is True
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # v3 compiles: no fallback
        for pooling in ("pooled", "mean"):  # XLA compiles once per shape: two batches of 8 are enough
            ours = model.embed(sentences[:16], pooling=pooling, normalize=True, batch_size=8)
            plain = models["v3"].embed(sentences[:16], pooling=pooling, normalize=True, batch_size=8)
            assert max_diff(ours, plain) <= 1e-5, pooling


def test_jit_compile_on_a_tf1_module_falls_back_to_plain(wide_encoders, tiny_preprocessor, hand_wired):
    model = hubfork.load_text_model(wide_encoders["tf1-hub"], preprocessor=tiny_preprocessor, jit_compile=True)
    with pytest.warns(RuntimeWarning, match="XLA could not compile this model") as caught:
        first = model.embed(TEXTS, pooling="mean")
    assert str(wide_encoders["tf1-hub"]) in str(caught[0].message)
    assert max_diff(first, hand_wired.embed("tf1-hub", TEXTS, "mean")) <= 1e-5
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # the fallback is kept: no second warning
        assert max_diff(model.embed(TEXTS, pooling="mean"), first) <= 1e-6


# ----------------------------------------------------------------------------- fill-mask

MASKED = ["the cat [MASK] on the mat.", "a [MASK] dog is [MASK] fast!", "[MASK]", "Hello [MASK], the world was big.",
          "[MASK] [MASK] sat on a small dog, the cat was slow.", "The big [MASK] was small."]


@pytest.fixture(scope="module")
def mlm_checkpoint(tmp_path_factory, tiny_vocab):
    """A Hugging Face BertForMaskedLM folder with random weights (hubfork's random_weights, wide
    enough that the masked-token probabilities are far from uniform), and its v4 conversion."""
    from safetensors.numpy import save_file

    from hubfork.models.config import BertConfig
    from hubfork.models.weight_table import MLM_KEYS
    from hubfork.models.weights import random_weights

    config = BertConfig(vocab_size=len(tiny_vocab.read_text().splitlines()), hidden_size=32, num_hidden_layers=2,
                        num_attention_heads=2, intermediate_size=64, max_position_embeddings=128,
                        initializer_range=0.2)
    weights = random_weights(config, seed=11)
    assert set(MLM_KEYS) <= set(weights)  # the masked-LM head is there
    folder = tmp_path_factory.mktemp("hf-mlm") / "checkpoint"
    folder.mkdir()
    tensors = {(key if key.startswith("cls.") else f"bert.{key}"): value for key, value in weights.items()}
    save_file(tensors, str(folder / "model.safetensors"))
    hf_config = {**config.to_dict(), "model_type": "bert", "architectures": ["BertForMaskedLM"],
                 "pad_token_id": 0}
    (folder / "config.json").write_text(json.dumps(hf_config, indent=2))
    (folder / "tokenizer_config.json").write_text(json.dumps({"do_lower_case": True}))
    shutil.copy(tiny_vocab, folder / "vocab.txt")
    result = hubfork.convert(folder.parent / "v4", "v4", checkpoint=folder)
    assert result.generation == "v4" and result.do_lower_case is True and result.notes == []
    return folder, result.encoder_dir


@pytest.fixture(scope="module")
def fill_mask_model(mlm_checkpoint, tiny_preprocessor):
    return hubfork.load_text_model(mlm_checkpoint[1], preprocessor=tiny_preprocessor)


def test_fill_mask_ranks_match_transformers(mlm_checkpoint, fill_mask_model, tiny_vocab):
    import transformers

    folder, _ = mlm_checkpoint
    reference, info = transformers.BertForMaskedLM.from_pretrained(str(folder), output_loading_info=True)
    assert not info["missing_keys"] and not info["mismatched_keys"]  # the pooler is unexpected: no matter
    # From the folder (its vocab.txt): transformers 5 ignores BertTokenizerFast(vocab_file=...) without a word.
    tokenizer = transformers.BertTokenizerFast.from_pretrained(str(folder), do_lower_case=True)
    assert tokenizer.get_vocab() == {token: i for i, token in enumerate(tiny_vocab.read_text().splitlines())}
    # The same ids go in on both sides.
    packed = fill_mask_model.preprocessor.pack(MASKED)
    for i, text in enumerate(MASKED):
        ids = tokenizer(text)["input_ids"]
        assert packed["input_word_ids"][i, :len(ids)].tolist() == ids and packed["input_mask"][i].sum() == len(ids)
    top_k = 5
    fill = transformers.pipeline("fill-mask", model=reference.eval(), tokenizer=tokenizer, top_k=top_k,
                                 device="cpu")
    ours = fill_mask_model.fill_mask(MASKED, top_k=top_k, batch_size=4)
    assert fill_mask_model.mask_id() == 7 == tokenizer.mask_token_id
    vocab = tiny_vocab.read_text().splitlines()
    for text, mine in zip(MASKED, ours):
        theirs = fill(text)
        per_mask = theirs if isinstance(theirs[0], list) else [theirs]  # the pipeline nests only for several masks
        assert len(mine) == len(per_mask) == text.count("[MASK]"), text
        for predictions, expected in zip(mine, per_mask):
            scores = [e["score"] for e in expected]
            # the ranks are well defined: no two candidates within float noise of each other
            assert min(a - b for a, b in zip(scores, scores[1:])) > 1e-4, text
            assert [p.token_id for p in predictions] == [e["token"] for e in expected], text
            assert [p.token for p in predictions] == [vocab[e["token"]] for e in expected]
            assert max_diff([p.score for p in predictions], scores) <= 1e-5, text
    # The masks of one text are predicted separately: the two masks of text 1 differ.
    assert [p.token_id for p in ours[1][0]] != [p.token_id for p in ours[1][1]]


def test_fill_mask_probabilities_are_a_softmax_over_the_vocab(fill_mask_model, tiny_vocab):
    size = len(tiny_vocab.read_text().splitlines())
    (predictions,) = fill_mask_model.fill_mask("the cat [MASK] on the mat.", top_k=size)
    assert sorted(p.token_id for p in predictions) == list(range(size))
    assert abs(sum(p.score for p in predictions) - 1.0) <= 1e-5
    assert [p.score for p in predictions] == sorted((p.score for p in predictions), reverse=True)
    single = fill_mask_model.fill_mask("the cat [MASK] on the mat.", top_k=3)
    assert [[p.token_id for p in m] for m in single] == [[p.token_id for p in predictions[:3]]]


def test_fill_mask_refusals(fill_mask_model, models, tiny_vocab):
    with pytest.raises(TextInputError, match=r"text 1 has no \[MASK\] token: 'the cat sat'"):
        fill_mask_model.fill_mask(["a [MASK]", "the cat sat"])
    with pytest.raises(NoMaskedLMError, match="a v3 encoder has no masked-LM head") as caught:
        models["v3"].fill_mask("the [MASK] sat")
    assert caught.value.generation == "v3"
    size = len(tiny_vocab.read_text().splitlines())
    for top_k in (0, size + 1):
        with pytest.raises(ModelError, match=f"top_k must be between 1 and the vocab size {size}"):
            fill_mask_model.fill_mask("the [MASK] sat", top_k=top_k)
    with pytest.raises(TextInputError, match=r"texts\[0\] is a int"):
        fill_mask_model.fill_mask([1])


# ----------------------------------------------------------------------------- pairs


@pytest.mark.parametrize("generation", ["tf1-hub", "v2", "v3"])
def test_embed_pairs_equals_hand_wired_bert_pack_inputs(models, wide_encoders, tiny_preprocessor, sentences,
                                                        generation):
    first, second = sentences[:10], sentences[10:20]
    preprocessor = hub.load(str(tiny_preprocessor))
    tokenize = hub.KerasLayer(preprocessor.tokenize)
    pack = hub.KerasLayer(preprocessor.bert_pack_inputs, arguments=dict(seq_length=128))
    packed = {k: v.numpy() for k, v in pack([tokenize(tf.constant(first)), tokenize(tf.constant(second))]).items()}
    raw = raw_encoder_outputs(generation, wide_encoders[generation], packed)
    for pooling in ("pooled", "mean"):
        ours = models[generation].embed_pairs(first, second, pooling=pooling, batch_size=4)
        assert max_diff(ours, pool(packed, raw, pooling, False)) <= 1e-5, pooling


def test_embed_pairs_marks_the_second_segment(models, tiny_preprocessor):
    model = models["v3"]
    first, second = ["the cat sat on the mat.", "hello world"], ["a dog is running fast!", "the big dog"]
    joined = [f"{a} [SEP] {b}" for a, b in zip(first, second)]
    pairs, single = model.preprocessor.pack_pairs(first, second), model.preprocessor.pack(joined)
    # The same tokens and mask as the text with [SEP] in it; only the segment ids differ, 1 on the second.
    np.testing.assert_array_equal(pairs["input_word_ids"], single["input_word_ids"])
    np.testing.assert_array_equal(pairs["input_mask"], single["input_mask"])
    assert not single["input_type_ids"].any()
    for row, ids in zip(pairs["input_type_ids"], pairs["input_word_ids"]):
        separators = np.flatnonzero(ids == 6)
        assert not row[:separators[0] + 1].any() and row[separators[0] + 1:separators[1] + 1].all()
        assert not row[separators[1] + 1:].any()
    for pooling in ("pooled", "mean"):
        assert max_diff(model.embed_pairs(first, second, pooling=pooling), model.embed(joined, pooling=pooling)) > 1e-4


def test_embed_pairs_of_different_lengths_are_refused(models):
    with pytest.raises(TextInputError, match="as many second texts as first ones: 2 != 1"):
        models["v3"].embed_pairs(["a", "b"], ["c"])


# ----------------------------------------------------------------------------- fine-tuning



@pytest.mark.parametrize("generation", ["v3", "v1", "v2"])
def test_the_keras_model_fine_tunes(wide_encoders, tiny_preprocessor, generation):
    model = hubfork.load_text_model(wide_encoders[generation], preprocessor=tiny_preprocessor, trainable=True)
    assert model.trainable is True
    before_embed = model.embed(ANIMAL_TEXTS)
    encoder = model.keras_model(outputs="pooled_output")
    keras.utils.set_random_seed(0)
    classifier = keras.Model(encoder.input, keras.layers.Dense(2)(encoder.output))
    encoder_weights = [w for w in classifier.trainable_weights if "dense" not in w.name]
    assert len(encoder_weights) > 10  # the encoder's own weights train, not just the head
    before = [w.numpy().copy() for w in encoder_weights]
    classifier.compile(optimizer=keras.optimizers.Adam(3e-3),
                       loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    texts = tf.constant(ANIMAL_TEXTS)
    # Measured without dropout (v2 and v3 apply it while training, which makes the epochs' losses noisy).
    initial, final = fit_until_loss_halves(classifier, texts, ANIMAL_LABELS)
    assert final < 0.5 * initial, (initial, final)
    moved = max(float(np.max(np.abs(w.numpy() - b))) for w, b in zip(encoder_weights, before))
    assert moved > 1e-3
    # embed() runs the same variables: it sees the fine-tuned encoder.
    assert max_diff(model.embed(ANIMAL_TEXTS), before_embed) > 1e-3


def test_a_tf1_module_is_not_trainable(wide_encoders, tiny_preprocessor):
    with pytest.raises(NotTrainableError, match="cannot be fine-tuned") as caught:
        hubfork.load_text_model(wide_encoders["tf1-hub"], preprocessor=tiny_preprocessor, trainable=True)
    assert str(wide_encoders["tf1-hub"]) in str(caught.value)


def test_frozen_keras_model_has_no_trainable_encoder_weights(models):
    assert models["v3"].trainable is False
    assert models["v3"].keras_model().trainable_weights == []


# ----------------------------------------------------------------------------- devices
# The suite passes with and without a GPU: what is expected follows what TensorFlow reports.


def gpu_count() -> int:
    return len(tf.config.list_logical_devices("GPU"))


def default_device() -> str:
    """Where a model goes when no device is asked for: the first GPU TensorFlow sees, else the CPU."""
    return "/GPU:0" if gpu_count() else "/CPU:0"


def seen_devices() -> str:
    """The devices TensorFlow sees, as the refusal of a missing one lists them ("CPU:0, GPU:0")."""
    cpus = len(tf.config.list_logical_devices("CPU"))
    return ", ".join([f"CPU:{i}" for i in range(cpus)] + [f"GPU:{i}" for i in range(gpu_count())])


def test_device_cpu(wide_encoders, tiny_preprocessor, hand_wired):
    model = hubfork.load_text_model(wide_encoders["v2"], preprocessor=tiny_preprocessor, device="cpu")
    assert model.device == "/CPU:0"
    assert max_diff(model.embed(TEXTS), hand_wired.embed("v2", TEXTS)) <= 1e-5


def test_gpu_is_the_first_gpu_or_refused_without_one(wide_encoders, tiny_preprocessor):
    if gpu_count():
        model = hubfork.load_text_model(wide_encoders["v3"], preprocessor=tiny_preprocessor, device="gpu")
        assert model.device == "/GPU:0"
    else:
        with pytest.raises(ModelError, match=re.escape(f"'gpu' asked for, but TensorFlow sees only {seen_devices()}")
                           + "$"):
            hubfork.load_text_model(wide_encoders["v3"], device="gpu")


# {n}: the number of GPUs TensorFlow sees, the first index it does not have.
@pytest.mark.parametrize("device", ["gpu:{n}", "/device:GPU:{n}", "GPU:{beyond}"])
def test_a_gpu_that_is_not_there_is_refused_listing_the_devices(wide_encoders, device):
    device = device.format(n=gpu_count(), beyond=gpu_count() + 1)
    with pytest.raises(ModelError, match=re.escape(f"TensorFlow sees only {seen_devices()}") + "$") as caught:
        hubfork.load_text_model(wide_encoders["v3"], device=device)
    assert repr(device) in str(caught.value)


@pytest.mark.parametrize("device", ["tpu", "cuda:0", "cpu0", "", "gpu:-1"])
def test_a_device_name_that_is_not_one_is_refused(wide_encoders, device):
    with pytest.raises(ModelError, match="is not a device name; expected 'cpu', 'gpu' or 'gpu:N'"):
        hubfork.load_text_model(wide_encoders["v3"], device=device)


# ----------------------------------------------------------------------------- the real model


@pytest.fixture(scope="module")
def minilm(embedded_hub, tmp_path_factory):
    """all-MiniLM-L6-v2 loaded by its handle as `hf_on` sets a test up (a fresh Hugging Face cache and
    home, no token, online), once for the tests below, which only read it; returns (model, cache)."""
    root = tmp_path_factory.mktemp("minilm")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HF_HUB_CACHE", str(root / "hf-cache"))
        patch.setenv("HF_HOME", str(root / "hf-home"))
        patch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
        for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"):
            patch.delenv(name, raising=False)
        model = hubfork.load_text_model("hubfork/all-MiniLM-L6-v2")
    return model, root / "hf-cache"


def test_all_minilm_l6_v2_from_the_embedded_hub_matches_sentence_transformers(minilm):
    import sentence_transformers as st

    model, cache = minilm
    assert model.generation == "v3" and model.preprocessor_source == "companion"
    # Its card says how its embeddings are meant to be made; embed follows when not told.
    assert (model.pooling, model.normalize) == ("mean", True)
    assert model.pooling_source == model.normalize_source == "the model card of hubfork/all-MiniLM-L6-v2/1"
    assert model.notes == []
    assert model.defaults_note() == ("embeddings default to mean pooling, normalised, as the model card of "
                                     "hubfork/all-MiniLM-L6-v2/1 says")
    assert model.defaults_note(pooling_given=True) == ("embeddings default to being normalised, as the model card "
                                                       "of hubfork/all-MiniLM-L6-v2/1 says")
    assert model.defaults_note(pooling_given=True, normalize_given=True) is None
    assert model.path.is_relative_to(cache / "models--hubfork--all-MiniLM-L6-v2")
    assert model.preprocessor.path.is_relative_to(cache / "models--hubfork--all-MiniLM-L6-v2_preprocess")
    sentences = real_sentences(60)
    ours = model.embed(sentences, pooling="mean", normalize=True, batch_size=16)
    reference = st.SentenceTransformer(str(minilm_folder()), device="cpu")
    reference.max_seq_length = 128  # the preprocessor's length (sentence-transformers reads 256 by default)
    theirs = reference.encode(sentences, batch_size=16, normalize_embeddings=True, convert_to_numpy=True)
    assert ours.shape == theirs.shape == (60, 384)
    assert max_diff(ours, theirs) < 1e-4
    assert max_diff(model.embed(sentences, batch_size=16), ours) == 0
    assert max_diff(model.similarity(sentences[:8]), theirs[:8] @ theirs[:8].T) < 1e-4


def test_all_minilm_l6_v2_token_batches_equal_fixed_float32_padding(minilm):
    model, _ = minilm
    # 48 texts: three fixed batches of 16, and token batches of several widths in shuffled order.
    sentences = real_sentences(48)
    order = np.random.default_rng(2).permutation(len(sentences))
    shuffled = [sentences[i] for i in order]
    packed = model.preprocessor.pack(sentences)  # every text at the preprocessor's fixed 128 tokens
    key = model._embed_key("mean", True, False)
    fixed = np.concatenate([model._run(key, ({k: v[i:i + 16] for k, v in packed.items()},))[0]
                            for i in range(0, len(sentences), 16)])
    assert max_diff(model.embed(shuffled, pooling="mean", normalize=True, batch_size=16), fixed[order]) <= 1e-5
    auto = dataclasses.replace(model, jit_compile=None, _functions={})
    assert auto.use_xla(int(text_model.lengths(packed).sum())) is False  # 48 sentences: too few to compile


# ----------------------------------------------------------------------------- display


def test_html_repr_is_a_table_of_the_models_facts_with_text_escaped(models, wide_encoders):
    model = dataclasses.replace(models["v4"], name="org/<bert>", notes=["pooled & <normalised>"])
    shown = model._repr_html_()
    assert shown.startswith("<table>") and shown.endswith("</table>")
    assert '<th style="text-align:left">generation</th><td>v4</td>' in shown
    assert "<td>pooled_output, sequence_output, encoder_outputs</td>" in shown
    assert '<th style="text-align:left">masked LM</th><td>yes</td>' in shown
    assert f"<td>{wide_encoders['v4']}</td>" in shown
    assert "<td>org/&lt;bert&gt;</td>" in shown and "<td>pooled &amp; &lt;normalised&gt;</td>" in shown
    assert "<bert>" not in shown and "<normalised>" not in shown
    assert '<th style="text-align:left">masked LM</th><td>no</td>' in models["v3"]._repr_html_()
