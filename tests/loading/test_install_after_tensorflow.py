"""`hubfork.install()` after ``import tensorflow`` (TensorFlow 2.16+ defaults ``tf.keras`` to Keras 3), then a
tfhub.dev card's Keras code pasted as it is: it runs while ``tf.keras`` was not used yet, and otherwise
install() refuses with one error that says what to do. Each order runs in a fresh process (which Keras
``tf.keras`` is can be chosen once per process), with no TF_USE_LEGACY_KERAS of this process's, against the
session's local hub through the tiny encoder's tfhub.dev URL."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from hubfork.constants import ENV_REGISTRY
from hubfork.loading.tfhub import KERAS3_FIRST
from hubfork.models import _tf
from tests.conftest import ROOT
from tests.fixtures.hub import HANDLE

pytestmark = pytest.mark.subprocess

#: bert_en_uncased_L-12_H-768_A-12's card code (its encoder_inputs form), on a tiny encoder of that kind.
CARD_CODE = f"""
import tensorflow_hub as hub
encoder_inputs = {{key: tf.keras.layers.Input(shape=(None,), dtype=tf.int32, name=key)
                  for key in ("input_word_ids", "input_mask", "input_type_ids")}}
encoder = hub.KerasLayer("https://tfhub.dev/{HANDLE}/1", trainable=True)
outputs = encoder(encoder_inputs)
model = tf.keras.Model(encoder_inputs, outputs["pooled_output"])
"""
IDS = [[5, 8, 10, 11, 12, 6, 0, 0], [5, 15, 16, 17, 13, 9, 20, 6]]
RUN = f"""
import json
ids = tf.constant({IDS})
batch = dict(input_word_ids=ids, input_mask=tf.cast(ids > 0, tf.int32), input_type_ids=tf.zeros_like(ids))
print(json.dumps(model(batch).numpy().tolist()))
"""


def run(before_install: str, *, legacy_keras: str | None = None) -> subprocess.CompletedProcess:
    """`before_install`, then ``import hubfork; hubfork.install()``, then the card's code, in a fresh process."""
    env = {name: value for name, value in os.environ.items() if name != "TF_USE_LEGACY_KERAS"}
    if legacy_keras is not None:
        env["TF_USE_LEGACY_KERAS"] = legacy_keras
    code = f"{before_install}\nimport hubfork\nhubfork.install()\n{CARD_CODE}\n{RUN}"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)


@pytest.fixture
def hub_env(hf_env, hub_registry, monkeypatch):
    monkeypatch.setenv(ENV_REGISTRY, str(hub_registry))


def test_card_code_runs_when_tensorflow_was_imported_first(hub_env, hub_models):
    done = run("import tensorflow as tf")
    assert done.returncode == 0, done.stderr
    tf = _tf.tensorflow()
    batch = {"input_word_ids": tf.constant(IDS, tf.int32)}
    batch.update(input_mask=tf.cast(batch["input_word_ids"] > 0, tf.int32),
                 input_type_ids=tf.zeros_like(batch["input_word_ids"]))
    expected = tf.saved_model.load(str(hub_models.v1))(batch)["pooled_output"].numpy()
    assert np.allclose(json.loads(done.stdout.splitlines()[-1]), expected, atol=1e-6)


@pytest.mark.parametrize("before_install", [
    "import tensorflow as tf\nimport tensorflow_hub",  # tensorflow_hub's import uses tf.keras
    "import tensorflow as tf\ntf.keras.layers",
], ids=["tensorflow_hub", "tf.keras"])
def test_install_refuses_once_tf_keras_is_keras3(hub_env, before_install):
    done = run(before_install)
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1] == f"hubfork.errors.SettingError: TF_USE_LEGACY_KERAS: {KERAS3_FIRST}"
    assert "KerasTensor" not in done.stderr


def test_keras3_chosen_by_the_user_is_installed_into(hub_env):
    # TF_USE_LEGACY_KERAS=0: the user keeps Keras 3 on purpose; install() goes ahead, and the card's
    # tf.keras code fails as it would without hubfork.
    done = run("import tensorflow as tf\nimport tensorflow_hub", legacy_keras="0")
    assert "SettingError" not in done.stderr
    assert done.returncode == 1 and "KerasTensor" in done.stderr
