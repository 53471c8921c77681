"""Path provenance (hubfork/scanning/paths.py): an op that opens a file is fine only when its path is
provably the model's own asset or the loader's checkpoint prefix. Tables filled from a path computed in
the graph, and custom saveables whose save or restore code opens another path, are refused by the scan,
the CLI, `pull_from_hub` and `load_text_model`; the legitimate ways of filling a table from an asset (TF2,
TF1's SavedModelBuilder with its build-time absolute path) and of checkpointing scan clean. A debug op's
category follows its URL.

The models are written once per run (tests/fixtures/crafted_paths.py, `built_once`) and never loaded."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import hubfork
from hubfork.errors import UnsafeModelError
from tests.conftest import run_cli, run_cli_here
from tests.fixtures.crafted import dicts_with, op_sites, read_saved_model
from tests.fixtures.crafted_paths import DEBUGGED, ESCAPES, LEGITIMATE_NAMES, build
from tests.fixtures.shared import built_once

# The load paths resolve names: keep them off any real hub.
pytestmark = pytest.mark.usefixtures("hf_isolated")

NOT_PROVABLE = "path not provably inside the model"


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> dict[str, dict[str, str]]:
    return built_once(tmp_path_factory, "crafted-paths", build)


@pytest.fixture(params=ESCAPES)
def escape(request, models) -> dict[str, str]:
    record = models[request.param]
    # Precondition: the op the record names is in the model, so a miss below is the scanner's.
    assert op_sites(Path(record["path"]), record["op"]), record
    return record


def test_scan_reports_a_path_not_provably_inside_the_model(escape):
    report = hubfork.scan(escape["path"])
    found = [f for f in report.findings if f.op == escape["op"]]
    assert found, [str(f) for f in report.findings]
    sites = op_sites(Path(escape["path"]), escape["op"])
    for finding in found:
        assert finding.category == escape["category"]
        assert NOT_PROVABLE in finding.detail
        # It names the function and the chain of calls that reaches it.
        assert finding.where in sites and finding.path
        assert finding.where == "graph" or finding.path[-1] == finding.where


def test_pull_from_hub_refuses_it(escape):
    with pytest.raises(UnsafeModelError) as caught:
        hubfork.pull_from_hub(escape["path"])
    assert escape["op"] in str(caught.value) and "trust=True" in str(caught.value)


def test_load_text_model_refuses_it(escape):
    with pytest.raises(UnsafeModelError) as caught:
        hubfork.load_text_model(escape["path"])
    assert any(f.op == escape["op"] and NOT_PROVABLE in f.detail for f in caught.value.report.findings)


def test_the_cli_exits_1_and_lists_each_escape(models):
    paths = [models[name]["path"] for name in ESCAPES]
    result = run_cli_here("scan", "--json", *paths)
    assert result.returncode == 1, result.stdout + result.stderr
    text = result.stdout
    reports = {Path(r["path"]).resolve(): r for r in dicts_with(json.loads(text), "findings")}
    for name in ESCAPES:
        findings = reports[Path(models[name]["path"]).resolve()]["findings"]
        assert any(f["op"] == models[name]["op"] and NOT_PROVABLE in f["detail"] for f in findings), name


def test_the_cli_in_a_real_process_exits_1_on_a_computed_table_path(models):
    result = run_cli("scan", models["table-regex-of-asset"]["path"])
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert NOT_PROVABLE in result.stdout


# --------------------------------------------------------------------------- legitimate


@pytest.mark.parametrize("name", LEGITIMATE_NAMES)
def test_a_legitimate_model_scans_clean(models, name):
    report = hubfork.scan(models[name]["path"])
    assert report.clean, str(report)
    # Not vacuous: each opens a file the rule had to clear (a table's asset, a checkpoint).
    assert {"InitializeTableFromTextFileV2", "RestoreV2"} & set(report.ops), report.ops


def test_the_cli_passes_the_legitimate_models(models):
    result = run_cli_here("scan", *(models[name]["path"] for name in LEGITIMATE_NAMES))
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_tf1_asset_constant_holds_a_build_time_absolute_path(models):
    """The TF1 model really is the case the rule is about: a constant outside the model, named as an asset."""
    from tensorflow.core.protobuf.meta_graph_pb2 import AssetFileDef

    meta_graph = read_saved_model(Path(models["tf1-builder-vocab-asset"]["path"])).meta_graphs[0]
    assert not meta_graph.asset_file_def  # SavedModelBuilder records its assets in a collection
    asset = AssetFileDef()
    assert meta_graph.collection_def["saved_model_assets"].any_list.value[0].Unpack(asset)
    node = next(n for n in meta_graph.graph_def.node if n.name == asset.tensor_info.name.split(":")[0])
    assert node.op == "Const" and node.attr["value"].tensor.string_val[0].decode().startswith("/")
    assert asset.filename == "vocab.txt"


def test_a_tf1_constant_path_that_is_no_asset_is_a_finding(models, tmp_path):
    """The same model with its asset record dropped: the constant is just a path written into the graph."""
    copy = shutil.copytree(models["tf1-builder-vocab-asset"]["path"], tmp_path / "model")
    proto = read_saved_model(copy)
    del proto.meta_graphs[0].collection_def["saved_model_assets"]
    (copy / "saved_model.pb").write_bytes(proto.SerializeToString())
    findings = hubfork.scan(copy).findings
    assert any(f.op == "InitializeTableFromTextFileV2" and NOT_PROVABLE in f.detail for f in findings), findings


def test_a_tf1_asset_whose_file_climbs_out_of_the_model_is_a_finding(models, tmp_path):
    """The loader joins the asset's file name to assets/: one that climbs out is no asset of the model."""
    from tensorflow.core.protobuf.meta_graph_pb2 import AssetFileDef

    copy = shutil.copytree(models["tf1-builder-vocab-asset"]["path"], tmp_path / "model")
    proto = read_saved_model(copy)
    item = proto.meta_graphs[0].collection_def["saved_model_assets"].any_list.value[0]
    asset = AssetFileDef()
    item.Unpack(asset)
    asset.filename = "../../secret.txt"
    item.Pack(asset)
    (copy / "saved_model.pb").write_bytes(proto.SerializeToString())
    findings = hubfork.scan(copy).findings
    assert any(f.op == "AssetFileDef" and "../../secret.txt" in f.detail for f in findings), findings
    assert any(f.op == "InitializeTableFromTextFileV2" and NOT_PROVABLE in f.detail for f in findings), findings


def test_a_tf2_initializer_capturing_something_else_than_the_asset_is_a_finding(models, tmp_path):
    """The loader passes an initializer the objects the object graph binds to it: bound to a variable
    instead of the asset, the table reads whatever path the variable holds."""
    copy = shutil.copytree(models["tf2-vocab-asset-table"]["path"], tmp_path / "model")
    proto = read_saved_model(copy)
    graph = proto.meta_graphs[0].object_graph_def
    variable = next(i for i, node in enumerate(graph.nodes) if node.WhichOneof("kind") == "variable")
    rebound = 0
    for name, function in graph.concrete_functions.items():
        for position, index in enumerate(function.bound_inputs):
            if graph.nodes[index].WhichOneof("kind") == "asset":
                function.bound_inputs[position] = variable
                rebound += 1
    assert rebound  # precondition: some function captures the asset
    (copy / "saved_model.pb").write_bytes(proto.SerializeToString())
    findings = hubfork.scan(copy).findings
    assert any(f.op == "InitializeTableFromTextFileV2" and NOT_PROVABLE in f.detail for f in findings), findings


# --------------------------------------------------------------------------- debug ops


@pytest.mark.parametrize("name", DEBUGGED)
def test_a_debug_ops_category_follows_its_url(models, name):
    record = models[name]
    findings = [f for f in hubfork.scan(record["path"]).findings if f.op == record["op"]]
    assert findings and {f.category for f in findings} == {record["category"]}, findings
    scheme = "file://" if record["category"] == "file-write" else "grpc://"
    assert all(scheme in f.detail for f in findings)


# --------------------------------------------------------------------------- the rule, on graphs written by hand
# Written with the scanner's own message classes (as tests/scanning/test_hostile_graphs.py does): each is the
# smallest graph that holds one case of the rule.


def graph_model(folder: Path, graph: list[tuple], functions: dict[str, list[tuple]] | None = None,
                asset: str | None = None) -> Path:
    """A SavedModel whose graph holds `graph`'s nodes and whose library holds `functions` (each taking an
    argument ``arg``); a node is (name, op, inputs, attrs) with attrs {name: str, list of str, or ("func",
    name)}; the saver's filename tensor is ``saver_filename``; `asset` names the asset tensor."""
    from hubfork.scanning.protos import parse

    model = parse("SavedModel", b"")
    meta_graph = model.meta_graphs.add()
    meta_graph.saver_def.filename_tensor_name = "saver_filename:0"
    if asset:
        meta_graph.asset_file_def.add(filename="vocab.txt").tensor_info.name = f"{asset}:0"

    def add(nodes, name, op, inputs, attrs=None):
        node = nodes.add(name=name, op=op)
        node.input.extend(inputs)
        for key, value in (attrs or {}).items():
            if isinstance(value, tuple):
                node.attr[key].func.name = value[1]
            elif isinstance(value, list):
                node.attr[key].list.s.extend(v.encode() for v in value)
            elif key == "value":
                node.attr[key].tensor.string_val.append(value.encode())
            else:
                node.attr[key].s = value.encode()

    for node in graph:
        add(meta_graph.graph_def.node, *node)
    for name, nodes in (functions or {}).items():
        function = meta_graph.graph_def.library.function.add()
        function.signature.name = name
        function.signature.input_arg.add(name="arg")
        for node in nodes:
            add(function.node_def, *node)
    folder.mkdir(parents=True)
    (folder / "saved_model.pb").write_bytes(model.SerializeToString())
    return folder


def path_findings(folder: Path) -> list:
    return [f for f in hubfork.scan(folder).findings if NOT_PROVABLE in f.detail]


def saver_graph(suffixes: list[str]) -> list[tuple]:
    """The saver's save: its filename joined with each suffix in turn, then SaveV2 there."""
    nodes = [("saver_filename", "Placeholder", [])]
    last = "saver_filename"
    for number, suffix in enumerate(suffixes):
        nodes += [(f"suffix{number}", "Const", [], {"value": suffix}),
                  (f"join{number}", "StringJoin", [last, f"suffix{number}"])]
        last = f"join{number}"
    return nodes + [("shard", "ShardedFilename", [last]), ("save", "SaveV2", ["shard"])]


def with_saver(folder: Path, suffixes: list[str]) -> Path:
    model = graph_model(folder, saver_graph(suffixes))
    from hubfork.scanning.protos import parse

    proto = parse("SavedModel", (model / "saved_model.pb").read_bytes())
    proto.meta_graphs[0].saver_def.save_tensor_name = "save"
    (model / "saved_model.pb").write_bytes(proto.SerializeToString())
    return model


@pytest.mark.parametrize("suffixes", [[], ["_temp/part"], [".part"], ["_temp", "/part"]])
def test_the_checkpoint_prefix_with_the_formats_own_suffixes_is_the_loaders(tmp_path, suffixes):
    report = hubfork.scan(with_saver(tmp_path / "model", suffixes))
    assert report.clean, str(report)
    assert {"SaveV2", "StringJoin"} <= set(report.ops) or not suffixes


@pytest.mark.parametrize("suffixes", [["/../../elsewhere"], ["/", "..", "/x"], ["/.", "./x"], ["/x/"]])
def test_a_suffix_that_can_climb_out_of_the_checkpoint_folder_is_a_finding(tmp_path, suffixes):
    (finding,) = path_findings(with_saver(tmp_path / "model", suffixes))
    assert (finding.op, finding.node, finding.category) == ("SaveV2", "save", "file-write")


def table_init(source: str) -> list[tuple]:
    return [("table", "HashTableV2", []), ("init", "InitializeTableFromTextFileV2", ["table", source])]


def test_an_asset_passed_by_a_call_is_the_models_own(tmp_path):
    model = graph_model(tmp_path / "model", [("asset", "Placeholder", []),
                                             ("call", "StatefulPartitionedCall", ["asset"], {"f": ("func", "init")})],
                        {"init": table_init("arg")}, asset="asset")
    assert hubfork.scan(model).clean


def test_an_asset_passed_to_a_branch_is_not_followed(tmp_path):
    """Only calls that pass their inputs as the arguments are followed: a function also run as a branch
    (whose arguments the If node does not pass in order) has an argument that is "other"."""
    model = graph_model(tmp_path / "model", [("asset", "Placeholder", []), ("cond", "Placeholder", []),
                                             ("call", "StatefulPartitionedCall", ["asset"], {"f": ("func", "init")}),
                                             ("if", "If", ["cond", "asset"], {"then_branch": ("func", "init"),
                                                                              "else_branch": ("func", "init")})],
                        {"init": table_init("arg")}, asset="asset")
    (finding,) = path_findings(model)
    assert (finding.op, finding.where) == ("InitializeTableFromTextFileV2", "init")


@pytest.mark.parametrize("written", [False, True])
def test_a_graph_variable_holds_an_asset_only_if_nothing_else_is_assigned_to_it(tmp_path, written):
    """TF2 exports hand the init op an asset through a graph variable assigned only the asset tensor."""
    graph = [("asset", "Placeholder", []), ("variable", "VarHandleOp", []),
             ("assign", "AssignVariableOp", ["variable", "asset"]), ("read", "ReadVariableOp", ["variable"]),
             ("call", "StatefulPartitionedCall", ["read"], {"f": ("func", "init")})]
    if written:
        graph += [("elsewhere", "Const", [], {"value": "/etc/passwd"}),
                  ("overwrite", "AssignVariableOp", ["variable", "elsewhere"])]
    model = graph_model(tmp_path / "model", graph, {"init": table_init("arg")}, asset="asset")
    findings = hubfork.scan(model).findings
    assert len(findings) == len(path_findings(model)) == (1 if written else 0), findings


@pytest.mark.parametrize("asset_first", [True, False])
def test_one_call_passing_another_path_spoils_the_argument_for_every_call(tmp_path, asset_first):
    calls = [("call", "StatefulPartitionedCall", ["asset"], {"f": ("func", "init")}),
             ("call2", "StatefulPartitionedCall", ["other"], {"f": ("func", "init")})]
    model = graph_model(tmp_path / "model", [("asset", "Placeholder", []), ("other", "Placeholder", []),
                                             *(calls if asset_first else calls[::-1])],
                        {"init": table_init("arg")}, asset="asset")
    (finding,) = path_findings(model)
    assert finding.where == "init"


def test_a_function_the_object_graph_names_without_its_captures_takes_any_path(tmp_path):
    """The loader may call an object's function itself: with no record of what it captures, its
    argument is not provably the asset the graph's own call passes."""
    from hubfork.scanning.protos import parse

    model = graph_model(tmp_path / "model", [("asset", "Placeholder", []),
                                             ("call", "StatefulPartitionedCall", ["asset"], {"f": ("func", "init")})],
                        {"init": table_init("arg")}, asset="asset")
    assert hubfork.scan(model).clean  # precondition: the graph's call alone passes the asset
    proto = parse("SavedModel", (model / "saved_model.pb").read_bytes())
    proto.meta_graphs[0].object_graph_def.nodes.add().function.concrete_functions.append("init")
    (model / "saved_model.pb").write_bytes(proto.SerializeToString())
    (finding,) = path_findings(model)
    assert (finding.op, finding.where) == ("InitializeTableFromTextFileV2", "init")
