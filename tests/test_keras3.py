"""`hubfork.keras3.KerasLayer`: a model by name as a Keras 3 layer, scanned before it is loaded."""

from __future__ import annotations

import numpy as np
import pytest

from hubfork import keras3
from hubfork.errors import NotTrainableError, UnsafeModelError
from hubfork.models import _tf

tf = _tf.tensorflow()
keras = _tf.keras3()


def test_a_folder_by_name_in_a_keras3_model(generations, batch):
    layer = keras3.KerasLayer(str(generations["v3"]), trainable=True)
    assert isinstance(layer, keras.layers.Layer) and layer.handle == str(generations["v3"])
    inputs = {key: keras.Input(shape=(None,), dtype="int32", name=key) for key in batch}
    model = keras.Model(inputs, keras.layers.Dense(1)(layer(inputs)["pooled_output"]))
    assert len(model.trainable_weights) > 10
    expected = tf.saved_model.load(str(generations["v3"]))(batch)["pooled_output"].numpy()
    assert np.abs(layer(batch)["pooled_output"].numpy() - expected).max() < 1e-5
    config = layer.get_config()
    assert config["handle"] == str(generations["v3"]) and config["trainable"] is True
    again = keras3.KerasLayer.from_config(config)
    assert np.abs(again(batch)["pooled_output"].numpy() - expected).max() < 1e-5


def test_a_tf1_module_by_name_runs_tokens_and_is_not_trainable(generations, batch):
    layer = keras3.KerasLayer(str(generations["tf1-hub"]))
    ids = {"input_ids": batch["input_word_ids"], "input_mask": batch["input_mask"],
           "segment_ids": batch["input_type_ids"]}
    assert set(layer(ids)) >= {"pooled_output", "sequence_output"}
    with pytest.raises(NotTrainableError, match="cannot be fine-tuned") as caught:
        keras3.KerasLayer(str(generations["tf1-hub"]), trainable=True)
    assert caught.value.name == str(generations["tf1-hub"])


def test_an_unsafe_model_is_refused_before_it_loads(tmp_path):
    target = tmp_path / "written.txt"

    class Evil(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([None], tf.string)])
        def __call__(self, text):
            tf.io.write_file(str(target), text[0])
            return text

    tf.saved_model.save(Evil(), str(tmp_path / "evil"))
    with pytest.raises(UnsafeModelError):
        keras3.KerasLayer(str(tmp_path / "evil"))
    assert not target.exists()
