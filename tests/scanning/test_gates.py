"""The command line scans before it loads or commits: `pull`, `embed` and `hub add` refuse a
model whose graph writes files, `--trust` lets it through, and none of it needs TensorFlow."""

from __future__ import annotations

import json

import pytest

from hubfork.hub.local_hub import LocalHub
from tests.conftest import run_cli


@pytest.fixture(scope="module")
def writer(tmp_path_factory):
    """A SavedModel whose __call__ writes a file (never called here)."""
    import tensorflow as tf

    target = tmp_path_factory.mktemp("target") / "written.txt"

    class Writer(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([], tf.string)])
        def __call__(self, text):
            tf.io.write_file(str(target), text)
            return text

    folder = tmp_path_factory.mktemp("writer") / "model"
    tf.saved_model.save(Writer(), str(folder))
    return folder, target


def test_pull_refuses_an_unsafe_model_without_tensorflow(writer, tripwire):
    folder, target = writer
    refused = run_cli("pull", str(folder), pythonpath=[tripwire])
    assert refused.returncode == 1, refused.stderr
    assert "WriteFile (file-write: writes files)" in refused.stderr and "--trust" in refused.stderr
    assert "Traceback" not in refused.stderr and "TRIPWIRE" not in refused.stderr
    trusted = run_cli("pull", str(folder), "--trust", pythonpath=[tripwire])
    assert trusted.returncode == 0 and trusted.stdout.strip() == str(folder)
    assert not target.exists()


def test_scan_reports_and_exits_one(writer, tripwire):
    folder, _ = writer
    result = run_cli("scan", str(folder), "--json", pythonpath=[tripwire])
    assert result.returncode == 1
    (report,) = json.loads(result.stdout)
    (finding,) = report["findings"]
    assert (finding["op"], finding["category"]) == ("WriteFile", "file-write")
    assert finding["path"] == ["object root.__call__", finding["where"]]


def test_hub_add_refuses_an_unsafe_model_and_commits_nothing(writer, tmp_path, tripwire):
    folder, _ = writer
    hub = LocalHub(tmp_path / "hub").init()
    refused = run_cli("hub", "add", str(hub.root), str(folder), "--repo-id", "acme/writer", pythonpath=[tripwire])
    assert refused.returncode == 1 and "WriteFile" in refused.stderr
    assert hub.repos() == []
    trusted = run_cli("hub", "add", str(hub.root), str(folder), "--repo-id", "acme/writer", "--trust",
                      pythonpath=[tripwire])
    assert trusted.returncode == 0, trusted.stderr
    assert hub.repos() == ["acme/writer"]


def test_embed_refuses_before_loading(writer):
    folder, target = writer
    refused = run_cli("embed", "--model", str(folder), "hello")
    assert refused.returncode == 1 and "was not loaded" in refused.stderr and "WriteFile" in refused.stderr
    assert not target.exists()
