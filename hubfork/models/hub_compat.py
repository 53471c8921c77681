"""What TF Hub notebooks call that today's tensorflow_hub no longer offers as they wrote it.

- `keras_layer_class()`: ``hub.KerasLayer`` whose loaded SavedModel's attributes show through
  the layer (``encoder.mlm``, ``encoder.vocab_file``, ``encoder.do_lower_case``), as they do on
  the object ``hub.load`` returns: notebooks written for the earlier TF Hub fork called them
  on the layer ``pull_from_hub`` returned.
- `module_class()`: ``hub.Module`` for TF1 Hub-format modules (tensorflow_hub 0.16 removed it),
  calling a signature of the module loaded with ``hub.load``.
"""

from __future__ import annotations

import functools
import warnings
from typing import Any

from hubfork.models import _tf


@functools.cache
def keras_layer_class() -> type:
    """``hub.KerasLayer`` with the loaded SavedModel's attributes readable on the layer."""
    hub = _tf.tensorflow_hub()

    class KerasLayer(hub.KerasLayer):
        """A ``hub.KerasLayer``; attributes it lacks are read from its loaded SavedModel."""

        def __getattr__(self, name: str) -> Any:
            # Only reached when normal lookup fails; private names stay Keras's own, so that
            # Keras's tracking (which probes attributes while the layer is built) is untouched.
            if name.startswith("_"):
                raise AttributeError(name)
            try:
                loaded = object.__getattribute__(self, "_func")
            except AttributeError:
                raise AttributeError(name) from None
            try:
                return getattr(loaded, name)
            except AttributeError:
                raise AttributeError(f"{type(self).__name__!r} object and its SavedModel have no attribute "
                                     f"{name!r}") from None

    return KerasLayer


@functools.cache
def module_class() -> type:
    """``hub.Module`` for TF1 Hub-format modules, on TensorFlow 2."""
    hub = _tf.tensorflow_hub()

    class Module:
        """A TF1 Hub-format module, called through its signatures as TF1's ``hub.Module`` was:
        ``module(inputs, signature="tokens", as_dict=True)``.

        TensorFlow 2 cannot fine-tune a TF1 module, so ``trainable=True`` loads it for inference
        with a warning (a TF2 SavedModel of the model is the one to fine-tune).
        """

        def __init__(self, spec: str, trainable: bool = False, name: str = "module", tags: Any = None):
            if trainable:
                warnings.warn("hub.Module(trainable=True): TensorFlow 2 cannot fine-tune a TF1 Hub-format module; "
                              "it is loaded for inference", stacklevel=2)
            self.name = name
            self.trainable = False
            self._loaded = hub.load(spec, tags=sorted(tags) if tags else [])

        def __call__(self, inputs: Any = None, signature: str | None = None, as_dict: bool | None = None) -> Any:
            function = self._loaded.signatures[signature or "default"]
            outputs = function(**inputs) if isinstance(inputs, dict) else function(inputs)
            return outputs if as_dict else outputs["default"]

        def get_signature_names(self) -> list[str]:
            return list(self._loaded.signatures)

        @property
        def variables(self) -> list[Any]:
            return list(self._loaded.variables)

    return Module


__all__ = ["keras_layer_class", "module_class"]
