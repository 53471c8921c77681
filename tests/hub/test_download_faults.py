"""Downloads that go wrong: the hub dies mid-file, a connection is cut once, a file comes up
short, a hub accepts and never answers. Each ends in a hubfork error naming the hub and the
file, with nothing half-written in the snapshot, or in a whole download.

The hub is `tests.fixtures.faulty_hub.FaultyHub` on loopback (olah serves from git and
cannot be stopped at a chosen byte); the 100 MB model file is made per session from a
seeded generator in a temporary folder.
"""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from hubfork.errors import DownloadError, HubforkError, HubUnreachableError
from hubfork.hub import fetch
from tests.conftest import ROOT
from tests.fixtures.faulty_hub import COMMIT, FaultyHub, RepoFile
from tests.fixtures.hub import sha256_tree

REPO = "faulty/bert-100mb"
BIG = "variables/variables.data-00000-of-00001"
BIG_SIZE = 100 * 1024 * 1024


@pytest.fixture(scope="session")
def model_files(tmp_path_factory) -> list[Path]:
    root = tmp_path_factory.mktemp("faulty-model")
    (root / "variables").mkdir()
    rng = np.random.default_rng(13)
    (root / BIG).write_bytes(rng.integers(0, 256, BIG_SIZE, dtype=np.uint8).tobytes())
    (root / "saved_model.pb").write_bytes(rng.integers(0, 256, 40_000, dtype=np.uint8).tobytes())
    (root / "config.json").write_text('{"hidden_size": 768}\n')
    return [root / BIG, root / "saved_model.pb", root / "config.json"]


@pytest.fixture
def hub(model_files):
    root = model_files[0].parent.parent
    files = [RepoFile(p.relative_to(root).as_posix(), p, lfs=p.stat().st_size > 1_000_000) for p in model_files]
    served = FaultyHub(REPO, files).start()
    yield served
    served.stop()


def _expected(hub: FaultyHub) -> dict[str, str]:
    return {path: f.sha256 for path, f in hub.files.items()}


def _snapshot_folder(cache: Path) -> Path:
    return cache / f"models--{REPO.replace('/', '--')}" / "snapshots" / COMMIT


def test_hub_dying_mid_file_fails_clearly_and_the_next_pull_completes(hub, hf_isolated):
    hub.faults.cut[BIG] = (30 * 1024 * 1024, True)  # 30 MB in, the hub stops
    with pytest.raises(HubUnreachableError) as caught:
        fetch(REPO, endpoint=hub.endpoint)
    error = caught.value
    assert isinstance(error, HubforkError) and error.file == BIG and error.endpoint == hub.endpoint
    assert hub.endpoint in str(error) and f"while fetching {BIG}" in str(error) and "run the pull again" in str(error)
    # Only whole files in the snapshot: the small ones, never the one cut short.
    snapshot = _snapshot_folder(hf_isolated)
    whole = sha256_tree(snapshot)
    assert BIG not in whole and whole == {p: s for p, s in _expected(hub).items() if p in whole}
    blobs = hf_isolated / f"models--{REPO.replace('/', '--')}" / "blobs"
    assert hub.files[BIG].etag not in {p.name for p in blobs.iterdir()}

    hub.start()  # the hub is back, on the same port
    snapshot_after = fetch(REPO, endpoint=hub.endpoint)
    assert Path(snapshot_after.path) == snapshot and sha256_tree(snapshot) == _expected(hub)
    # huggingface_hub 2.4 keeps no partial file between calls: the file is fetched again from its start.
    assert hub.requests("GET", BIG)[-1] is None


def test_a_connection_cut_once_is_resumed_with_range_in_the_same_pull(hub, hf_isolated):
    cut_at = 10 * 1024 * 1024
    hub.faults.cut[BIG] = (cut_at, False)  # a blip: the hub stays up
    snapshot = fetch(REPO, endpoint=hub.endpoint)
    assert sha256_tree(snapshot.path) == _expected(hub)
    assert hub.requests("GET", BIG) == [None, f"bytes={cut_at}-"]


def test_a_body_shorter_than_announced_names_the_file(hub, hf_isolated):
    hub.faults.short["saved_model.pb"] = 100  # no Content-Length: the body just ends early
    with pytest.raises(DownloadError) as caught:
        fetch(REPO, endpoint=hub.endpoint, allow_patterns="*.pb")
    assert caught.value.file == "saved_model.pb" and hub.endpoint in str(caught.value)
    assert "Consistency check failed" in str(caught.value)
    assert not (_snapshot_folder(hf_isolated) / "saved_model.pb").exists()


def test_a_hub_that_never_answers_times_out(hf_isolated, tmp_path):
    # The kernel completes connections into the backlog: nothing ever accept()s or answers them.
    with socket.socket() as stalled:
        stalled.bind(("127.0.0.1", 0))
        stalled.listen(8)
        endpoint = f"http://127.0.0.1:{stalled.getsockname()[1]}"
        env = {**os.environ, "HF_HUB_DOWNLOAD_TIMEOUT": "1", "HF_HUB_ETAG_TIMEOUT": "1"}
        # The subprocess timeout only turns a hang into a failure; the pull must end on its own in ~1 s.
        result = subprocess.run([sys.executable, "-m", "hubfork", "pull", REPO, "--endpoint", endpoint], cwd=ROOT,
                                env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("hubfork: error:") and endpoint in result.stderr
    assert "ReadTimeout" in result.stderr and "HF_HUB_DOWNLOAD_TIMEOUT" in result.stderr


def test_hashes_of_the_generated_file_are_what_the_hub_lists(hub, model_files):
    # The fixture itself: the hub lists the sha256 of the bytes it serves.
    assert hub.files[BIG].sha256 == hashlib.sha256(model_files[0].read_bytes()).hexdigest()
    assert hub.files[BIG].size == BIG_SIZE
