"""`KaggleBackend`: Kaggle Models handles fetched through kagglehub itself, against the loopback Kaggle API
emulator (`tests.fixtures.kaggle_emulator`): nothing is mocked between hubfork, kagglehub, kagglesdk and
requests; every request the client sends is read back from the emulator."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from hubfork.errors import AccessDeniedError, HubUnreachableError, NotCachedError, RepoNotFoundError
from hubfork.hub.backends.base import FetchOptions
from hubfork.hub.backends.kaggle import KaggleBackend, api_endpoint
from hubfork.hub.resolved import ResolvedName
from tests.fixtures.hub import sha256_tree
from tests.fixtures.kaggle_emulator import API, API_HOST, PAGE_SIZE, STORAGE_HOST

MODEL = "google/nnlm/tensorFlow2/en-dim128"
FILES = {"saved_model.pb": b"graph bytes", "variables/variables.index": b"index",
         "variables/variables.data-00000-of-00001": b"\x00weights\xff" * 100, "assets/tokens.txt": b"a\nb\n"}


def place(handle: str) -> ResolvedName:
    return ResolvedName(handle, "kaggle handle", "kaggle", kaggle=handle, handle="google/nnlm-en-dim128/2")


def fetch(handle: str, tmp_path: Path, offline: str | None = None):
    return KaggleBackend().fetch(place(handle), FetchOptions(cache=tmp_path / "hf-cache", offline=offline))


def tree(files: dict[str, bytes]) -> dict[str, str]:
    import hashlib

    return {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())}


def test_serves_kaggle_places_only():
    assert KaggleBackend().serves(place(MODEL))
    assert not KaggleBackend().serves(ResolvedName("org/name", "repo id", "repo", repo_id="org/name"))


def test_versioned_handle_downloads_that_version(kaggle_emulator, tmp_path):
    kaggle_emulator.add_model(f"{MODEL}/1", {"saved_model.pb": b"old"})
    kaggle_emulator.add_model(f"{MODEL}/2", FILES)
    snapshot = fetch(f"{MODEL}/2", tmp_path)
    assert sha256_tree(snapshot.path) == tree(FILES)
    assert Path(snapshot.path).parts[-6:] == ("models", "google", "nnlm", "tensorFlow2", "en-dim128", "2")
    assert Path(snapshot.path).is_relative_to(tmp_path / "kagglehub-cache")  # kagglehub's cache, not hubfork's
    assert (snapshot.kind, snapshot.source, snapshot.repo_id, snapshot.revision, snapshot.endpoint) == \
        ("kaggle", "kaggle", f"{MODEL}/2", None, API)
    assert snapshot.handle == "google/nnlm-en-dim128/2"
    # A version named: no GetModelInstance to learn the latest; one download per file, the version asked for.
    assert kaggle_emulator.seen("GetModelInstance") == []
    asked = sorted((r.body["versionNumber"], r.body["path"]) for r in kaggle_emulator.downloads())
    assert asked == [(2, name) for name in sorted(FILES)]
    assert {r.host for r in kaggle_emulator.requests} == {API_HOST, STORAGE_HOST}
    assert all(r.proxied for r in kaggle_emulator.requests)


def test_handle_without_version_downloads_the_latest(kaggle_emulator, tmp_path):
    kaggle_emulator.add_model(f"{MODEL}/1", {"saved_model.pb": b"old"})
    kaggle_emulator.add_model(f"{MODEL}/3", FILES)
    snapshot = fetch(MODEL, tmp_path)
    assert Path(snapshot.path).name == "3"
    assert sha256_tree(snapshot.path) == tree(FILES)
    assert snapshot.repo_id == MODEL
    [asked] = kaggle_emulator.seen("GetModelInstance")
    assert asked.body == {"ownerSlug": "google", "modelSlug": "nnlm", "framework": "MODEL_FRAMEWORK_TENSOR_FLOW_2",
                          "instanceSlug": "en-dim128"}


def test_many_files_come_as_one_archive(kaggle_emulator, tmp_path):
    files = {f"assets/part-{i:02d}.txt": f"part {i}".encode() for i in range(PAGE_SIZE + 1)}
    kaggle_emulator.add_model(f"{MODEL}/1", files)
    snapshot = fetch(f"{MODEL}/1", tmp_path)
    assert sha256_tree(snapshot.path) == tree(files)
    [download] = kaggle_emulator.downloads()
    assert "path" not in download.body  # the whole version, unpacked by kagglehub
    assert not list(Path(snapshot.path).parent.glob("*.archive"))


def test_second_fetch_reuses_the_cache(kaggle_emulator, tmp_path):
    kaggle_emulator.add_model(f"{MODEL}/2", FILES)
    first = fetch(f"{MODEL}/2", tmp_path)
    kaggle_emulator.clear()
    second = fetch(f"{MODEL}/2", tmp_path)
    assert second.path == first.path
    assert kaggle_emulator.requests == []  # a version in the cache is not asked about at all
    kaggle_emulator.clear()
    latest = fetch(MODEL, tmp_path)  # without version: Kaggle is asked which is latest, nothing downloaded
    assert latest.path == first.path
    assert [r.rpc for r in kaggle_emulator.requests] == ["GetModelInstance"]


def test_offline_uses_the_cache_and_sends_nothing(kaggle_emulator, tmp_path):
    kaggle_emulator.add_model(f"{MODEL}/1", {"saved_model.pb": b"old"})
    kaggle_emulator.add_model(f"{MODEL}/2", FILES)
    old = fetch(f"{MODEL}/1", tmp_path)
    new = fetch(f"{MODEL}/2", tmp_path)
    kaggle_emulator.clear()
    assert fetch(f"{MODEL}/1", tmp_path, offline="HF_HUB_OFFLINE=1").path == old.path
    latest = fetch(MODEL, tmp_path, offline="HF_HUB_OFFLINE=1")  # the newest version cached
    assert latest.path == new.path
    assert (latest.repo_id, latest.endpoint, latest.source) == (MODEL, API, "kaggle")
    assert kaggle_emulator.requests == []


def test_offline_ignores_an_incomplete_download(kaggle_emulator, tmp_path):
    kaggle_emulator.add_model(f"{MODEL}/1", {"saved_model.pb": b"old"})
    kaggle_emulator.add_model(f"{MODEL}/2", FILES)
    old = fetch(f"{MODEL}/1", tmp_path)
    new = fetch(f"{MODEL}/2", tmp_path)
    (Path(new.path).parent / "2.complete").unlink()  # as a download cut short leaves it
    assert fetch(MODEL, tmp_path, offline="HF_HUB_OFFLINE=1").path == old.path


def test_offline_and_not_cached_names_kaggle(kaggle_emulator, tmp_path):
    kaggle_emulator.add_model(f"{MODEL}/2", FILES)
    for handle in (f"{MODEL}/2", MODEL):
        with pytest.raises(NotCachedError) as caught:
            fetch(handle, tmp_path, offline="HF_HUB_OFFLINE=1")
        message = str(caught.value)
        assert "Kaggle Models" in message and "kagglehub" in message and handle in message
        assert str(tmp_path / "kagglehub-cache") in message
    assert kaggle_emulator.requests == []


def test_missing_model_is_not_found(kaggle_emulator, tmp_path):
    kaggle_emulator.add_model(f"{MODEL}/2", FILES)
    for handle in ("google/nope/tensorFlow2/en-dim128", f"{MODEL}/9"):
        with pytest.raises(RepoNotFoundError) as caught:
            fetch(handle, tmp_path)
        assert not isinstance(caught.value, AccessDeniedError)
        assert caught.value.repo_id == handle and caught.value.endpoint == API
        assert "no such model, variation or version" in str(caught.value)


def test_gated_model_is_refused_with_the_hint(kaggle_emulator, tmp_path):
    kaggle_emulator.add_model(f"{MODEL}/2", FILES, gated=True)
    with pytest.raises(AccessDeniedError) as caught:
        fetch(f"{MODEL}/2", tmp_path)
    message = str(caught.value)
    assert "HTTP 403" in message and "accept the model's terms on its Kaggle page" in message
    assert f"{API}/models/{MODEL}/2" in message  # the page to accept them on
    assert "KAGGLE_USERNAME and KAGGLE_KEY" in message and "kaggle.json" in message
    assert "kagglehub found none" in message
    assert not (tmp_path / "kagglehub-cache" / "models" / "google" / "nnlm").exists()


def test_credentials_reach_the_api_and_only_it(kaggle_emulator, tmp_path, monkeypatch):
    kaggle_emulator.add_model(f"{MODEL}/2", FILES, gated=True, consented=("alice",))
    monkeypatch.setenv("KAGGLE_USERNAME", "alice")
    monkeypatch.setenv("KAGGLE_KEY", "s3cret-key")
    snapshot = fetch(MODEL, tmp_path)
    assert sha256_tree(snapshot.path) == tree(FILES)
    api = kaggle_emulator.seen(host=API_HOST)
    storage = kaggle_emulator.seen(host=STORAGE_HOST)
    expected = "Basic " + base64.b64encode(b"alice:s3cret-key").decode()
    assert api and {r.authorization for r in api} == {expected}
    # The files come from the storage host the API redirects to: the key is not sent there.
    assert len(storage) == len(FILES) and {r.authorization for r in storage} == {None}
    assert {r.host for r in kaggle_emulator.requests} == {API_HOST, STORAGE_HOST}


def test_credentials_from_kaggle_json(kaggle_emulator, tmp_path, monkeypatch):
    kaggle_emulator.add_model(f"{MODEL}/2", FILES, gated=True, consented=("bob",))
    config = tmp_path / "config"
    config.mkdir()
    (config / "kaggle.json").write_text('{"username": "bob", "key": "k"}')
    monkeypatch.setenv("KAGGLE_CONFIG_DIR", str(config))
    fetch(f"{MODEL}/2", tmp_path)
    assert {r.user for r in kaggle_emulator.seen(host=API_HOST)} == {"bob"}


def test_unreachable_kaggle(kaggle_emulator, tmp_path, monkeypatch):
    from hubfork.hub.server import free_port

    kaggle_emulator.add_model(f"{MODEL}/2", FILES)
    cached = fetch(f"{MODEL}/2", tmp_path)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{free_port()}")  # the way to Kaggle is closed
    monkeypatch.setenv("http_proxy", f"http://127.0.0.1:{free_port()}")
    with pytest.raises(HubUnreachableError) as caught:
        fetch("google/other/tensorFlow2/x", tmp_path)
    assert caught.value.endpoint == API
    # A handle without version, cached: its newest cached version, as huggingface_hub falls back to its cache.
    assert fetch(MODEL, tmp_path).path == cached.path


def test_kaggle_api_endpoint_is_said_to_be_ignored(kaggle_emulator, monkeypatch):
    monkeypatch.setenv("KAGGLE_API_ENDPOINT", "https://kaggle-mirror.example")
    with pytest.warns(UserWarning, match="KAGGLE_API_ENDPOINT=https://kaggle-mirror.example is ignored"):
        assert api_endpoint() == API


def test_real_savedmodel_arrives_byte_identical(kaggle_emulator, hub_models, tmp_path):
    kaggle_emulator.add_model("hubfork-test/bert/tensorFlow2/en-uncased-l-2-h-32-a-2/1", hub_models.v1)
    snapshot = fetch("hubfork-test/bert/tensorFlow2/en-uncased-l-2-h-32-a-2", tmp_path)
    assert sha256_tree(snapshot.path) == sha256_tree(hub_models.v1)
    assert (Path(snapshot.path) / "saved_model.pb").is_file()
