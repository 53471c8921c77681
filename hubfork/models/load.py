"""`load_text_model`: fetch an encoder by any name, inspect it, pair it, and wrap it as a `TextModel`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hubfork.errors import ModelError

if TYPE_CHECKING:  # pragma: no cover
    from hubfork.hub.registry_sources import RegistryLike
    from hubfork.models.text_model import TextModel


def load_text_model(
    name: str | os.PathLike[str],
    *,
    preprocessor: str | os.PathLike[str] | None = None,
    seq_length: int | None = None,
    trainable: bool = False,
    revision: str | None = None,
    device: str | None = None,
    jit_compile: bool = False,
    cache_dir: str | os.PathLike[str] | None = None,
    local_files_only: bool = False,
    token: str | bool | None = None,
    endpoint: str | None = None,
    registry: "RegistryLike" = None,
) -> "TextModel":
    """Load the text encoder `name` (any name `hubfork.resolve` accepts) as a `TextModel`.

    The generation is found by inspecting the SavedModel, not from its version.
    The preprocessor is `preprocessor` (any name) if given, else the companion the
    registry or the model card names, else one built from the encoder's own vocab.
    `seq_length` caps the tokens per text (default: the preprocessor's, 128 on
    tfhub.dev); `trainable` makes `keras_model()` fine-tunable; `device` is
    ``"cpu"``, ``"gpu"`` or ``"gpu:N"`` (default: a GPU when TensorFlow sees one);
    `jit_compile` runs embed and fill-mask through XLA, which compiles once per
    batch shape and then runs faster. `revision` applies to the encoder; the hub
    options (`cache_dir`, `local_files_only`, `token`, `endpoint`, `registry`) to both.
    """
    from hubfork.hub.download import fetch
    from hubfork.models.devices import choose_device
    from hubfork.models.generations import inspect_encoder
    from hubfork.models.pairing import registry_or_none, pair_preprocessor
    from hubfork.models.preprocessing import Preprocessor
    from hubfork.models.text_model import TextModel

    if seq_length is not None and seq_length < 2:
        raise ModelError(f"seq_length must be at least 2 (room for [CLS] and [SEP]), not {seq_length}")
    chosen_device = choose_device(device)
    registry_object = registry_or_none(registry)
    hub_options: dict[str, Any] = dict(cache_dir=cache_dir, local_files_only=local_files_only, token=token,
                                       endpoint=endpoint, registry=registry_object)
    snapshot = fetch(os.fspath(name), revision=revision, **hub_options)
    encoder = inspect_encoder(Path(snapshot.path))
    if trainable and not encoder.fine_tunable:
        from hubfork.errors import NotTrainableError
        from hubfork.hub.pull import TF1_NOT_TRAINABLE

        raise NotTrainableError(os.fspath(name), path=snapshot.path, reason=TF1_NOT_TRAINABLE)
    pairing = pair_preprocessor(
        encoder, snapshot, given=os.fspath(preprocessor) if preprocessor is not None else None,
        registry=registry_object, fetch=lambda other: fetch(other, **hub_options), seq_length=seq_length)
    packer = Preprocessor(pairing.path, pairing.source)
    seq_length = _fit_positions(encoder, packer, seq_length, pairing.notes)
    return TextModel(encoder, packer, os.fspath(name), seq_length=seq_length, trainable=trainable,
                     device=chosen_device, jit_compile=jit_compile, notes=pairing.notes)


def _fit_positions(encoder: Any, preprocessor: Any, seq_length: int | None, notes: list[str]) -> int | None:
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


__all__ = ["load_text_model"]
