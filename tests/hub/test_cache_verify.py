"""Corrupted caches: a cached file truncated or with a flipped byte is found (its size on every
fetch, its hash with ``verify``/``hubfork pull --verify``/``hubfork cache verify``) and fetched
again with a note naming it; offline (or with the hub gone) the error names it and says how to
repair it. Against the real local hub (olah serving git), except where the hub must lie."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hubfork.errors import CorruptCacheError, DownloadError, NotCachedError
from hubfork.hub import fetch, verify_cache
from tests.conftest import run_cli
from tests.fixtures.faulty_hub import FaultyHub, RepoFile
from tests.fixtures.hub import DEAD_ENDPOINT, REPO, sha256_tree

WEIGHTS = "variables/variables.data-00000-of-00001"
VOCAB = "assets/vocab.txt"
NAME = f"{REPO}@v1"


def _truncate(snapshot: str, path: str, size: int = 10) -> None:
    with open(Path(snapshot) / path, "r+b") as stream:  # through the snapshot's link, into the blob
        stream.truncate(size)


def _flip(snapshot: str, path: str) -> None:
    with open(Path(snapshot) / path, "r+b") as stream:
        first = stream.read(1)
        stream.seek(0)
        stream.write(bytes([first[0] ^ 0xFF]))


def test_a_truncated_file_is_fetched_again_on_every_fetch(hf_env, local_hub, hub_models, capsys):
    snapshot = fetch(NAME)
    assert snapshot.repaired == () and snapshot.check is not None and snapshot.check.against == "cache"
    _truncate(snapshot.path, WEIGHTS)
    again = fetch(NAME)
    assert again.repaired == (WEIGHTS,) and again.to_dict()["repaired"] == [WEIGHTS]
    assert f"re-fetched {WEIGHTS} of {REPO}: its cached copy was corrupt (size 10, expected" in capsys.readouterr().err
    assert sha256_tree(again.path) == sha256_tree(hub_models.v1)


def test_a_flipped_byte_is_found_by_verify(hf_env, local_hub, hub_models, capsys):
    snapshot = fetch(NAME)
    _flip(snapshot.path, WEIGHTS)
    assert fetch(NAME).repaired == ()  # same size: only hashing finds it
    verified = fetch(NAME, verify=True)
    assert verified.repaired == (WEIGHTS,) and verified.check.against == "hub" and verified.check.hashed
    assert f"re-fetched {WEIGHTS} of {REPO}: its cached copy was corrupt (git-sha1 mismatch" in capsys.readouterr().err
    assert sha256_tree(verified.path) == sha256_tree(hub_models.v1)


def test_offline_a_corrupt_file_is_named_with_how_to_repair_it(hf_env, local_hub, monkeypatch):
    snapshot = fetch(NAME)
    _truncate(snapshot.path, VOCAB)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(CorruptCacheError) as caught:
        fetch(NAME)
    error = caught.value
    assert isinstance(error, NotCachedError) and error.files == (VOCAB,)
    assert f"{VOCAB}: size 10, expected" in str(error)
    assert f"run `hubfork cache verify {NAME}` online (or `hubfork pull {NAME} --verify`) to repair" in str(error)

    # A flipped byte offline: found by hashing against the blob's name (the hub's ETag).
    monkeypatch.delenv("HF_HUB_OFFLINE")
    fetch(NAME)  # repaired
    _flip(snapshot.path, WEIGHTS)
    assert fetch(NAME, local_files_only=True).repaired == ()
    with pytest.raises(CorruptCacheError, match=f"{WEIGHTS}: git-sha1 mismatch"):
        fetch(NAME, local_files_only=True, verify=True)


def test_with_the_hub_gone_a_corrupt_file_cannot_be_repaired(hf_isolated, local_hub):
    snapshot = fetch(NAME, endpoint=local_hub.endpoint)
    _truncate(snapshot.path, WEIGHTS)
    # snapshot_download falls back to the cached snapshot when the hub does not answer; the check does not.
    with pytest.raises(CorruptCacheError) as caught:
        fetch(NAME, endpoint=DEAD_ENDPOINT)
    assert caught.value.files == (WEIGHTS,) and f"the hub at {DEAD_ENDPOINT} could not be reached" in str(caught.value)


def test_cache_verify_and_pull_verify_commands(hf_env, local_hub, hub_models, tripwire):
    snapshot = fetch(NAME)
    _flip(snapshot.path, WEIGHTS)
    _truncate(snapshot.path, VOCAB)

    # Every cached snapshot, against the cache's record; TensorFlow & co. never imported.
    every = run_cli("cache", "verify", "--json", pythonpath=[tripwire])
    assert every.returncode == 1, every.stderr
    [check] = json.loads(every.stdout)
    assert (check["repo_id"], check["commit"], check["ok"]) == (REPO, local_hub.commits["v1"], False)
    assert [p["path"] for p in check["problems"]] == [VOCAB, WEIGHTS]
    assert "run `hubfork cache verify NAME` online" in every.stderr

    offline = run_cli("cache", "verify", NAME, "--offline")
    assert offline.returncode == 1 and f"  {VOCAB}: size 10, expected" in offline.stdout
    assert f"hubfork cache verify {NAME}" in offline.stderr

    repaired = run_cli("cache", "verify", NAME)
    assert repaired.returncode == 0, repaired.stderr
    assert f"re-fetched {VOCAB}" in repaired.stderr and f"re-fetched {WEIGHTS}" in repaired.stderr
    assert f"fetched again: {VOCAB}, {WEIGHTS}" in repaired.stdout and "against the hub" in repaired.stdout
    assert sha256_tree(snapshot.path) == sha256_tree(hub_models.v1)

    _flip(snapshot.path, WEIGHTS)
    pulled = run_cli("pull", NAME, "--verify", "--json")
    assert pulled.returncode == 0, pulled.stderr
    assert json.loads(pulled.stdout)["repaired"] == [WEIGHTS]
    assert run_cli("cache", "verify").stdout.startswith(f"{REPO}@{local_hub.commits['v1'][:12]}: ok")


def test_cache_verify_names_only_what_is_cached(hf_env, local_hub):
    with pytest.raises(NotCachedError, match="downloads nothing new"):
        verify_cache(NAME)
    assert verify_cache() == []
    fetch(NAME)
    [check] = verify_cache()
    assert check.ok and check.hashed and check.checked == len(sha256_tree(check.path)) and check.unchecked == ()


def test_a_hub_serving_other_bytes_than_it_lists_is_an_error(hf_isolated, tmp_path):
    source = tmp_path / "config.json"
    source.write_text('{"hidden_size": 768}\n')
    hub = FaultyHub("faulty/liar", [RepoFile("config.json", source)]).start()
    try:
        hub.faults.serve_instead["config.json"] = b'{"hidden_size": 1}\n'  # the listing says otherwise
        with pytest.raises(DownloadError) as caught:
            fetch("faulty/liar", endpoint=hub.endpoint)
    finally:
        hub.stop()
    assert caught.value.file == "config.json" and "still differs from the hub's listing" in str(caught.value)
