"""A `TextModel` from folders on this machine: an encoder SavedModel and a preprocessor SavedModel.

Where the folders come from (names, hubs, registries, model cards) is the
business of `hubfork.loading`; everything here reads local files only.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from hubfork.errors import ModelError, NotTrainableError
from hubfork.models.pooling import DEFAULT_POOLING, EmbeddingDefaults, choose_defaults, sentence_transformers_defaults

if TYPE_CHECKING:  # pragma: no cover
    from hubfork.models.generations import Encoder
    from hubfork.models.preprocessing import Preprocessor
    from hubfork.models.text_model import TextModel

#: How a preprocessor was chosen, as `TextModel.preprocessor_source` reports it.
PREPROCESSOR_SOURCES = ("given", "companion", "vocab")


def check_text_options(*, seq_length: int | None = None, device: str | None = None) -> str:
    """The TensorFlow device for `device` (see `choose_device`), once `seq_length` is checked.

    Callers that fetch models call this first, so that a bad option is refused
    before anything is downloaded or loaded.
    """
    from hubfork.models.devices import choose_device

    if seq_length is not None and seq_length < 2:
        raise ModelError(f"seq_length must be at least 2 (room for [CLS] and [SEP]), not {seq_length}")
    return choose_device(device)


def open_encoder(path: str | os.PathLike[str], *, trainable: bool = False, name: str | None = None) -> "Encoder":
    """The encoder SavedModel in `path`, inspected for its generation; with `trainable`, one that
    cannot be fine-tuned (a TF1 Hub module) is refused with `NotTrainableError` naming `name`."""
    from hubfork.models.generations import inspect_encoder

    encoder = inspect_encoder(Path(path))
    _refuse_training(encoder, trainable, name)
    return encoder


def text_model_from_folders(
    encoder: "Encoder | str | os.PathLike[str]",
    preprocessor: str | os.PathLike[str],
    source: str = "given",
    *,
    name: str | None = None,
    seq_length: int | None = None,
    trainable: bool = False,
    device: str | None = None,
    jit_compile: bool | None = False,
    notes: Sequence[str] = (),
    card_defaults: EmbeddingDefaults | None = None,
) -> "TextModel":
    """A `TextModel` on the encoder `encoder` (a folder, or an `Encoder` `open_encoder` made) and the
    preprocessor SavedModel in the folder `preprocessor`.

    `source` says how the preprocessor was chosen (one of `PREPROCESSOR_SOURCES`);
    `name` is the model's name (default: the encoder's folder); `notes` are kept
    on the model for the user; `card_defaults` is what the model's card says about pooling and
    normalisation, which a sentence-transformers configuration in the encoder folder overrides
    (see `hubfork.models.pooling`). The other options are `hubfork.load_text_model`'s.

    Raises:
        ModelError: a bad `seq_length` or `device`, or a `seq_length` over the encoder's positions.
        ModelFormatError: a folder that is not an encoder (or not a SavedModel).
        NotTrainableError: `trainable` with an encoder that cannot be fine-tuned.
    """
    from hubfork.models.generations import Encoder
    from hubfork.models.preprocessing import Preprocessor
    from hubfork.models.text_model import TextModel

    if source not in PREPROCESSOR_SOURCES:
        raise ValueError(f"source must be one of {', '.join(PREPROCESSOR_SOURCES)}, not {source!r}")
    chosen_device = check_text_options(seq_length=seq_length, device=device)
    if isinstance(encoder, Encoder):
        _refuse_training(encoder, trainable, name)
    else:
        encoder = open_encoder(encoder, trainable=trainable, name=name)
    packer = Preprocessor(Path(preprocessor), source)
    notes = list(notes)
    seq_length = _fit_positions(encoder, packer, seq_length, notes)
    # Said where it applies (`TextModel.defaults_note`: embed's CLI), not as a note of every use of the model.
    pooling, normalize = choose_defaults(sentence_transformers_defaults(encoder.path), card_defaults)
    return TextModel(encoder, packer, name if name is not None else str(encoder.path), seq_length=seq_length,
                     trainable=trainable, device=chosen_device, jit_compile=jit_compile, notes=notes,
                     pooling=pooling.pooling or DEFAULT_POOLING, normalize=bool(normalize.normalize),
                     pooling_source=pooling.source, normalize_source=normalize.source)


def _refuse_training(encoder: "Encoder", trainable: bool, name: str | None) -> None:
    if trainable and not encoder.fine_tunable:
        from hubfork.models.savedmodel import TF1_NOT_TRAINABLE

        raise NotTrainableError(name if name is not None else str(encoder.path), path=str(encoder.path),
                                reason=TF1_NOT_TRAINABLE)


def _fit_positions(encoder: "Encoder", preprocessor: "Preprocessor", seq_length: int | None,
                   notes: list[str]) -> int | None:
    """`seq_length`, checked against the encoder's position table; when none was given and the
    preprocessor packs more tokens than the encoder takes, the encoder's limit (with a note)."""
    limit = encoder.max_positions()
    if limit is None:
        return seq_length
    if seq_length is not None and seq_length > limit:
        raise ModelError(f"{encoder.path}: seq_length {seq_length} is more than the {limit} positions this "
                         f"encoder has")
    if seq_length is None and preprocessor.seq_length > limit:
        notes.append(f"the preprocessor packs {preprocessor.seq_length} tokens but the encoder has {limit} "
                     f"positions: texts are cut at {limit}")
        return limit
    return seq_length


__all__ = ["PREPROCESSOR_SOURCES", "check_text_options", "open_encoder", "text_model_from_folders"]
