"""A text preprocessor SavedModel, wrapped for packing text the way its encoder needs.

Whatever its origin (given by the caller, the encoder's companion, or built
from the encoder's own vocab), a preprocessor here is a loaded SavedModel with
the TF Hub preprocessor API: ``p(strings)``, ``p.tokenize``, ``p.bert_pack_inputs``.
One built from a vocab is written once to hubfork's cache by hubfork's own
writer, so it gives the same ids as the companion and loads like any other.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from hubfork.constants import DEFAULT_SEQ_LENGTH, SAVED_MODEL, cache_dir
from hubfork.errors import ModelError, ModelFormatError, TextInputError
from hubfork.models import _tf


class Preprocessor:
    """A loaded preprocessor: packs texts and pairs into the encoder's input dict (NumPy)."""

    def __init__(self, path: Path, source: str, loaded: Any = None):
        """`loaded`: the SavedModel at `path` if the caller has loaded it already (it is loaded otherwise)."""
        self.path = path
        #: "given", "companion" or "vocab": how it was paired with the encoder.
        self.source = source
        if loaded is None:
            if not (path / SAVED_MODEL).is_file():
                raise ModelFormatError(f"{path}: not a SavedModel folder (no {SAVED_MODEL})")
            _tf.tensorflow_text()  # registers the TF Text ops; loading fails without them
            from hubfork.models.savedmodel import load_errors

            with load_errors(path):
                loaded = _tf.tensorflow_hub().load(str(path))
        self.loaded = loaded
        if not callable(getattr(self.loaded, "__call__", None)) or not hasattr(self.loaded, "tokenize"):
            raise ModelFormatError(f"{path}: not a text preprocessor (no __call__ and tokenize)")
        self._seq_length: int | None = None

    @property
    def seq_length(self) -> int:
        """The length ``p(strings)`` pads to (128 for tfhub.dev's preprocessors)."""
        if self._seq_length is None:
            tf = _tf.tensorflow()
            self._seq_length = int(self.loaded(tf.constant([""]))["input_word_ids"].shape[1])
        return self._seq_length

    def special_tokens(self) -> dict[str, int]:
        """``tokenize.get_special_tokens_dict()`` as Python ints (empty if it has none)."""
        getter = getattr(self.loaded.tokenize, "get_special_tokens_dict", None)
        if getter is None:
            return {}
        return {key: int(_tf.tensorflow().get_static_value(value)) for key, value in getter().items()}

    def pack(self, texts: Sequence[str], seq_length: int | None = None) -> dict[str, np.ndarray]:
        """``[CLS] text [SEP]``, padded to `seq_length` (default: the preprocessor's own)."""
        tf = _tf.tensorflow()
        strings = tf.constant(list(texts), tf.string)
        if seq_length is None or seq_length == self.seq_length:
            packed = self.loaded(strings)
        else:
            packed = self._pack_segments([self.loaded.tokenize(strings)], seq_length)
        return {key: value.numpy() for key, value in packed.items()}

    def pack_pairs(self, first: Sequence[str], second: Sequence[str],
                   seq_length: int | None = None) -> dict[str, np.ndarray]:
        """``[CLS] a [SEP] b [SEP]``, cut to fit as the preprocessor cuts pairs."""
        if len(first) != len(second):
            raise TextInputError(f"pairs need as many second texts as first ones: {len(first)} != {len(second)}")
        tf = _tf.tensorflow()
        segments = [self.loaded.tokenize(tf.constant(list(texts), tf.string)) for texts in (first, second)]
        packed = self._pack_segments(segments, seq_length or self.seq_length)
        return {key: value.numpy() for key, value in packed.items()}

    def _pack_segments(self, segments: list[Any], seq_length: int) -> dict[str, Any]:
        if not hasattr(self.loaded, "bert_pack_inputs"):
            raise ModelFormatError(f"{self.path}: this preprocessor has no bert_pack_inputs, so it cannot pack "
                                   "pairs or change seq_length")
        tf = _tf.tensorflow()
        # Exported with seq_length as a tensor (hubfork's, and tfhub.dev's) or as a Python default.
        try:
            return self.loaded.bert_pack_inputs(segments, seq_length=tf.constant(seq_length, tf.int32))
        except (ValueError, TypeError):
            return self.loaded.bert_pack_inputs(segments, seq_length=seq_length)

    def keras_outputs(self, text: Any, seq_length: int | None, keras: int = 2) -> dict[str, Any]:
        """The packed inputs of a symbolic string tensor, through ``hub.KerasLayer`` (or, for
        ``keras=3``, hubfork's Keras 3 layer: `text` is then a Keras 3 tensor)."""
        if keras == 3:
            from hubfork.models.keras3_layer import SavedModelLayer as layer
        else:
            layer = _tf.tensorflow_hub().KerasLayer
        if seq_length is None or seq_length == self.seq_length:
            return layer(self.loaded, name="preprocessor")(text)
        tokens = layer(self.loaded.tokenize, name="tokenize")(text)
        pack = layer(self.loaded.bert_pack_inputs, arguments=dict(seq_length=seq_length), name="bert_pack_inputs")
        return pack([tokens])


def preprocessor_from_vocab(vocab_file: str | Path, lower_case: bool,
                            seq_length: int = DEFAULT_SEQ_LENGTH) -> Path:
    """A preprocessor SavedModel for `vocab_file`, written once into hubfork's cache.

    Keyed by the vocab's bytes, the casing and `seq_length`; written whole or not
    at all, so a crash or a concurrent writer never leaves a half-made folder.
    """
    from hubfork.models.export.preprocessor import write_preprocessor
    from hubfork.models.vocab import read_vocab_bytes

    digest = hashlib.sha256(read_vocab_bytes(vocab_file)).hexdigest()[:20]
    folder = cache_dir() / "preprocessors" / f"{digest}-{'uncased' if lower_case else 'cased'}-{seq_length}"
    if not (folder / SAVED_MODEL).is_file():
        folder.parent.mkdir(parents=True, exist_ok=True)
        try:
            write_preprocessor(folder, vocab_file, lower_case=lower_case, seq_length=seq_length)
        except (ModelError, OSError):
            if not (folder / SAVED_MODEL).is_file():  # not another process that got there first
                raise
    return folder


__all__ = ["Preprocessor", "preprocessor_from_vocab"]
