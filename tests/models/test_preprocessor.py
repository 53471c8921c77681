"""The preprocessor SavedModel, used exactly as TF Hub's docs use one, gives the
Hugging Face tokenizer's encodings: single texts and pairs, truncated and padded
to the same length.

Two models: uncased from all-MiniLM-L6-v2's vocab (the default seq_length, 128),
the one the session's embedded hub writes beside its MiniLM encoder, and cased from
the vocab `tests.models.test_tokenizer.write_cased_vocab` makes (seq_length 48),
written once for the module.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from hubfork.errors import ModelError
from hubfork.models import _tf
from hubfork.models.export.preprocessor import write_preprocessor
from hubfork.models.tokenizer import read_vocab
from tests.conftest import ROOT
from tests.fixtures.models import minilm_folder
from tests.models.test_tokenizer import CRAFTED, byte_offsets, hf_cased, hf_uncased, real_lines, write_cased_vocab

tf = _tf.tensorflow()
hub = _tf.tensorflow_hub()
keras = _tf.keras()

CASINGS = ["uncased", "cased"]
KEYS = ("input_word_ids", "input_mask", "input_type_ids")


@pytest.fixture(scope="module")
def models(tmp_path_factory, embedded_hub) -> dict[str, SimpleNamespace]:
    # The embedded hub's preprocessor is write_preprocessor(MiniLM's vocab.txt, lower_case=True) with the
    # default seq_length, as hubfork's converter writes it.
    cased_vocab = write_cased_vocab(tmp_path_factory.mktemp("cased-vocab") / "vocab.txt")
    made = {}
    for casing, vocab, hf, seq_length in (("uncased", minilm_folder() / "vocab.txt", hf_uncased(), None),
                                          ("cased", cased_vocab, hf_cased(cased_vocab), 48)):
        if seq_length is None:
            path = Path(embedded_hub.repo_path("hubfork/all-MiniLM-L6-v2_preprocess"))
        else:
            path = write_preprocessor(tmp_path_factory.mktemp("preprocessors") / casing, vocab, lower_case=False,
                                      seq_length=seq_length)
        made[casing] = SimpleNamespace(path=path, vocab=vocab, hf=hf, seq_length=seq_length or 128,
                                       loaded=hub.load(str(path)))
    return made


def hf_encode(hf, items, seq_length: int) -> dict[str, np.ndarray]:
    """Hugging Face's encodings of texts or pairs, truncated and padded to `seq_length`."""
    hf.enable_truncation(max_length=seq_length)
    hf.enable_padding(length=seq_length, pad_id=0, pad_token="[PAD]")
    encodings = hf.encode_batch(items)
    return {
        "input_word_ids": np.array([e.ids for e in encodings]),
        "input_mask": np.array([e.attention_mask for e in encodings]),
        "input_type_ids": np.array([e.type_ids for e in encodings]),
    }


def assert_same(got, expected, items):
    for key in KEYS:
        assert got[key].dtype == tf.int32, key
        mine = got[key].numpy()
        assert mine.shape == expected[key].shape, key
        wrong = np.flatnonzero((mine != expected[key]).any(axis=1))
        assert not len(wrong), f"{key}: {len(wrong)} rows differ, e.g. {[items[i] for i in wrong[:2]]}"


def pairs() -> list[tuple[str, str]]:
    """Consecutive real lines, and pairs that need every kind of truncation."""
    lines = real_lines()
    # Long enough to be cut at any length here, short enough to keep Hugging Face
    # quick: it also computes every overflowing window, pairs of them for pairs.
    long_a = " ".join(lines[:40])[:1200]
    long_b = " ".join(lines[40:90])[:1500]
    made = list(zip(lines, lines[1:]))
    made += [(long_a, "Is it short?"), ("Is it short?", long_b), (long_a, long_b), (long_b, long_a),
             ("", long_a), (long_a, ""), ("", ""), ("same length here", "same length there"),
             ("one two three four five", "six seven eight nine ten eleven")]
    made += list(zip(CRAFTED, reversed(CRAFTED)))
    return made


@pytest.mark.parametrize("casing", CASINGS)
def test_calling_the_model_matches_hugging_face(models, casing):
    model = models[casing]
    texts = CRAFTED + real_lines()
    assert_same(model.loaded(tf.constant(texts)), hf_encode(model.hf, texts, model.seq_length), texts)


@pytest.mark.parametrize("casing", CASINGS)
def test_packed_pairs_match_hugging_face(models, casing):
    model = models[casing]
    items = pairs()
    first = model.loaded.tokenize(tf.constant([a for a, _ in items]))
    second = model.loaded.tokenize(tf.constant([b for _, b in items]))
    for seq_length in (model.seq_length, 17, 8, 4, 3):  # rooms of 14, 5 (odd), 1 and 0
        got = model.loaded.bert_pack_inputs([first, second], seq_length=seq_length)
        assert_same(got, hf_encode(model.hf, items, seq_length), items)


@pytest.mark.parametrize("casing", CASINGS)
def test_truncation_matches_longest_first_for_every_pair_of_lengths(models, casing):
    model = models[casing]
    items = [(" ".join(["a"] * n1), " ".join(["b"] * n2)) for n1 in range(13) for n2 in range(13)]
    first = model.loaded.tokenize(tf.constant([a for a, _ in items]))
    second = model.loaded.tokenize(tf.constant([b for _, b in items]))
    for seq_length in range(3, 17):
        got = model.loaded.bert_pack_inputs([first, second], seq_length=seq_length)
        assert_same(got, hf_encode(model.hf, items, seq_length), items)


@pytest.mark.parametrize("casing", CASINGS)
def test_single_segments_pack_from_either_ragged_rank(models, casing):
    model = models[casing]
    texts = CRAFTED
    tokens = model.loaded.tokenize(tf.constant(texts))
    default = model.loaded.bert_pack_inputs([tokens])  # the seq_length the model was written with
    assert_same(default, hf_encode(model.hf, texts, model.seq_length), texts)
    for seq_length in (2, 5, 33):
        expected = hf_encode(model.hf, texts, seq_length)
        assert_same(model.loaded.bert_pack_inputs([tokens], seq_length=seq_length), expected, texts)
        flat = tokens.merge_dims(1, 2)
        assert_same(model.loaded.bert_pack_inputs([flat], seq_length=tf.constant(seq_length)), expected, texts)
    flat_pair = model.loaded.bert_pack_inputs([tokens.merge_dims(1, 2), tokens.merge_dims(1, 2)], seq_length=20)
    assert_same(flat_pair, hf_encode(model.hf, list(zip(texts, texts)), 20), texts)


@pytest.mark.parametrize("casing", CASINGS)
def test_tokenize_and_special_tokens(models, casing):
    model = models[casing]
    texts = ["Hello there, world! The [MASK] is here.", "", "naïve café"]
    tokens = model.loaded.tokenize(tf.constant(texts))
    assert isinstance(tokens, tf.RaggedTensor) and tokens.dtype == tf.int32 and tokens.ragged_rank == 2
    model.hf.no_padding()
    model.hf.no_truncation()
    expected = [e.ids for e in model.hf.encode_batch(texts, add_special_tokens=False)]
    assert tokens.merge_dims(1, 2).to_list() == expected

    with_offsets = model.loaded.tokenize_with_offsets(tf.constant(texts))
    assert len(with_offsets) == 3 and with_offsets[0].to_list() == tokens.to_list()
    assert with_offsets[1].dtype == with_offsets[2].dtype == tf.int64
    first = texts[0].encode()
    words = [first[s:e].decode() for s, e in zip(with_offsets[1][0].flat_values.numpy(),
                                                 with_offsets[2][0].flat_values.numpy())]
    assert words[:3] == ["Hello", "there", ","] and "[MASK]" in words

    vocab = read_vocab(model.vocab)
    for sub in (model.loaded.tokenize, model.loaded.tokenize_with_offsets):
        special = sub.get_special_tokens_dict()
        assert all(v.dtype == tf.int32 and v.shape == () for v in special.values())
        assert {k: int(v) for k, v in special.items()} == {
            "start_of_sequence_id": vocab.index("[CLS]"), "end_of_segment_id": vocab.index("[SEP]"),
            "padding_id": vocab.index("[PAD]"), "mask_id": vocab.index("[MASK]"), "vocab_size": len(vocab)}


@pytest.mark.parametrize("casing", CASINGS)
def test_offsets_match_hugging_face(models, casing):
    model = models[casing]
    texts = CRAFTED + real_lines()
    model.hf.no_padding()
    model.hf.no_truncation()
    encodings = model.hf.encode_batch(texts, add_special_tokens=False)
    expected = [byte_offsets(text, e.offsets) for text, e in zip(texts, encodings)]
    _, starts, limits = model.loaded.tokenize_with_offsets(tf.constant(texts))
    got = [list(zip(s, e)) for s, e in zip(starts.merge_dims(1, 2).to_list(), limits.merge_dims(1, 2).to_list())]
    wrong = [text for text, g, e in zip(texts, got, expected) if g != e]
    assert not wrong, f"{len(wrong)} texts differ, e.g. {wrong[:2]}"


def test_reusable_saved_model_api(models):
    model = models["uncased"].loaded
    strings = tf.constant(["a test", "another, longer test"])
    assert callable(model)
    for training in (True, False):
        assert np.array_equal(model(strings, training=training)["input_word_ids"], model(strings)["input_word_ids"])
    assert list(model.variables) == [] and list(model.trainable_variables) == []
    assert list(model.regularization_losses) == []


@pytest.mark.parametrize("casing", CASINGS)
def test_keras_layer_in_a_functional_model(models, casing):
    model = models[casing]
    text_input = keras.layers.Input(shape=(), dtype=tf.string)
    layer = hub.KerasLayer(str(model.path))
    outputs = layer(text_input)
    assert outputs["input_word_ids"].shape.as_list() == [None, model.seq_length]
    assert layer.trainable_weights == []
    texts = real_lines()[:200]
    assert_same(keras.Model(text_input, outputs)(tf.constant(texts)),
                hf_encode(model.hf, texts, model.seq_length), texts)


@pytest.mark.parametrize("casing", CASINGS)
def test_keras_layers_tokenize_and_pack_pairs(models, casing):
    model = models[casing]
    inputs = [keras.layers.Input(shape=(), dtype=tf.string) for _ in range(2)]
    tokenize = hub.KerasLayer(model.loaded.tokenize)
    pack = hub.KerasLayer(model.loaded.bert_pack_inputs, arguments=dict(seq_length=24))
    encoder_inputs = pack([tokenize(segment) for segment in inputs])
    items = pairs()[:300]
    got = keras.Model(inputs, encoder_inputs)([tf.constant([a for a, _ in items]), tf.constant([b for _, b in items])])
    assert_same(got, hf_encode(model.hf, items, 24), items)


@pytest.mark.parametrize("casing", CASINGS)
def test_the_folder_stands_alone(models, casing, tmp_path):
    model = models[casing]
    assert (model.path / "assets" / "vocab.txt").read_bytes() == Path(model.vocab).read_bytes()
    assert str(Path(model.vocab).parent).encode() not in (model.path / "saved_model.pb").read_bytes()
    moved = shutil.copytree(model.path, tmp_path / "moved")
    texts = ["It still works after a move."]
    assert_same(hub.load(str(moved))(tf.constant(texts)), hf_encode(model.hf, texts, model.seq_length), texts)


def test_loading_needs_tensorflow_text(models):
    path = models["uncased"].path
    assert b"RegexSplitWithOffsets" in (path / "saved_model.pb").read_bytes()
    code = (
        "import os, sys\n"
        "os.environ['TF_USE_LEGACY_KERAS'] = '1'\n"
        "os.environ['TF_CPP_MIN_LOG_LEVEL'] = '3'\n"
        "import tensorflow as tf, tensorflow_hub as hub\n"
        "try:\n"
        "    hub.load(sys.argv[1])\n"
        "    print('WITHOUT: loaded')\n"
        "except Exception as error:\n"
        "    print('WITHOUT:', type(error).__name__, ' '.join(str(error).split())[:300])\n"
        "import tensorflow_text\n"
        "ids = hub.load(sys.argv[1])(tf.constant(['hello world']))['input_word_ids']\n"
        "print('WITH:', ids[0, :4].numpy().tolist())\n"
    )
    done = subprocess.run([sys.executable, "-c", code, str(path)], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    without, with_ = [line for line in done.stdout.splitlines() if line.startswith(("WITHOUT:", "WITH:"))]
    assert "not registered" in without or "RegexSplitWithOffsets" in without, without
    assert with_ == "WITH: [101, 7592, 2088, 102]"


def test_a_batch_of_a_thousand_sentences_gives_each_its_own_encoding(models):
    # How fast: benchmarks/tokenize_bench.py.
    model = models["uncased"].loaded
    lines = [line for line in real_lines() if len(line.split()) > 3]
    texts = (lines * (1000 // len(lines) + 1))[:1000]
    batched = model(tf.constant(texts))
    alone = model(tf.constant(lines))
    rows = [i % len(lines) for i in range(1000)]
    for key in KEYS:
        assert batched[key].shape == (1000, 128)
        np.testing.assert_array_equal(batched[key].numpy(), alone[key].numpy()[rows])


def test_a_non_empty_folder_is_not_overwritten(tmp_path):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "file.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(ModelError, match="not empty"):
        write_preprocessor(tmp_path / "taken", minilm_folder() / "vocab.txt", lower_case=True)
    assert (tmp_path / "taken" / "file.txt").read_text(encoding="utf-8") == "keep me"
