"""The vocab reader counts lines as TensorFlow's lookup tables do, and every reader of a
vocab (tokenizer, checkpoint reader, converter, TextModel) goes through it: with
line-breaking characters inside tokens, the preprocessor's ids, ``mask_id()`` and
fill-mask's token strings all agree."""

from __future__ import annotations

import json

import numpy as np
import pytest
import tensorflow as tf

from hubfork.errors import ModelFormatError
from hubfork.models.config import BertConfig
from hubfork.models.vocab import read_vocab, vocab_size
from hubfork.models.weights import random_weights, read_checkpoint

# Tokens holding every character Python's splitlines or universal newlines break at
# (TensorFlow breaks only at "\n"), before the special tokens, so a reader that splits
# at any of them shifts every id after it.
ODD_TOKENS = ["a\x85b", "c\u2028d", "e\rf", "g\x0bh", "i\x0cj", "k\x1cl", "m\x1dn", "o\x1ep", "q\u2029r"]
WORDS = ["the", "cat", "sat", "on", "mat", "dog", "ran", "a", "big", "small", "house", "##s", "."]
TOKENS = ["[PAD]", "[unused0]", *ODD_TOKENS, "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS]


def write_vocab(path, tokens=TOKENS) -> None:
    # Some lines end in "\r\n", as a vocab saved on Windows does; TensorFlow drops that "\r".
    path.write_bytes(b"".join(t.encode() + (b"\r\n" if i % 3 == 0 else b"\n") for i, t in enumerate(tokens)))


def tensorflow_lines(path) -> list[bytes]:
    """The vocab as TensorFlow's TextFileInitializer reads it: line number -> line."""
    table = tf.lookup.StaticHashTable(
        tf.lookup.TextFileInitializer(str(path), tf.string, tf.lookup.TextFileIndex.WHOLE_LINE,
                                      tf.int64, tf.lookup.TextFileIndex.LINE_NUMBER), default_value=-1)
    keys, ids = table.export()
    return [key for _, key in sorted(zip(ids.numpy().tolist(), keys.numpy().tolist()))]


@pytest.mark.parametrize("data", [
    "\n".join(TOKENS).encode(),                      # no newline at the end
    ("\n".join(TOKENS) + "\n").encode(),
    ("\r\n".join(TOKENS) + "\r\n").encode(),
    ("\n".join(TOKENS) + "\n\r").encode(),           # a lone "\r" after the last newline is no line
    b"x\r\r\ny\n",                                   # only one "\r" is dropped
    b"x\ny\r\r",
    b" \nx\n",                                       # a space is a token
], ids=["no-final-newline", "lf", "crlf", "trailing-cr", "double-cr", "double-cr-at-end", "space"])
def test_read_vocab_reads_lines_as_tensorflow_does(tmp_path, data):
    path = tmp_path / "vocab.txt"
    path.write_bytes(data)
    expected = [line.decode() for line in tensorflow_lines(path)]
    assert read_vocab(path) == expected
    assert vocab_size(path) == len(expected)


@pytest.mark.parametrize("data, message", [
    (b"a\n\nb\n", r"vocab.txt:2: empty line"),
    (b"a\nb\n\r\n", r"vocab.txt:3: empty line"),
    (b"", r"vocab.txt: the vocab file is empty"),
])
def test_what_tensorflow_refuses_is_refused_with_the_line(tmp_path, data, message):
    path = tmp_path / "vocab.txt"
    path.write_bytes(data)
    with pytest.raises(ModelFormatError, match=message):
        read_vocab(path)
    with pytest.raises(tf.errors.OpError):
        tensorflow_lines(path)


def test_a_vocab_that_is_not_utf8_or_not_there_is_named(tmp_path):
    path = tmp_path / "vocab.txt"
    path.write_bytes(b"ok\n\xff\xfe\n")
    with pytest.raises(ModelFormatError, match=r"vocab.txt:2: the vocab file is not UTF-8"):
        read_vocab(path)
    with pytest.raises(ModelFormatError, match=r"missing.txt: cannot read the vocab file"):
        read_vocab(tmp_path / "missing.txt")


@pytest.fixture(scope="module")
def odd_vocab(tmp_path_factory):
    path = tmp_path_factory.mktemp("odd-vocab") / "vocab.txt"
    write_vocab(path)
    assert [line.decode() for line in tensorflow_lines(path)] == TOKENS  # the premise: TensorFlow's ids
    return path


def _checkpoint(folder, vocab):
    """A Hugging Face BertForMaskedLM folder of random weights whose config counts `vocab` right."""
    from safetensors.numpy import save_file

    config = BertConfig(vocab_size=len(TOKENS), hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=32)
    folder.mkdir()
    save_file(random_weights(config, seed=1), str(folder / "model.safetensors"))
    hf_config = {"model_type": "bert", "architectures": ["BertForMaskedLM"], "vocab_size": config.vocab_size,
                 "hidden_size": 16, "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 32,
                 "max_position_embeddings": 32}
    (folder / "config.json").write_text(json.dumps(hf_config))
    (folder / "vocab.txt").write_bytes(vocab.read_bytes())
    return folder


@pytest.fixture(scope="module")
def odd_models(tmp_path_factory, odd_vocab) -> dict:
    """A v4 encoder (with .mlm) over the odd vocab, converted from a checkpoint (the checkpoint reader counts
    the vocab) and from random weights (the converter counts it), each loaded with the preprocessor the
    checkpoint's conversion writes: both conversions give it the same vocab bytes, casing and length, so
    one preprocessor serves both."""
    import hubfork
    from hubfork.models.convert import convert

    root = tmp_path_factory.mktemp("odd")
    checkpoint = _checkpoint(root / "checkpoint", odd_vocab)
    assert read_checkpoint(checkpoint).config.vocab_size == len(TOKENS)
    from_checkpoint = convert(root / "from-checkpoint", "v4", checkpoint=checkpoint,
                              preprocessor_out=root / "preprocess", seq_length=16)
    from_random = convert(root / "from-random", "v4", random_spec="layers=1,hidden=16,heads=2", vocab_file=odd_vocab)
    assert from_checkpoint.config.vocab_size == from_random.config.vocab_size == len(TOKENS)
    assert from_checkpoint.do_lower_case == from_random.do_lower_case
    return {name: hubfork.load_text_model(conversion.encoder_dir, preprocessor=from_checkpoint.preprocessor_dir)
            for name, conversion in (("checkpoint", from_checkpoint), ("random", from_random))}


@pytest.fixture(params=["checkpoint", "random"])
def odd_model(request, odd_models):
    return odd_models[request.param]


def test_preprocessor_ids_mask_id_and_vocab_agree(odd_model):
    assert odd_model.vocab() == TOKENS
    special = odd_model.preprocessor.special_tokens()
    assert special["vocab_size"] == len(TOKENS)
    assert odd_model.mask_id() == special["mask_id"] == TOKENS.index("[MASK]")
    packed = odd_model.preprocessor.pack([" ".join(w for w in WORDS if not w.startswith("##"))])
    ids = packed["input_word_ids"][0]
    words = [w for w in WORDS if not w.startswith("##")]
    assert ids[: len(words) + 2].tolist() == [TOKENS.index("[CLS]"), *map(TOKENS.index, words),
                                               TOKENS.index("[SEP]")]


def test_fill_mask_names_the_tokens_the_ids_stand_for(odd_model):
    predictions = odd_model.fill_mask("the [MASK] sat on the mat", top_k=len(TOKENS))
    (mask,) = predictions
    assert sorted(p.token_id for p in mask) == list(range(len(TOKENS)))
    assert all(p.token == TOKENS[p.token_id] for p in mask)
    assert np.isclose(sum(p.score for p in mask), 1.0, atol=1e-4)
