"""tfhub.dev and Kaggle Models as live sources, end to end, through the real clients.

What is emulated: tfhub.dev, Kaggle's model pages and their storage bucket as tensorflow_hub 0.16.1
fetches them (``?tf-hub-format=compressed``, redirects across three loopback hosts; see
tests/fixtures/tfhub_emulator.py for where the protocol was read), and the Kaggle API as kagglehub 1.x
calls it through kagglesdk (tests/fixtures/kaggle_emulator.py). The clients are real: hubfork's CLI in
a fresh process, ``hubfork.pull_from_hub``, tensorflow_hub's own ``hub.load``/``hub.resolve`` with and
without ``hubfork.install()``, and kagglehub. The model is a tiny real BERT SavedModel; the only
configuration is what a user would set: ``HUBFORK_TFHUB_ENDPOINT`` and ``HUBFORK_KAGGLE_ENDPOINT`` (as
``HF_ENDPOINT``), and kagglehub's own variables.

The CLI runs in a fresh process where that is the point: ``pull`` offline (huggingface_hub reads
HF_HUB_OFFLINE at import) and with a deleted model (all a real process prints is one line), and ``embed``
refusing a malicious model; elsewhere it runs in this process (`run_cli_here`), the same command without
a fresh Python's start.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import hubfork
from hubfork.errors import ModelDeletedError, NoSourceError, NotCachedError, UnsafeModelError
from hubfork.models import _tf
from tests.conftest import run_cli, run_cli_here
from tests.fixtures.hub import sha256_tree

tf = _tf.tensorflow()
hub = _tf.tensorflow_hub()

HANDLE = "google/nnlm-en-dim128/2"
KAGGLE_MODEL = "google/nnlm/TensorFlow2/en-dim128/2"  # as Kaggle's short URL writes it
KAGGLEHUB_HANDLE = "google/nnlm/tensorFlow2/en-dim128/2"  # as kagglehub's README writes it
#: Every name a notebook uses for the model, and the source that serves it.
NAMES = {
    f"https://tfhub.dev/{HANDLE}": "tfhub",
    HANDLE: "tfhub",
    f"https://www.kaggle.com/models/{KAGGLE_MODEL}": "tfhub",
    "https://www.kaggle.com/models/google/nnlm/frameworks/TensorFlow2/variations/en-dim128/versions/2": "tfhub",
    KAGGLEHUB_HANDLE: "kaggle",
}
IDS = np.array([[5, 8, 10, 11, 12, 6, 0, 0], [5, 15, 16, 17, 13, 9, 20, 6]], np.int32)
BATCH = {"input_word_ids": IDS, "input_mask": (IDS > 0).astype(np.int32), "input_type_ids": np.zeros_like(IDS)}


@pytest.fixture
def live(tfhub_emulator, kaggle_emulator, hub_models, monkeypatch):
    """The tiny encoder served as google/nnlm-en-dim128/2 by the tfhub.dev emulator and as its Kaggle
    Models handle by the Kaggle API emulator; hubfork pointed at both as a user would point it."""
    tfhub_emulator.add_model(HANDLE, hub_models.v1, kaggle=KAGGLE_MODEL)
    kaggle_emulator.add_model(KAGGLEHUB_HANDLE, hub_models.v1)
    monkeypatch.setenv("HUBFORK_TFHUB_ENDPOINT", tfhub_emulator.endpoint)
    monkeypatch.setenv("HUBFORK_KAGGLE_ENDPOINT", tfhub_emulator.kaggle_endpoint)
    # kagglehub reaches its emulator as an HTTP proxy; the tfhub.dev emulator's hosts are reached directly.
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,127.0.0.2,127.0.0.3")
    monkeypatch.setenv("no_proxy", "127.0.0.1,127.0.0.2,127.0.0.3")
    return tfhub_emulator, kaggle_emulator


def pull(*args: str, run=run_cli_here) -> dict:
    result = run("pull", *args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def pooled(layer) -> np.ndarray:
    return layer(BATCH)["pooled_output"].numpy()


def test_every_name_of_the_model_pulls_it_scanned_from_its_source(live, hub_models):
    tfhub_emulator, kaggle_emulator = live
    expected = sha256_tree(hub_models.v1)
    for name, source in NAMES.items():
        pulled = pull(name)
        assert pulled["source"] == source, name
        assert sha256_tree(pulled["path"]) == expected, name
    # Four names of one tfhub.dev model, three archive URLs (the handle asks for the tfhub.dev URL's): one
    # download each, the cache answers the repeat.
    assert tfhub_emulator.archive_gets(HANDLE) == 3
    assert len(kaggle_emulator.downloads()) >= 1


def test_every_name_loads_as_the_model_itself(live, hub_models):
    expected = pooled(hub.KerasLayer(str(hub_models.v1)))
    for name in NAMES:
        np.testing.assert_allclose(pooled(hubfork.pull_from_hub(name)), expected, atol=1e-6, err_msg=name)


def test_hub_load_gives_the_same_outputs_with_and_without_hubfork(live, tmp_path, monkeypatch):
    tfhub_emulator, _ = live
    url = tfhub_emulator.url(HANDLE)
    monkeypatch.setenv("TFHUB_CACHE_DIR", str(tmp_path / "tfhub-modules"))
    plain = pooled(hub.load(url))  # tensorflow_hub alone: its own download into its own cache
    assert tfhub_emulator.archive_gets(HANDLE) == 1
    hubfork.install()
    try:
        # The same URL, now through hubfork, and the name the notebook wrote (which hubfork fetches from the
        # same place, HUBFORK_TFHUB_ENDPOINT): tensorflow_hub's cached copy is reused, scanned, not fetched.
        for name in (url, f"https://tfhub.dev/{HANDLE}"):
            np.testing.assert_allclose(pooled(hub.load(name)), plain, atol=0)
        assert tfhub_emulator.archive_gets(HANDLE) == 1
        # Without tensorflow_hub's cache: hubfork's own download, into its one cache.
        monkeypatch.setenv("TFHUB_CACHE_DIR", str(tmp_path / "elsewhere"))
        np.testing.assert_allclose(pooled(hub.KerasLayer(HANDLE)), plain, atol=0)
        assert tfhub_emulator.archive_gets(HANDLE) == 2
        assert Path(hub.resolve(f"https://tfhub.dev/{HANDLE}")).is_relative_to(tmp_path / "hf-cache")
        assert tfhub_emulator.archive_gets(HANDLE) == 2
    finally:
        hubfork.uninstall()


@pytest.fixture(scope="module")
def evil_model(tmp_path_factory) -> tuple[Path, Path]:
    """A SavedModel whose ``__call__`` writes a file: its folder, and the file it would write."""
    root = tmp_path_factory.mktemp("evil")
    target = root / "written.txt"

    class Evil(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([], tf.string)])
        def __call__(self, text):
            tf.io.write_file(str(target), text)
            return text

    tf.saved_model.save(Evil(), str(root / "model"))
    return root / "model", target


def test_a_malicious_archive_is_refused_by_every_path(live, evil_model):
    tfhub_emulator, _ = live
    folder, target = evil_model
    tfhub_emulator.add_model("google/evil/1", folder)
    result = run_cli_here("pull", "https://tfhub.dev/google/evil/1")
    assert result.returncode == 1 and "was not loaded" in result.stderr and "WriteFile" in result.stderr
    with pytest.raises(UnsafeModelError, match="WriteFile"):
        hubfork.pull_from_hub("google/evil/1")
    hubfork.install()
    try:
        for name in ("https://tfhub.dev/google/evil/1", tfhub_emulator.url("google/evil/1")):
            with pytest.raises(UnsafeModelError, match="WriteFile"):
                hub.load(name)
    finally:
        hubfork.uninstall()
    assert not target.exists()


def test_sources_are_chosen_by_hubfork_sources_and_source(live, monkeypatch):
    tfhub_emulator, _ = live
    result = run_cli_here("pull", HANDLE, "--source", "mirrors")
    assert result.returncode == 1 and "--source=mirrors" in result.stderr and "tfhub (" in result.stderr
    monkeypatch.setenv("HUBFORK_SOURCES", "-tfhub")
    with pytest.raises(NoSourceError, match="HUBFORK_SOURCES=-tfhub"):
        hubfork.snapshot_download(HANDLE)
    assert tfhub_emulator.archive_gets(HANDLE) == 0
    assert pull(HANDLE, "--source", "official")["source"] == "tfhub"  # the flag wins over the variable
    result = run_cli_here("pull", HANDLE, "--source", "nowhere")
    assert result.returncode == 1 and "'nowhere' is not a source" in result.stderr


def test_offline_serves_the_cache_and_names_the_source_it_would_need(live, monkeypatch):
    tfhub_emulator, _ = live
    online = pull(HANDLE)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert pull(HANDLE, run=run_cli)["path"] == online["path"]
    assert pull(f"https://tfhub.dev/{HANDLE}", run=run_cli)["path"] == online["path"]
    assert tfhub_emulator.archive_gets(HANDLE) == 1
    with pytest.raises(NotCachedError, match="HF_HUB_OFFLINE") as caught:
        hubfork.snapshot_download("google/nnlm-en-dim50/2")
    assert "tfhub.dev" in str(caught.value)


def test_a_deleted_model_says_it_was_deleted_and_when(live):
    name = "https://tfhub.dev/svampeatlas/vision/embedder/fungi_V2/1"
    result = run_cli("pull", name)
    assert result.returncode == 1
    assert "deleted svampeatlas/vision/embedder/fungi_V2/1 on 2024-03-18" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    with pytest.raises(ModelDeletedError):
        hubfork.pull_from_hub(name)
    assert not live[0].requests  # nothing asked of tfhub.dev


def test_the_users_own_mapping_comes_before_tfhub_dev(live, hf_env, local_hub):
    from tests.fixtures.hub import REPO

    tfhub_emulator, _ = live
    added = run_cli_here("registry", "add-source", HANDLE, f"{REPO}@v1")
    assert added.returncode == 0, added.stderr
    pulled = pull(f"https://tfhub.dev/{HANDLE}")
    assert (pulled["source"], pulled["repo_id"], pulled["commit"]) == ("hf", REPO, local_hub.commits["v1"])
    assert tfhub_emulator.archive_gets(HANDLE) == 0


def test_an_archive_on_any_other_server_is_tensorflow_hubs_download_and_hubforks_scan(
        live, hub_models, evil_model, tmp_path, monkeypatch):
    tfhub_emulator, _ = live
    good = tfhub_emulator.add_model("acme/good/1", hub_models.v1)
    evil = tfhub_emulator.add_model("acme/evil/1", evil_model[0])
    good_url = tfhub_emulator.storage_endpoint + good.storage_path("archive")
    evil_url = tfhub_emulator.storage_endpoint + evil.storage_path("archive")
    monkeypatch.setenv("TFHUB_CACHE_DIR", str(tmp_path / "tfhub-modules"))
    plain = pooled(hub.load(good_url))
    hubfork.install()
    try:
        # A call tensorflow_hub alone serves is served the same way with hubfork installed: its download,
        # its cache, the same outputs; only the scan is added.
        assert Path(hub.resolve(good_url)).is_relative_to(tmp_path / "tfhub-modules")
        np.testing.assert_allclose(pooled(hub.load(good_url)), plain, atol=0)
        with pytest.raises(UnsafeModelError, match="WriteFile"):
            hub.load(evil_url)
    finally:
        hubfork.uninstall()
    assert not evil_model[1].exists()


def test_every_load_path_gets_the_same_sources_and_scan(live, hub_models, tiny_preprocessor, evil_model):
    from hubfork import keras3

    tfhub_emulator, _ = live
    tfhub_emulator.add_model("google/evil/1", evil_model[0])
    expected = pooled(hub.KerasLayer(str(hub_models.v1)))
    model = hubfork.load_text_model(f"https://tfhub.dev/{HANDLE}", preprocessor=str(tiny_preprocessor))
    assert model.embed(["hello world"], pooling="pooled").shape == (1, 32)
    np.testing.assert_allclose(keras3.KerasLayer(HANDLE)(BATCH)["pooled_output"].numpy(), expected, atol=1e-6)
    embedded = run_cli_here("embed", "--model", HANDLE, "--preprocessor", str(tiny_preprocessor), "--json",
                            "hello world")
    assert embedded.returncode == 0, embedded.stderr
    assert np.asarray(json.loads(embedded.stdout)[0]["embedding"]).shape == (32,)
    assert tfhub_emulator.archive_gets(HANDLE) == 1  # one download, one cache, for all of them
    for load in (lambda name: hubfork.load_text_model(name, preprocessor=str(tiny_preprocessor)),
                 keras3.KerasLayer):
        with pytest.raises(UnsafeModelError, match="WriteFile"):
            load("https://tfhub.dev/google/evil/1")
    refused = run_cli("embed", "--model", "google/evil/1", "--preprocessor", str(tiny_preprocessor), "x")
    assert refused.returncode == 1 and "WriteFile" in refused.stderr
    assert not evil_model[1].exists()
