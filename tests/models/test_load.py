"""A TextModel from folders on this machine, with no names and no hub: the models
side of `hubfork.load_text_model`."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hubfork.errors import ModelError, NotTrainableError
from hubfork.models.load import open_encoder, text_model_from_folders

TEXTS = ["the cat sat on the mat.", "hello world", ""]


@pytest.fixture(scope="module")
def preprocessor(tiny_preprocessor) -> Path:
    """The session's preprocessor of the tiny vocab (tests/fixtures/models.py), written once for every
    test that reads one."""
    return tiny_preprocessor


def test_a_text_model_from_an_encoder_folder_and_a_preprocessor_folder(generations, preprocessor):
    import hubfork

    model = text_model_from_folders(generations["v3"], preprocessor)
    assert (model.generation, model.preprocessor_source, model.name) == ("v3", "given", str(generations["v3"]))
    # The tiny encoders have 64 positions, the preprocessor packs 128: cut, and said.
    assert model.seq_length == 64
    assert model.notes == ["the preprocessor packs 128 tokens but the encoder has 64 positions: texts are cut at 64"]
    by_name = hubfork.load_text_model(generations["v3"], preprocessor=preprocessor)
    np.testing.assert_allclose(model.embed(TEXTS), by_name.embed(TEXTS), atol=1e-6)


def test_an_inspected_encoder_is_used_as_it_is(generations, preprocessor):
    encoder = open_encoder(generations["v2"])
    model = text_model_from_folders(encoder, preprocessor, "companion", name="acme/bert", notes=["from a card"])
    assert model.encoder is encoder and model.name == "acme/bert" and model.preprocessor_source == "companion"
    assert model.notes[0] == "from a card"


def test_a_tf1_module_is_not_trainable(generations, preprocessor):
    with pytest.raises(NotTrainableError, match="TF1 Hub-format") as caught:
        text_model_from_folders(generations["tf1-hub"], preprocessor, trainable=True, name="acme/tf1")
    assert caught.value.name == "acme/tf1"
    encoder = open_encoder(generations["tf1-hub"])
    with pytest.raises(NotTrainableError):
        text_model_from_folders(encoder, preprocessor, trainable=True)


def test_bad_options_are_refused_before_anything_is_loaded(tmp_path):
    absent = tmp_path / "absent"
    with pytest.raises(ModelError, match="seq_length must be at least 2"):
        text_model_from_folders(absent, absent, seq_length=1)
    with pytest.raises(ModelError, match="not a device name"):
        text_model_from_folders(absent, absent, device="tpu")
    with pytest.raises(ValueError, match="source must be one of"):
        text_model_from_folders(absent, absent, "guessed")
