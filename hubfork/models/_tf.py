"""Importing TensorFlow the way hubfork needs it, and only when it is needed.

TensorFlow 2.16+ makes ``tf.keras`` Keras 3, but TF Hub models and
``hub.KerasLayer`` are Keras 2 (``tf_keras``) objects, and a notebook that mixes
``tf.keras.layers.Input`` with a ``hub.KerasLayer`` fails under Keras 3. Unless
the user chose otherwise, hubfork asks TensorFlow for Keras 2 before importing it.

A library must not silence its user's TensorFlow, so TensorFlow's own logging is
left as it is unless `keep_quiet` is called (the CLI does, without ``--verbose``).
"""

from __future__ import annotations

import os
import sys
import warnings
from types import ModuleType

_quiet = False

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


def tensorflow() -> ModuleType:
    """`tensorflow`, imported with ``tf.keras`` = Keras 2 unless the user set otherwise."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if _quiet and "tensorflow" not in sys.modules:
        from hubfork.models._quiet import sifted_stderr

        with sifted_stderr():
            import tensorflow
        tensorflow.get_logger().setLevel("ERROR")
    import tensorflow as tf

    return tf


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
