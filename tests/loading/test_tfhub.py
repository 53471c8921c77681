"""hubfork inside tensorflow_hub: after `hubfork.install()`, plain ``hub.load``, ``hub.KerasLayer``
and ``hub.resolve`` take hubfork's names (through the real tensorflow_hub resolver registry and
the session's local hub), scan what they fetch, honour HF_HUB_OFFLINE, and leave other names to
tensorflow_hub's own resolvers; `hubfork.uninstall()` puts tensorflow_hub back as it was."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import hubfork
from hubfork.constants import ENV_REGISTRY
from hubfork.errors import HubUnreachableError, NotCachedError, UnsafeModelError
from hubfork.loading.tfhub import is_installed
from hubfork.loading.tfhub_resolver import HubforkResolver
from hubfork.models import _tf
from tests.fixtures.hub import HANDLE, KAGGLE, REPO, TF1_HANDLE, TF1_REPO

tf = _tf.tensorflow()
hub = _tf.tensorflow_hub()
keras = _tf.keras()

IDS = np.array([[5, 8, 10, 11, 12, 6, 0, 0], [5, 15, 16, 17, 13, 9, 20, 6]], np.int32)
BATCH = {"input_word_ids": IDS, "input_mask": (IDS > 0).astype(np.int32), "input_type_ids": np.zeros_like(IDS)}
TFHUB_URL = f"https://tfhub.dev/{HANDLE}/1"
EVIL = "hubfork-test/evil"


def registered() -> list:
    return list(hub.registry.resolver._impls)


def first_supporting(name: str):
    """The resolver tensorflow_hub would hand `name` to (it asks the last registered first)."""
    return next(impl for impl in reversed(registered()) if impl.is_supported(name))


@pytest.fixture
def installed(hf_env, hub_registry, monkeypatch):
    """hubfork installed into tensorflow_hub for one test, and always uninstalled after it."""
    monkeypatch.setenv(ENV_REGISTRY, str(hub_registry))
    before = registered()
    hubfork.install()
    try:
        yield hf_env
    finally:
        hubfork.uninstall()
        assert registered() == before


@pytest.fixture(scope="module")
def evil_repo(local_hub, tmp_path_factory) -> tuple[str, Path]:
    """A model whose ``__call__`` writes a file, committed to the local hub past its scan (`trust=True`),
    as a hostile hub would serve it: its name, and the file it would write."""
    root = tmp_path_factory.mktemp("evil")
    target = root / "written.txt"

    class Evil(tf.Module):
        def __init__(self):
            super().__init__()
            # Without a variable, variables.index is 144 bytes; olah reads every 121-149-byte file as
            # a possible LFS pointer, as UTF-8, and answers 500 for the whole repo's tree.
            self.weights = tf.Variable(tf.ones([64]))

        @tf.function(input_signature=[tf.TensorSpec([], tf.string)])
        def __call__(self, text):
            tf.io.write_file(str(target), text)
            return text

    tf.saved_model.save(Evil(), str(root / "model"))
    assert not [p for p in (root / "model").rglob("*") if p.is_file() and 120 < p.stat().st_size < 150]
    local_hub.hub.add(root / "model", EVIL, tag="v1", trust=True)  # on the hub on purpose: the loaders must refuse it
    return f"hf://{EVIL}@v1", target


def pooled_in_a_keras_model(layer) -> np.ndarray:
    inputs = {key: keras.layers.Input(shape=(None,), dtype=tf.int32, name=key) for key in BATCH}
    model = keras.Model(inputs, layer(inputs)["pooled_output"])
    return model.predict(BATCH, verbose=0)


def test_keras_layer_takes_a_tfhub_url(installed, hub_models):
    through_hub = pooled_in_a_keras_model(hub.KerasLayer(TFHUB_URL))
    local = pooled_in_a_keras_model(hub.KerasLayer(str(hub_models.v1)))
    assert through_hub.shape == (2, 32)
    assert np.allclose(through_hub, local, atol=1e-6)
    other = pooled_in_a_keras_model(hub.KerasLayer(str(hub_models.v2)))
    assert not np.allclose(through_hub, other)


def test_hub_load_takes_tfhub_kaggle_and_handle_names(installed, hub_models):
    expected = hub.load(str(hub_models.v2))(BATCH)["pooled_output"].numpy()
    for name in (f"https://tfhub.dev/{HANDLE}/2", KAGGLE.format(version=2), f"{HANDLE}/2", REPO):
        loaded = hub.load(name)
        assert np.allclose(loaded(BATCH)["pooled_output"].numpy(), expected, atol=1e-6), name


def test_hub_resolve_gives_the_cached_snapshot(installed, local_hub):
    path = Path(hub.resolve(f"hf://{REPO}@v2"))
    assert path.name == local_hub.commits["v2"]
    assert path.parent.name == "snapshots" and installed in path.parents
    assert (path / "saved_model.pb").is_file()
    url = f"https://huggingface.co/{REPO}/tree/v1"  # a huggingface.co URL goes to HF_ENDPOINT
    assert Path(hub.resolve(url)).name == local_hub.commits["v1"]


def test_hub_resolve_goes_through_the_users_own_mapping(hf_env, local_hub, tmp_path, monkeypatch):
    """No HUBFORK_REGISTRY: the user's registry (``hubfork registry add-source``) layered over the
    shipped one is what tensorflow_hub's names resolve through."""
    from hubfork.registry.user import add_source

    monkeypatch.setenv("HUBFORK_HOME", str(tmp_path / "home"))
    add_source("hubfork-test/user_mapped_bert/1", f"{REPO}@v2")
    hubfork.install()
    try:
        path = Path(hub.resolve("https://tfhub.dev/hubfork-test/user_mapped_bert/1"))
    finally:
        hubfork.uninstall()
    assert path.name == local_hub.commits["v2"] and hf_env in path.parents


def test_tf1_hub_module_through_hub_load(installed, local_hub, hub_models):
    path = Path(hub.resolve(f"https://tfhub.dev/{TF1_HANDLE}"))
    assert path.name == local_hub.commits["tf1"] and (path / "tfhub_module.pb").is_file()
    module = hub.load(f"https://tfhub.dev/{TF1_HANDLE}")
    outputs = module.signatures["tokens"](input_ids=tf.constant(IDS), input_mask=tf.constant(BATCH["input_mask"]),
                                          segment_ids=tf.constant(BATCH["input_type_ids"]))
    expected = hub.load(str(hub_models.v1))(BATCH)["pooled_output"].numpy()
    assert np.allclose(outputs["pooled_output"].numpy(), expected, atol=1e-5)
    assert Path(hub.resolve(f"hf://{TF1_REPO}")) == path


def test_tf1_notebooks_get_hub_module_back_while_installed(installed, hub_models):
    """tensorflow_hub 0.16 has no hub.Module; a TF1 notebook's call runs on the same module."""
    with pytest.warns(UserWarning, match="cannot fine-tune a TF1 Hub-format module"):
        module = hub.Module(f"https://tfhub.dev/{TF1_HANDLE}", trainable=True)
    outputs = module(dict(input_ids=tf.constant(IDS), input_mask=tf.constant(BATCH["input_mask"]),
                          segment_ids=tf.constant(BATCH["input_type_ids"])), signature="tokens", as_dict=True)
    expected = hub.load(str(hub_models.v1))(BATCH)["pooled_output"].numpy()
    assert np.allclose(outputs["pooled_output"].numpy(), expected, atol=1e-5)
    assert "tokens" in module.get_signature_names()
    hubfork.uninstall()
    assert not hasattr(hub, "Module")


def test_local_folders_stay_with_tensorflow_hub(installed, hub_models):
    folder = str(hub_models.v1)
    assert not HubforkResolver().is_supported(folder)
    assert type(first_supporting(folder)).__name__ == "PathResolver"
    assert hub.resolve(folder) == folder  # tensorflow_hub's PathResolver hands a path back as it is
    assert hub.KerasLayer(folder)(BATCH)["pooled_output"].shape == (2, 32)


@pytest.mark.parametrize("name", ["gs://bucket/models/bert", "gs://bucket/bert.tar.gz", "file:///models/bert",
                                  "/no/such/folder", "./no/such/folder"])
def test_what_hubfork_declines(installed, name):
    assert not HubforkResolver().is_supported(name)
    assert not isinstance(first_supporting(name), HubforkResolver)


@pytest.mark.parametrize("name", ["https://example.com/models/bert.tar.gz",
                                  "https://example.com/org/bert?tf-hub-format=compressed"])
def test_archives_on_other_servers_are_tensorflow_hubs_to_fetch_and_hubforks_to_scan(installed, name):
    # hubfork takes the call, so that what tensorflow_hub downloads is scanned before it loads, but
    # the download itself is tensorflow_hub's, exactly as without hubfork.
    assert isinstance(first_supporting(name), HubforkResolver)
    assert HubforkResolver()._served_by_hubfork(name) is None


@pytest.mark.parametrize("name", [TFHUB_URL, f"https://tfhub.dev/{HANDLE}", KAGGLE.format(version=1),
                                  f"{HANDLE}/1", f"hf://{REPO}@v1", REPO, f"https://huggingface.co/{REPO}",
                                  f"https://mirror.example/{REPO}/tree/v1",
                                  "https://tfhub.dev/hubfork-test/no_source_model/1",
                                  "https://tfhub.dev/nobody/unknown_model/1", "hf://../escape"])
def test_what_hubfork_takes(installed, name):
    assert isinstance(first_supporting(name), HubforkResolver)


def test_a_name_without_a_mirror_is_fetched_from_tfhub_dev(installed):
    # No mapping and no mirror: tfhub.dev itself (here HUBFORK_TFHUB_ENDPOINT, a closed loopback port), as
    # plain tensorflow_hub would; its failure names the place asked.
    for name in ("https://tfhub.dev/hubfork-test/no_source_model/1", "https://tfhub.dev/nobody/unknown_model/1"):
        with pytest.raises(HubUnreachableError) as caught:
            hub.load(name)
        assert caught.value.name == name and name.split("tfhub.dev/")[1] in str(caught.value)


def test_an_unsafe_model_is_refused_before_it_loads(installed, evil_repo):
    name, target = evil_repo
    with pytest.raises(UnsafeModelError, match="WriteFile") as caught:
        hub.load(name)
    assert caught.value.name == name
    with pytest.raises(UnsafeModelError):
        hub.KerasLayer(name)
    assert not target.exists()


def test_offline_uses_the_cache_only(installed, local_hub, monkeypatch):
    online = hub.resolve(f"hf://{REPO}@v1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert hub.resolve(f"hf://{REPO}@v1") == online
    assert hub.resolve(TFHUB_URL) == online  # the registry names the same repo and tag
    with pytest.raises(NotCachedError):
        hub.resolve(f"hf://{REPO}@v2")


def test_install_twice_registers_once_and_keeps_hubfork_first(installed):
    hubfork.install()
    ours = [impl for impl in registered() if isinstance(impl, HubforkResolver)]
    assert len(ours) == 1 and registered()[-1] is ours[0]
    assert is_installed()


def test_uninstall_restores_tensorflow_hubs_resolvers(hf_env, hub_registry, monkeypatch):
    monkeypatch.setenv(ENV_REGISTRY, str(hub_registry))
    before = registered()
    try:
        hubfork.install()
        assert isinstance(first_supporting(TFHUB_URL), HubforkResolver)
    finally:
        hubfork.uninstall()
    assert registered() == before and not is_installed()
    assert not isinstance(first_supporting(TFHUB_URL), HubforkResolver)
    assert type(first_supporting(TFHUB_URL)).__module__.startswith("tensorflow_hub.")
    hubfork.uninstall()  # again: nothing to undo
    assert registered() == before


def test_load_ext_hubfork_installs():
    # IPython calls these two functions on the module `%load_ext hubfork` names; IPython itself is not
    # a dependency of hubfork (nor installed in its test environment), so they are called as it would.
    before = registered()
    try:
        hubfork.load_ipython_extension(None)
        assert is_installed() and isinstance(registered()[-1], HubforkResolver)
    finally:
        hubfork.unload_ipython_extension(None)
    assert registered() == before
