"""The command line scans before it loads or commits: `pull`, `embed` and `hub add` refuse a
model whose graph writes files, `--trust` lets it through, and none of it needs TensorFlow. A graph's
findings come first: `scan` exits 1 on a malicious graph whose weights are missing, 2 only when nothing
but the missing weights can be said."""

from __future__ import annotations

import json

import pytest

from hubfork.hub.local_hub import LocalHub
from tests.conftest import run_cli, run_cli_here
from tests.fixtures.unsafe import CATEGORY, OP, WEIGHTS_GONE, Unsafe, unsafe_model, without_weights


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


@pytest.mark.tf  # `writer` saves its model with TensorFlow in this process
def test_pull_refuses_an_unsafe_model_without_tensorflow(writer, tripwire):
    folder, target = writer
    refused = run_cli("pull", str(folder), pythonpath=[tripwire])
    assert refused.returncode == 1, refused.stderr
    assert "WriteFile (file-write: writes files)" in refused.stderr and "--trust" in refused.stderr
    assert "Traceback" not in refused.stderr and "TRIPWIRE" not in refused.stderr
    trusted = run_cli("pull", str(folder), "--trust", pythonpath=[tripwire])
    assert trusted.returncode == 0 and trusted.stdout.strip() == str(folder)
    assert not target.exists()


@pytest.mark.tf  # `writer` saves its model with TensorFlow in this process
def test_scan_reports_and_exits_one(writer, tripwire):
    folder, _ = writer
    result = run_cli("scan", str(folder), "--json", pythonpath=[tripwire])
    assert result.returncode == 1
    (report,) = json.loads(result.stdout)
    (finding,) = report["findings"]
    assert (finding["op"], finding["category"]) == ("WriteFile", "file-write")
    assert finding["path"] == ["object root.__call__", finding["where"]]


@pytest.mark.tf  # `writer` saves its model with TensorFlow in this process
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


@pytest.mark.tf  # `writer` saves its model with TensorFlow in this process
def test_embed_refuses_before_loading(writer):
    folder, target = writer
    refused = run_cli("embed", "--model", str(folder), "hello")
    assert refused.returncode == 1 and "was not loaded" in refused.stderr and "WriteFile" in refused.stderr
    assert not target.exists()


# ------------------------------------------------------------------- findings without weights


@pytest.fixture(scope="module")
def unsafe(tmp_path_factory) -> Unsafe:
    return unsafe_model(tmp_path_factory)


@pytest.mark.tf
@pytest.mark.parametrize("how", sorted(WEIGHTS_GONE))
def test_scan_exits_one_on_a_malicious_graph_without_weights(unsafe, tmp_path, how):
    folder = without_weights(unsafe.path, tmp_path / "model", how)
    shown = run_cli_here("scan", str(folder))
    assert shown.returncode == 1, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0] == f"{folder}: 1 finding(s): 1 file-write; its weights are missing too"
    assert lines[1].startswith(f"  - {OP} ({CATEGORY}: writes files)")
    assert lines[-1].startswith("  note: variables/variables.index ") and "weights" in lines[-1]
    assert "unreadable" not in shown.stdout + shown.stderr
    listed = run_cli_here("scan", str(folder), "--json")
    assert listed.returncode == 1
    (report,) = json.loads(listed.stdout)
    assert [f["op"] for f in report["findings"]] == [OP] and report["missing_weights"] in lines[-1]


def test_scan_exits_two_on_a_clean_graph_without_weights(generations, tmp_path):
    folder = without_weights(generations["v3"], tmp_path / "model", "no-data-shards")
    result = run_cli_here("scan", str(folder))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == (f"{folder}: unreadable: variables/variables.index has no variables/variables.data-"
                             "NNNNN-of-NNNNN beside it: the model's weights are missing (its graph holds no "
                             "findings)\n")


@pytest.mark.tf
def test_hub_add_refuses_a_malicious_graph_without_weights(unsafe, tmp_path):
    folder = without_weights(unsafe.path, tmp_path / "model", "no-variables-folder")
    hub = LocalHub(tmp_path / "hub").init()
    refused = run_cli_here("hub", "add", str(hub.root), str(folder), "--repo-id", "acme/unsafe")
    assert refused.returncode == 1 and "was not loaded" in refused.stderr and OP in refused.stderr
    assert hub.repos() == [] and list((hub.mirrors / "models").iterdir()) == []
