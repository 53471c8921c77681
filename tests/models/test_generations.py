"""Telling encoder generations apart by inspecting the SavedModel, and calling each
through one interface that gives exactly what tensorflow_hub gives."""

from __future__ import annotations

import numpy as np
import pytest

from hubfork.errors import ModelFormatError, NoMaskedLMError, NotTrainableError
from hubfork.models import _tf
from hubfork.models.generations import (
    DictEncoder,
    ListEncoder,
    MaskedLMEncoder,
    TF1HubEncoder,
    inspect_encoder,
)

tf = _tf.tensorflow()
hub = _tf.tensorflow_hub()

KEYS = ("input_word_ids", "input_mask", "input_type_ids")
EXPECTED = {
    "tf1-hub": (TF1HubEncoder, ("pooled_output", "sequence_output"), False, False),
    "v1": (ListEncoder, ("pooled_output", "sequence_output"), False, True),
    "v2": (ListEncoder, ("pooled_output", "sequence_output"), False, True),
    "v3": (DictEncoder, ("pooled_output", "sequence_output", "encoder_outputs"), False, True),
    "v4": (MaskedLMEncoder, ("pooled_output", "sequence_output", "encoder_outputs"), True, True),
}


@pytest.fixture(scope="module")
def encoders(generations):
    """Each generation inspected once (a load per generation)."""
    return {generation: inspect_encoder(folder) for generation, folder in generations.items()}


def _max_diff(a, b) -> float:
    return float(np.max(np.abs(np.asarray(a) - np.asarray(b))))


@pytest.mark.parametrize("generation", list(EXPECTED))
def test_inspection_finds_the_generation(encoders, generations, generation):
    kind, outputs, has_mlm, fine_tunable = EXPECTED[generation]
    encoder = encoders[generation]
    assert type(encoder) is kind
    assert encoder.generation == generation
    assert encoder.outputs == outputs and encoder.has_mlm is has_mlm and encoder.fine_tunable is fine_tunable
    assert encoder.path == generations[generation]


def test_inspection_accepts_a_string_path(generations):
    assert inspect_encoder(str(generations["v1"])).generation == "v1"


def test_v1_and_v2_are_told_apart_by_dropout_in_the_training_graph(encoders, batch):
    inputs = {k: tf.constant(batch[k]) for k in KEYS}
    for generation, dropout in (("v1", False), ("v2", True)):
        first, second = (encoders[generation](inputs, training=True)["sequence_output"].numpy() for _ in range(2))
        assert (_max_diff(first, second) > 0) == dropout, generation


def _raw_outputs(generation, folder, batch) -> dict[str, np.ndarray]:
    """The same batch through tensorflow_hub directly, as each generation's TF Hub docs call it."""
    if generation == "tf1-hub":
        outputs = hub.load(str(folder)).signatures["tokens"](
            input_ids=tf.constant(batch["input_word_ids"]), input_mask=tf.constant(batch["input_mask"]),
            segment_ids=tf.constant(batch["input_type_ids"]))
        return {k: outputs[k].numpy() for k in ("pooled_output", "sequence_output")}
    layer = hub.KerasLayer(str(folder))
    if generation in ("v1", "v2"):
        pooled, sequence = layer([batch[k] for k in KEYS])
        return {"pooled_output": pooled.numpy(), "sequence_output": sequence.numpy()}
    outputs = layer(dict(batch))
    return {"pooled_output": outputs["pooled_output"].numpy(), "sequence_output": outputs["sequence_output"].numpy(),
            "encoder_outputs": [o.numpy() for o in outputs["encoder_outputs"]]}


@pytest.mark.parametrize("generation", list(EXPECTED))
def test_adapter_outputs_equal_the_raw_tensorflow_hub_call(encoders, generations, generation, batch, tiny_config):
    encoder = encoders[generation]
    ours = encoder({k: tf.constant(batch[k]) for k in KEYS})
    theirs = _raw_outputs(generation, generations[generation], batch)
    assert set(ours) == set(encoder.outputs) == set(theirs)
    assert ours["pooled_output"].shape == (2, tiny_config.hidden_size)
    assert ours["sequence_output"].shape == (2, 8, tiny_config.hidden_size)
    assert _max_diff(ours["pooled_output"], theirs["pooled_output"]) <= 1e-6
    assert _max_diff(ours["sequence_output"], theirs["sequence_output"]) <= 1e-6
    if "encoder_outputs" in ours:
        assert isinstance(ours["encoder_outputs"], list)
        assert len(ours["encoder_outputs"]) == len(theirs["encoder_outputs"]) == tiny_config.num_hidden_layers
        for mine, raw in zip(ours["encoder_outputs"], theirs["encoder_outputs"]):
            assert _max_diff(mine, raw) <= 1e-6
    # Inside a tf.function too, as TextModel runs it.
    traced = tf.function(lambda inputs: encoder(inputs)["pooled_output"])
    assert _max_diff(traced({k: tf.constant(batch[k]) for k in KEYS}), theirs["pooled_output"]) <= 1e-6


def test_generations_agree_with_each_other(encoders, batch):
    """Same weights in every generation: the adapters make them interchangeable."""
    inputs = {k: tf.constant(batch[k]) for k in KEYS}
    pooled = {g: e(inputs)["pooled_output"].numpy() for g, e in encoders.items()}
    for generation, value in pooled.items():
        assert _max_diff(value, pooled["v3"]) <= 1e-5, generation


def test_v4_mlm_logits_equal_the_raw_mlm_call(encoders, generations, batch, tiny_config):
    positions = np.array([[1, 2, 0], [3, 4, 7]], np.int32)
    ours = encoders["v4"].mlm_logits({k: tf.constant(batch[k]) for k in KEYS}, tf.constant(positions))
    raw = hub.load(str(generations["v4"])).mlm({**batch, "masked_lm_positions": positions}, training=False)
    assert ours.shape == (2, 3, tiny_config.vocab_size)
    assert _max_diff(ours, raw["mlm_logits"]) <= 1e-6
    assert _max_diff(ours[0, 0], ours[1, 0]) > 1e-3  # different positions, different predictions


@pytest.mark.parametrize("generation", ["tf1-hub", "v1", "v2", "v3"])
def test_generations_without_mlm_refuse_mlm_logits(encoders, batch, generation):
    with pytest.raises(NoMaskedLMError, match=f"a {generation} encoder has no masked-LM head") as caught:
        encoders[generation].mlm_logits({k: tf.constant(batch[k]) for k in KEYS}, tf.constant([[1]]))
    assert caught.value.generation == generation


@pytest.mark.parametrize("generation", list(EXPECTED))
def test_vocab_gives_the_path_and_the_lower_case_flag(encoders, generations, generation, tiny_vocab):
    path, lower = encoders[generation].vocab()
    assert isinstance(path, str) and lower is True
    assert path.startswith(str(generations[generation]))  # the asset inside the SavedModel
    assert open(path, encoding="utf-8").read() == tiny_vocab.read_text(encoding="utf-8")


def test_a_tf2_encoder_without_the_legacy_vocab_has_none(tmp_path, tiny_config, tiny_weights):
    from hubfork.models.export.encoder import build_keras_model

    model = build_keras_model(tiny_config, tiny_weights, "v3")  # no vocab_file: no .vocab_file, no .do_lower_case
    _tf.keras().models.save_model(model, str(tmp_path / "bare"), save_format="tf", include_optimizer=False)
    encoder = inspect_encoder(tmp_path / "bare")
    assert encoder.generation == "v3" and encoder.vocab() is None


def test_tf1_module_refuses_a_trainable_keras_layer(encoders):
    keras = _tf.keras()
    inputs = {k: keras.Input(shape=(None,), dtype=tf.int32, name=k) for k in KEYS}
    with pytest.raises(NotTrainableError, match="cannot be fine-tuned"):
        encoders["tf1-hub"].keras_outputs(inputs, trainable=True)


def test_a_preprocessor_is_refused_naming_its_path(tiny_preprocessor):
    _tf.tensorflow_text()
    with pytest.raises(ModelFormatError, match="takes strings: it is a text preprocessor") as caught:
        inspect_encoder(tiny_preprocessor)
    assert str(tiny_preprocessor) in str(caught.value)


def test_a_folder_that_is_not_a_savedmodel_is_refused_naming_its_path(tmp_path, generations):
    folder = tmp_path / "not-a-model"
    folder.mkdir()
    (folder / "README.md").write_text("# nothing here\n")
    with pytest.raises(ModelFormatError, match="not a SavedModel folder") as caught:
        inspect_encoder(folder)
    assert str(folder) in str(caught.value)
    with pytest.raises(ModelFormatError, match="not a SavedModel folder") as caught:
        inspect_encoder(tmp_path / "missing")
    assert str(tmp_path / "missing") in str(caught.value)


def test_a_savedmodel_of_something_else_is_refused(tmp_path):
    class Doubler(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
        def __call__(self, x):
            return 2 * x

    tf.saved_model.save(Doubler(), str(tmp_path / "doubler"))
    with pytest.raises(ModelFormatError, match="not a BERT-style encoder of a known generation") as caught:
        inspect_encoder(tmp_path / "doubler")
    assert str(tmp_path / "doubler") in str(caught.value)
