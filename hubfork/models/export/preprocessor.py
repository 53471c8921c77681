"""Writing a BERT text preprocessor as a TF Hub-format SavedModel.

The folder `write_preprocessor` makes is what tfhub.dev's
``bert_*_preprocess`` models are, to their users::

    import tensorflow_text  # registers the ops; loading fails without it
    p = hub.load(path)
    p(strings)                      # {input_word_ids, input_mask, input_type_ids}, int32 [batch, seq_length]
    p.tokenize(strings)             # int32 RaggedTensor [batch, words, pieces]
    p.tokenize_with_offsets(strings)  # (ids, start, limit), byte offsets into `strings`
    p.tokenize.get_special_tokens_dict()  # start_of_sequence_id, end_of_segment_id, padding_id, mask_id, vocab_size
    p.bert_pack_inputs([a, b], seq_length=N)  # [CLS] a [SEP] b [SEP], padded to N

and it implements the Reusable SavedModel API (callable with ``training=``,
``.variables``, ``.trainable_variables``, ``.regularization_losses``), so
``hub.KerasLayer(path)`` works in a `tf_keras` model. The ids are those of the
Hugging Face tokenizer (see `hubfork.models.tokenizer`), and so is truncation:
a pair is cut the way ``tokenizers``' ``longest_first`` cuts it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Sequence

from hubfork.constants import DEFAULT_SEQ_LENGTH
from hubfork.errors import ModelError
from hubfork.models import _tf
from hubfork.models.export.folders import staged_folder
from hubfork.models.tokenizer import make_tokenizer


def write_preprocessor(out_dir: str | os.PathLike[str], vocab_file: str | os.PathLike[str], *,
                       lower_case: bool, seq_length: int = DEFAULT_SEQ_LENGTH) -> Path:
    """Write the preprocessor SavedModel to `out_dir` (new or empty) and return its path.

    The vocab is copied in as an asset, so the folder stands alone; the folder
    appears whole or not at all (see `staged_folder`).
    """
    tf = _tf.tensorflow()
    if seq_length < 2:
        raise ModelError(f"seq_length must be at least 2 (room for [CLS] and [SEP]), not {seq_length}")
    with staged_folder(out_dir) as staging:
        tf.saved_model.save(_preprocessor(make_tokenizer(vocab_file, lower_case), seq_length), str(staging))
    return Path(out_dir)


def pack_inputs(segments: Sequence[Any], seq_length: Any, *, start_of_sequence_id: int,
                end_of_segment_id: int, padding_id: int) -> dict[str, Any]:
    """``[CLS] a [SEP]`` or ``[CLS] a [SEP] b [SEP]``, cut to fit and padded to `seq_length`.

    `segments` are one or two int32 RaggedTensors ``[batch, tokens]`` or
    ``[batch, words, pieces]``. A pair is cut as Hugging Face's ``longest_first``
    cuts it: when both must shrink they get half the room each, the longer one
    (the second, on a tie) the odd token.
    """
    tf = _tf.tensorflow()
    if len(segments) not in (1, 2):
        raise ValueError(f"bert_pack_inputs takes one or two segments, not {len(segments)}")
    segments = [s.merge_dims(1, -1) if s.ragged_rank > 1 else s for s in segments]
    lengths = [s.row_lengths() for s in segments]
    seq_length = tf.cast(seq_length, tf.int64)
    room = tf.maximum(seq_length - len(segments) - 1, 0)
    keep = [tf.minimum(lengths[0], room)] if len(segments) == 1 else _longest_first(*lengths, room)

    # Scatter every kept token, [CLS] and [SEP] to its (row, column) of a
    # dense [batch, seq_length] tensor: cheaper to trace and run than ragged
    # trimming, combining and padding.
    batch = segments[0].nrows()
    every_row = tf.range(batch)
    rows, columns = [every_row], [tf.zeros([batch], tf.int64)]
    values = [tf.fill([batch], start_of_sequence_id)]
    first = tf.ones([batch], tf.int64)  # the column of the next segment's first token
    for segment, kept in zip(segments, keep):
        row = segment.value_rowids()
        column = tf.range(tf.size(segment.values, out_type=tf.int64)) - tf.gather(segment.row_starts(), row)
        wanted = column < tf.gather(kept, row)
        rows += [tf.boolean_mask(row, wanted), every_row]
        columns += [tf.boolean_mask(column + tf.gather(first, row), wanted), first + kept]
        values += [tf.boolean_mask(tf.cast(segment.values, tf.int32), wanted), tf.fill([batch], end_of_segment_id)]
        first += kept + 1
    rows, columns, values = tf.concat(rows, 0), tf.concat(columns, 0), tf.concat(values, 0)
    inside = columns < seq_length  # [SEP] falls off when seq_length is below the special tokens' count
    indices = tf.stack([tf.boolean_mask(rows, inside), tf.boolean_mask(columns, inside)], axis=1)
    shape = tf.stack([batch, seq_length])
    word_ids = tf.scatter_nd(indices, tf.boolean_mask(values, inside), shape)
    position = tf.range(seq_length)[None, :]
    mask = position < first[:, None]
    second = (position > keep[0][:, None] + 1) & mask if len(segments) == 2 else tf.zeros_like(mask)
    return {
        "input_word_ids": tf.where(mask, word_ids, padding_id),
        "input_mask": tf.cast(mask, tf.int32),
        "input_type_ids": tf.cast(second, tf.int32),
    }


def _longest_first(n1: Any, n2: Any, room: Any) -> tuple[Any, Any]:
    """How many tokens of each segment to keep, as `tokenizers`' truncate_encodings decides."""
    tf = _tf.tensorflow()
    short, long = tf.minimum(n1, n2), tf.maximum(n1, n2)
    fits = n1 + n2 <= room
    only_long = 2 * short <= room  # the shorter one fits in half the room: cut the longer only
    half = room // 2
    keep_short = tf.where(fits | only_long, short, half)
    keep_long = tf.where(fits, long, tf.where(only_long, room - short, room - half))
    first_longer = n1 > n2
    return tf.where(first_longer, keep_long, keep_short), tf.where(first_longer, keep_short, keep_long)


def _preprocessor(tokenizer: Any, seq_length: int) -> Any:
    """The object saved: the root callable and its `tokenize`, `bert_pack_inputs` subobjects."""
    tf = _tf.tensorflow()
    special = tokenizer.special_ids
    ids = {k: special[k] for k in ("start_of_sequence_id", "end_of_segment_id", "padding_id")}
    strings = tf.TensorSpec([None], tf.string)

    # tf.train.Checkpoint is the plain attribute holder TF Hub's own exporter
    # uses: unlike tf.Module it lets `variables` be an attribute that gets saved.
    root = tf.train.Checkpoint()
    root._tokenizer = tokenizer  # holds the vocab table the functions use
    root.vocab_file = tokenizer.vocab_file

    for name, method in (("tokenize", tokenizer.tokenize), ("tokenize_with_offsets", tokenizer.tokenize_with_offsets)):
        sub = tf.train.Checkpoint()
        sub.__call__ = method
        sub.get_special_tokens_dict = tokenizer.get_special_tokens_dict
        setattr(root, name, sub)

    # seq_length is a Python default (the model's own) that callers may
    # override with a tensor; hence one trace per segment count and ragged rank.
    @tf.function(autograph=False)
    def bert_pack_inputs(inputs, seq_length=seq_length):
        return pack_inputs(inputs, seq_length, **ids)

    for segments in (1, 2):
        for ragged_rank in (1, 2):
            spec = tf.RaggedTensorSpec([None] * (ragged_rank + 1), tf.int32, ragged_rank=ragged_rank)
            bert_pack_inputs.get_concrete_function([spec] * segments, seq_length=tf.TensorSpec([], tf.int32))
    root.bert_pack_inputs = tf.train.Checkpoint()
    root.bert_pack_inputs.__call__ = bert_pack_inputs

    @tf.function(autograph=False)
    def call(inputs, training=False):
        del training  # tokenization is the same in training; the argument is part of the API
        return pack_inputs([tokenizer.tokenize(inputs)], seq_length, **ids)

    for training in (False, True):
        call.get_concrete_function(strings, training=training)
    root.__call__ = call
    root.variables = []
    root.trainable_variables = []
    root.regularization_losses = []
    return root
