"""Which pooling and normalisation a model's embeddings default to, read from folders."""

from __future__ import annotations

import json

import pytest

from hubfork.models.pooling import EmbeddingDefaults, choose_defaults, sentence_transformers_defaults
from tests.fixtures.models import minilm_folder


def test_a_sentence_transformers_folder_says_mean_and_normalised():
    said = sentence_transformers_defaults(minilm_folder())
    assert (said.pooling, said.normalize) == ("mean", True)


@pytest.mark.parametrize("modules, pooling_config, expected", [
    (None, None, None),
    (None, {"pooling_mode_cls_token": True, "pooling_mode_mean_tokens": False}, ("cls", None)),
    ([{"path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}],
     {"pooling_mode_mean_tokens": True}, ("mean", False)),
    ([{"path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}],
     {"pooling_mode_max_tokens": True}, (None, False)),
])
def test_what_a_folder_says(tmp_path, modules, pooling_config, expected):
    if modules is not None:
        (tmp_path / "modules.json").write_text(json.dumps(modules))
    if pooling_config is not None:
        (tmp_path / "1_Pooling").mkdir()
        (tmp_path / "1_Pooling" / "config.json").write_text(json.dumps(pooling_config))
    said = sentence_transformers_defaults(tmp_path)
    assert (None if said is None else (said.pooling, said.normalize)) == expected


def test_each_fact_comes_from_the_first_source_that_says_it():
    folder = EmbeddingDefaults("cls", None, "folder")
    card = EmbeddingDefaults("mean", True, "card")
    assert choose_defaults(folder, card) == (folder, card)
    pooling, normalize = choose_defaults(None, None)
    assert (pooling.pooling, normalize.normalize, pooling.source) == ("pooled", False, EmbeddingDefaults().source)
