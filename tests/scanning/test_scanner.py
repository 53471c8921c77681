"""hubfork's own models scan clean, the checkpointing functions may save and restore, verdicts
are cached by the sha256 of saved_model.pb, unreadable folders are named as such, and a graph's
findings are reported even when its weights are missing."""

from __future__ import annotations

import json
import shutil

import pytest

import hubfork
from hubfork.errors import UnreadableModelError, UnsafeModelError
from hubfork.scanning import scanner
from hubfork.scanning.scanner import check_model
from tests.fixtures.unsafe import CATEGORY, OP, WEIGHTS_GONE, Unsafe, unsafe_model, without_weights


@pytest.fixture(scope="module")
def preprocessor(tiny_preprocessor):
    """The session's preprocessor of the tiny vocab (tests/fixtures/models.py), written once for every
    test that reads one."""
    return tiny_preprocessor


@pytest.mark.parametrize("generation", ["tf1-hub", "v1", "v2", "v3", "v4"])
def test_every_generation_hubfork_writes_scans_clean(generations, generation):
    report = hubfork.scan(generations[generation])
    assert report.clean, str(report)
    assert report.meta_graphs == (2 if generation == "tf1-hub" else 1)
    assert {"MatMul", "Tanh"} <= set(report.ops)
    if generation != "tf1-hub":
        # Saving and restoring variables is the SavedModel's own checkpointing code: allowed there.
        assert {"SaveV2", "RestoreV2", "MergeV2Checkpoints"} <= set(report.ops)
        assert any("custom objects" in note for note in report.notes)


@pytest.mark.slow
def test_the_preprocessor_and_its_vocab_table_scan_clean(preprocessor):
    report = hubfork.scan(preprocessor)
    assert report.clean, str(report)
    assert {"InitializeTableFromTextFileV2", "WordpieceTokenizeWithOffsets", "RegexSplitWithOffsets"} <= set(report.ops)


def test_the_embedded_minilm_scans_clean(embedded_hub):
    for repo_id in embedded_hub.repos():
        report = hubfork.scan(embedded_hub.repo_path(repo_id))
        assert report.clean, str(report)


def test_a_verdict_is_cached_by_the_bytes_of_saved_model_pb(generations, tmp_path):
    copy = shutil.copytree(generations["v3"], tmp_path / "v3")
    first = check_model(copy)
    assert first is not None and first.clean and not first.cached
    again = check_model(copy)
    assert again.cached and again.to_dict()["findings"] == [] and again.sha256 == first.sha256
    # A cached verdict of "unsafe" is as binding as a fresh one, and found by content, not by folder.
    record = scanner._cache_file(scanner._cache_key(copy, first.sha256))
    data = json.loads(record.read_text())
    data["findings"] = [{"op": "ReadFile", "category": "file-read", "where": "f", "node": "n", "path": ["x"],
                         "detail": ""}]
    record.write_text(json.dumps(data))
    with pytest.raises(UnsafeModelError, match="ReadFile"):
        check_model(shutil.copytree(copy, tmp_path / "elsewhere"), name="org/model")
    assert check_model(copy, trust=True) is None
    # Other bytes, another verdict.
    (copy / "saved_model.pb").write_bytes((copy / "saved_model.pb").read_bytes() + b"\x00")
    with pytest.raises(UnreadableModelError):
        check_model(copy)


def test_a_corrupt_cache_entry_is_scanned_again(generations):
    report = check_model(generations["v2"])
    scanner._cache_file(scanner._cache_key(generations["v2"], report.sha256)).write_text("{not json")
    again = check_model(generations["v2"])
    assert again.clean and not again.cached


@pytest.mark.parametrize("damage, reason", [
    (lambda d: (d / "saved_model.pb").write_bytes((d / "saved_model.pb").read_bytes()[:5000]), "truncated or corrupt"),
    (lambda d: (d / "saved_model.pb").write_bytes(bytes(range(256)) * 40), "not a SavedModel"),
    (lambda d: (d / "saved_model.pb").unlink(), "no saved_model.pb"),
    (lambda d: (d / "saved_model.pb").write_bytes(b""), "no meta graph"),
])
def test_unreadable_folders_are_named_with_the_reason(generations, tmp_path, damage, reason):
    copy = shutil.copytree(generations["v3"], tmp_path / "model")
    damage(copy)
    with pytest.raises(UnreadableModelError, match=reason) as caught:
        hubfork.scan(copy)
    assert caught.value.path == str(copy)


@pytest.mark.tf  # it saves its model with tf_keras in this process
def test_a_keras_lambda_layer_is_code_execution(tmp_path):
    from hubfork.models import _tf

    keras = _tf.keras()
    inputs = keras.Input([3])
    outputs = keras.layers.Lambda(lambda x: x * 2, name="doubler")(keras.layers.Dense(2)(inputs))
    folder = tmp_path / "lambda"
    keras.Model(inputs, outputs).save(str(folder), save_format="tf")
    report = hubfork.scan(folder)
    (finding,) = [f for f in report.findings if f.op == "Lambda"]
    assert finding.category == "code-execution" and finding.node == "doubler"
    assert finding.path[0] == "keras_metadata.pb"


# ----------------------------------------------------------------------- findings first


@pytest.fixture(scope="module")
def unsafe(tmp_path_factory) -> Unsafe:
    return unsafe_model(tmp_path_factory)


#: How the weights went -> what the scan says of them.
WEIGHTS_SAY = {"no-variables-folder": "variables/variables.index is missing: saved_model.pb restores the model's "
               "weights from variables/",
               "no-data-shards": "variables/variables.index has no variables/variables.data-NNNNN-of-NNNNN beside "
               "it: the model's weights are missing"}


@pytest.mark.tf
@pytest.mark.parametrize("how", sorted(WEIGHTS_GONE))
def test_a_malicious_graph_without_its_weights_is_reported_with_its_findings(unsafe, tmp_path, how):
    folder = without_weights(unsafe.path, tmp_path / "model", how)
    report = hubfork.scan(folder)
    assert [(f.op, f.category) for f in report.findings] == [(OP, CATEGORY)]
    assert report.missing_weights.startswith(WEIGHTS_SAY[how])
    assert report.summary().endswith("1 file-write; its weights are missing too")
    assert str(report).splitlines()[-1] == (f"  note: {report.missing_weights}; it cannot be loaded as it is, and "
                                            "its graph was scanned all the same")
    assert report.to_dict()["missing_weights"] == report.missing_weights
    # The loaders' gate: the findings, not the weights, are why it is refused; fresh and from the cache.
    for cached in (False, True):
        with pytest.raises(UnsafeModelError, match=OP) as caught:
            check_model(folder, name="org/unsafe")
        assert caught.value.report.cached is cached
        assert caught.value.report.missing_weights == report.missing_weights
    # What is cached is the verdict on the graph: the weights are the folder's, checked on every call.
    record = scanner._cache_file(scanner._cache_key(folder, report.sha256))
    assert json.loads(record.read_text())["missing_weights"] == ""


@pytest.mark.tf
def test_the_cache_keeps_the_graphs_verdict_and_checks_the_weights_each_time(unsafe, tmp_path):
    folder = shutil.copytree(unsafe.path, tmp_path / "model")
    with pytest.raises(UnsafeModelError) as whole:
        check_model(folder)
    assert whole.value.report.missing_weights == ""
    record = scanner._cache_file(scanner._cache_key(folder, whole.value.report.sha256))
    assert json.loads(record.read_text())["missing_weights"] == ""  # a verdict on the graph alone
    shutil.rmtree(folder / "variables")  # gone after the verdict was cached
    with pytest.raises(UnsafeModelError) as later:
        check_model(folder)
    assert later.value.report.cached and later.value.report.missing_weights.startswith("variables/variables.index "
                                                                                       "is missing")
    # The same graph with its weights back is judged without the note again.
    shutil.copytree(unsafe.path / "variables", folder / "variables")
    with pytest.raises(UnsafeModelError) as restored:
        check_model(folder)
    assert restored.value.report.cached and restored.value.report.missing_weights == ""


@pytest.mark.parametrize("how", sorted(WEIGHTS_GONE))
def test_a_clean_graph_without_its_weights_stays_unreadable(generations, tmp_path, how):
    folder = without_weights(generations["v3"], tmp_path / "model", how)
    for check in (hubfork.scan, check_model, check_model):  # the second check_model reads its cached verdict
        with pytest.raises(UnreadableModelError) as caught:
            check(folder)
        assert caught.value.path == str(folder)
        assert caught.value.reason.startswith(WEIGHTS_SAY[how])
        assert caught.value.reason.endswith("(its graph holds no findings)")


def test_a_malicious_graph_with_keras_metadata_too_deep_to_read_is_reported(tmp_path):
    from tests.scanning.test_hostile_graphs import keras_metadata, saved_model

    folder = saved_model(tmp_path / "model", {"f0": [("read", "ReadFile", ["path"])]}, "f0")
    (folder / scanner.KERAS_METADATA).write_bytes(keras_metadata("[" * 100_000 + "]" * 100_000))
    report = hubfork.scan(folder)
    assert [(f.op, f.category) for f in report.findings] == [("ReadFile", "file-read")]
    assert report.notes == ("keras_metadata.pb: the JSON metadata of Keras object 'root.layer0' is nested too deep "
                            "to read; Keras loaders would refuse it too",)
    with pytest.raises(UnsafeModelError, match="ReadFile"):
        check_model(folder)
