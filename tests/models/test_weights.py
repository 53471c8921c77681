"""Reading checkpoints and sizes: what is BERT is converted, what is not is refused by name."""

from __future__ import annotations

import json

import numpy as np
import pytest

from hubfork.errors import ModelFormatError
from hubfork.models.config import BertConfig
from hubfork.models.weight_table import expected_shapes
from hubfork.models.weights import normalise_key, random_weights, read_checkpoint
from tests.fixtures.models import minilm_folder


def test_minilm_checkpoint_is_read_without_pytorch():
    checkpoint = read_checkpoint(minilm_folder())
    assert checkpoint.config == BertConfig(vocab_size=30522, hidden_size=384, num_hidden_layers=6,
                                           num_attention_heads=12, intermediate_size=1536)
    assert checkpoint.do_lower_case is True and checkpoint.has_pooler and not checkpoint.has_mlm
    assert checkpoint.weights["encoder.layer.5.output.dense.weight"].shape == (384, 1536)


def test_key_layouts_are_normalised():
    assert normalise_key("bert.encoder.layer.0.output.LayerNorm.gamma") == "encoder.layer.0.output.LayerNorm.weight"
    assert normalise_key("bert.embeddings.LayerNorm.beta") == "embeddings.LayerNorm.bias"
    assert normalise_key("cls.predictions.decoder.bias") == "cls.predictions.bias"


def test_random_weights_follow_bert_initialisation():
    config = BertConfig(vocab_size=50, hidden_size=16, num_hidden_layers=1, num_attention_heads=2)
    weights = random_weights(config, seed=1)
    assert {k: v.shape for k, v in weights.items()} == expected_shapes(config)
    assert np.all(weights["embeddings.LayerNorm.weight"] == 1) and np.all(weights["pooler.dense.bias"] == 0)
    table = weights["embeddings.word_embeddings.weight"]
    assert abs(float(table.std()) - 0.02 * 0.88) < 0.003 and float(np.abs(table).max()) <= 0.04 + 1e-7
    assert np.array_equal(random_weights(config, seed=1)["pooler.dense.weight"], weights["pooler.dense.weight"])


def test_size_spec():
    config = BertConfig.from_spec("layers=2,hidden=32,heads=2", vocab_size=99)
    assert (config.num_hidden_layers, config.hidden_size, config.num_attention_heads, config.intermediate_size) == \
        (2, 32, 2, 128)
    with pytest.raises(ModelFormatError, match="bad size 'depth=3'"):
        BertConfig.from_spec("depth=3", vocab_size=9)
    with pytest.raises(ModelFormatError, match="not a multiple"):
        BertConfig.from_spec("hidden=30,heads=4", vocab_size=9)


def _folder(tmp_path, config: dict, tensors: dict | None = None, vocab_size: int = 3):
    from safetensors.numpy import save_file

    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "config.json").write_text(json.dumps(config))
    (tmp_path / "vocab.txt").write_text("\n".join(f"t{i}" for i in range(vocab_size)) + "\n")
    if tensors is not None:
        save_file(tensors, str(tmp_path / "model.safetensors"))
    return tmp_path


def test_refuses_other_architectures_naming_what_it_found(tmp_path):
    folder = _folder(tmp_path, {"model_type": "roberta", "architectures": ["RobertaForMaskedLM"], "vocab_size": 3},
                     {"x": np.zeros(1, np.float32)})
    with pytest.raises(ModelFormatError, match="found model_type 'roberta' \\(architectures RobertaForMaskedLM\\)"):
        read_checkpoint(folder)


def test_refuses_tensors_that_are_not_bert(tmp_path):
    config = {"model_type": "bert", "vocab_size": 3, "hidden_size": 4, "num_hidden_layers": 1,
              "num_attention_heads": 2, "intermediate_size": 8, "max_position_embeddings": 8}
    sizes = {k: v for k, v in config.items() if k != "model_type"}
    tensors = {k: np.zeros(s, np.float32) for k, s in expected_shapes(BertConfig(**sizes)).items()}
    tensors["qa_outputs.weight"] = np.zeros((2, 4), np.float32)
    with pytest.raises(ModelFormatError, match="not part of a BERT encoder: qa_outputs.weight"):
        read_checkpoint(_folder(tmp_path / "a", config, tensors))
    del tensors["qa_outputs.weight"]
    tensors["pooler.dense.weight"] = np.zeros((4, 5), np.float32)
    with pytest.raises(ModelFormatError, match=r"pooler.dense.weight has shape \(4, 5\)"):
        read_checkpoint(_folder(tmp_path / "b", config, tensors))


def test_refuses_incomplete_folders(tmp_path):
    with pytest.raises(ModelFormatError, match="no config.json"):
        read_checkpoint(tmp_path)
    folder = _folder(tmp_path / "c", {"model_type": "bert", "vocab_size": 3})
    (folder / "pytorch_model.bin").write_bytes(b"")
    with pytest.raises(ModelFormatError, match="found pytorch_model.bin \\(convert it to safetensors first\\)"):
        read_checkpoint(folder)
