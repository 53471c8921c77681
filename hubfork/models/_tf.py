"""Importing TensorFlow the way hubfork needs it, and only when it is needed.

TensorFlow 2.16+ makes ``tf.keras`` Keras 3, but TF Hub models and
``hub.KerasLayer`` are Keras 2 (``tf_keras``) objects, and a notebook that mixes
``tf.keras.layers.Input`` with a ``hub.KerasLayer`` fails under Keras 3. Unless
the user chose otherwise, hubfork asks TensorFlow for Keras 2 before importing it.

hubfork's import of TensorFlow is quiet unless the user asked TensorFlow to speak: with
``TF_CPP_MIN_LOG_LEVEL`` unset (hubfork sets 2), 2 or 3, the C++ start-up lines TensorFlow
writes before honouring that level are kept off stderr as the level says they should be, and
TensorFlow's Python logger prints each line once, at WARNING and above, unless the user
configured Python's logging first. ``TF_CPP_MIN_LOG_LEVEL=0`` or ``1`` leaves all of it as
TensorFlow makes it. The CLI asks for less still (`keep_quiet`, without ``--verbose``).
"""

from __future__ import annotations

import functools
import importlib.util
import logging
import os
import sys
import warnings
from types import ModuleType

_quiet = False

#: What TensorFlow reads as "yes" in TF_USE_LEGACY_KERAS.
_YES = ("true", "True", "1")

# Set when hubfork's loaders are imported, not only when they first import TensorFlow: a notebook
# that does `from hubfork import pull_from_hub` and then `import tensorflow as tf` builds its
# `tf.keras.layers.Input` before any model loads, and that Input must be the Keras the returned
# hub.KerasLayer is made of. Keras 3 stays one `import keras` away (see hubfork.keras3).
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")


def keep_quiet() -> None:
    """From now on, keep TensorFlow's start-up and INFO/WARNING logging off stderr.

    Cheap (imports nothing); call it before TensorFlow is imported, since its C++
    loggers read their level from the environment once, when they start.
    """
    global _quiet
    _quiet = True
    # 3, not 2: CUDA's "failed call to cuInit" on a machine without a GPU is an ERROR line.
    # Set, not defaulted: a level inherited from a parent process that imported TensorFlow
    # through hubfork (2) is not a wish to see these lines; asking for them is --verbose.
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"


def let_speak() -> None:
    """From now on, let TensorFlow's start-up and INFO/WARNING logging through (the CLI's ``--verbose``).

    Set, not defaulted, for the reason `keep_quiet` gives: an inherited level is not the user's wish.
    """
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "0"


def tensorflow() -> ModuleType:
    """`tensorflow`, imported with ``tf.keras`` = Keras 2 unless the user set otherwise, and quietly
    unless the user asked TensorFlow to speak (see the module's docstring)."""
    if "tensorflow" not in sys.modules:
        _import_tensorflow()
    import tensorflow as tf

    _route_keras_imports(tf)
    return tf


def _import_tensorflow() -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    _import_tqdm_quietly()
    if _start_up_lines_wanted():
        import tensorflow  # noqa: F401  (TensorFlow's lines, all of them, as the user asked)

        return
    from hubfork.models._quiet import sifted_stderr

    with sifted_stderr():
        import tensorflow

        # Listing the devices starts CUDA, which logs its own start-up (a failed cuInit where there is
        # no GPU driver): here, where it is sifted, rather than at the user's first op.
        tensorflow.config.list_physical_devices()
    if _quiet:
        tensorflow.get_logger().setLevel("ERROR")
    else:
        _settle_python_logging(tensorflow)


def _start_up_lines_wanted() -> bool:
    """Whether TF_CPP_MIN_LOG_LEVEL lets TensorFlow's INFO or WARNING lines through (0 or 1)."""
    try:
        return int(os.environ["TF_CPP_MIN_LOG_LEVEL"]) < 2
    except ValueError:
        return True  # a level hubfork cannot read is left to TensorFlow, unsifted


def _settle_python_logging(tf: ModuleType) -> None:
    """TensorFlow's Python logger, printing each line once and from WARNING up, unless the user
    configured logging (the root logger has a handler: ``basicConfig``, absl's handler)."""
    if logging.getLogger().handlers:
        return
    logger = tf.get_logger()  # with the root logger bare, TensorFlow gives its own a handler
    # absl's first log call runs logging.basicConfig(); the root handler that adds would print every
    # line of TensorFlow's logger a second time ("Assets written to ..." twice on each save).
    logger.propagate = False
    # In IPython and Jupyter TensorFlow lowers its logger to INFO ("Assets written to ..." on each save).
    if logger.level == logging.INFO:
        logger.setLevel(logging.WARNING)


def _import_tqdm_quietly() -> None:
    # huggingface_hub's progress bars (hubfork's downloads) are tqdm.auto's. In Jupyter without
    # ipywidgets, importing tqdm.auto warns ("IProgress not found") and falls back to its text bars,
    # which serve well: imported here, before a model loads, without that warning.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="IProgress not found")
        from huggingface_hub.utils import tqdm  # noqa: F401  (huggingface_hub.utils imports it lazily)


def legacy_keras_asked() -> bool:
    """Whether TF_USE_LEGACY_KERAS asks for ``tf.keras`` = tf_keras (hubfork's default)."""
    return os.environ.get("TF_USE_LEGACY_KERAS") in _YES


def tf_keras_is_keras3(tf: ModuleType) -> bool:
    """Whether ``tf.keras`` has already been made Keras 3, for good: TensorFlow reads TF_USE_LEGACY_KERAS
    at the first use of ``tf.keras``, and keeps what it found. Looks without making that first use."""
    current = vars(tf).get("keras")
    return current is not None and str(vars(current).get("__version__", "")).startswith("3.")


def _route_keras_imports(tf: ModuleType) -> None:
    """Make ``import tensorflow.keras.…`` find tf_keras when TF_USE_LEGACY_KERAS asks for it.

    TensorFlow reads the variable twice: at its own import, to choose where ``tensorflow.keras``
    submodules are imported from, and at the first use of ``tf.keras``. When TensorFlow was imported
    before hubfork set it, the first reading said Keras 3, and tensorflow_hub's
    ``from tensorflow.keras.saving… import`` (in every ``hub.KerasLayer``) would then rebind ``tf.keras``
    to Keras 3 in the middle of a notebook. The folder TensorFlow's import puts first when the
    variable is set is put first now.
    """
    if not legacy_keras_asked() or tf_keras_is_keras3(tf):
        return
    folder = _tf_keras_api_folder()
    if folder is not None and tf.__path__[:1] != [folder]:
        tf.__path__.insert(0, folder)


@functools.cache
def _tf_keras_api_folder() -> str | None:
    """The folder holding tf_keras's ``keras`` API package (``tf_keras/api/_v2``), found without
    importing tf_keras; None when it is not installed."""
    spec = importlib.util.find_spec("tf_keras")
    if spec is None or spec.origin is None:
        return None
    return os.path.join(os.path.dirname(spec.origin), "api", "_v2")


def keras() -> ModuleType:
    """Keras 2 (`tf_keras`), the Keras TF Hub models are made of."""
    tensorflow()
    import tf_keras

    return tf_keras


def tensorflow_text() -> ModuleType:
    """`tensorflow_text`; importing it registers the ops preprocessors use."""
    tensorflow()
    import tensorflow_text

    return tensorflow_text


def tensorflow_hub() -> ModuleType:
    tensorflow()
    # tensorflow_hub imports setuptools' deprecated pkg_resources; that warning is about
    # tensorflow_hub, not about anything the user can change, and hubfork is what imports it.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning,
                                module="tensorflow_hub")
        import tensorflow_hub

    return tensorflow_hub


def keras3() -> ModuleType:
    """Keras 3 (the `keras` package), whatever ``TF_USE_LEGACY_KERAS`` says: that variable picks only
    what ``tf.keras`` is. TensorFlow is imported first, through `tensorflow`, so that hubfork's own
    tf_keras side still finds ``tf.keras`` = Keras 2 when Keras 3 is imported before it."""
    tensorflow()
    import keras

    return keras
