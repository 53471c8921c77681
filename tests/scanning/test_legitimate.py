"""The scanner against legitimate SavedModels (tests/fixtures/legitimate.py), the counterpart of the crafted
malicious ones: models written the ways real models are (Keras 3 and tf_keras, TF Text tokenizers, tf.signal,
tf.image, tf.audio, ragged tensors, random generators, loops, custom gradients, a training signature, a TF1
`SavedModelBuilder` with a vocab asset) all scan clean. A scanner that refused them would teach its users to
pass ``trust=True``.

Each model is first checked to hold the ops of the authoring path it stands for, so a clean scan is the
scanner's verdict on those ops, not a model that no longer holds them."""

from __future__ import annotations

from pathlib import Path

import pytest
from tensorflow.core.protobuf.meta_graph_pb2 import AssetFileDef

import hubfork
from hubfork.scanning import check_model
from tests.conftest import run_cli_here
from tests.fixtures.crafted import read_saved_model
from tests.fixtures.legitimate import BY_NAME, NAMES, SKIPPED, build_all
from tests.fixtures.shared import built_once, run_folder


@pytest.fixture(scope="module")
def legitimate(tmp_path_factory) -> dict[str, Path]:
    built = built_once(tmp_path_factory, "legitimate", build_all)
    folder = run_folder(tmp_path_factory) / "shared-legitimate"
    return {name: folder / relative for name, relative in built.items()}


def all_ops(path: Path) -> set[str]:
    """Every op type in the SavedModel at `path`: its graphs' nodes and its library functions' nodes."""
    ops: set[str] = set()
    for meta_graph in read_saved_model(path).meta_graphs:
        ops.update(node.op for node in meta_graph.graph_def.node)
        for function in meta_graph.graph_def.library.function:
            ops.update(node.op for node in function.node_def)
    return ops


@pytest.fixture(params=NAMES)
def model(request, legitimate) -> Path:
    name = request.param
    if name in SKIPPED:
        pytest.skip(SKIPPED[name])
    path = legitimate[name]
    # Precondition: the model holds the ops its authoring path puts there, so a clean scan below means
    # the scanner passes them.
    missing = set(BY_NAME[name].holds) - all_ops(path)
    assert not missing, f"{name}: does not hold {sorted(missing)}"
    return path


def described(report) -> list[tuple[str, str, str]]:
    return [(finding.op, finding.category, finding.where) for finding in report.findings]


def test_scan_passes_it(model):
    report = hubfork.scan(model)
    assert report.clean and not report.findings, f"{model.name}: {described(report)}"


def test_the_load_gate_passes_it(model):
    """What `pull_from_hub` and `load_text_model` call before loading: no UnsafeModelError."""
    report = check_model(model, name=model.name)
    assert report is not None and report.clean, f"{model.name}: {described(report)}"


def test_the_cli_passes_the_whole_set(legitimate):
    result = run_cli_here("scan", *(str(path) for path in legitimate.values()))
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_tf1_vocab_constant_holds_the_build_time_path(legitimate):
    """The hard case of the TF1 model: its asset tensor is a Const holding the absolute path the vocabulary
    had when the model was built, outside the model; only the ``saved_model_assets`` collection (where
    `SavedModelBuilder` lists assets, not ``asset_file_def``) says the loader replaces it with the copy in
    ``assets/``."""
    path = legitimate["tf1-builder-vocab-asset"]
    (meta_graph,) = read_saved_model(path).meta_graphs
    (const,) = [node for node in meta_graph.graph_def.node if node.name == "vocab_path"]
    built_at = Path(const.attr["value"].tensor.string_val[0].decode())
    assert built_at.is_absolute() and built_at.name == "vocab.txt"
    assert path.resolve() not in built_at.resolve().parents
    assets = [AssetFileDef.FromString(value.value)
              for value in meta_graph.collection_def["saved_model_assets"].any_list.value]
    assert {(asset.filename, asset.tensor_info.name) for asset in assets} == {("vocab.txt", "vocab_path:0")}
    assert (path / "assets" / "vocab.txt").is_file()
