"""Facts about a SavedModel folder, read from its files without loading it."""

from __future__ import annotations

from pathlib import Path

from hubfork.models import _tf

#: The file that marks a TF1 Hub-format module.
TF1_MODULE_FILE = "tfhub_module.pb"
#: Why ``trainable=True`` is refused for one.
TF1_NOT_TRAINABLE = ("a TF1 Hub-format module (tfhub_module.pb) cannot be fine-tuned through hub.KerasLayer in "
                     "TF2; load it with trainable=False (its 'tokens' signature: signature=\"tokens\", "
                     "signature_outputs_as_dict=True), or use a TF2 SavedModel of the model to fine-tune")


def is_tf1_module(path: Path) -> bool:
    """True for a TF1 Hub-format module folder."""
    return (Path(path) / TF1_MODULE_FILE).is_file()


def signature_names(path: Path) -> set[str]:
    """The signature names of a SavedModel's graphs, read from saved_model.pb without loading it."""
    _tf.tensorflow()  # TensorFlow first, so that its protos are importable
    from tensorflow.core.protobuf import saved_model_pb2

    proto = saved_model_pb2.SavedModel()
    try:
        proto.ParseFromString((Path(path) / "saved_model.pb").read_bytes())
    except (OSError, ValueError):
        return set()
    return {key for graph in proto.meta_graphs for key in graph.signature_def}


__all__ = ["TF1_MODULE_FILE", "TF1_NOT_TRAINABLE", "is_tf1_module", "signature_names"]
