"""`CompressedHttpBackend`: TF Hub-format archives fetched over HTTP the way tensorflow_hub fetches them,
against the loopback emulator of tfhub.dev -> Kaggle Models -> storage (tests/fixtures/tfhub_emulator.py).

Every fault test asserts the exact error class, that nothing was written outside the cache and that no model
folder (nor a staging folder) was left in it.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from hubfork.constants import MAX_REDIRECTS, RATE_LIMIT_RETRIES
from hubfork.errors import (
    AccessDeniedError,
    ArchiveError,
    DownloadError,
    HubUnreachableError,
    NotCachedError,
    RateLimitedError,
    RepoNotFoundError,
)
from hubfork.hub.backends.base import FetchOptions
from hubfork.hub.backends.tfhub import TFHUB_FOLDER, TFLITE_FILE, CompressedHttpBackend, cache_key, request_url
from hubfork.hub.resolved import ResolvedName
from hubfork.hub.snapshot import Snapshot
from tests.conftest import ROOT
from tests.fixtures.hub import sha256_tree
from tests.fixtures.processes import kill_now, needs_proc, start
from tests.fixtures.tfhub_emulator import TfhubEmulator, member, tar_gz

HANDLE = "google/nnlm-en-dim128/2"
FILES = {"saved_model.pb": b"graph", "variables/variables.index": b"index",
         "variables/variables.data-00000-of-00001": bytes(range(256)) * 64, "assets/vocab.txt": b"[PAD]\nhello\n"}


@pytest.fixture(autouse=True)
def _environment(tmp_path, monkeypatch, tfhub_emulator):
    monkeypatch.setenv("TFHUB_CACHE_DIR", str(tmp_path / "tfhub-cache"))
    monkeypatch.setenv("HUBFORK_TFHUB_ENDPOINT", tfhub_emulator.endpoint)
    monkeypatch.setenv("HUBFORK_KAGGLE_ENDPOINT", tfhub_emulator.kaggle_endpoint)
    monkeypatch.setenv("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    monkeypatch.delenv("HUBFORK_ARCHIVE_MAX_BYTES", raising=False)


def write_folder(root: Path, files: dict[str, bytes] = FILES) -> Path:
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return root


@pytest.fixture
def emulator(tfhub_emulator, tmp_path) -> TfhubEmulator:
    """The emulator serving `FILES` under `HANDLE`."""
    tfhub_emulator.add_model(HANDLE, write_folder(tmp_path / "source"), lite=b"TFL3 a lite model")
    return tfhub_emulator


def place_of(url: str, handle: str | None = HANDLE, variant: str | None = None) -> ResolvedName:
    return ResolvedName(name=url, form="tfhub-url", kind="compressed", url=url, handle=handle, variant=variant)


def fetch(place: ResolvedName, tmp_path: Path, **options) -> Snapshot:
    return CompressedHttpBackend().fetch(place, FetchOptions(cache=tmp_path / "cache", **options))


def assert_nothing_left(tmp_path: Path) -> None:
    """Nothing but the cache's folders and lock files was written (the source folder aside): no model, no
    staging folder, no record, and no member that escaped."""
    allowed = {tmp_path / "cache", tmp_path / "cache" / ".hubfork", tmp_path / "cache" / TFHUB_FOLDER}
    written = {p for p in tmp_path.rglob("*") if not p.is_relative_to(tmp_path / "source")}
    strays = {p for p in written - allowed if not (p.parent == tmp_path / "cache" / TFHUB_FOLDER
                                                   and p.name.endswith(".lock") and p.is_file())}
    assert strays == set()


# ------------------------------------------------------------------------------ fetching


def test_fetches_through_tfhub_kaggle_and_storage(emulator, tmp_path):
    model = emulator.models[HANDLE]
    snapshot = fetch(place_of(emulator.url(HANDLE)), tmp_path)

    assert sha256_tree(snapshot.path) == sha256_tree(tmp_path / "source")
    assert (snapshot.kind, snapshot.source, snapshot.handle, snapshot.endpoint) == (
        "compressed", "tfhub", HANDLE, emulator.endpoint)
    assert snapshot.url.startswith(emulator.storage_endpoint + model.storage_path("archive") + "?")
    assert snapshot.archive_bytes == len(model.archive)
    assert snapshot.archive_sha256 == hashlib.sha256(model.archive).hexdigest()
    assert snapshot.etag == model.etag("archive")
    request = f"{emulator.url(HANDLE)}?tf-hub-format=compressed"
    assert Path(snapshot.path) == tmp_path / "cache" / TFHUB_FOLDER / cache_key(request)
    record = json.loads((tmp_path / "cache" / TFHUB_FOLDER / f"{cache_key(request)}.json").read_text())
    assert {k: record[k] for k in ("name", "handle", "request_url", "url", "archive_bytes", "archive_sha256",
                                   "etag")} == {
        "name": emulator.url(HANDLE), "handle": HANDLE, "request_url": request, "url": snapshot.url,
        "archive_bytes": len(model.archive), "archive_sha256": snapshot.archive_sha256, "etag": snapshot.etag}
    assert record["fetched_at"]
    # One request per hop, in order; Kaggle's session cookie and any credential stayed where they were.
    assert [(r.role, r.query) for r in emulator.log] == [
        ("tfhub", "tf-hub-format=compressed"), ("kaggle", "tf-hub-format=compressed"),
        ("storage", snapshot.url.split("?")[1])]
    for request in emulator.log:
        assert not {"cookie", "authorization"} & {name.lower() for name in request.headers}


def test_a_cached_archive_is_served_without_a_request(emulator, tmp_path):
    first = fetch(place_of(emulator.url(HANDLE)), tmp_path)
    requests = sum(emulator.requests.values())
    assert fetch(place_of(emulator.url(HANDLE)), tmp_path) == first
    assert fetch(place_of(emulator.url(HANDLE)), tmp_path, offline="HF_HUB_OFFLINE=1") == first
    assert sum(emulator.requests.values()) == requests


def test_a_real_savedmodel_unpacks_file_for_file(tfhub_emulator, hub_models, tmp_path):
    tfhub_emulator.add_model("hubfork-test/bert/1", hub_models.v1)
    snapshot = fetch(place_of(tfhub_emulator.url("hubfork-test/bert/1"), "hubfork-test/bert/1"), tmp_path)
    assert (Path(snapshot.path) / "saved_model.pb").is_file()
    assert sha256_tree(snapshot.path) == sha256_tree(hub_models.v1)


@pytest.mark.parametrize("long", [False, True], ids=["short", "long"])
def test_kaggle_model_urls_are_fetched_the_same_way(emulator, tmp_path, long):
    url = emulator.kaggle_url(HANDLE, long=long)
    snapshot = fetch(place_of(url, handle=None), tmp_path)
    assert sha256_tree(snapshot.path) == sha256_tree(tmp_path / "source")
    assert snapshot.endpoint == emulator.kaggle_endpoint
    assert [r.role for r in emulator.log] == ["kaggle", "storage"]


def test_a_lite_model_is_saved_as_one_tflite_file(emulator, tmp_path):
    snapshot = fetch(place_of(emulator.url(HANDLE), variant="lite"), tmp_path)
    assert sorted(p.name for p in Path(snapshot.path).iterdir()) == [TFLITE_FILE]
    assert (Path(snapshot.path) / TFLITE_FILE).read_bytes() == b"TFL3 a lite model"
    assert emulator.log[0].query == "lite-format=tflite"
    assert emulator.archive_gets(HANDLE, "lite") == 1


def test_a_tfjs_model_is_an_archive_too(emulator, tmp_path):
    snapshot = fetch(place_of(emulator.url(HANDLE), variant="tfjs"), tmp_path)
    assert sha256_tree(snapshot.path) == sha256_tree(tmp_path / "source")
    assert emulator.log[0].query == "tfjs-format=compressed"


@pytest.mark.parametrize(("url", "variant", "expected"), [
    ("https://tfhub.dev/a/b/1", None, "https://tfhub.dev/a/b/1?tf-hub-format=compressed"),
    ("https://tfhub.dev/a/b/1?x=1&y=%2F", None, "https://tfhub.dev/a/b/1?x=1&y=%2F&tf-hub-format=compressed"),
    ("https://tfhub.dev/a/b/1?tf-hub-format=compressed", None, "https://tfhub.dev/a/b/1?tf-hub-format=compressed"),
    ("https://tfhub.dev/a/b/1?tf-hub-format=uncompressed", None, "https://tfhub.dev/a/b/1?tf-hub-format=compressed"),
    ("https://tfhub.dev/a/lite/b/1", "lite", "https://tfhub.dev/a/lite/b/1?lite-format=tflite"),
    ("https://tfhub.dev/a/coral/b/1", "coral", "https://tfhub.dev/a/coral/b/1?lite-format=tflite"),
    ("https://tfhub.dev/a/tfjs/b/1", "tfjs", "https://tfhub.dev/a/tfjs/b/1?tfjs-format=compressed"),
])
def test_the_request_url_carries_one_format_query(url, variant, expected):
    assert request_url(place_of(url, variant=variant)) == expected


def test_tensorflow_hubs_own_cache_is_used_when_complete(emulator, tmp_path):
    url = emulator.url(HANDLE)
    theirs = tmp_path / "tfhub-cache" / hashlib.sha1(url.encode()).hexdigest()
    write_folder(theirs, {"saved_model.pb": b"theirs"})
    # Without its descriptor the download did not finish: tensorflow_hub's folder is not trusted.
    assert (Path(fetch(place_of(url), tmp_path / "a").path) / "saved_model.pb").read_bytes() == b"graph"
    downloads = emulator.archive_gets(HANDLE)
    Path(f"{theirs}.descriptor.txt").write_text(f"Module: {url}\n")
    for options in ({}, {"offline": "HF_HUB_OFFLINE=1"}):
        assert fetch(place_of(url), tmp_path / "b", **options).path == str(theirs)
    assert emulator.archive_gets(HANDLE) == downloads


def test_tensorflow_hubs_cache_is_found_by_the_tfhub_dev_url_of_the_handle(emulator, tmp_path):
    theirs = tmp_path / "tfhub-cache" / hashlib.sha1(f"https://tfhub.dev/{HANDLE}".encode()).hexdigest()
    write_folder(theirs, {"saved_model.pb": b"theirs"})
    Path(f"{theirs}.descriptor.txt").write_text("done\n")
    assert fetch(place_of(emulator.url(HANDLE)), tmp_path).path == str(theirs)
    assert sum(emulator.requests.values()) == 0


def test_offline_and_not_cached_says_where_it_would_come_from(emulator, tmp_path):
    with pytest.raises(NotCachedError) as caught:
        fetch(place_of(emulator.url(HANDLE)), tmp_path, offline="HF_HUB_OFFLINE=1")
    message = str(caught.value)
    assert "HF_HUB_OFFLINE=1" in message and "tfhub.dev (served by Kaggle Models)" in message
    assert f"{emulator.url(HANDLE)}?tf-hub-format=compressed" in message
    assert caught.value.repo_id == HANDLE
    assert sum(emulator.requests.values()) == 0
    assert_nothing_left(tmp_path)


# -------------------------------------------------------------------------------- faults


def test_a_redirect_loop_is_refused(emulator, tmp_path):
    emulator.faults.loop = True
    with pytest.raises(DownloadError, match="redirect loop") as caught:
        fetch(place_of(emulator.url(HANDLE)), tmp_path)
    assert "\n" not in str(caught.value)
    assert [r.role for r in emulator.log] == ["tfhub", "kaggle"]
    assert_nothing_left(tmp_path)


def test_a_chain_of_redirects_is_followed_up_to_the_limit(emulator, tmp_path):
    emulator.faults.chain = MAX_REDIRECTS - 2  # then tfhub -> kaggle -> storage: exactly the limit
    snapshot = fetch(place_of(emulator.url(HANDLE)), tmp_path)
    assert sha256_tree(snapshot.path) == sha256_tree(tmp_path / "source")
    emulator.faults.chain = MAX_REDIRECTS - 1
    with pytest.raises(DownloadError, match=f"more than {MAX_REDIRECTS} redirects"):
        fetch(place_of(emulator.url(HANDLE)), tmp_path / "again")
    assert_nothing_left(tmp_path / "again")


@pytest.mark.parametrize("location", ["file:///etc/passwd", "http://example.com/model.tar.gz",
                                      "ftp://127.0.0.1/model.tar.gz"])
def test_a_redirect_off_https_is_refused(emulator, tmp_path, location):
    emulator.faults.redirect_to = location
    with pytest.raises(DownloadError, match="only https is followed") as caught:
        fetch(place_of(emulator.url(HANDLE)), tmp_path)
    assert location in str(caught.value)
    assert [r.role for r in emulator.log] == ["tfhub"]
    assert_nothing_left(tmp_path)


def test_a_plain_http_url_off_loopback_is_refused_before_any_request(tmp_path):
    with pytest.raises(DownloadError, match="only https is followed"):
        fetch(place_of("http://example.com/google/nnlm-en-dim128/2"), tmp_path)
    assert_nothing_left(tmp_path)


def test_a_missing_model_is_repo_not_found(emulator, tmp_path):
    with pytest.raises(RepoNotFoundError) as caught:
        fetch(place_of(emulator.url("google/never-migrated/1"), "google/never-migrated/1"), tmp_path)
    assert type(caught.value) is RepoNotFoundError
    assert "never migrated" in str(caught.value) and caught.value.repo_id == "google/never-migrated/1"
    assert caught.value.endpoint == emulator.endpoint
    assert_nothing_left(tmp_path)


def test_forbidden_is_access_denied(emulator, tmp_path):
    emulator.faults.status = 403
    with pytest.raises(AccessDeniedError):
        fetch(place_of(emulator.url(HANDLE)), tmp_path)
    assert_nothing_left(tmp_path)


def test_a_server_error_is_a_download_error(emulator, tmp_path):
    emulator.faults.status, emulator.faults.status_role = 500, "kaggle"
    with pytest.raises(DownloadError, match="HTTP 500"):
        fetch(place_of(emulator.url(HANDLE)), tmp_path)
    assert_nothing_left(tmp_path)


def test_a_short_retry_after_is_waited_for(emulator, tmp_path):
    emulator.faults.status, emulator.faults.status_times, emulator.faults.retry_after = 429, 1, "0"
    snapshot = fetch(place_of(emulator.url(HANDLE)), tmp_path)
    assert sha256_tree(snapshot.path) == sha256_tree(tmp_path / "source")
    assert emulator.archive_gets(HANDLE) == 2
    assert [r.headers.get("Cookie") for r in emulator.log if r.role == "storage"] == [None, None]


def test_a_long_retry_after_is_not_waited_for(emulator, tmp_path):
    emulator.faults.status, emulator.faults.retry_after = 429, str(27 * 3600)
    with pytest.raises(RateLimitedError, match="Retry-After: 97200"):
        fetch(place_of(emulator.url(HANDLE)), tmp_path)
    assert emulator.archive_gets(HANDLE) == 1
    assert_nothing_left(tmp_path)


def test_rate_limiting_without_end_gives_up_after_a_few_tries(emulator, tmp_path):
    emulator.faults.status, emulator.faults.retry_after = 429, "0"
    with pytest.raises(RateLimitedError):
        fetch(place_of(emulator.url(HANDLE)), tmp_path)
    assert emulator.archive_gets(HANDLE) == 1 + RATE_LIMIT_RETRIES
    assert_nothing_left(tmp_path)


def test_a_truncated_archive_is_a_download_error(emulator, tmp_path):
    emulator.faults.truncate_at = len(emulator.models[HANDLE].archive) // 2
    with pytest.raises(DownloadError, match="ended after"):
        fetch(place_of(emulator.url(HANDLE)), tmp_path)
    assert_nothing_left(tmp_path)


@pytest.mark.parametrize("extra", [member("../evil"), member("./link", tarfile.SYMTYPE, "/etc/passwd")],
                         ids=["traversal", "symlink"])
def test_an_unsafe_member_is_refused_and_nothing_is_kept(tfhub_emulator, tmp_path, extra):
    tfhub_emulator.add_model(HANDLE, archive=tar_gz(files=FILES, extra=[extra]))
    with pytest.raises(ArchiveError) as caught:
        fetch(place_of(tfhub_emulator.url(HANDLE)), tmp_path)
    assert caught.value.member == extra.name
    assert_nothing_left(tmp_path)


def test_the_server_dying_mid_archive_is_unreachable_and_a_later_fetch_succeeds(emulator, tmp_path):
    emulator.faults.die_at = len(emulator.models[HANDLE].archive) // 2
    with pytest.raises(HubUnreachableError) as caught:
        fetch(place_of(emulator.url(HANDLE)), tmp_path)
    assert "HUBFORK_TFHUB_ENDPOINT" in str(caught.value)
    assert_nothing_left(tmp_path)
    emulator.faults.die_at = None
    emulator.restart_storage()
    assert sha256_tree(fetch(place_of(emulator.url(HANDLE)), tmp_path).path) == sha256_tree(tmp_path / "source")


def test_an_endless_body_stops_at_the_archive_limit(emulator, tmp_path, monkeypatch):
    monkeypatch.setenv("HUBFORK_ARCHIVE_MAX_BYTES", str(1 << 20))
    emulator.faults.endless = True
    with pytest.raises(ArchiveError, match="HUBFORK_ARCHIVE_MAX_BYTES"):
        fetch(place_of(emulator.url(HANDLE)), tmp_path)
    assert_nothing_left(tmp_path)


@pytest.mark.parametrize(("kaggle", "variable"), [(False, "HUBFORK_TFHUB_ENDPOINT"),
                                                   (True, "HUBFORK_KAGGLE_ENDPOINT")])
def test_an_unreachable_source_names_its_variable(tmp_path, monkeypatch, kaggle, variable):
    closed = _closed_port_url()
    monkeypatch.setenv(variable, closed)
    url = f"{closed}/models/google/nnlm/tensorFlow2/en-dim128/2" if kaggle else f"{closed}/{HANDLE}"
    with pytest.raises(HubUnreachableError) as caught:
        fetch(place_of(url), tmp_path)
    assert type(caught.value) is HubUnreachableError
    assert variable in str(caught.value) and caught.value.endpoint == closed
    assert_nothing_left(tmp_path)


def _closed_port_url() -> str:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


# ----------------------------------------------------------------------------- processes

CHILD = """
import sys
from pathlib import Path
from hubfork.hub.backends.base import FetchOptions
from hubfork.hub.backends.tfhub import CompressedHttpBackend
from hubfork.hub.resolved import ResolvedName
url, handle, cache = sys.argv[1:4]
place = ResolvedName(name=url, form="tfhub-url", kind="compressed", url=url, handle=handle)
print("go", flush=True)
print(CompressedHttpBackend().fetch(place, FetchOptions(cache=Path(cache))).path, flush=True)
"""


def _child(url: str, cache: Path) -> list[str]:
    return [sys.executable, "-c", CHILD, url, HANDLE, str(cache)]


def test_eight_processes_download_once(emulator, tmp_path, tripwire):
    # The first download stalls mid-body until every process has started its fetch: the seven others
    # then wait on the lock, and find the folder the first one renamed into place.
    emulator.faults.stall_at = len(emulator.models[HANDLE].archive) // 2
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tripwire), str(ROOT)])}  # no TensorFlow import
    children = [subprocess.Popen(_child(emulator.url(HANDLE), tmp_path / "cache"), cwd=ROOT, env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(8)]
    try:
        assert [child.stdout.readline().strip() for child in children] == ["go"] * 8
        assert emulator.stalled.wait(60)
        emulator.release.set()
        outputs = [child.communicate(timeout=120) for child in children]
    finally:
        kill_now({child.pid for child in children if child.poll() is None})
    assert [child.returncode for child in children] == [0] * 8, [err for _, err in outputs]
    assert len({out.strip() for out, _ in outputs}) == 1
    assert emulator.archive_gets(HANDLE) == 1
    assert sha256_tree(outputs[0][0].strip()) == sha256_tree(tmp_path / "source")


@needs_proc
def test_kill_9_mid_unpack_leaves_no_half_model(tfhub_emulator, tmp_path):
    files = {"saved_model.pb": b"graph", "variables/variables.data-00000-of-00001": os.urandom(4 << 20)}
    tfhub_emulator.add_model(HANDLE, write_folder(tmp_path / "source", files))
    tfhub_emulator.faults.stall_at = len(tfhub_emulator.models[HANDLE].archive) // 2
    root = tmp_path / "cache" / TFHUB_FOLDER
    child = start(_child(tfhub_emulator.url(HANDLE), tmp_path / "cache"))
    try:
        assert tfhub_emulator.stalled.wait(60)
        assert _wait_for(lambda: any(p.is_file() for p in root.glob(".*.partial/**/*")))  # unpacking began
    finally:
        kill_now({child.pid})
        child.wait(timeout=60)
    key = cache_key(f"{tfhub_emulator.url(HANDLE)}?tf-hub-format=compressed")
    assert not (root / key).exists() and not (root / f"{key}.json").exists()
    assert list(root.glob(f".{key}.*.partial"))  # the killed process's staging folder, never renamed in

    tfhub_emulator.faults.stall_at = None
    tfhub_emulator.release.set()
    snapshot = fetch(place_of(tfhub_emulator.url(HANDLE)), tmp_path)
    assert sha256_tree(snapshot.path) == sha256_tree(tmp_path / "source")
    assert sorted(p.name for p in root.iterdir()) == sorted([key, f"{key}.json", f"{key}.lock"])


def _wait_for(condition, bound: float = 60.0) -> bool:
    """Wait for `condition` (at most `bound` seconds: a bound on a hang, not a measured time)."""
    import time

    deadline = time.monotonic() + bound
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True
