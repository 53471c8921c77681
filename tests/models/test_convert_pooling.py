"""``hubfork convert`` carries a sentence-transformers checkpoint's pooling and normalisation into the
encoder it writes, where loading (`hubfork.models.pooling`) and ``card new`` read them: all-MiniLM-L6-v2
converted on the command line embeds as sentence-transformers does with no flags. The commands run in
this process (`run_cli_here`): what they print is under test."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from hubfork.cards.parser import parse_card
from hubfork.models.convert import convert
from hubfork.models.pooling import read_sentence_transformers, sentence_transformers_defaults
from tests.conftest import run_cli_here
from tests.fixtures.models import minilm_folder
from tests.fixtures.sentence_transformers import write_sentence_transformers
from tests.fixtures.shared import built_once

TEXTS = ["hello world", "The quick brown fox jumps over the lazy dog.", "Converted weights, the same embeddings."]
MINILM_NOTE = "hubfork: note: pooling: mean, normalised (from 1_Pooling/config.json and modules.json)"


@pytest.fixture(scope="module")
def converted_minilm(tmp_path_factory):
    """all-MiniLM-L6-v2 converted to v3 by ``hubfork convert`` once per run: its folder and the notes
    convert printed."""
    def build(folder):
        out = folder / "encoder"
        result = run_cli_here("convert", "--checkpoint", str(minilm_folder()), "--generation", "v3", "--out", str(out))
        assert result.returncode == 0, result.stderr
        return {"path": str(out), "notes": [line for line in result.stderr.splitlines() if "note:" in line]}

    return built_once(tmp_path_factory, "converted-minilm-cli", build)


@pytest.fixture(scope="module")
def tiny_checkpoint(tmp_path_factory, tiny_config, tiny_vocab):
    """A Hugging Face BertModel folder of random weights (no sentence-transformers configuration)."""
    from safetensors.numpy import save_file

    from hubfork.models.weights import random_weights

    folder = tmp_path_factory.mktemp("tiny-checkpoint")
    save_file(random_weights(tiny_config, seed=1), str(folder / "model.safetensors"))
    hf_config = {"model_type": "bert", "architectures": ["BertModel"], "vocab_size": tiny_config.vocab_size,
                 "hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2, "intermediate_size": 64,
                 "max_position_embeddings": 64}
    (folder / "config.json").write_text(json.dumps(hf_config))
    shutil.copy(tiny_vocab, folder / "vocab.txt")
    return folder


def _with_configuration(tiny_checkpoint, folder, **options):
    shutil.copytree(tiny_checkpoint, folder)
    return write_sentence_transformers(folder, **options)


# ----------------------------------------------------------------------------- all-MiniLM-L6-v2


def test_convert_carries_minilms_configuration_and_says_so(converted_minilm):
    assert converted_minilm["notes"] == [MINILM_NOTE]
    out = Path(converted_minilm["path"])
    for name in ("modules.json", "1_Pooling/config.json"):  # copied as they are
        assert (out / name).read_bytes() == (minilm_folder() / name).read_bytes()


def test_the_converted_minilm_embeds_as_sentence_transformers_with_no_flags(converted_minilm):
    from sentence_transformers import SentenceTransformer

    result = run_cli_here("embed", "--model", converted_minilm["path"], "--json", *TEXTS)
    assert result.returncode == 0, result.stderr
    notes = [line for line in result.stderr.splitlines() if line.startswith("hubfork: note: embeddings")]
    assert notes == ["hubfork: note: embeddings default to mean pooling, normalised, as the sentence-transformers "
                     "configuration beside the weights says"]
    got = np.array([row["embedding"] for row in json.loads(result.stdout)], np.float32)
    expected = SentenceTransformer(str(minilm_folder()), device="cpu").encode(TEXTS)
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-6)
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_card_new_on_the_converted_folder_writes_the_carried_facts(converted_minilm, tmp_path):
    out = tmp_path / "README.md"
    result = run_cli_here("card", "new", converted_minilm["path"], "--handle", "me/all-minilm-l6-v2/1", "-o", str(out))
    assert result.returncode == 0, result.stderr
    card = parse_card(out)
    assert (card.pooling, card.normalize) == ("mean", True)
    assert "<!-- pooling: mean -->\n<!-- normalize: true -->" in out.read_text()
    assert run_cli_here("cards", "validate", "--strict", str(out)).returncode == 0


def test_card_new_writes_the_pooling_options_given(converted_minilm, tmp_path):
    out = tmp_path / "README.md"
    result = run_cli_here("card", "new", converted_minilm["path"], "--handle", "me/all-minilm-l6-v2/1", "--pooling",
                          "cls", "--no-normalize", "--format", "huggingface", "-o", str(out))
    assert result.returncode == 0, result.stderr
    card = parse_card(out, repo_id="me/all-minilm-l6-v2")
    assert (card.pooling, card.normalize) == ("cls", False)
    validated = run_cli_here("cards", "validate", "--strict", str(out))
    assert validated.returncode == 0, validated.stderr


# ----------------------------------------------------------------------------- what is carried


@pytest.mark.parametrize("normalize, note", [
    (False, "pooling: cls, not normalised (from 1_Pooling/config.json and modules.json)"),
    (None, "pooling: cls (from 1_Pooling/config.json)"),  # no modules.json: normalisation is not said
])
def test_a_cls_checkpoint_carries_cls_and_its_normalisation(tiny_checkpoint, tmp_path, normalize, note):
    checkpoint = _with_configuration(tiny_checkpoint, tmp_path / "st", modes=("pooling_mode_cls_token",),
                                     normalize=normalize)
    result = convert(tmp_path / "out", "v3", checkpoint=checkpoint)
    assert result.notes == [note]
    said = sentence_transformers_defaults(result.encoder_dir)
    assert (said.pooling, said.normalize) == ("cls", normalize)


@pytest.mark.parametrize("modes, named", [
    (("pooling_mode_weightedmean_tokens",), "weightedmean_tokens"),
    (("pooling_mode_lasttoken",), "lasttoken"),
    (("pooling_mode_mean_tokens", "pooling_mode_max_tokens"), "mean_tokens and max_tokens"),
])
def test_a_pooling_hubfork_does_not_have_is_one_clear_line_and_nothing_is_carried(tiny_checkpoint, tmp_path, modes,
                                                                                  named):
    checkpoint = _with_configuration(tiny_checkpoint, tmp_path / "st", modes=modes)
    out = tmp_path / "out"
    result = run_cli_here("convert", "--checkpoint", str(checkpoint), "--generation", "v3", "--out", str(out))
    assert result.returncode == 0, result.stderr
    said = [line for line in result.stderr.splitlines() if line.startswith("hubfork: note:")]
    assert said == [f"hubfork: note: pooling: the checkpoint's sentence-transformers pooling is {named} "
                    "(1_Pooling/config.json and modules.json), which hubfork does not have (pooled, mean, cls): "
                    "nothing carried; give embed --pooling"]
    assert not (out / "modules.json").exists() and not (out / "1_Pooling").exists()
    assert sentence_transformers_defaults(out) is None


def test_a_checkpoint_without_a_configuration_or_not_asked_to_carry_it_writes_the_encoder_alone(tiny_checkpoint,
                                                                                                tmp_path):
    assert convert(tmp_path / "plain", "v3", checkpoint=tiny_checkpoint).notes == []
    checkpoint = _with_configuration(tiny_checkpoint, tmp_path / "st")
    result = convert(tmp_path / "out", "v3", checkpoint=checkpoint, sentence_transformers=False)
    assert result.notes == []
    for out in (tmp_path / "plain", tmp_path / "out"):
        assert sentence_transformers_defaults(out) is None
        assert sorted(p.name for p in out.iterdir()) == ["assets", "fingerprint.pb", "keras_metadata.pb",
                                                         "saved_model.pb", "variables"]


@pytest.mark.parametrize("path", ["sub/../1_Pooling", "./1_Pooling", "1_Pooling/", "/abs/1_Pooling"])
def test_only_plain_folder_names_are_carried_as_they_are_named(tmp_path, path):
    """What is read is written into the encoder under the name it was read by: a name with ``..``, ``.``
    or a root would be written somewhere else than it says (or outside), so it is not followed."""
    folder = write_sentence_transformers(tmp_path / "st")
    (folder / "sub").mkdir()
    modules = json.loads((folder / "modules.json").read_text())
    modules[1]["path"] = path
    (folder / "modules.json").write_text(json.dumps(modules))
    config = read_sentence_transformers(folder)
    assert sorted(config.files) == ["1_Pooling/config.json", "modules.json"]
    assert (config.defaults.pooling, config.defaults.normalize) == ("mean", True)
