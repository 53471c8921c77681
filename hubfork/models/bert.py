"""A BERT encoder in tf_keras (Keras 2), with the math of the reference BERT.

Embeddings (word + position + token type, layer norm), L Transformer blocks
(multi-head self-attention with an additive padding mask, exact erf GELU,
post-layer-norm residuals, layer-norm epsilon from the config), a tanh pooler
on the first token, and a masked-LM head whose output matrix is the word
embedding table. Dropout is applied only when called with ``training=True``.

Weights are created with fixed names and shapes so that Hugging Face and TF1
checkpoints map onto them one to one (see `hubfork.models.weights`).

Usage::

    encoder = make_encoder(config)              # a tf_keras layer
    out = encoder(dict(input_word_ids=..., input_mask=..., input_type_ids=...))
    out["pooled_output"], out["sequence_output"], out["encoder_outputs"]
    mlm = make_mlm_head(config, encoder)        # logits for masked positions
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

from hubfork.models import _tf
from hubfork.models.config import BertConfig

INPUT_KEYS = ("input_word_ids", "input_mask", "input_type_ids")


def make_encoder(config: BertConfig, name: str = "bert_encoder") -> Any:
    """A tf_keras layer: dict of int32 [batch, seq] inputs -> dict of outputs."""
    return _classes()["BertEncoder"](config, name=name)


def make_mlm_head(config: BertConfig, encoder: Any, name: str = "mlm_head") -> Any:
    """A tf_keras layer: (sequence_output, masked_lm_positions) -> mlm_logits
    [batch, positions, vocab], sharing `encoder`'s word embeddings."""
    return _classes()["MaskedLMHead"](config, encoder.embeddings, name=name)


@lru_cache(maxsize=1)
def _classes() -> dict[str, type]:
    """The layer classes, defined on first use so that importing this module stays TensorFlow-free."""
    tf = _tf.tensorflow()
    keras = _tf.keras()

    def initializer(config: BertConfig):
        return keras.initializers.TruncatedNormal(stddev=config.initializer_range)

    def layer_norm(x, gamma, beta, epsilon):
        # Biased variance over the last axis, as BERT's and PyTorch's layer norm. The centred values are
        # kept and reused: on the CPU each elementwise op is a pass over the activations.
        centered = x - tf.reduce_mean(x, axis=-1, keepdims=True)
        variance = tf.reduce_mean(tf.square(centered), axis=-1, keepdims=True)
        return centered * tf.math.rsqrt(variance + epsilon) * gamma + beta

    def dense(x, kernel, bias):
        # On 2-D rows and with BiasAdd, TensorFlow's CPU graph optimiser fuses the matmul, the bias and a
        # following GELU into one oneDNN op; a [batch, seq, H] operand would make it a batched matmul,
        # with the bias and activation as separate passes.
        return tf.nn.bias_add(tf.matmul(x, kernel), bias)

    def activation(name: str, x):
        return tf.nn.gelu(x, approximate=False) if name == "gelu" else tf.nn.relu(x)

    def dropout(x, rate: float, training):
        return tf.nn.dropout(x, rate=rate) if training and rate > 0 else x

    class Embeddings(keras.layers.Layer):
        def __init__(self, config: BertConfig, **kwargs):
            super().__init__(**kwargs)
            self.config = config

        def build(self, input_shape):
            c = self.config
            self.word_embeddings = self.add_weight("word_embeddings", [c.vocab_size, c.hidden_size],
                                                   initializer=initializer(c))
            self.position_embeddings = self.add_weight(
                "position_embeddings", [c.max_position_embeddings, c.hidden_size], initializer=initializer(c))
            self.token_type_embeddings = self.add_weight(
                "token_type_embeddings", [c.type_vocab_size, c.hidden_size], initializer=initializer(c))
            self.gamma = self.add_weight("layer_norm/gamma", [c.hidden_size], initializer="ones")
            self.beta = self.add_weight("layer_norm/beta", [c.hidden_size], initializer="zeros")
            super().build(input_shape)

        def call(self, word_ids, type_ids, training=None):
            length = tf.shape(word_ids)[1]
            x = (tf.gather(self.word_embeddings, word_ids)
                 + tf.expand_dims(self.position_embeddings[:length], 0)
                 + tf.gather(self.token_type_embeddings, type_ids))
            x = layer_norm(x, self.gamma, self.beta, self.config.layer_norm_eps)
            return dropout(x, self.config.hidden_dropout_prob, training)

    class TransformerBlock(keras.layers.Layer):
        def __init__(self, config: BertConfig, **kwargs):
            super().__init__(**kwargs)
            self.config = config

        def build(self, input_shape):
            c = self.config
            h, i = c.hidden_size, c.intermediate_size

            def w(name, shape, initial=None):
                # A fresh initializer per weight: a reused one repeats its values.
                return self.add_weight(name, shape, initializer=initial or initializer(c))

            self.query_kernel = w("attention/query/kernel", [h, h])
            self.query_bias = w("attention/query/bias", [h], "zeros")
            self.key_kernel = w("attention/key/kernel", [h, h])
            self.key_bias = w("attention/key/bias", [h], "zeros")
            self.value_kernel = w("attention/value/kernel", [h, h])
            self.value_bias = w("attention/value/bias", [h], "zeros")
            self.attention_output_kernel = w("attention/output/kernel", [h, h])
            self.attention_output_bias = w("attention/output/bias", [h], "zeros")
            self.attention_gamma = w("attention/layer_norm/gamma", [h], "ones")
            self.attention_beta = w("attention/layer_norm/beta", [h], "zeros")
            self.intermediate_kernel = w("intermediate/kernel", [h, i])
            self.intermediate_bias = w("intermediate/bias", [i], "zeros")
            self.output_kernel, self.output_bias = w("output/kernel", [i, h]), w("output/bias", [h], "zeros")
            self.output_gamma = w("output/layer_norm/gamma", [h], "ones")
            self.output_beta = w("output/layer_norm/beta", [h], "zeros")
            super().build(input_shape)

        def _heads(self, x, batch, length):
            c = self.config
            x = tf.reshape(x, [batch, length, c.num_attention_heads, c.head_size])
            return tf.transpose(x, [0, 2, 1, 3])

        def call(self, x, attention_bias, training=None):
            c = self.config
            batch, length = tf.shape(x)[0], tf.shape(x)[1]
            # Every projection works on the [batch * seq, H] rows; only attention needs the sequences.
            rows = tf.reshape(x, [-1, c.hidden_size])
            query = self._heads(dense(rows, self.query_kernel, self.query_bias), batch, length)
            key = self._heads(dense(rows, self.key_kernel, self.key_bias), batch, length)
            value = self._heads(dense(rows, self.value_kernel, self.value_bias), batch, length)
            scores = tf.matmul(query, key, transpose_b=True) * (1.0 / math.sqrt(c.head_size)) + attention_bias
            probabilities = dropout(tf.nn.softmax(scores, axis=-1), c.attention_probs_dropout_prob, training)
            context = tf.reshape(tf.transpose(tf.matmul(probabilities, value), [0, 2, 1, 3]),
                                 [-1, c.hidden_size])
            attended = dense(context, self.attention_output_kernel, self.attention_output_bias)
            rows = layer_norm(dropout(attended, c.hidden_dropout_prob, training) + rows,
                              self.attention_gamma, self.attention_beta, c.layer_norm_eps)
            inner = activation(c.hidden_act, dense(rows, self.intermediate_kernel, self.intermediate_bias))
            out = dense(inner, self.output_kernel, self.output_bias)
            rows = layer_norm(dropout(out, c.hidden_dropout_prob, training) + rows,
                              self.output_gamma, self.output_beta, c.layer_norm_eps)
            return tf.reshape(rows, [batch, length, c.hidden_size])

    class Pooler(keras.layers.Layer):
        def __init__(self, config: BertConfig, **kwargs):
            super().__init__(**kwargs)
            self.config = config

        def build(self, input_shape):
            h = self.config.hidden_size
            self.kernel = self.add_weight("kernel", [h, h], initializer=initializer(self.config))
            self.bias = self.add_weight("bias", [h], initializer="zeros")
            super().build(input_shape)

        def call(self, sequence_output):
            return tf.tanh(dense(sequence_output[:, 0], self.kernel, self.bias))

    class BertEncoder(keras.layers.Layer):
        def __init__(self, config: BertConfig, **kwargs):
            super().__init__(**kwargs)
            self.config = config
            self.embeddings = Embeddings(config, name="embeddings")
            self.blocks = [TransformerBlock(config, name=f"layer_{i}") for i in range(config.num_hidden_layers)]
            self.pooler = Pooler(config, name="pooler")

        def call(self, inputs, training=None):
            word_ids = tf.cast(inputs["input_word_ids"], tf.int32)
            mask = tf.cast(inputs["input_mask"], tf.float32)
            type_ids = tf.cast(inputs["input_type_ids"], tf.int32)
            # Padding gets a large negative score before the softmax: exactly zero weight.
            attention_bias = (1.0 - mask[:, tf.newaxis, tf.newaxis, :]) * -10000.0
            x = self.embeddings(word_ids, type_ids, training=training)
            encoder_outputs = []
            for block in self.blocks:
                x = block(x, attention_bias, training=training)
                encoder_outputs.append(x)
            return {"pooled_output": self.pooler(x), "sequence_output": x, "encoder_outputs": encoder_outputs}

        def get_config(self):
            return {**super().get_config(), "config": self.config.to_dict()}

    class MaskedLMHead(keras.layers.Layer):
        def __init__(self, config: BertConfig, embeddings, **kwargs):
            super().__init__(**kwargs)
            self.config = config
            self.embeddings = embeddings

        def build(self, input_shape):
            c = self.config
            self.transform_kernel = self.add_weight("transform/kernel", [c.hidden_size, c.hidden_size],
                                                    initializer=initializer(c))
            self.transform_bias = self.add_weight("transform/bias", [c.hidden_size], initializer="zeros")
            self.gamma = self.add_weight("transform/layer_norm/gamma", [c.hidden_size], initializer="ones")
            self.beta = self.add_weight("transform/layer_norm/beta", [c.hidden_size], initializer="zeros")
            self.output_bias = self.add_weight("output_bias", [c.vocab_size], initializer="zeros")
            super().build(input_shape)

        def call(self, sequence_output, positions):
            c = self.config
            picked = tf.gather(sequence_output, tf.cast(positions, tf.int32), batch_dims=1)
            x = activation(c.hidden_act, tf.matmul(picked, self.transform_kernel) + self.transform_bias)
            x = layer_norm(x, self.gamma, self.beta, c.layer_norm_eps)
            # The output matrix is the word embedding table (tied weights, as in BERT).
            return tf.matmul(x, self.embeddings.word_embeddings, transpose_b=True) + self.output_bias

    return {"BertEncoder": BertEncoder, "MaskedLMHead": MaskedLMHead}
