"""Which device a model runs on: a GPU when TensorFlow sees one, the CPU otherwise."""

from __future__ import annotations

import re
from typing import Any

from hubfork.errors import ModelError
from hubfork.models import _tf

_DEVICE = re.compile(r"^/?(?:device:)?(cpu|gpu)(?::(\d+))?$", re.I)


def choose_device(device: str | None = None) -> str:
    """The TensorFlow device name for `device` (``"cpu"``, ``"gpu"``, ``"gpu:1"``, ``"/GPU:0"``...).

    None picks the first GPU TensorFlow sees, else the CPU. A device that is not
    there is refused with the list of those that are.
    """
    tf = _tf.tensorflow()
    # Logical devices are what tf.device names: a hidden GPU is not one, a GPU split in two is two.
    gpus = tf.config.list_logical_devices("GPU")
    if device is None:
        return "/GPU:0" if gpus else "/CPU:0"
    match = _DEVICE.match(device.strip())
    if not match:
        raise ModelError(f"device {device!r} is not a device name; expected 'cpu', 'gpu' or 'gpu:N'")
    kind, index = match.group(1).upper(), int(match.group(2) or 0)
    available = {"CPU": len(tf.config.list_logical_devices("CPU")), "GPU": len(gpus)}
    if index >= available[kind]:
        seen = ", ".join(f"{k}:{i}" for k, n in available.items() for i in range(n))
        raise ModelError(f"device {device!r} asked for, but TensorFlow sees only {seen}")
    return f"/{kind}:{index}"


def tf_device(name: str) -> Any:
    """The ``tf.device`` context for a name `choose_device` returned."""
    return _tf.tensorflow().device(name)


__all__ = ["choose_device", "tf_device"]
