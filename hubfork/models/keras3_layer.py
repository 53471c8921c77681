"""`SavedModelLayer`: a loaded TF Hub-style SavedModel as a Keras 3 layer (TensorFlow backend).

``hub.KerasLayer`` is a tf_keras layer, which a Keras 3 ``Sequential`` or ``Model``
refuses. This layer calls a loaded SavedModel the way ``hub.KerasLayer`` does
(`signature`, `output_key`, `signature_outputs_as_dict`, `arguments`, ``training=``
for Reusable SavedModels) and registers the SavedModel's own ``tf.Variable``s as
Keras 3 weights: wrapped, not copied, so that ``fit`` trains the very variables the
SavedModel's functions read, and ``save_weights``/``load_weights`` write and restore them.

Unlike the rest of `hubfork.models`, this module imports Keras 3 (and so TensorFlow)
when it is imported, since its class subclasses ``keras.layers.Layer``; only code
that builds a Keras 3 layer imports it. It takes a loaded object, never a folder:
loading (and the scan before it) is the caller's (`hubfork.keras3`, `TextModel`).
"""

from __future__ import annotations

from typing import Any

from hubfork.errors import ModelError, NotTrainableError
from hubfork.models import _tf
from hubfork.models.savedmodel import TF1_NOT_TRAINABLE

keras = _tf.keras3()

SIGNATURE_NOT_TRAINABLE = ("a SavedModel signature cannot be fine-tuned (hub.KerasLayer refuses it too); call the "
                           "model's __call__ (no signature=) to fine-tune it, or load it with trainable=False")


class SavedModelLayer(keras.layers.Layer):
    """A Keras 3 layer over `loaded` (a SavedModel from ``hub.load``/``tf.saved_model.load``, or one of
    its callables such as ``loaded.mlm``), with the options of ``hub.KerasLayer``.

    `trainable=True` makes the SavedModel's trainable variables trainable weights and passes
    ``training=`` to a callable that takes it (dropout while fitting); refused with
    `NotTrainableError` for a TF1 Hub module and for a signature. `path` names the model in errors.
    """

    def __init__(self, loaded: Any, *, trainable: bool = False, signature: str | None = None,
                 output_key: str | None = None, signature_outputs_as_dict: bool | None = None,
                 arguments: dict[str, Any] | None = None, path: str | None = None, **kwargs: Any):
        if keras.backend.backend() != "tensorflow":
            raise ModelError(f"a TF Hub SavedModel runs on TensorFlow: set KERAS_BACKEND=tensorflow "
                             f"(Keras runs on {keras.backend.backend()})")
        super().__init__(trainable=trainable, **kwargs)
        where = path or "the SavedModel"
        # A TF1 Hub module loaded by hub.load is called through a signature, "default" unless told.
        if getattr(loaded, "_is_hub_module_v1", False):
            if trainable:
                raise NotTrainableError(where, path=where, reason=TF1_NOT_TRAINABLE)
            signature = signature or "default"
            if not signature_outputs_as_dict:
                output_key = output_key or "default"
        if signature and (output_key is not None) == bool(signature_outputs_as_dict):
            raise ValueError("with a signature, give either output_key or signature_outputs_as_dict=True")
        if not signature and signature_outputs_as_dict:
            raise ValueError("signature_outputs_as_dict is only valid with a signature (or a TF1 Hub module)")
        if signature and trainable:
            raise NotTrainableError(where, path=where, reason=SIGNATURE_NOT_TRAINABLE)
        self._loaded = loaded
        self._signature = signature
        self._output_key = output_key
        self._arguments = dict(arguments or {})
        self._function = _callable(loaded, signature, where)
        self._takes_training = _tf.tensorflow_hub().keras_layer.func_has_training_argument(self._function)
        self._track_existing(loaded)
        self.built = True

    def _track_existing(self, loaded: Any) -> None:
        # The Reusable SavedModel API says which variables train; the rest are tracked as
        # non-trainable, so that they are saved with the model's weights too.
        trainable = list(getattr(loaded, "trainable_variables", ()))
        seen = {id(v) for v in trainable}
        frozen = [v for v in getattr(loaded, "variables", ()) if id(v) not in seen]
        for variable, is_trainable in [(v, True) for v in trainable] + [(v, False) for v in frozen]:
            # A Keras variable built on a tf.Variable wraps it (see keras' TensorFlow Variable._initialize).
            self._track_variable(keras.Variable(initializer=variable, trainable=is_trainable, dtype=variable.dtype,
                                                shape=variable.shape, name=_weight_name(variable.name)))

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        kwargs = dict(self._arguments)
        args = []
        if self._signature and isinstance(inputs, dict):
            kwargs.update(inputs)
        else:
            args.append(inputs)
        if self._takes_training:
            # Keras passes training=True only inside fit; a frozen layer never runs its training graph.
            kwargs["training"] = bool(training) and self.trainable
        result = self._function(*args, **kwargs)
        if self._output_key is not None:
            if not isinstance(result, dict) or self._output_key not in result:
                found = ", ".join(result) if isinstance(result, dict) else type(result).__name__
                raise ModelError(f"no output {self._output_key!r} (the outputs are: {found})")
            result = result[self._output_key]
        return result


def _callable(loaded: Any, signature: str | None, where: str) -> Any:
    if callable(loaded) and not signature:
        return loaded
    signatures = getattr(loaded, "signatures", None)
    if signatures is None:
        raise ModelError(f"{where}: {'has no signatures' if signature else 'is not callable and has no signatures'}")
    if signature is None:
        raise ModelError(f"{where}: not callable; give one of its signatures: {', '.join(sorted(signatures))}")
    if signature not in signatures:
        raise ModelError(f"{where}: no signature {signature!r}; it has {', '.join(sorted(signatures)) or 'none'}")
    return signatures[signature]


def _weight_name(name: str) -> str:
    # Keras variable names may not hold "/", and the ":0" of a TensorFlow name is no part of it.
    return name.split(":")[0].replace("/", "_")


__all__ = ["SIGNATURE_NOT_TRAINABLE", "SavedModelLayer"]
