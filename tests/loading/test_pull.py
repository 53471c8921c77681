"""pull_from_hub: a hub.KerasLayer on a model fetched by any name, that trains; the
earlier fork's call style; TF1 Hub modules; a second pull offline, from the cache."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
from pathlib import Path

import numpy as np
import pytest

from hubfork.errors import NoMatchingFilesError, NotTrainableError
from hubfork.hub import fetch
from hubfork.hub.patterns import cached_snapshot
from hubfork.loading.pull import pull_from_hub
from hubfork.models import _tf
from tests.conftest import ROOT
from tests.fixtures.hub import REPO, TF1_REPO, sha256_tree

tf = _tf.tensorflow()
hub = _tf.tensorflow_hub()
keras = _tf.keras()

IDS = np.array([[5, 8, 10, 11, 12, 6, 0, 0], [5, 15, 16, 17, 13, 9, 20, 6]], np.int32)
BATCH = {"input_word_ids": IDS, "input_mask": (IDS > 0).astype(np.int32), "input_type_ids": np.zeros_like(IDS)}


def pooled(layer) -> np.ndarray:
    return layer(BATCH)["pooled_output"].numpy()


def test_returns_a_keras_layer_of_the_pinned_revision(hf_env, local_hub, hub_models):
    layer = pull_from_hub(f"{REPO}@v1")
    assert isinstance(layer, hub.KerasLayer) and not layer.trainable
    assert np.allclose(pooled(layer), pooled(hub.KerasLayer(str(hub_models.v1))), atol=1e-6)
    newest = pull_from_hub(REPO)
    assert np.allclose(pooled(newest), pooled(hub.KerasLayer(str(hub_models.v2))), atol=1e-6)
    assert not np.allclose(pooled(newest), pooled(layer))


def test_the_layer_fine_tunes_inside_a_tf_keras_model(hf_env, local_hub):
    layer = pull_from_hub(f"hf://{REPO}@v1", trainable=True)
    assert layer.trainable_weights
    inputs = {key: keras.layers.Input(shape=(None,), dtype=tf.int32, name=key) for key in BATCH}
    outputs = keras.layers.Dense(1)(layer(inputs)["pooled_output"])
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.5), loss="mse")
    before = [w.numpy().copy() for w in layer.trainable_weights]
    model.train_on_batch(BATCH, np.array([[1.0], [-1.0]], np.float32))
    changed = [not np.allclose(b, w.numpy()) for b, w in zip(before, layer.trainable_weights)]
    assert sum(changed) > len(changed) // 2, "a gradient step should move the encoder's weights"


def test_keras_layer_options_pass_through(hf_env, local_hub):
    layer = pull_from_hub(REPO, revision="v1", output_key="pooled_output", layer_name="encoder")
    assert layer.name == "encoder"
    assert layer(BATCH).shape == (2, 32)


def test_fork_style_call(hf_env, local_hub, hub_models):
    """As notebooks written for the earlier TF Hub fork call it: repo_id=, regex filters."""
    layer = pull_from_hub(repo_id=REPO, trainable=True, allow_regex=r"^(saved_model\.pb|variables/|assets/)",
                          ignore_regex=r"\.txt$", local_files_only=False)
    assert isinstance(layer, hub.KerasLayer) and layer.trainable
    folder = cached_snapshot(REPO, "main", hf_env)
    assert sorted(sha256_tree(folder)) == ["saved_model.pb", "variables/variables.data-00000-of-00001",
                                           "variables/variables.index"]
    assert np.allclose(pooled(layer), pooled(hub.KerasLayer(str(hub_models.v2))), atol=1e-6)
    # offline, the regexes select among the cached files
    again = pull_from_hub(repo_id=REPO, allow_regex=r"saved_model|variables", local_files_only=True)
    assert np.allclose(pooled(again), pooled(layer), atol=1e-6)


def test_regexes_that_select_nothing(hf_env, local_hub):
    with pytest.raises(NoMatchingFilesError, match="allow_regex='nothing-matches'"):
        pull_from_hub(repo_id=REPO, allow_regex="nothing-matches")


def test_tf1_module_is_not_trainable(hf_env, local_hub):
    with pytest.raises(NotTrainableError) as caught:
        pull_from_hub(TF1_REPO, trainable=True)
    message = str(caught.value)
    assert "TF1 Hub-format" in message and "trainable=False" in message and 'signature="tokens"' in message
    assert Path(caught.value.path, "tfhub_module.pb").is_file()


def test_tf1_module_loads_through_its_tokens_signature(hf_env, local_hub, hub_models):
    layer = pull_from_hub(f"{TF1_REPO}@v1")
    outputs = layer(dict(input_ids=IDS, input_mask=BATCH["input_mask"], segment_ids=BATCH["input_type_ids"]))
    assert set(outputs) >= {"pooled_output", "sequence_output"}
    # the same weights as the v3 encoder of seed 1
    assert np.allclose(outputs["pooled_output"].numpy(), pooled(hub.KerasLayer(str(hub_models.v1))), atol=1e-5)


def test_local_folder_file_url_and_archive(hub_models, tmp_path):
    archive = tmp_path / "bert.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(hub_models.v1, arcname=".")
    expected = pooled(hub.KerasLayer(str(hub_models.v1)))
    for name in (str(hub_models.v1), hub_models.v1.as_uri(), str(archive), archive.as_uri()):
        assert np.allclose(pooled(pull_from_hub(name)), expected, atol=1e-6), name


def test_two_names_is_an_error():
    with pytest.raises(TypeError, match="two names"):
        pull_from_hub("a/b", repo_id="c/d")
    with pytest.raises(TypeError, match="needs a model name"):
        pull_from_hub()


def test_a_preprocessor_loads_in_a_fresh_process(tiny_vocab, tmp_path):
    # In this test process tensorflow_text is long imported; a user's fresh process (a
    # notebook, `hubfork`'s main job) has not imported it, and the load must not depend on that.
    from hubfork.models.export.preprocessor import write_preprocessor

    folder = write_preprocessor(tmp_path / "preprocess", tiny_vocab, lower_case=True, seq_length=8)
    code = ("import sys, tensorflow as tf; from hubfork import pull_from_hub; "
            "assert 'tensorflow_text' not in sys.modules; "
            "layer = pull_from_hub(sys.argv[1]); "
            "print(layer(tf.constant(['the cat sat']))['input_word_ids'].numpy().tolist())")
    done = subprocess.run([sys.executable, "-c", code, str(folder)], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "TF_USE_LEGACY_KERAS": "1"})
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[[5, 8, 10, 12, 6, 0, 0, 0]]"  # [CLS] the cat sat [SEP]


OFFLINE_SCRIPT = """
import hashlib, json, sys
from pathlib import Path
import huggingface_hub.constants as constants
from hubfork.errors import NotCachedError
from hubfork.hub import fetch
from hubfork.loading.pull import pull_from_hub
assert constants.HF_HUB_OFFLINE, "HF_HUB_OFFLINE was not read at import"
snapshot = fetch(sys.argv[1])
layer = pull_from_hub(sys.argv[1])
import numpy as np
ids = np.array([[5, 8, 10, 6, 0]], np.int32)
out = layer(dict(input_word_ids=ids, input_mask=(ids > 0).astype(np.int32), input_type_ids=np.zeros_like(ids)))
try:
    fetch(sys.argv[2])
    missing = None
except NotCachedError as exc:
    missing = str(exc)
print(json.dumps({"path": snapshot.path, "commit": snapshot.commit, "pooled": out["pooled_output"].numpy().tolist(),
                  "missing": missing}))
"""


def test_second_pull_offline_with_the_server_stopped(local_hub, hf_isolated, tmp_path):
    """A first pull online, then the server stopped and, in a fresh process with
    HF_HUB_OFFLINE=1 (huggingface_hub reads it at import), the same pull from the cache."""
    import json

    with local_hub.hub.serve(port=0) as endpoint:  # a server of its own, so stopping it leaves the session's
        online = fetch(f"{REPO}@v1", endpoint=endpoint)
        layer = pull_from_hub(f"{REPO}@v1", endpoint=endpoint)
    ids = np.array([[5, 8, 10, 6, 0]], np.int32)
    expected = layer(dict(input_word_ids=ids, input_mask=(ids > 0).astype(np.int32),
                          input_type_ids=np.zeros_like(ids)))["pooled_output"].numpy()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_ENDPOINT": endpoint, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", OFFLINE_SCRIPT, f"{REPO}@v1", f"{REPO}@v2"], env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["path"] == online.path and seen["commit"] == local_hub.commits["v1"]
    assert np.allclose(seen["pooled"], expected, atol=1e-6)
    assert "offline (HF_HUB_OFFLINE=1)" in seen["missing"] and "not in the cache" in seen["missing"]


def test_the_layer_shows_its_savedmodels_attributes(generations):
    """Notebooks for the earlier fork read `.mlm`, `.vocab_file` and `.do_lower_case` off the layer."""
    import tensorflow_hub as hub

    encoder = pull_from_hub(str(generations["v4"]))
    assert isinstance(encoder, hub.KerasLayer)
    assert encoder.mlm is encoder.resolved_object.mlm
    assert bool(encoder.do_lower_case.numpy()) is True
    mlm = hub.KerasLayer(encoder.mlm, trainable=True)
    assert mlm.trainable_weights
    with pytest.raises(AttributeError, match="no attribute 'no_such_thing'"):
        encoder.no_such_thing
