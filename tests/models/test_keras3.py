"""`SavedModelLayer`: TF Hub-style SavedModels of every generation inside Keras 3 models, giving
what the SavedModels give when called directly, and fine-tuned by ``fit``."""

from __future__ import annotations

import numpy as np
import pytest

from hubfork.errors import ModelError, NotTrainableError
from hubfork.models import _tf
from hubfork.models.keras3_layer import SavedModelLayer
from tests.fixtures.models import ANIMAL_LABELS, ANIMAL_TEXTS, fit_until_loss_halves

tf = _tf.tensorflow()
hub = _tf.tensorflow_hub()
keras = _tf.keras3()
_tf.tensorflow_text()  # the preprocessors' ops

SEQ_LENGTH = 128  # the session's preprocessor's; `wide_encoders` have as many positions


@pytest.fixture(scope="module")
def preprocessor(tiny_preprocessor):
    return tiny_preprocessor


def id_inputs(batch):
    return {key: keras.Input(shape=(None,), dtype="int32", name=key) for key in batch}


def snapshot(variables) -> list[np.ndarray]:
    # float64, so that the bool do_lower_case variable compares like the weights
    return [np.asarray(v.numpy(), np.float64) for v in variables]


def largest_change(variables, before) -> float:
    return max(float(np.max(np.abs(now - then))) for now, then in zip(snapshot(variables), before))


@pytest.mark.parametrize("generation", ["v3", "v4"])
def test_dict_encoders_in_a_keras3_model_give_what_the_savedmodel_gives(generations, batch, generation):
    loaded = hub.load(str(generations[generation]))
    layer = SavedModelLayer(loaded, name="encoder")
    inputs = id_inputs(batch)
    model = keras.Model(inputs, layer(inputs)["pooled_output"])
    assert isinstance(layer, keras.layers.Layer) and isinstance(model, keras.Model)
    expected = loaded(batch, training=False)["pooled_output"].numpy()
    assert np.abs(model.predict(batch, verbose=0) - expected).max() < 1e-5
    # Every SavedModel variable is a weight of the layer, none trainable when frozen.
    assert len(layer.weights) == len(loaded.variables) and layer.trainable_weights == []


def test_a_list_encoder_and_an_output_key(generations, batch):
    loaded = hub.load(str(generations["v2"]))
    inputs = id_inputs(batch)
    pooled, _ = SavedModelLayer(loaded)([inputs[k] for k in batch])
    model = keras.Model(inputs, pooled)
    expected = loaded([batch[k] for k in batch], training=False)[0].numpy()
    assert np.abs(model.predict(batch, verbose=0) - expected).max() < 1e-5

    v3 = hub.load(str(generations["v3"]))
    picked = SavedModelLayer(v3, output_key="pooled_output")(batch).numpy()
    assert np.abs(picked - v3(batch)["pooled_output"].numpy()).max() < 1e-5
    with pytest.raises(ModelError, match="no output 'logits'"):
        SavedModelLayer(v3, output_key="logits")(batch)


def test_a_preprocessor_takes_strings_and_gives_its_ids(preprocessor):
    loaded = hub.load(str(preprocessor))
    text = keras.Input(shape=(), dtype="string")
    model = keras.Model(text, SavedModelLayer(loaded)(text))
    got = model.predict(tf.constant(ANIMAL_TEXTS), verbose=0)
    expected = loaded(tf.constant(ANIMAL_TEXTS))
    assert set(got) == {"input_word_ids", "input_mask", "input_type_ids"}
    for key, value in expected.items():
        assert np.array_equal(got[key], value.numpy()), key
    assert got["input_word_ids"].shape == (len(ANIMAL_TEXTS), SEQ_LENGTH)


def test_a_tf1_module_runs_its_tokens_signature_and_is_not_trainable(generations, batch):
    loaded = hub.load(str(generations["tf1-hub"]))
    layer = SavedModelLayer(loaded, signature="tokens", signature_outputs_as_dict=True)
    names = {"input_word_ids": "input_ids", "input_mask": "input_mask", "input_type_ids": "segment_ids"}
    renamed = {names[key]: value for key, value in batch.items()}
    expected = loaded.signatures["tokens"](**{k: tf.constant(v) for k, v in renamed.items()})["pooled_output"]
    assert np.abs(layer(renamed)["pooled_output"].numpy() - expected.numpy()).max() < 1e-5
    with pytest.raises(NotTrainableError, match="cannot be fine-tuned"):
        SavedModelLayer(loaded, trainable=True, signature="tokens", signature_outputs_as_dict=True)


def test_refusals_of_signature_options(generations):
    loaded = hub.load(str(generations["v3"]))
    signature = next(iter(loaded.signatures))
    with pytest.raises(NotTrainableError, match="signature cannot be fine-tuned"):
        SavedModelLayer(loaded, trainable=True, signature=signature, signature_outputs_as_dict=True)
    with pytest.raises(ModelError, match="no signature 'nope'"):
        SavedModelLayer(loaded, signature="nope", signature_outputs_as_dict=True)
    with pytest.raises(ValueError, match="either output_key or signature_outputs_as_dict"):
        SavedModelLayer(loaded, signature=signature)
    with pytest.raises(ValueError, match="only valid with a signature"):
        SavedModelLayer(loaded, signature_outputs_as_dict=True)


def classifier(preprocessor, encoder, *, trainable: bool):
    """preprocessor -> encoder (pooled_output) -> Dense(2), as a Keras 3 Sequential; and the encoder."""
    loaded = hub.load(str(encoder))
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input(shape=(), dtype="string"),
        SavedModelLayer(hub.load(str(preprocessor)), name="preprocessor"),
        SavedModelLayer(loaded, trainable=trainable, output_key="pooled_output", name="encoder"),
        keras.layers.Dense(2, name="head"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(3e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model, loaded


def test_a_trainable_encoder_fine_tunes_and_its_weights_round_trip(preprocessor, wide_encoders, tmp_path):
    model, loaded = classifier(preprocessor, wide_encoders["v3"], trainable=True)
    encoder = model.get_layer("encoder")
    assert len(encoder.trainable_weights) == len(loaded.trainable_variables) > 10
    before = snapshot(loaded.trainable_variables)
    texts = tf.constant(ANIMAL_TEXTS)
    initial, final = fit_until_loss_halves(model, texts, ANIMAL_LABELS)
    assert final < 0.5 * initial, (initial, final)
    # fit trained the SavedModel's own variables: what its __call__ reads.
    assert largest_change(loaded.trainable_variables, before) > 1e-3

    tuned = snapshot(loaded.variables)
    model.save_weights(tmp_path / "tuned.weights.h5")
    for variable in loaded.trainable_variables:
        variable.assign(tf.zeros_like(variable))
    assert largest_change(loaded.variables, tuned) > 1e-3
    model.load_weights(tmp_path / "tuned.weights.h5")
    assert largest_change(loaded.variables, tuned) == 0.0
    assert model.evaluate(texts, ANIMAL_LABELS, verbose=0) == pytest.approx(final, rel=1e-5)


def test_a_frozen_encoder_keeps_its_weights(preprocessor, wide_encoders):
    model, loaded = classifier(preprocessor, wide_encoders["v3"], trainable=False)
    assert [id(w) for w in model.trainable_weights] == [id(w) for w in model.get_layer("head").trainable_weights]
    before = snapshot(loaded.variables)
    head = snapshot(model.get_layer("head").weights)
    model.fit(tf.constant(ANIMAL_TEXTS), ANIMAL_LABELS, batch_size=4, epochs=2, verbose=0)
    assert largest_change(loaded.variables, before) == 0.0
    assert largest_change(model.get_layer("head").weights, head) > 1e-4


def test_text_model_builds_a_keras3_model_on_its_own_variables(preprocessor, wide_encoders):
    from hubfork.models.load import text_model_from_folders

    model = text_model_from_folders(wide_encoders["v3"], preprocessor, trainable=True)
    keras3_model = model.keras_model(outputs="pooled_output", keras=3)
    assert isinstance(keras3_model, keras.Model)
    texts = tf.constant(ANIMAL_TEXTS)
    expected = model.keras_model(outputs="pooled_output")(texts).numpy()  # tf_keras, the default
    assert np.abs(keras3_model.predict(texts, verbose=0) - expected).max() < 1e-5
    assert len(keras3_model.trainable_weights) == len(model.encoder.loaded.trainable_variables)
    # The Keras 3 model's weights are the TextModel's variables: embed() sees what it is given.
    first = keras3_model.trainable_weights[0]
    first.assign(first.numpy() * 2)
    assert np.abs(model.keras_model(outputs="pooled_output")(texts).numpy() - expected).max() > 1e-4
    with pytest.raises(ValueError, match="keras must be 2"):
        model.keras_model(keras=1)
