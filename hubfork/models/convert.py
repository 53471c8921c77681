"""Converting BERT weights (a Hugging Face checkpoint, or random ones) into TF
Hub-format SavedModels: an encoder of any generation and its preprocessor."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping

from hubfork.constants import DEFAULT_SEQ_LENGTH, GENERATIONS, POOLINGS
from hubfork.errors import ModelError
from hubfork.models.config import BertConfig
from hubfork.models.pooling import SentenceTransformersConfig
from hubfork.models.vocab import vocab_size
from hubfork.models.weights import random_weights, read_checkpoint


@dataclass
class Conversion:
    """What `convert` wrote."""

    encoder_dir: Path
    generation: str
    config: BertConfig
    do_lower_case: bool
    preprocessor_dir: Path | None = None
    seconds: float = 0.0
    #: Things the caller should tell the user (weights the source did not have, ...).
    notes: list[str] = field(default_factory=list)


def convert(
    out_dir: str | Path,
    generation: str,
    *,
    checkpoint: str | Path | None = None,
    random_spec: str | None = None,
    vocab_file: str | Path | None = None,
    cased: bool = False,
    seed: int = 0,
    preprocessor_out: str | Path | None = None,
    seq_length: int = DEFAULT_SEQ_LENGTH,
    sentence_transformers: bool = True,
    progress: Callable[[str], None] | None = None,
) -> Conversion:
    """Write an encoder of `generation` (and a preprocessor when `preprocessor_out`).

    The weights come from a Hugging Face BERT `checkpoint` folder, or are random
    for `random_spec` (``layers=2,hidden=32,heads=2``) with `vocab_file`; in the
    random case `cased` chooses the casing (a checkpoint says its own). A checkpoint's
    sentence-transformers pooling and normalisation are carried into the encoder folder
    (`carry_pooling`, written with it) unless `sentence_transformers` is False, and `Conversion.notes` says
    what was carried.

    Raises:
        ModelFormatError: the checkpoint or vocab is not one hubfork converts (says what it found).
        ModelError: bad arguments (generation, sizes, both or neither source), or an output folder
            that exists and is not empty; nothing is written then.
    """
    started = time.perf_counter()
    say = progress or (lambda message: None)
    if generation not in GENERATIONS:
        raise ModelError(f"unknown generation {generation!r}; expected one of {', '.join(GENERATIONS)}")
    if (checkpoint is None) == (random_spec is None):
        raise ModelError("give either a checkpoint folder or a random size spec, not both or neither")
    notes: list[str] = []
    carried: SentenceTransformersConfig | None = None
    if checkpoint is not None:
        say(f"reading {checkpoint}")
        source = read_checkpoint(checkpoint)
        config, weights, vocab, lower = source.config, source.weights, source.vocab_file, source.do_lower_case
        carried = source.sentence_transformers if sentence_transformers else None
        if generation == "v4" and not source.has_mlm:
            raise ModelError(f"{checkpoint}: no masked-LM head (cls.predictions.*): generation v4 exposes .mlm, "
                             "which needs one; write v3 instead, or convert a BertForMaskedLM checkpoint")
        if not source.has_pooler:
            notes.append("the checkpoint has no pooler (pooler.dense.*): pooled_output uses a randomly "
                         "initialised pooler")
            weights = {**random_weights(config, seed), **weights}
    else:
        if vocab_file is None:
            raise ModelError("random weights need a vocab file (--vocab)")
        vocab = Path(vocab_file)
        if not vocab.is_file():
            raise ModelError(f"{vocab}: no such vocab file")
        config = BertConfig.from_spec(random_spec or "", vocab_size=vocab_size(vocab))
        weights, lower = random_weights(config, seed), not cased
    files: dict[str, bytes] = {}
    if carried is not None:
        files, said = carry_pooling(carried)
        notes += said
    say(f"writing {generation} encoder {config.label} to {out_dir}")
    encoder_dir = write_encoder(out_dir, config, weights, generation, vocab_file=vocab, do_lower_case=lower,
                                progress=say, extra_files=files)
    preprocessor_dir = None
    if preprocessor_out is not None:
        from hubfork.models.export.preprocessor import write_preprocessor

        say(f"writing {'uncased' if lower else 'cased'} preprocessor (seq_length {seq_length}) to {preprocessor_out}")
        preprocessor_dir = write_preprocessor(preprocessor_out, vocab, lower_case=lower, seq_length=seq_length)
    return Conversion(Path(encoder_dir), generation, config, lower, preprocessor_dir,
                      time.perf_counter() - started, notes)


def carry_pooling(config: SentenceTransformersConfig) -> tuple[dict[str, bytes], list[str]]:
    """The files of a checkpoint's sentence-transformers configuration to write into the encoder it is
    converted to, where loading it (and ``card new``) reads them (`hubfork.models.pooling`), and the note
    saying what they carry.

    A pooling hubfork does not have is not carried, nor then the rest of the configuration: a
    normalisation of some other pooling's output would be a wrong default.
    """
    if config.unsupported is not None:
        return {}, [f"pooling: the checkpoint's sentence-transformers pooling is {config.unsupported} "
                    f"({' and '.join(sorted(config.files))}), which hubfork does not have ({', '.join(POOLINGS)}): "
                    "nothing carried; give embed --pooling"]
    if config.defaults is None:
        return {}, []
    return dict(config.files), [config.describe()]


def write_encoder(out_dir: str | Path, config: BertConfig, weights: dict, generation: str, *,
                  vocab_file: str | Path, do_lower_case: bool,
                  progress: Callable[[str], None] | None = None,
                  extra_files: Mapping[str, bytes] | None = None) -> Path:
    """Write `weights` as an encoder SavedModel of `generation` (one of `GENERATIONS`), with `extra_files`
    (folder-relative names, their bytes) in the same folder, written whole or not at all with it."""
    if generation == "tf1-hub":
        from hubfork.models.export.tf1_hub import write_tf1_hub_encoder

        return write_tf1_hub_encoder(out_dir, config, weights, vocab_file=vocab_file, do_lower_case=do_lower_case,
                                     progress=progress, extra_files=extra_files)
    from hubfork.models.export.encoder import write_tf2_encoder

    return write_tf2_encoder(out_dir, config, weights, generation, vocab_file=vocab_file,
                             do_lower_case=do_lower_case, progress=progress, extra_files=extra_files)


__all__ = ["Conversion", "carry_pooling", "convert", "write_encoder"]
