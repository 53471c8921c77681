"""TF Hub-style models in Keras 3: ``hubfork.keras3.KerasLayer(handle, trainable=...)``.

TensorFlow 2.16+ makes Keras 3 the default Keras, and ``hub.KerasLayer`` (a tf_keras
layer) cannot go into its models. This is the layer that can; importing this module
imports Keras 3 and TensorFlow (see `hubfork.loading.keras3` and
`hubfork.models.keras3_layer`).
"""

from __future__ import annotations

from hubfork.loading.keras3 import KerasLayer

__all__ = ["KerasLayer"]
