"""Every encoder generation, loaded and run exactly as the TF Hub docs of that
generation show, and fine-tuned where the generation allows."""

from __future__ import annotations

import numpy as np
import pytest

from hubfork.models import _tf
from hubfork.models.export.encoder import build_keras_model
from hubfork.models.export.tf1_hub import MODULE_DEF_FILE

tf = _tf.tensorflow()
hub = _tf.tensorflow_hub()
keras = _tf.keras()


@pytest.fixture(scope="module")
def reference(tiny_config, tiny_weights, batch):
    """Outputs of the in-memory model, the same math the files must reproduce."""
    return build_keras_model(tiny_config, tiny_weights, "v3")(batch)


def _close(a, b, tolerance=1e-5):
    return float(np.max(np.abs(np.asarray(a) - np.asarray(b)))) <= tolerance


@pytest.mark.parametrize("generation", ["v1", "v2"])
def test_list_generations_take_and_return_lists(generations, generation, batch, reference):
    layer = hub.KerasLayer(str(generations[generation]))
    pooled, sequence = layer([batch["input_word_ids"], batch["input_mask"], batch["input_type_ids"]])
    assert pooled.shape == (2, 32) and sequence.shape == (2, 8, 32)
    assert _close(pooled, reference["pooled_output"]) and _close(sequence, reference["sequence_output"])


@pytest.mark.parametrize("generation", ["v3", "v4"])
def test_dict_generations_take_and_return_dicts(generations, generation, batch, reference):
    outputs = hub.KerasLayer(str(generations[generation]))(batch)
    assert set(outputs) == {"pooled_output", "sequence_output", "encoder_outputs", "default"}
    assert len(outputs["encoder_outputs"]) == 2
    assert _close(outputs["encoder_outputs"][-1], outputs["sequence_output"], 0)
    assert _close(outputs["default"], outputs["pooled_output"], 0)
    assert _close(outputs["sequence_output"], reference["sequence_output"])


@pytest.mark.parametrize("generation", ["v1", "v2", "v3", "v4"])
def test_legacy_vocab_file_and_do_lower_case(generations, generation, tiny_vocab):
    layer = hub.KerasLayer(str(generations[generation]))
    vocab = layer.resolved_object.vocab_file.asset_path.numpy().decode()
    assert vocab.startswith(str(generations[generation]))  # the asset inside the SavedModel
    assert open(vocab, encoding="utf-8").read() == tiny_vocab.read_text(encoding="utf-8")
    assert layer.resolved_object.do_lower_case.numpy() is np.True_ or layer.resolved_object.do_lower_case.numpy()


@pytest.mark.parametrize("generation", ["v1", "v2", "v3", "v4"])
def test_reusable_savedmodel_api(generations, generation, tiny_config):
    obj = hub.load(str(generations[generation]))
    n_weights = 5 + 16 * tiny_config.num_hidden_layers + 2
    assert len(obj.trainable_variables) == n_weights
    assert len(obj.variables) == n_weights + 1  # + the legacy do_lower_case flag
    assert list(obj.regularization_losses) == []


def test_v4_mlm_subobject(generations, batch, tiny_config, tiny_weights):
    encoder = hub.load(str(generations["v4"]))
    mlm = hub.KerasLayer(encoder.mlm, trainable=True)
    positions = np.array([[1, 2, 0], [3, 4, 5]], np.int32)
    outputs = mlm({**batch, "masked_lm_positions": positions})
    assert outputs["mlm_logits"].shape == (2, 3, tiny_config.vocab_size)
    assert {"pooled_output", "sequence_output", "encoder_outputs"} <= set(outputs)
    # The head is tied to the word embeddings: logits = transform(h) . E^T + b.
    reference = build_keras_model(tiny_config, tiny_weights, "v4").mlm({**batch, "masked_lm_positions": positions})
    assert _close(outputs["mlm_logits"], reference["mlm_logits"])
    # Fine-tuning the encoder does not list the MLM head's weights (they get no gradient there).
    assert len(hub.KerasLayer(str(generations["v4"]), trainable=True).trainable_weights) < len(mlm.trainable_weights)


def test_v1_has_no_dropout_when_training_and_v2_does(generations, batch):
    inputs = [batch["input_word_ids"], batch["input_mask"], batch["input_type_ids"]]
    for generation, dropout in (("v1", False), ("v2", True)):
        layer = hub.KerasLayer(str(generations[generation]), trainable=True)
        first, second = (layer(inputs, training=True)[1].numpy() for _ in range(2))
        assert (not np.allclose(first, second)) == dropout, generation
        assert np.allclose(layer(inputs, training=False)[1], layer(inputs, training=False)[1])


def _fine_tune_step(layer, make_inputs, pick) -> float:
    """One gradient step of a tiny classifier on top of `layer`; how much its weights moved."""
    model_inputs, call_inputs = make_inputs()
    head = keras.layers.Dense(2)
    logits = head(pick(layer(model_inputs)))
    model = keras.Model(model_inputs, logits)
    before = [w.numpy().copy() for w in layer.trainable_weights]
    optimizer = keras.optimizers.SGD(learning_rate=0.5)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(
            np.array([0, 1]), model(call_inputs, training=True), from_logits=True))
    grads = tape.gradient(loss, model.trainable_weights)
    assert all(g is not None for g in grads)
    optimizer.apply_gradients(zip(grads, model.trainable_weights))
    return max(float(np.max(np.abs(w.numpy() - b))) for w, b in zip(layer.trainable_weights, before))


@pytest.mark.parametrize("generation", ["v1", "v2", "v3", "v4"])
def test_fine_tuning_changes_the_weights(generations, generation, batch):
    layer = hub.KerasLayer(str(generations[generation]), trainable=True)
    keys = ("input_word_ids", "input_mask", "input_type_ids")

    def make_inputs():
        symbolic = {k: keras.Input(shape=(None,), dtype=tf.int32, name=k) for k in keys}
        if generation in ("v1", "v2"):
            return [symbolic[k] for k in keys], [batch[k] for k in keys]
        return symbolic, batch

    pick = (lambda out: out[0]) if generation in ("v1", "v2") else (lambda out: out["pooled_output"])
    assert _fine_tune_step(layer, make_inputs, pick) > 0


def test_v4_mlm_fine_tunes(generations, batch):
    mlm = hub.KerasLayer(hub.load(str(generations["v4"])).mlm, trainable=True)
    positions = np.array([[1, 2], [3, 4]], np.int32)

    def make_inputs():
        symbolic = {k: keras.Input(shape=(None,), dtype=tf.int32, name=k) for k in batch}
        symbolic["masked_lm_positions"] = keras.Input(shape=(None,), dtype=tf.int32, name="masked_lm_positions")
        return symbolic, {**batch, "masked_lm_positions": positions}

    assert _fine_tune_step(mlm, make_inputs, lambda out: out["mlm_logits"][:, 0]) > 0


def test_tf1_hub_module_signatures_and_graph_variants(generations, batch, reference, tiny_vocab):
    path = generations["tf1-hub"]
    assert (path / MODULE_DEF_FILE).read_bytes() == b"\x08\x03"
    module = hub.load(str(path))  # tags=set() for a TF1 Hub module
    feed = dict(input_ids=tf.constant(batch["input_word_ids"]), input_mask=tf.constant(batch["input_mask"]),
                segment_ids=tf.constant(batch["input_type_ids"]))
    outputs = module.signatures["tokens"](**feed)
    assert _close(outputs["pooled_output"], reference["pooled_output"])
    assert _close(outputs["sequence_output"], reference["sequence_output"])
    info = module.signatures["tokenization_info"]()
    vocab = info["vocab_file"].numpy().decode()
    assert vocab.startswith(str(path)) and open(vocab).read() == tiny_vocab.read_text()
    assert bool(info["do_lower_case"].numpy()) is True
    train = hub.load(str(path), tags=["train"])
    first, second = (train.signatures["tokens"](**feed)["pooled_output"].numpy() for _ in range(2))
    assert not np.allclose(first, second)  # dropout in the {"train"} variant


def test_tf1_hub_module_through_keras_layer(generations, batch, reference):
    layer = hub.KerasLayer(str(generations["tf1-hub"]), signature="tokens", signature_outputs_as_dict=True)
    outputs = layer(dict(input_ids=batch["input_word_ids"], input_mask=batch["input_mask"],
                         segment_ids=batch["input_type_ids"]))
    assert _close(outputs["pooled_output"], reference["pooled_output"])
    trainable = hub.KerasLayer(str(generations["tf1-hub"]), signature="tokens", signature_outputs_as_dict=True,
                               trainable=True)
    with pytest.raises(ValueError, match="TF1 Hub format"):
        trainable(dict(input_ids=batch["input_word_ids"], input_mask=batch["input_mask"],
                       segment_ids=batch["input_type_ids"]))


def test_writers_create_the_folder_whole_or_not_at_all(tmp_path, tiny_config, tiny_weights, tiny_vocab):
    from hubfork.errors import ModelError
    from hubfork.models.convert import write_encoder

    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "keep.txt").write_text("mine")
    with pytest.raises(ModelError, match="not empty"):
        write_encoder(taken, tiny_config, tiny_weights, "v3", vocab_file=tiny_vocab, do_lower_case=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]
    broken = dict(tiny_weights)
    broken["pooler.dense.weight"] = np.zeros((3, 3), np.float32)  # wrong shape: fails mid-write
    with pytest.raises(Exception):
        write_encoder(tmp_path / "new", tiny_config, broken, "v3", vocab_file=tiny_vocab, do_lower_case=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]
