"""Names in, models out: the entry points that compose `hubfork.hub` and `hubfork.models`.

`hubfork.hub` turns names into local folders and never imports TensorFlow;
`hubfork.models` turns local folders into TensorFlow objects and knows no
names. Neither imports the other, so each can change, be tested and be used
alone (``hubfork pull`` and the registry browser start without TensorFlow).
This package is the thin layer above both that takes a name and hands back a
model:

- ``pull_from_hub(name, *, trainable, ...) -> hub.KerasLayer`` (`hubfork.loading.pull`);
- ``load_text_model(name, ...) -> TextModel`` (`hubfork.loading.text`), with the
  choice of its preprocessor by name, registry and card (`hubfork.loading.pairing`);
- ``install()`` / ``uninstall()`` (`hubfork.loading.tfhub`): hubfork as a resolver in
  tensorflow_hub's own registry, so plain ``hub.load``/``hub.KerasLayer`` take its names
  (`hubfork.loading.tfhub_resolver`);
- the builders of the embedded hub's models (`hubfork.loading.embedded`), which
  `hubfork.hub.embedded` names by string.

Loaded on first use, like `hubfork` itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hubfork._lazy import attach

_EXPORTS = {
    "pull_from_hub": "hubfork.loading.pull",
    "load_text_model": "hubfork.loading.text",
    "install": "hubfork.loading.tfhub",
    "uninstall": "hubfork.loading.tfhub",
}

__all__ = sorted(_EXPORTS)


__getattr__, __dir__ = attach('hubfork.loading', globals(), _EXPORTS)


if TYPE_CHECKING:  # pragma: no cover
    from hubfork.loading.pull import pull_from_hub
    from hubfork.loading.text import load_text_model
    from hubfork.loading.tfhub import install, uninstall
