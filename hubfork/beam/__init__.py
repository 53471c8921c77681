"""Embedding at scale on Apache Beam (``pip install "hubfork[beam]"``): hubfork's text models in
RunInference, on any runner.

- ``TextEmbeddingModelHandler`` (`hubfork.beam.handler`): a RunInference ``ModelHandler`` that loads
  any model `hubfork.load_text_model` takes, once per worker, and embeds Beam's batches of texts;
  wrap it in Beam's ``KeyedModelHandler`` for ``(key, text)`` pairs;
- ``embed_corpus`` (`hubfork.beam.pipeline`): the whole job behind ``hubfork embed-corpus``, text or
  JSONL files in, Parquet or JSONL vectors out, malformed lines reported, fixed shard names
  (`hubfork.beam.outputs`); the rules for lines and rows live in `hubfork.beam.records`.

Above `hubfork.loading`; importing this package imports Apache Beam, nothing else of hubfork does.
See docs/scale.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hubfork._lazy import attach

_EXPORTS = {
    "TextEmbeddingModelHandler": "hubfork.beam.handler",
    "embed_corpus": "hubfork.beam.pipeline",
    "CorpusSummary": "hubfork.beam.pipeline",
}

__all__ = sorted(_EXPORTS)


__getattr__, __dir__ = attach("hubfork.beam", globals(), _EXPORTS)


if TYPE_CHECKING:  # pragma: no cover
    from hubfork.beam.handler import TextEmbeddingModelHandler
    from hubfork.beam.pipeline import CorpusSummary, embed_corpus
