"""`TextModel`: text in, vectors or masked-token predictions out, over any encoder generation.

The encoder is called through its generation's adapter (`hubfork.models.generations`)
and fed by its preprocessor (`hubfork.models.preprocessing`). Batches are padded
dynamically (`hubfork.models.batching`); the TensorFlow functions that run them
are traced once per kind of call and reused by every later call, on the device
chosen at load time.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from hubfork.constants import POOLINGS
from hubfork.errors import ModelError, NoMaskedLMError, TextInputError
from hubfork.models import _tf
from hubfork.models.batching import DEFAULT_MULTIPLE, length_batches, lengths, token_budget
from hubfork.models.devices import tf_device
from hubfork.models.generations import Encoder
from hubfork.models.pooling import DEFAULT_POOLING, EmbeddingDefaults
from hubfork.models.preprocessing import Preprocessor
from hubfork.models.vocab import MASK_TOKEN, read_vocab

#: Texts tokenized at once: bounds the memory of the packed [chunk, seq_length] inputs.
CHUNK = 4096
#: Above this many texts, progress=None shows a bar (on a terminal).
PROGRESS_THRESHOLD = 1024
#: `similarity`'s pooling when the model says none: cosines of pooler outputs rank sentences poorly.
SIMILARITY_POOLING = "mean"
#: With ``jit_compile=None``, a call runs through XLA when its texts hold at least this many real
#: tokens: compiling a BERT shape costs about a second, which XLA's faster batches (about a tenth of the
#: time) repay only over some hundred thousand tokens, and the compiled shapes are kept for later calls.
XLA_AUTO_MIN_TOKENS = 200_000
#: Batches `embed` hands TensorFlow in one call (see `TextModel._embed`); peak memory is that many batches'.
BATCHES_PER_CALL = 2
DEFAULT_SOURCE = EmbeddingDefaults().source


@dataclass(frozen=True)
class TokenPrediction:
    """One candidate for a ``[MASK]``: the token, its id and its probability."""

    token: str
    token_id: int
    score: float


class Predictions(list):
    """The candidates for one ``[MASK]``, best first: a list, shown in Jupyter as a table."""

    def _repr_html_(self) -> str:
        from hubfork._html import table

        return table(("token", "id", "probability"), ((p.token, str(p.token_id), f"{p.score:.4f}") for p in self))


@dataclass
class TextModel:
    """An encoder and its preprocessor, behind one interface for every generation.

    Made by `hubfork.load_text_model`. `generation` is what inspection found
    (``tf1-hub``, ``v1``...``v4``); `outputs` are the encoder outputs it has;
    `preprocessor_source` says how the preprocessor was paired (``given``,
    ``companion`` or ``vocab``); `notes` say what the user should know.
    `pooling` and `normalize` are what `embed` does when the caller does not say,
    and `pooling_source`, `normalize_source` where that came from (see `hubfork.models.pooling`).
    """

    encoder: Encoder
    preprocessor: Preprocessor
    name: str
    seq_length: int | None = None
    trainable: bool = False
    device: str = "/CPU:0"
    #: True: through XLA; False: never; None: per chunk, when it is long enough to repay compiling (`use_xla`).
    jit_compile: bool | None = False
    notes: list[str] = field(default_factory=list)
    pooling: str = DEFAULT_POOLING
    normalize: bool = False
    pooling_source: str = DEFAULT_SOURCE
    normalize_source: str = DEFAULT_SOURCE
    _functions: dict[Any, Any] = field(default_factory=dict, repr=False)
    _vocab: list[str] | None = field(default=None, repr=False)

    # ------------------------------------------------------------------ facts

    @property
    def generation(self) -> str:
        return self.encoder.generation

    @property
    def outputs(self) -> tuple[str, ...]:
        return self.encoder.outputs

    @property
    def has_mlm(self) -> bool:
        return self.encoder.has_mlm

    @property
    def path(self) -> Path:
        return self.encoder.path

    @property
    def preprocessor_source(self) -> str:
        return self.preprocessor.source

    # ------------------------------------------------------------------ Keras

    def keras_model(self, seq_length: int | None = None, outputs: str | Sequence[str] | None = None,
                    keras: int = 2) -> Any:
        """A Keras ``Model`` from a batch of strings to the encoder's outputs.

        `keras` is 2 (a tf_keras model of ``hub.KerasLayer``s, what TF Hub models were made
        for) or 3 (a Keras 3 model of `hubfork.models.keras3_layer.SavedModelLayer`s, for
        code on TensorFlow 2.16+'s default Keras). `seq_length` defaults to the one given at
        load time, else the preprocessor's own. `outputs` names one output (the model returns
        that tensor) or several (a dict); default: every output the generation has. The
        encoder's weights train when the model was loaded with ``trainable=True`` (refused
        for TF1 Hub modules, which cannot); either way they are the variables `embed` uses.
        """
        if keras not in (2, 3):
            raise ValueError(f"keras must be 2 (tf_keras) or 3, not {keras!r}")
        tf = _tf.tensorflow()
        library = _tf.keras3() if keras == 3 else _tf.keras()
        wanted = self._output_names(outputs)
        text = library.Input(shape=(), dtype=tf.string, name="text")
        packed = self.preprocessor.keras_outputs(text, seq_length or self.seq_length, keras=keras)
        encoded = self.encoder.keras_outputs(packed, trainable=self.trainable, keras=keras)
        result = encoded[wanted] if isinstance(wanted, str) else {key: encoded[key] for key in wanted}
        return library.Model(text, result, name=f"{self.generation.replace('-', '_')}_text_model")

    def _output_names(self, outputs: str | Sequence[str] | None) -> str | tuple[str, ...]:
        names = (outputs,) if isinstance(outputs, str) else tuple(outputs or self.outputs)
        unknown = [n for n in names if n not in self.outputs]
        if unknown:
            raise ModelError(f"{self.path}: a {self.generation} encoder has no output {unknown[0]!r}; "
                             f"it has {', '.join(self.outputs)}")
        return outputs if isinstance(outputs, str) else names

    # ------------------------------------------------------------------ embeddings

    def embed(self, texts: str | Sequence[str], *, pooling: str | None = None, normalize: bool | None = None,
              batch_size: int = 64, progress: bool | None = None) -> np.ndarray:
        """Embed `texts`: a float32 array [len(texts), hidden] (a vector for one string).

        `pooling`: ``pooled`` (the encoder's pooled_output), ``mean`` (the
        mask-weighted mean of sequence_output, as sentence-transformers does) or
        ``cls`` (the first token's sequence_output). `normalize` scales each to
        unit length. Either left None is the model's own (`pooling`, `normalize`).
        Texts are sorted by length and batched by tokens: at most `batch_size` rows of
        the texts' mean length, so a batch of short texts has more rows and one of long
        texts fewer, cut where padding would cost more than another encoder call; each
        batch is padded to its longest text, not to seq_length.
        Vectors come back in the order of `texts`.
        """
        single, items = _texts(texts, "texts")
        result = self._embed(lambda chunk: self.preprocessor.pack(chunk, self.seq_length), [items],
                             pooling, normalize, batch_size, progress)
        return result[0] if single else result

    def embed_pairs(self, first: str | Sequence[str], second: str | Sequence[str], *, pooling: str | None = None,
                    normalize: bool | None = None, batch_size: int = 64, progress: bool | None = None) -> np.ndarray:
        """Embed text pairs, packed ``[CLS] first [SEP] second [SEP]`` (input_type_ids 1 on the second)."""
        single, a = _texts(first, "first")
        single_b, b = _texts(second, "second")
        if len(a) != len(b):
            raise TextInputError(f"embed_pairs needs as many second texts as first ones: {len(a)} != {len(b)}")
        result = self._embed(lambda x, y: self.preprocessor.pack_pairs(x, y, self.seq_length), [a, b],
                             pooling, normalize, batch_size, progress)
        return result[0] if single and single_b else result

    def similarity(self, texts: Sequence[str], *, pooling: str | None = None, batch_size: int = 64) -> np.ndarray:
        """The cosine similarity matrix [n, n] of the texts' embeddings; `pooling` defaults to
        the model's when something says it (`pooling_source`), else to mean pooling."""
        vectors = self.embed(list(_texts(texts, "texts")[1]), pooling=pooling or self.similarity_pooling,
                             normalize=True, batch_size=batch_size)
        return vectors @ vectors.T

    def defaults_note(self, *, pooling_given: bool = False, normalize_given: bool = False) -> str | None:
        """What `embed` applies that the caller did not choose and the model itself says (its card or
        sentence-transformers configuration), as one line naming where it came from; None when the
        caller chose both, or nothing but hubfork's own default applies."""
        parts = {}
        if not pooling_given and self.pooling_source != DEFAULT_SOURCE:
            parts[f"{self.pooling} pooling"] = self.pooling_source
        if not normalize_given and self.normalize_source != DEFAULT_SOURCE:
            parts["normalised" if self.normalize else "not normalised"] = self.normalize_source
        if not parts:
            return None
        sources = " and ".join(dict.fromkeys(parts.values()))
        said = ", ".join(parts) if any(part.endswith(" pooling") for part in parts) else f"being {', '.join(parts)}"
        return f"embeddings default to {said}, as {sources} says"

    @property
    def similarity_pooling(self) -> str:
        """The pooling `similarity` uses when the caller gives none."""
        return self.pooling if self.pooling_source != DEFAULT_SOURCE else SIMILARITY_POOLING

    def _embed(self, pack: Callable[..., dict[str, np.ndarray]], columns: list[list[str]], pooling: str | None,
               normalize: bool | None, batch_size: int, progress: bool | None) -> np.ndarray:
        pooling = self.pooling if pooling is None else pooling
        normalize = self.normalize if normalize is None else normalize
        if pooling not in POOLINGS:
            raise ModelError(f"unknown pooling {pooling!r}; expected one of {', '.join(POOLINGS)}")
        total = len(columns[0])
        if total == 0:
            # The width of the vectors is the model's; one throwaway text finds it.
            function = self._embed_key(pooling, normalize, self.jit_compile is True)
            width = self._run(function, (pack(*[[""] for _ in columns]),))[0].shape[1]
            return np.zeros((0, width), np.float32)
        out: np.ndarray | None = None
        with _progress(total, progress, "embedding") as bar:
            for start in range(0, total, CHUNK):
                packed = pack(*[column[start:start + CHUNK] for column in columns])
                if start == 0:
                    # Decided once per call, from the first chunk's tokens scaled to the whole call.
                    xla = self.use_xla(int(lengths(packed).sum()) * total // min(total, CHUNK))
                    function = self._embed_key(pooling, normalize, xla)
                # Without XLA a traced function takes any width, so batches are cut to their longest
                # text exactly; XLA compiles once per shape, so there widths are rounded to few buckets.
                multiple = DEFAULT_MULTIPLE if xla else 1
                batches = list(length_batches(packed, batch_size, multiple, token_budget(packed, batch_size, multiple)))
                # Two batches per call (not under XLA, which would compile every pair of shapes): TensorFlow
                # then runs the two encoders' ops side by side, so one batch's layer norms, softmaxes and
                # small attention matmuls, which leave cores idle, overlap the other's large matmuls.
                group = 1 if xla else BATCHES_PER_CALL
                for first in range(0, len(batches), group):
                    together = batches[first:first + group]
                    for batch, vectors in zip(together, self._run(function, tuple(b.inputs for b in together))):
                        if out is None:
                            out = np.empty((total, vectors.shape[1]), vectors.dtype)
                        out[start + batch.index] = vectors
                        bar.update(len(batch.index))
        assert out is not None
        return out

    def use_xla(self, tokens: int) -> bool:
        """Whether a call of `tokens` real tokens runs through XLA: always with ``jit_compile=True``,
        never with False, and with None when `tokens` reaches `XLA_AUTO_MIN_TOKENS`."""
        if self.jit_compile is None:
            return tokens >= XLA_AUTO_MIN_TOKENS
        return bool(self.jit_compile)

    def _embed_key(self, pooling: str, normalize: bool, xla: bool) -> Any:
        return self._function(("embed", pooling, normalize, xla), lambda: self._embed_function(pooling, normalize),
                              xla)

    def _embed_function(self, pooling: str, normalize: bool) -> Callable[[dict[str, Any]], Any]:
        tf = _tf.tensorflow()
        encoder = self.encoder

        def embed_one(inputs):
            outputs = encoder(inputs, training=False)
            if pooling == "pooled":
                vectors = outputs["pooled_output"]
            elif pooling == "cls":
                vectors = outputs["sequence_output"][:, 0]
            else:
                mask = tf.cast(inputs["input_mask"], outputs["sequence_output"].dtype)[:, :, None]
                vectors = tf.reduce_sum(outputs["sequence_output"] * mask, 1) / tf.maximum(
                    tf.reduce_sum(mask, 1), 1e-9)
            if normalize:
                vectors = tf.math.l2_normalize(vectors, axis=1, epsilon=1e-24)
            return vectors

        def embed(batches):
            return tuple(embed_one(inputs) for inputs in batches)

        return embed

    # ------------------------------------------------------------------ fill-mask

    def fill_mask(self, texts: str | Sequence[str], *, top_k: int = 5,
                  batch_size: int = 64) -> list[list[list[TokenPrediction]]] | list[list[TokenPrediction]]:
        """For each ``[MASK]`` of each text, the `top_k` likeliest tokens, best first.

        Returns, per text, one list of `TokenPrediction` per mask (in text
        order); for a single string, just its list. Needs a v4 encoder (``.mlm``).
        """
        if not self.has_mlm:
            raise NoMaskedLMError(str(self.path), self.generation)
        single, items = _texts(texts, "texts")
        vocab = self.vocab()
        if not 1 <= top_k <= len(vocab):
            raise ModelError(f"top_k must be between 1 and the vocab size {len(vocab)}, not {top_k}")
        mask_id = self.mask_id()
        function = self._function(("fill_mask", top_k), lambda: self._fill_mask_function(top_k))
        results: list[list[list[TokenPrediction]]] = []
        for start in range(0, len(items), CHUNK):
            chunk = items[start:start + CHUNK]
            packed = self.preprocessor.pack(chunk, self.seq_length)
            found = [np.flatnonzero(row == mask_id) for row in packed["input_word_ids"]]
            for i, positions in enumerate(found):
                if positions.size == 0:
                    raise TextInputError(f"text {start + i} has no {MASK_TOKEN} token"
                                         + (" left after truncation" if MASK_TOKEN in chunk[i] else "")
                                         + f": {_preview(chunk[i])!r}")
            chunk_results: list[Any] = [None] * len(chunk)
            for batch in length_batches(packed, batch_size):
                rows = [found[i] for i in batch.index]
                positions = np.zeros((len(rows), max(len(r) for r in rows)), np.int32)
                for r, row in enumerate(rows):
                    positions[r, :len(row)] = row
                scores, ids = self._run(function, {**batch.inputs, "masked_lm_positions": positions})
                for r, i in enumerate(batch.index):
                    chunk_results[i] = [
                        Predictions(TokenPrediction(vocab[t], int(t), float(s))
                                    for s, t in zip(scores[r, m], ids[r, m]))
                        for m in range(len(rows[r]))
                    ]
            results.extend(chunk_results)
        return results[0] if single else results

    def _fill_mask_function(self, top_k: int) -> Callable[[dict[str, Any]], Any]:
        tf = _tf.tensorflow()
        encoder = self.encoder

        def fill_mask(inputs):
            inputs = dict(inputs)
            positions = inputs.pop("masked_lm_positions")
            logits = encoder.mlm_logits(inputs, positions)
            top = tf.math.top_k(tf.nn.softmax(logits, axis=-1), k=top_k)
            return top.values, top.indices

        return fill_mask

    def vocab(self) -> list[str]:
        """The tokens of the encoder's vocab (id -> token)."""
        if self._vocab is None:
            found = self.encoder.vocab()
            source = found[0] if found else getattr(getattr(self.preprocessor.loaded, "vocab_file", None),
                                                   "asset_path", None)
            if source is None:
                raise ModelError(f"{self.path}: neither the encoder nor its preprocessor has a vocab file")
            folder = self.encoder.path if found else self.preprocessor.path
            self._vocab = read_vocab(source if isinstance(source, str) else source.numpy().decode(), folder=folder)
        return self._vocab

    def mask_id(self) -> int:
        """The id of ``[MASK]``: the tokenizer's own, else the vocab's line of ``[MASK]``."""
        special = self.preprocessor.special_tokens()
        if "mask_id" in special:
            return special["mask_id"]
        try:
            return self.vocab().index(MASK_TOKEN)
        except ValueError:
            raise ModelError(f"{self.path}: the vocab has no {MASK_TOKEN} token") from None

    # ------------------------------------------------------------------ running

    def _function(self, key: Any, make: Callable[[], Callable[..., Any]], xla: bool | None = None) -> Any:
        """The traced function for `key`, made once and reused by every later call; through XLA
        when `xla` says so (None: when ``jit_compile`` is True)."""
        if key not in self._functions:
            xla = self.jit_compile is True if xla is None else xla
            # reduce_retracing: one trace with a None batch and length serves every bucket.
            self._functions[key] = _tf.tensorflow().function(make(), reduce_retracing=True, jit_compile=xla or None)
        return key

    def _run(self, key: Any, inputs: dict[str, np.ndarray] | tuple[dict[str, np.ndarray], ...]) -> Any:
        """Run the function of `key` on `inputs`: one batch, or a tuple of batches."""
        tf = _tf.tensorflow()
        tensors = tf.nest.map_structure(tf.constant, inputs)
        with tf_device(self.device):
            try:
                result = self._functions[key](tensors)
            except (tf.errors.InvalidArgumentError, tf.errors.UnimplementedError) as exc:
                if self.jit_compile is False or "xla" not in str(exc).lower():
                    raise
                # XLA cannot compile every restored graph (TF1 modules' pruned
                # functions, ops without XLA kernels): run it as a plain graph.
                warnings.warn(f"{self.path}: XLA could not compile this model ({str(exc).splitlines()[0]}); "
                              "running it without jit_compile", RuntimeWarning, stacklevel=3)
                self._functions[key] = tf.function(self._functions[key].python_function, reduce_retracing=True)
                result = self._functions[key](tensors)
        if isinstance(result, tuple):
            return tuple(r.numpy() for r in result)
        return result.numpy()

    # ------------------------------------------------------------------ display

    def _repr_html_(self) -> str:
        # Jupyter shows a model as this table; other front ends use the dataclass repr.
        from hubfork._html import fields_table

        rows = [
            ("name", self.name),
            ("generation", self.generation),
            ("path", str(self.path)),
            ("outputs", ", ".join(self.outputs)),
            ("masked LM", "yes" if self.has_mlm else "no"),
            ("preprocessor", self.preprocessor_source),
            ("seq_length", "the preprocessor's" if self.seq_length is None else str(self.seq_length)),
            ("pooling", f"{self.pooling} ({self.pooling_source})"),
            ("normalize", f"{'yes' if self.normalize else 'no'} ({self.normalize_source})"),
            ("trainable", "yes" if self.trainable else "no"),
            ("device", self.device),
            *(("note", note) for note in self.notes),
        ]
        return fields_table(rows)


def _texts(texts: str | Sequence[str], argument: str) -> tuple[bool, list[str]]:
    """(whether one string was given, the texts as a list), refusing anything but strings."""
    if isinstance(texts, str):
        return True, [texts]
    if isinstance(texts, (bytes, bytearray)) or not isinstance(texts, Iterable):
        raise TextInputError(f"{argument} must be a string or a sequence of strings, not {type(texts).__name__}")
    items = list(texts)
    for i, item in enumerate(items):
        if not isinstance(item, str):
            raise TextInputError(f"{argument}[{i}] is a {type(item).__name__}, not a string: {item!r:.60}")
    return False, items


def _preview(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def _progress(total: int, progress: bool | None, what: str) -> Any:
    """The bar of `total` texts: always with `progress` True, never with False; with None, on a terminal
    only, for more than `PROGRESS_THRESHOLD` texts (see `hubfork._progress`)."""
    from hubfork._progress import Progress

    show = progress if progress is not None else (None if total > PROGRESS_THRESHOLD else False)
    return Progress(what, unit="text", total=total, show=show)


__all__ = ["TextModel", "TokenPrediction", "Predictions"]
