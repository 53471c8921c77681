"""`load_text_model`: fetch an encoder by any name, inspect it, pair it, and wrap it as a `TextModel`."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

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
    jit_compile: bool | None = False,
    cache_dir: str | os.PathLike[str] | None = None,
    local_files_only: bool = False,
    token: str | bool | None = None,
    endpoint: str | None = None,
    registry: "RegistryLike" = None,
    trust: bool = False,
) -> "TextModel":
    """Load the text encoder `name` (any name `hubfork.resolve` accepts) as a `TextModel`.

    The generation is found by inspecting the SavedModel, not from its version.
    The preprocessor is `preprocessor` (any name) if given, else the companion the
    registry or the model card names, else one built from the encoder's own vocab.
    `seq_length` caps the tokens per text (default: the preprocessor's, 128 on
    tfhub.dev); `trainable` makes `keras_model()` fine-tunable; `device` is
    ``"cpu"``, ``"gpu"`` or ``"gpu:N"`` (default: a GPU when TensorFlow sees one);
    `jit_compile` runs embed and fill-mask through XLA, which compiles once per
    batch shape and then runs faster (None: an `embed` call long enough to repay the
    compilation, `TextModel.use_xla`). How `embed` pools and normalises when the caller
    does not say comes from the model: a sentence-transformers configuration beside the
    weights, else its registry entry or card (``pooling``, ``normalize``), else pooled_output.
    `revision` applies to the encoder; the hub
    options (`cache_dir`, `local_files_only`, `token`, `endpoint`, `registry`) to both.

    Models already on this machine can skip the names: `hubfork.models.load.text_model_from_folders`.

    The encoder and the preprocessor are scanned before either loads (`hubfork.scan`;
    verdicts are cached) and refused if a graph would do more than compute; `trust=True`
    skips the scan for this call, for models you trust.

    Raises:
        HubError: a name that cannot be resolved or fetched (see `hubfork.hub.fetch`).
        ModelError: a bad `seq_length` or `device`; `ModelFormatError` for a folder that is not
            an encoder, or an encoder with no preprocessor to pair.
        NotTrainableError: `trainable` with an encoder that cannot be fine-tuned (a TF1 Hub module).
        UnsafeModelError: the scan of the encoder or its preprocessor found ops that read or write
            files, use the network, run code or are unknown; nothing was loaded.
    """
    from hubfork.hub.download import fetch
    from hubfork.loading.pairing import pair_preprocessor, registry_or_none
    from hubfork.loading.pooling import card_defaults
    from hubfork.models.load import check_text_options, open_encoder, text_model_from_folders
    from hubfork.scanning.scanner import check_model

    shown = os.fspath(name)
    chosen_device = check_text_options(seq_length=seq_length, device=device)
    registry_object = registry_or_none(registry)
    hub_options: dict[str, Any] = dict(cache_dir=cache_dir, local_files_only=local_files_only, token=token,
                                       endpoint=endpoint, registry=registry_object)
    snapshot = fetch(shown, revision=revision, **hub_options)
    check_model(snapshot.path, name=shown, trust=trust)
    encoder = open_encoder(snapshot.path, trainable=trainable, name=shown)
    pairing = pair_preprocessor(
        encoder, snapshot, given=os.fspath(preprocessor) if preprocessor is not None else None,
        registry=registry_object, fetch=lambda other: fetch(other, **hub_options), seq_length=seq_length)
    check_model(pairing.path, name=pairing.name or f"the preprocessor of {shown}", trust=trust)
    return text_model_from_folders(encoder, pairing.path, pairing.source, name=shown, seq_length=seq_length,
                                   trainable=trainable, device=chosen_device, jit_compile=jit_compile,
                                   notes=pairing.notes, card_defaults=card_defaults(snapshot, registry_object))


__all__ = ["load_text_model"]
