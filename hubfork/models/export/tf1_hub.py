"""Writing a BERT encoder in the TF1 Hub format.

A TF1 SavedModel with a ``tfhub_module.pb`` beside it, holding two graph
variants chosen by tags: ``set()`` for inference and ``{"train"}`` for
training (dropout on). Each has the signatures of the published BERT modules:

- ``tokens``: ``input_ids``, ``input_mask``, ``segment_ids`` (int32 [batch, seq])
  -> ``pooled_output`` [batch, H], ``sequence_output`` [batch, seq, H];
- ``tokenization_info``: no inputs -> ``vocab_file`` (the vocab asset's path)
  and ``do_lower_case``.

A TF1 graph keeps no hyper-parameters, and the number of attention heads cannot be
read from BERT's ``[hidden, hidden]`` query kernels, so the config is written beside
the vocab as ``assets/bert_config.json`` (the original BERT's name and keys).

The graphs are built from the same tf_keras layers as the TF2 generations, in
TF1 graph mode, so the math is the same; both variants share one checkpoint.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np

from hubfork.models import _tf
from hubfork.models.bert import make_encoder
from hubfork.models.config import BertConfig
from hubfork.models.export.folders import staged_folder, write_files
from hubfork.models.weight_table import variable_map

#: tensorflow_hub's ModuleDef proto with ``format: FORMAT_V3`` (field 1, value 3),
#: the marker hub.load() looks for; the proto itself left tensorflow_hub with TF1 support.
MODULE_DEF_V3 = b"\x08\x03"
MODULE_DEF_FILE = "tfhub_module.pb"
#: The encoder's `BertConfig`, as JSON, in the module's ``assets/``.
CONFIG_ASSET = "bert_config.json"
GRAPH_VARIANTS = ((frozenset(), False), (frozenset({"train"}), True))


def write_tf1_hub_encoder(out_dir: str | Path, config: BertConfig, weights: dict[str, np.ndarray],
                          *, vocab_file: str | Path, do_lower_case: bool,
                          progress: Callable[[str], None] | None = None,
                          extra_files: Mapping[str, bytes] | None = None) -> Path:
    """Write the encoder as a TF1 Hub module to `out_dir` (created whole, or not at all), `extra_files`
    (folder-relative names, their bytes) beside it."""
    tf = _tf.tensorflow()
    with staged_folder(out_dir) as staging:
        builder = tf.compat.v1.saved_model.Builder(str(staging / "model"))
        for index, (tags, training) in enumerate(GRAPH_VARIANTS):
            if progress:
                progress(f"building TF1 Hub graph for tags {set(tags) or '{}'}")
            with tf.Graph().as_default() as graph:
                signatures, encoder = _signatures(config, training, vocab_file, do_lower_case)
                assets = tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.ASSET_FILEPATHS)
                main_op = tf.compat.v1.local_variables_initializer()
                if index == 0:
                    with tf.compat.v1.Session(graph=graph) as session:
                        _load_weights(session, encoder, weights)
                        builder.add_meta_graph_and_variables(
                            session, sorted(tags), signature_def_map=signatures, assets_collection=assets,
                            main_op=main_op, strip_default_attrs=True)
                else:
                    # Same layer names in a fresh graph give the same variable names:
                    # this variant restores the checkpoint the first one saved.
                    builder.add_meta_graph(sorted(tags), signature_def_map=signatures, assets_collection=assets,
                                           main_op=main_op, strip_default_attrs=True)
        builder.save()
        # The builder wrote into a subfolder so that it could create it; the module is its contents.
        for item in (staging / "model").iterdir():
            item.rename(staging / item.name)
        (staging / "model").rmdir()
        (staging / MODULE_DEF_FILE).write_bytes(MODULE_DEF_V3)
        (staging / "assets").mkdir(exist_ok=True)
        (staging / "assets" / CONFIG_ASSET).write_text(json.dumps(config.to_dict(), indent=2) + "\n",
                                                       encoding="utf-8")
        write_files(staging, extra_files or {})
    return Path(out_dir)


def _signatures(config: BertConfig, training: bool, vocab_file: str | Path, do_lower_case: bool):
    tf = _tf.tensorflow()
    v1 = tf.compat.v1
    names = ("input_ids", "input_mask", "segment_ids")
    inputs = {name: v1.placeholder(tf.int32, [None, None], name=name) for name in names}
    encoder = make_encoder(config)
    outputs = encoder(
        {"input_word_ids": inputs["input_ids"], "input_mask": inputs["input_mask"],
         "input_type_ids": inputs["segment_ids"]},
        training=training,
    )
    asset = tf.constant(str(vocab_file), name="vocab_file_asset")
    v1.add_to_collection(v1.GraphKeys.ASSET_FILEPATHS, asset)
    # A loader feeds the asset's new path to the init op only, not to signatures:
    # the signature reads a local variable that the init op sets from the asset.
    vocab = v1.Variable(asset, trainable=False, collections=[v1.GraphKeys.LOCAL_VARIABLES], name="vocab_file")
    info = _signature({}, {"vocab_file": vocab.read_value(),
                           "do_lower_case": tf.constant(do_lower_case, name="do_lower_case")})
    tokens = _signature(inputs, {"pooled_output": outputs["pooled_output"],
                                 "sequence_output": outputs["sequence_output"]})
    return {"tokens": tokens, "tokenization_info": info}, encoder


def _signature(inputs: dict[str, Any], outputs: dict[str, Any]) -> Any:
    v1 = _tf.tensorflow().compat.v1
    info = v1.saved_model.utils.build_tensor_info
    return v1.saved_model.signature_def_utils.build_signature_def(
        inputs={k: info(t) for k, t in inputs.items()}, outputs={k: info(t) for k, t in outputs.items()},
        method_name=v1.saved_model.signature_constants.PREDICT_METHOD_NAME)


def _load_weights(session: Any, encoder: Any, weights: dict[str, np.ndarray]) -> None:
    tf = _tf.tensorflow()
    session.run(tf.compat.v1.global_variables_initializer())
    for key, (variable, transpose) in variable_map(encoder).items():
        if key in weights:
            value = weights[key].T if transpose else weights[key]
            # Feed the initializer rather than adding assign ops to the saved graph.
            session.run(variable.initializer, feed_dict={variable.initializer.inputs[1]: value})
