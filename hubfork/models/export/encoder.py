"""Writing a BERT encoder as a TF Hub-format TF2 SavedModel of a given generation.

- v1: called with a list ``[input_word_ids, input_mask, input_type_ids]``, returns a list
  ``[pooled_output, sequence_output]``; has ``.vocab_file`` and ``.do_lower_case``; no dropout
  when fine-tuned (the bug v2 fixed).
- v2: as v1, with dropout when fine-tuned.
- v3: called with a dict of the three inputs, returns a dict of ``pooled_output``,
  ``sequence_output``, ``encoder_outputs`` and ``default``; extras as v2.
- v4: as v3, plus ``.mlm``: the v3 inputs and ``masked_lm_positions`` in, the v3 outputs and
  ``mlm_logits`` out.

Each is a tf_keras model saved in the SavedModel format, which gives the
Reusable SavedModel API: the loaded object is callable with ``training=``, and
has ``.variables``, ``.trainable_variables`` and ``.regularization_losses``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np

from hubfork.constants import GENERATIONS
from hubfork.errors import ModelError
from hubfork.models import _tf
from hubfork.models.bert import INPUT_KEYS, make_encoder, make_mlm_head
from hubfork.models.config import BertConfig
from hubfork.models.export.folders import staged_folder, write_files
from hubfork.models.weights import assign

TF2_GENERATIONS = tuple(g for g in GENERATIONS if g != "tf1-hub")


def build_keras_model(config: BertConfig, weights: dict[str, np.ndarray], generation: str,
                      *, vocab_file: str | Path | None = None, do_lower_case: bool = True) -> Any:
    """The tf_keras model of `generation`, with `weights` assigned (see the table above).

    `vocab_file` and `do_lower_case` become the legacy ``.vocab_file`` asset
    and ``.do_lower_case`` variable when given.
    """
    if generation not in TF2_GENERATIONS:
        raise ModelError(f"unknown TF2 generation {generation!r}; expected one of {', '.join(TF2_GENERATIONS)}")
    tf, keras = _tf.tensorflow(), _tf.keras()
    # v1's exported graph never applied dropout, even when fine-tuned.
    layer_config = config.with_dropout(0.0) if generation == "v1" else config
    encoder = make_encoder(layer_config)
    inputs = {key: keras.Input(shape=(None,), dtype=tf.int32, name=key) for key in INPUT_KEYS}
    outputs = encoder(inputs)
    mlm_head = None
    if generation in ("v1", "v2"):
        model = keras.Model([inputs[key] for key in INPUT_KEYS],
                            [outputs["pooled_output"], outputs["sequence_output"]], name="bert_encoder")
    else:
        model = keras.Model(inputs, _dict_outputs(outputs), name="bert_encoder")
        if generation == "v4":
            mlm_head = make_mlm_head(layer_config, encoder)
            positions = keras.Input(shape=(None,), dtype=tf.int32, name="masked_lm_positions")
            mlm_inputs = {**inputs, "masked_lm_positions": positions}
            mlm_outputs = {**_dict_outputs(outputs), "mlm_logits": mlm_head(outputs["sequence_output"], positions)}
            mlm = keras.Model(mlm_inputs, mlm_outputs, name="bert_mlm")
            # Saved as the encoder's .mlm subobject, but not as one of its layers:
            # fine-tuning the encoder must not list the MLM head's weights, which
            # its forward pass never uses (they would get no gradient).
            model._auto_track_sub_layers = False
            model.mlm = mlm
            model._auto_track_sub_layers = True
    assign(weights, encoder, mlm_head)
    if vocab_file is not None:
        model.vocab_file = tf.saved_model.Asset(str(vocab_file))
        model.do_lower_case = tf.Variable(do_lower_case, trainable=False, name="do_lower_case")
    return model


def _dict_outputs(outputs: dict[str, Any]) -> dict[str, Any]:
    return {
        "pooled_output": outputs["pooled_output"],
        "sequence_output": outputs["sequence_output"],
        "encoder_outputs": list(outputs["encoder_outputs"]),
        "default": outputs["pooled_output"],
    }


def write_tf2_encoder(out_dir: str | Path, config: BertConfig, weights: dict[str, np.ndarray], generation: str,
                      *, vocab_file: str | Path, do_lower_case: bool,
                      progress: Callable[[str], None] | None = None,
                      extra_files: Mapping[str, bytes] | None = None) -> Path:
    """Write the encoder of `generation` to `out_dir` (created whole, or not at all), `extra_files`
    (folder-relative names, their bytes) beside the SavedModel."""
    keras = _tf.keras()
    model = build_keras_model(config, weights, generation, vocab_file=vocab_file, do_lower_case=do_lower_case)
    with staged_folder(out_dir) as staging:
        if progress:
            progress(f"writing {generation} SavedModel ({config.label})")
        # tf_keras's save logs "Compiled the loaded model, but the compiled metrics have yet to be built"
        # for a model never compiled, as this one is: a warning about nothing the user did or can do.
        logger = _tf.tensorflow().get_logger()
        level = logger.level
        logger.setLevel("ERROR")
        try:
            keras.models.save_model(model, str(staging), save_format="tf", include_optimizer=False)
        finally:
            logger.setLevel(level)
        write_files(staging, extra_files or {})
    return Path(out_dir)
