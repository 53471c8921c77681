"""Importing TensorFlow the way hubfork needs it, and only when it is needed.

TensorFlow 2.16+ makes ``tf.keras`` Keras 3, but TF Hub models and
``hub.KerasLayer`` are Keras 2 (``tf_keras``) objects, and a notebook that mixes
``tf.keras.layers.Input`` with a ``hub.KerasLayer`` fails under Keras 3. Unless
the user chose otherwise, hubfork asks TensorFlow for Keras 2 before importing it.
"""

from __future__ import annotations

import os
from types import ModuleType


def tensorflow() -> ModuleType:
    """`tensorflow`, imported with ``tf.keras`` = Keras 2 unless the user set otherwise."""
    os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
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
    import tensorflow_hub

    return tensorflow_hub
