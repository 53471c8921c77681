"""Which generation of the TF Hub BERT format an encoder SavedModel is, and how to call it.

One small class per generation (see docs/models.md for the table), each saying
how it recognises a loaded SavedModel and how to call it; `inspect_encoder`
loads a folder and asks them in turn. The SavedModel is the final word, not a
version number in its name:

- ``tfhub_module.pb`` beside it: the TF1 Hub format, called through its ``tokens`` signature;
- an ``.mlm`` subobject: v4;
- ``__call__`` traced with a dict: v3; with a list: v1 or v2, told apart by
  whether the training graph has dropout (v1's had none, the bug v2 fixed).

Every adapter maps the canonical input dict (``input_word_ids``, ``input_mask``,
``input_type_ids``, int32 [batch, seq]) to a dict of outputs
(``pooled_output``, ``sequence_output`` and, where the model has them, ``encoder_outputs``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from hubfork.constants import SAVED_MODEL
from hubfork.errors import ModelFormatError, NoMaskedLMError, NotTrainableError
from hubfork.models import _tf
from hubfork.models.bert import INPUT_KEYS
from hubfork.models.savedmodel import TF1_NOT_TRAINABLE, is_tf1_module, load_errors

# The TF1 `tokens` signature's names for the canonical inputs.
TF1_INPUT_NAMES = {"input_word_ids": "input_ids", "input_mask": "input_mask", "input_type_ids": "segment_ids"}
# Op types that only a graph with dropout contains.
_RANDOM_OPS = frozenset({"RandomUniform", "StatelessRandomUniformV2", "RandomStandardNormal",
                         "StatelessRandomUniform", "StatelessRandomGetKeyCounter"})


class Encoder:
    """A loaded encoder SavedModel of one generation, called through one dict-in, dict-out interface."""

    generation: ClassVar[str]
    outputs: ClassVar[tuple[str, ...]] = ("pooled_output", "sequence_output")
    has_mlm: ClassVar[bool] = False
    fine_tunable: ClassVar[bool] = True

    def __init__(self, path: Path, loaded: Any):
        self.path = path
        self.loaded = loaded

    @classmethod
    def matches(cls, path: Path, loaded: Any) -> bool:  # pragma: no cover - overridden
        raise NotImplementedError

    def __call__(self, inputs: dict[str, Any], training: bool = False) -> dict[str, Any]:
        raise NotImplementedError  # pragma: no cover

    def vocab(self) -> tuple[str, bool] | None:
        """The legacy ``.vocab_file`` asset's path and ``.do_lower_case``, if the model has them.

        Raises:
            ModelFormatError: the path leads outside the model's folder (`hubfork.models.model_files`).
        """
        vocab_file = getattr(self.loaded, "vocab_file", None)
        lower = getattr(self.loaded, "do_lower_case", None)
        if vocab_file is None or lower is None:
            return None
        path = vocab_file.asset_path if hasattr(vocab_file, "asset_path") else vocab_file
        return self._own_file(_text(path)), bool(_numpy(lower))

    def _own_file(self, path: str) -> str:
        # The graph names the path: it must not make hubfork read a file of somewhere else.
        from hubfork.models.model_files import inside_model

        inside_model(self.path, path)
        return path

    def max_positions(self) -> int | None:
        """How many tokens the encoder takes: the rows of its position embedding table, if it has one."""
        for variable in getattr(self.loaded, "variables", ()):
            if "position" in variable.name and len(variable.shape) == 2 and variable.shape[0] is not None:
                return int(variable.shape[0])
        return None

    def keras_outputs(self, inputs: dict[str, Any], *, trainable: bool, keras: int = 2) -> dict[str, Any]:
        """The outputs of a Keras layer on this model (``hub.KerasLayer``, or for ``keras=3`` hubfork's
        Keras 3 layer), called on symbolic `inputs` of that Keras."""
        raise NotImplementedError  # pragma: no cover

    def mlm_logits(self, inputs: dict[str, Any], positions: Any) -> Any:
        raise NoMaskedLMError(str(self.path), self.generation)

    def _keras_layer(self, trainable: bool, keras: int = 2, **options: Any) -> Any:
        if keras == 3:
            from hubfork.models.keras3_layer import SavedModelLayer

            return SavedModelLayer(self.loaded, trainable=trainable, name="encoder", path=str(self.path), **options)
        hub = _tf.tensorflow_hub()
        # The loaded object itself where hub.KerasLayer takes one (a callable TF2 model): embed()
        # and the Keras model then share one set of variables. A TF1 module goes by its path.
        handle = self.loaded if callable(self.loaded) else str(self.path)
        return hub.KerasLayer(handle, trainable=trainable, name="encoder", **options)


class TF1HubEncoder(Encoder):
    """TF1 Hub format: a TF1 SavedModel with ``tfhub_module.pb``, signature ``tokens``."""

    generation = "tf1-hub"
    fine_tunable = False

    @classmethod
    def matches(cls, path: Path, loaded: Any) -> bool:
        return is_tf1_module(path)

    def __call__(self, inputs: dict[str, Any], training: bool = False) -> dict[str, Any]:
        # The {"train"} graph variant is what dropout needs; inference uses the default one.
        outputs = self.loaded.signatures["tokens"](**{TF1_INPUT_NAMES[k]: inputs[k] for k in INPUT_KEYS})
        return {key: outputs[key] for key in self.outputs}

    def vocab(self) -> tuple[str, bool] | None:
        if "tokenization_info" not in self.loaded.signatures:
            return None
        info = self.loaded.signatures["tokenization_info"]()
        return self._own_file(_text(info["vocab_file"])), bool(_numpy(info["do_lower_case"]))

    def keras_outputs(self, inputs: dict[str, Any], *, trainable: bool, keras: int = 2) -> dict[str, Any]:
        if trainable:
            raise NotTrainableError(str(self.path), path=str(self.path), reason=TF1_NOT_TRAINABLE)
        layer = self._keras_layer(False, keras, signature="tokens", signature_outputs_as_dict=True)
        outputs = layer({TF1_INPUT_NAMES[k]: inputs[k] for k in INPUT_KEYS})
        return {key: outputs[key] for key in self.outputs}


class DictEncoder(Encoder):
    """v3: the three inputs as a dict; a dict of outputs with ``encoder_outputs``."""

    generation = "v3"
    outputs = ("pooled_output", "sequence_output", "encoder_outputs")

    @classmethod
    def matches(cls, path: Path, loaded: Any) -> bool:
        return _call_input_type(loaded) is dict

    def __call__(self, inputs: dict[str, Any], training: bool = False) -> dict[str, Any]:
        return self._pick(self.loaded(inputs, training=training))

    def keras_outputs(self, inputs: dict[str, Any], *, trainable: bool, keras: int = 2) -> dict[str, Any]:
        return self._pick(self._keras_layer(trainable, keras)(inputs))

    def _pick(self, outputs: dict[str, Any]) -> dict[str, Any]:
        return {key: (list(outputs[key]) if key == "encoder_outputs" else outputs[key])
                for key in self.outputs if key in outputs}


class MaskedLMEncoder(DictEncoder):
    """v4: v3 plus ``.mlm``, which also takes ``masked_lm_positions`` and returns ``mlm_logits``."""

    generation = "v4"
    has_mlm = True

    @classmethod
    def matches(cls, path: Path, loaded: Any) -> bool:
        return hasattr(loaded, "mlm") and _call_input_type(loaded) is dict

    def mlm_logits(self, inputs: dict[str, Any], positions: Any) -> Any:
        return self.loaded.mlm({**inputs, "masked_lm_positions": positions}, training=False)["mlm_logits"]


class ListEncoder(Encoder):
    """v1 and v2: ``[input_word_ids, input_mask, input_type_ids]`` in, ``[pooled, sequence]`` out."""

    generation = "v2"

    @classmethod
    def matches(cls, path: Path, loaded: Any) -> bool:
        return _call_input_type(loaded) in (list, tuple)

    def __init__(self, path: Path, loaded: Any):
        super().__init__(path, loaded)
        # v1 never applied dropout, even when fine-tuned: its training graph draws no random numbers.
        self.generation = "v2" if _training_graph_has_dropout(loaded) else "v1"

    def __call__(self, inputs: dict[str, Any], training: bool = False) -> dict[str, Any]:
        pooled, sequence = self.loaded([inputs[k] for k in INPUT_KEYS], training=training)
        return {"pooled_output": pooled, "sequence_output": sequence}

    def keras_outputs(self, inputs: dict[str, Any], *, trainable: bool, keras: int = 2) -> dict[str, Any]:
        pooled, sequence = self._keras_layer(trainable, keras)([inputs[k] for k in INPUT_KEYS])
        return {"pooled_output": pooled, "sequence_output": sequence}


#: Asked in this order; the first that matches is the model's generation.
ENCODERS: tuple[type[Encoder], ...] = (TF1HubEncoder, MaskedLMEncoder, DictEncoder, ListEncoder)


def inspect_encoder(path: str | Path) -> Encoder:
    """Load the encoder SavedModel in `path` and return the adapter of its generation."""
    path = Path(path)
    if not (path / SAVED_MODEL).is_file():
        raise ModelFormatError(f"{path}: not a SavedModel folder (no {SAVED_MODEL})")
    hub = _tf.tensorflow_hub()
    with load_errors(path):
        loaded = hub.load(str(path))
    return encoder_of(path, loaded)


def encoder_of(path: Path, loaded: Any) -> Encoder:
    """The adapter of the generation of `loaded`, the SavedModel already loaded from `path`."""
    for kind in ENCODERS:
        if kind.matches(path, loaded):
            return kind(path, loaded)
    found = _call_input_type(loaded)
    if found is not None and _takes_strings(loaded):
        raise ModelFormatError(f"{path}: this SavedModel takes strings: it is a text preprocessor, not an encoder")
    raise ModelFormatError(
        f"{path}: not a BERT-style encoder of a known generation: expected a TF1 Hub module (tfhub_module.pb), "
        f"or a TF2 SavedModel whose __call__ takes a dict or a list of input_word_ids, input_mask and "
        f"input_type_ids; its __call__ takes {found.__name__ if found else 'nothing hubfork can read'}")


def _call_input_type(loaded: Any) -> type | None:
    """The Python type of `loaded.__call__`'s first argument in its traced signatures."""
    call = getattr(loaded, "__call__", None)
    for function in getattr(call, "concrete_functions", ()):
        args, _ = function.structured_input_signature
        if args:
            return type(args[0])
    return None


def _takes_strings(loaded: Any) -> bool:
    tf = _tf.tensorflow()
    for function in getattr(loaded.__call__, "concrete_functions", ()):
        args, _ = function.structured_input_signature
        if args and getattr(args[0], "dtype", None) == tf.string:
            return True
    return False


def _training_graph_has_dropout(loaded: Any) -> bool:
    for function in getattr(loaded.__call__, "concrete_functions", ()):
        args, kwargs = function.structured_input_signature
        training = kwargs.get("training", args[1] if len(args) > 1 else None)
        if training is not True:
            continue
        graph = function.graph.as_graph_def()
        ops = {node.op for node in graph.node}
        ops.update(node.op for library in graph.library.function for node in library.node_def)
        if ops & _RANDOM_OPS:
            return True
    return False


def _numpy(value: Any) -> Any:
    return value.numpy() if hasattr(value, "numpy") else value


def _text(value: Any) -> str:
    value = _numpy(value)
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


__all__ = ["Encoder", "TF1HubEncoder", "DictEncoder", "MaskedLMEncoder", "ListEncoder", "ENCODERS",
           "INPUT_KEYS", "inspect_encoder", "encoder_of"]
