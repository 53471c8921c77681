"""`TextEmbeddingModelHandler`: any encoder hubfork can load, as a model of Beam's RunInference.

Beam calls `load_model` once per worker process (once per machine with
``share_model_across_processes=True``), groups elements into batches by its own
``BatchElements`` and calls `run_inference` on each; hubfork pads each batch to its
longest text, so short texts cost what they need.
"""

from __future__ import annotations

import os
from typing import Any, Iterable, Mapping, Sequence

from apache_beam.ml.inference.base import ModelHandler, PredictionResult

from hubfork.constants import POOLINGS

#: Texts per Beam batch when the caller does not say.
DEFAULT_MAX_BATCH = 256
#: Texts per encoder call inside a batch: hubfork sorts a batch by length and pads each call to its longest.
DEFAULT_ENCODER_BATCH = 64
#: `inference_args` a pipeline may give RunInference to change the pooling or normalisation per call.
INFERENCE_ARGS = ("pooling", "normalize")


class TextEmbeddingModelHandler(ModelHandler[str, PredictionResult, Any]):
    """Texts in, `PredictionResult`s out: each with the text as ``example``, its float32 vector as
    ``inference`` and the model's name as ``model_id``.

    ``RunInference(TextEmbeddingModelHandler("hubfork/all-MiniLM-L6-v2", pooling="mean", normalize=True))``
    embeds a PCollection of strings; wrap it in ``KeyedModelHandler`` for ``(key, text)`` pairs, which
    come out as ``(key, PredictionResult)``. `model` is any name `hubfork.load_text_model` takes (repo id,
    mirror or tfhub.dev URL, registry handle, local folder, a local hub's repo), resolved and scanned on
    each worker when it loads the model: a model whose graph would do more than compute is refused
    (`UnsafeModelError`) unless `trust` is set. `load_options` go to `load_text_model` as given
    (``preprocessor``, ``seq_length``, ``revision``, ``device``, ``cache_dir``, ``endpoint``, ...).

    `pooling` and `normalize` left None are the model's own (see `TextModel.embed`). Beam batches
    between `min_batch_size` and `max_batch_size` texts, by default exactly `max_batch_size` (but at the
    end of a bundle): left to adapt from 1, Beam's batching spends a run's first hundred batches on one to
    a few texts each, and the encoder runs several times slower on those. hubfork runs each batch through
    the encoder `encoder_batch_size` texts at a time, sorted by length and padded to the longest of each.
    `share_model_across_processes` keeps one copy of the model per machine instead of one per worker
    process (Beam's ``large_model``).
    """

    def __init__(self, model: str | os.PathLike[str], *, pooling: str | None = None, normalize: bool | None = None,
                 trust: bool = False, min_batch_size: int | None = None, max_batch_size: int = DEFAULT_MAX_BATCH,
                 encoder_batch_size: int = DEFAULT_ENCODER_BATCH, share_model_across_processes: bool = False,
                 **load_options: Any):
        if pooling is not None and pooling not in POOLINGS:
            raise ValueError(f"unknown pooling {pooling!r}; expected one of {', '.join(POOLINGS)}")
        if min_batch_size is None:
            min_batch_size = max_batch_size
        if not 1 <= min_batch_size <= max_batch_size:
            raise ValueError(f"batch sizes must satisfy 1 <= min_batch_size <= max_batch_size, "
                             f"not {min_batch_size} and {max_batch_size}")
        if encoder_batch_size < 1:
            raise ValueError(f"encoder_batch_size must be at least 1, not {encoder_batch_size}")
        super().__init__(min_batch_size=min_batch_size, max_batch_size=max_batch_size,
                         large_model=share_model_across_processes)
        self.model_name = os.fspath(model)
        self.pooling = pooling
        self.normalize = normalize
        self.trust = trust
        self.encoder_batch_size = encoder_batch_size
        self.load_options = dict(load_options)

    def load_model(self) -> Any:
        """The `TextModel`, through `hubfork.load_text_model` (fetch, scan, load); Beam calls it once
        per worker process, or once per machine when the model is shared across processes.

        Raises:
            HubError: the name cannot be resolved or fetched from this worker.
            UnsafeModelError: the scan found ops that read or write files, use the network or run code.
            ModelError: the model is not a text encoder hubfork can load.
        """
        from hubfork.loading.text import load_text_model

        return load_text_model(self.model_name, trust=self.trust, **self.load_options)

    def run_inference(self, batch: Sequence[str], model: Any,
                      inference_args: Mapping[str, Any] | None = None) -> Iterable[PredictionResult]:
        """One `PredictionResult` per text of `batch`, in order."""
        options = {"pooling": self.pooling, "normalize": self.normalize, **(inference_args or {})}
        texts = list(batch)
        if not texts:
            return []
        vectors = model.embed(texts, pooling=options["pooling"], normalize=options["normalize"],
                              batch_size=self.encoder_batch_size, progress=False)
        return [PredictionResult(text, vector, self.model_name) for text, vector in zip(texts, vectors)]

    def validate_inference_args(self, inference_args: Mapping[str, Any] | None) -> None:
        unknown = sorted(set(inference_args or {}) - set(INFERENCE_ARGS))
        if unknown:
            raise ValueError(f"TextEmbeddingModelHandler takes inference_args {', '.join(INFERENCE_ARGS)}; "
                             f"not {', '.join(unknown)}")

    def get_num_bytes(self, batch: Sequence[str]) -> int:
        """The UTF-8 size of the batch's texts (Beam's byte-count metric)."""
        return sum(len(text.encode("utf-8")) for text in batch)

    def get_metrics_namespace(self) -> str:
        return "hubfork"


__all__ = ["TextEmbeddingModelHandler"]
