"""`KerasLayer`: any name of a TF Hub-style model, as a Keras 3 layer (``hubfork.keras3.KerasLayer``).

The name is resolved, fetched and scanned as `pull_from_hub` does; the loaded
SavedModel is wrapped by `hubfork.models.keras3_layer.SavedModelLayer`. Importing
this module imports Keras 3 and TensorFlow.
"""

from __future__ import annotations

import os
from typing import Any

from hubfork.errors import NotTrainableError
from hubfork.loading.pull import fetch_checked
from hubfork.models import _tf
from hubfork.models.keras3_layer import SavedModelLayer, keras
from hubfork.models.model_files import check_assets
from hubfork.models.savedmodel import TF1_NOT_TRAINABLE, is_tf1_module, signature_names


@keras.saving.register_keras_serializable(package="hubfork")
class KerasLayer(SavedModelLayer):
    """``hub.KerasLayer`` for Keras 3: the model named `handle` (any form `hubfork.resolve` accepts)
    as a ``keras.layers.Layer`` that a Keras 3 ``Sequential`` or ``Model`` takes.

    `trainable`, `signature`, `output_key`, `signature_outputs_as_dict` and `arguments` mean what
    they mean for ``hub.KerasLayer``; with ``trainable=True`` the SavedModel's variables are
    trainable weights that ``fit`` fine-tunes, and every variable is saved by ``save_weights``.
    A preprocessor takes a string tensor; a v3/v4 encoder a dict of int32 tensors (a v1/v2 one,
    a list). A TF1 Hub module is called through its ``tokens`` signature with outputs as a dict
    unless told otherwise, and cannot be fine-tuned. Hub options as for `pull_from_hub`:
    `revision`, `local_files_only`, `cache_dir`, `token`, `endpoint`, `registry`; `trust=True`
    skips the scan that otherwise precedes loading.

    Raises:
        HubError: the name cannot be resolved or fetched (see `pull_from_hub`).
        NotTrainableError: ``trainable=True`` on a TF1 Hub module or through a signature.
        UnsafeModelError: the scan found ops that read or write files, use the network, run code
            or are unknown; nothing was loaded.
        UnreadableModelError: the folder holds no readable ``saved_model.pb``.
        ModelError: an unknown signature or output key, or a Keras backend other than TensorFlow.
    """

    def __init__(self, handle: str | os.PathLike[str], trainable: bool = False, signature: str | None = None,
                 output_key: str | None = None, signature_outputs_as_dict: bool | None = None,
                 arguments: dict[str, Any] | None = None, *, revision: str | None = None,
                 local_files_only: bool = False, trust: bool = False, **kwargs: Any):
        hub_options = {key: kwargs.pop(key) for key in ("cache_dir", "token", "endpoint", "registry") if key in kwargs}
        name = os.fspath(handle)
        path = fetch_checked(name, revision=revision, local_files_only=local_files_only, trust=trust, **hub_options)
        if is_tf1_module(path):
            if trainable:
                raise NotTrainableError(name, path=str(path), reason=TF1_NOT_TRAINABLE)
            if signature is None and "tokens" in signature_names(path):
                signature = "tokens"
                if signature_outputs_as_dict is None and output_key is None:
                    signature_outputs_as_dict = True
        # A preprocessor's graph uses TF Text ops, registered only once tensorflow_text is imported.
        _tf.tensorflow_text()
        check_assets(path)  # TensorFlow reads them as it loads
        loaded = _tf.tensorflow_hub().load(str(path))
        super().__init__(loaded, trainable=trainable, signature=signature, output_key=output_key,
                         signature_outputs_as_dict=signature_outputs_as_dict, arguments=arguments, path=str(path),
                         **kwargs)
        self.handle = name
        self._config = dict(handle=name, signature=signature, output_key=output_key,
                            signature_outputs_as_dict=signature_outputs_as_dict, arguments=arguments,
                            revision=revision)

    def get_config(self) -> dict[str, Any]:
        # Rebuilding from the config fetches and scans the model again, by its name.
        return {**super().get_config(), **self._config}


__all__ = ["KerasLayer"]
