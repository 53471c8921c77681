"""snapshot_download against a real hub (olah on loopback, serving git repos of real
SavedModels): every form of name, revision pinning, env vars read at call time,
offline use, and failures turned into hubfork errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hubfork.errors import (
    DownloadError,
    HubUnreachableError,
    InvalidNameError,
    NotCachedError,
    RepoNotFoundError,
)
from hubfork.hub import fetch, snapshot_download
from hubfork.hub.git import rev_parse
from tests.fixtures.hub import DEAD_ENDPOINT, HANDLE, KAGGLE, REPO, sha256_tree


def _names(endpoint: str) -> list[tuple[str, str]]:
    """(name, revision it must give) for every hub and registry form."""
    return [
        (REPO, "v2"),  # main is the newest commit
        (f"{REPO}@v1", "v1"),
        (f"hf://{REPO}@v1", "v1"),
        (f"hf://{REPO}", "v2"),
        (f"https://huggingface.co/{REPO}/tree/v1", "v1"),  # huggingface.co goes to HF_ENDPOINT
        (f"{HANDLE}/1", "v1"),
        (f"{HANDLE}/2", "v2"),
        (f"https://tfhub.dev/{HANDLE}/1", "v1"),
        (KAGGLE.format(version=2), "v2"),
    ]


def test_every_hub_and_registry_form(hf_env, local_hub, hub_models, hub_registry, monkeypatch):
    monkeypatch.setenv("HUBFORK_REGISTRY", str(hub_registry))
    expected = {"v1": sha256_tree(hub_models.v1), "v2": sha256_tree(hub_models.v2)}
    for name, revision in _names(local_hub.endpoint):
        snapshot = fetch(name)
        assert snapshot.commit == local_hub.commits[revision], name
        assert sha256_tree(snapshot.path) == expected[revision], name
        assert Path(snapshot.path).is_relative_to(hf_env), name  # HF_HUB_CACHE read at call time
        assert snapshot.repo_id == REPO and snapshot.endpoint == local_hub.endpoint


def test_mirror_host_url_uses_its_own_host(hf_isolated, local_hub, hub_models, monkeypatch):
    assert os.environ["HF_ENDPOINT"] == DEAD_ENDPOINT  # nothing answers there: the URL's host must be used
    snapshot = fetch(f"{local_hub.endpoint}/{REPO}/tree/v1")
    assert snapshot.commit == local_hub.commits["v1"] and snapshot.endpoint == local_hub.endpoint
    assert sha256_tree(snapshot.path) == sha256_tree(hub_models.v1)
    # and an explicit endpoint= works for plain repo ids
    assert fetch(REPO, endpoint=local_hub.endpoint, revision="v1").commit == local_hub.commits["v1"]


def test_revisions_pin_exact_commits(hf_env, local_hub, hub_models, hub_registry):
    repo = local_hub.hub.repo_path(REPO)
    for tag in ("v1", "v2"):
        assert rev_parse(repo, tag) == local_hub.commits[tag]
    v1 = snapshot_download(REPO, revision="v1")
    v2 = snapshot_download(REPO, revision="v2")
    by_sha = snapshot_download(REPO, revision=local_hub.commits["v1"])
    assert by_sha == v1 and Path(v1).name == local_hub.commits["v1"] and Path(v2).name == local_hub.commits["v2"]
    weights = "variables/variables.data-00000-of-00001"
    assert sha256_tree(v1)[weights] == sha256_tree(hub_models.v1)[weights]
    assert sha256_tree(v2)[weights] == sha256_tree(hub_models.v2)[weights] != sha256_tree(v1)[weights]
    # the registry's revision is a default an explicit one overrides; a revision in the name is not
    assert fetch(f"{HANDLE}/1", revision="v2", registry=hub_registry).commit == local_hub.commits["v2"]
    with pytest.raises(InvalidNameError, match="pins revision 'v1'"):
        snapshot_download(f"{REPO}@v1", revision="v2")


def test_patterns_filter_files(hf_env, local_hub):
    path = Path(snapshot_download(REPO, allow_patterns=["*.pb", "assets/*"], ignore_patterns="keras_metadata.pb"))
    assert sorted(sha256_tree(path)) == ["assets/vocab.txt", "fingerprint.pb", "saved_model.pb"]


def test_explicit_cache_dir_wins_over_env(hf_env, local_hub, tmp_path):
    path = snapshot_download(f"{REPO}@v1", cache_dir=tmp_path / "elsewhere")
    assert Path(path).is_relative_to(tmp_path / "elsewhere") and not hf_env.exists()


def test_offline_env_read_at_call_time(hf_env, local_hub, monkeypatch):
    cached = snapshot_download(f"{REPO}@v1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # after huggingface_hub was imported
    assert snapshot_download(f"{REPO}@v1") == cached
    with pytest.raises(NotCachedError, match=r"offline \(HF_HUB_OFFLINE=1\)") as caught:
        snapshot_download(f"{REPO}@v2")
    assert (caught.value.repo_id, caught.value.revision, caught.value.cache_dir) == (REPO, "v2", str(hf_env))


def test_local_files_only_without_cache(hf_env, local_hub):
    with pytest.raises(NotCachedError, match="local_files_only=True"):
        snapshot_download(REPO, local_files_only=True)


def test_unknown_repo_and_revision(hf_env, local_hub):
    with pytest.raises(RepoNotFoundError) as caught:
        snapshot_download("hubfork-test/absent")
    assert caught.value.endpoint == local_hub.endpoint and caught.value.repo_id == "hubfork-test/absent"
    with pytest.raises(RepoNotFoundError, match="@v9"):
        snapshot_download(f"{REPO}@v9")


def test_unreachable_hub(hf_isolated):
    with pytest.raises(HubUnreachableError) as caught:
        snapshot_download(REPO)
    assert caught.value.endpoint == DEAD_ENDPOINT and "not in the cache" in str(caught.value)


def test_local_folders_are_used_in_place(hub_models):
    assert snapshot_download(str(hub_models.v1)) == str(hub_models.v1)
    assert snapshot_download(hub_models.v1.as_uri()) == str(hub_models.v1)
    with pytest.raises(InvalidNameError, match="applies to hub repos"):
        snapshot_download(str(hub_models.v1), revision="v1")


def test_hf_home_read_at_call_time(local_hub, monkeypatch, tmp_path):
    monkeypatch.delenv("HF_HUB_CACHE")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HF_ENDPOINT", local_hub.endpoint)
    assert Path(snapshot_download(f"{REPO}@v1")).is_relative_to(tmp_path / "home" / "hub")


@pytest.fixture
def recording_hub():
    """A loopback HTTP server that records each request's Authorization header and
    answers with the status the test sets (it stands for a hub that refuses)."""
    import http.server
    import threading

    seen: list[tuple[str, str | None]] = []
    status = {"code": 404}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append((self.path, self.headers.get("Authorization")))
            self.send_response(status["code"])
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen, status
    finally:
        server.shutdown()
        server.server_close()


def test_hf_token_read_at_call_time_and_hub_errors(recording_hub, monkeypatch):
    endpoint, seen, status = recording_hub
    monkeypatch.setenv("HF_ENDPOINT", endpoint)
    monkeypatch.setenv("HF_TOKEN", "hf_set_after_import")
    with pytest.raises(RepoNotFoundError, match="HTTP 404"):
        snapshot_download("acme/private")
    assert ("/api/models/acme/private/revision/main", "Bearer hf_set_after_import") in seen
    status["code"] = 500
    with pytest.raises(DownloadError, match="500"):
        snapshot_download("acme/private")
