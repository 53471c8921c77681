"""The encoder graph hubfork writes (`hubfork.models.bert`): its shape decides which of TensorFlow's
CPU fusions apply, so the op mix is pinned here; its numbers are pinned against transformers in
test_fidelity.py and against every generation in test_generations.py."""

from __future__ import annotations

from collections import Counter

from hubfork.models import _tf
from hubfork.models.bert import INPUT_KEYS, make_encoder


def _op_counts(config) -> Counter:
    tf = _tf.tensorflow()
    encoder = make_encoder(config)
    spec = {key: tf.TensorSpec([None, None], tf.int32) for key in INPUT_KEYS}
    graph = tf.function(lambda inputs: encoder(inputs, training=False)).get_concrete_function(spec).graph
    return Counter(op.type for op in graph.get_operations())


def test_projections_are_2d_matmuls_with_bias_add_and_only_attention_is_batched(tiny_config):
    ops = _op_counts(tiny_config)
    layers = tiny_config.num_hidden_layers
    # Q, K, V, attention output, intermediate and output per layer, and the pooler: each a 2-D MatMul
    # followed by BiasAdd, the pattern TensorFlow's oneDNN rewrite fuses (with GELU) into one op.
    assert ops["MatMul"] == ops["BiasAdd"] == 6 * layers + 1
    # Scores and context per layer; a projection on [batch, seq, H] would add more, unfused.
    assert ops["BatchMatMulV2"] == 2 * layers
    assert ops["Erfc"] == layers  # exact GELU (TensorFlow writes it with erfc), once per layer
