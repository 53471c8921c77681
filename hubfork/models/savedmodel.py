"""Facts about a SavedModel folder, read from its files without loading it."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from hubfork.constants import SAVED_MODEL
from hubfork.errors import UnreadableModelError
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
    from google.protobuf.message import DecodeError
    from tensorflow.core.protobuf import saved_model_pb2

    proto = saved_model_pb2.SavedModel()
    try:
        proto.ParseFromString((Path(path) / SAVED_MODEL).read_bytes())
    except (OSError, ValueError, DecodeError):
        return set()  # unreadable: the load that follows says so (see `load_errors`)
    return {key for graph in proto.meta_graphs for key in graph.signature_def}


@contextmanager
def load_errors(path: str | Path) -> Iterator[None]:
    """Around a load of the SavedModel in `path`: TensorFlow's failures to read its files (a missing
    or truncated ``variables/``, a corrupt ``saved_model.pb``) become `UnreadableModelError` naming the
    folder and the file, instead of a traceback through TensorFlow's internals. Its ``assets/``, which
    TensorFlow reads by itself as it loads, are checked first (`hubfork.models.model_files.check_assets`).

    Raises:
        UnreadableModelError: TensorFlow could not read the model's files.
        ModelFormatError: ``assets/`` holds a link out of the folder, a FIFO or device, or too large a file.
    """
    from hubfork.models.model_files import check_assets

    check_assets(path)
    tf = _tf.tensorflow()
    try:
        yield
    except (OSError, IndexError, tf.errors.OpError) as exc:
        raise UnreadableModelError(str(path), _why_unloadable(Path(path), exc)) from exc


def _why_unloadable(folder: Path, exc: BaseException) -> str:
    detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
    tf = _tf.tensorflow()
    index = folder / "variables" / "variables.index"
    if not index.is_file():
        return (f"variables/variables.index is missing: TensorFlow cannot restore the model's weights "
                f"(expected variables/variables.index and variables/variables.data-*; TensorFlow: {detail})")
    if not any(index.parent.glob("variables.data-*")):
        return (f"variables/variables.index has no variables/variables.data-NNNNN-of-NNNNN beside it: the model's "
                f"weights are missing (TensorFlow: {detail})")
    if isinstance(exc, (IndexError, tf.errors.OutOfRangeError, tf.errors.DataLossError)):
        return f"the weights in variables/ are truncated or corrupt (TensorFlow: {detail})"
    if SAVED_MODEL in str(exc) or "Cannot parse" in str(exc):
        return f"{SAVED_MODEL} is not a SavedModel protobuf (truncated or corrupt; TensorFlow: {detail})"
    return f"TensorFlow cannot load this SavedModel: {detail}"


__all__ = ["TF1_MODULE_FILE", "TF1_NOT_TRAINABLE", "is_tf1_module", "signature_names", "load_errors"]
