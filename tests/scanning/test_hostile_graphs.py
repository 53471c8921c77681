"""The scanner against SavedModels built to exhaust it: a chain of calls 50,000 deep, thousands of
vocab tables at the end of one long chain of nodes, a saved_model.pb over protobuf's 2 GiB limit,
and keras_metadata.pb nested 100,000 deep. Each is scanned to a verdict (or named unreadable in one
line), in little memory and time, never a traceback.

The models are written as protobufs directly (with the scanner's own message classes), not traced
with TensorFlow: 50,000 tf.functions would take longer to trace than any scan. The bounds on memory
and CPU time are resource limits on a fresh `hubfork scan` process: a scanner that outgrows them is
stopped (MemoryError, SIGXCPU), and the limits are far above what a linear scan needs.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import hubfork
from hubfork.errors import UnreadableModelError
from hubfork.scanning.calls import HEAD, TAIL
from hubfork.scanning.protos import parse
from hubfork.scanning.scanner import KERAS_METADATA, MAX_PROTO_BYTES, SAVED_MODEL
from tests.conftest import ROOT

#: Address space a `hubfork scan` process may use: about ten times what it needs for a 50,000-deep chain
#: scanned linearly, a tenth of what a path copied per call takes at that depth.
MEMORY_BOUND = 1 << 30
#: CPU seconds a `hubfork scan` process may use (a bound on a runaway scan, not a measured time).
CPU_BOUND = 60


def message(name: str) -> Any:
    """An empty message of the scanner's schema, to fill in."""
    return parse(name, b"")


def saved_model(folder: Path, functions: dict[str, list[tuple]], entry: str) -> Path:
    """Write a SavedModel whose root object's only function is `entry`: `functions` maps each library
    function (all of which take an argument ``path``) to its nodes, each (name, op, inputs) or, for a
    string constant, (name, "Const", [], value). An op that names a library function calls it."""
    model = message("SavedModel")
    meta_graph = model.meta_graphs.add()
    meta_graph.meta_info_def.tags.append("serve")
    for function_name, nodes in functions.items():
        function = meta_graph.graph_def.library.function.add()
        function.signature.name = function_name
        function.signature.input_arg.add(name="path")
        for name, op, inputs, *value in nodes:
            node = function.node_def.add(name=name, op=op)
            node.input.extend(inputs)
            if value:
                node.attr["value"].tensor.string_val.append(value[0].encode())
    meta_graph.object_graph_def.nodes.add().function.concrete_functions.append(entry)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / SAVED_MODEL).write_bytes(model.SerializeToString())
    return folder


def chain(folder: Path, depth: int, *, twice: bool = False, every: bool = False) -> Path:
    """f0 calls f1 calls f2 ... f<depth-1>, which reads a file (each call twice with `twice`; with `every`,
    each function reads one)."""
    read = [("read", "ReadFile", ["path"])]
    functions = {}
    for level in range(depth - 1):
        calls = [(f"call{n}", f"f{level + 1}", ["path"]) for n in range(2 if twice else 1)]
        functions[f"f{level}"] = calls + (read if every else [])
    functions[f"f{depth - 1}"] = read
    return saved_model(folder, functions, "f0")


def bounded(*args: str) -> subprocess.CompletedProcess:
    """``python ARGS`` in a fresh process held to `MEMORY_BOUND` and `CPU_BOUND`."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BOUND, MEMORY_BOUND))
        resource.setrlimit(resource.RLIMIT_CPU, (CPU_BOUND, CPU_BOUND))

    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, preexec_fn=limit,
                          timeout=600)


def scan_bounded(*paths: Path, json_output: bool = True) -> subprocess.CompletedProcess:
    """``hubfork scan [--json] PATHS``, bounded."""
    return bounded("-m", "hubfork", "scan", *(["--json"] if json_output else []), *map(str, paths))


def one_line(result: subprocess.CompletedProcess) -> str:
    """What an unreadable model's scan said: one line on stderr, exit 2, nothing on stdout."""
    assert result.returncode == 2, result.stderr[-2000:]
    assert result.stdout == "" and result.stderr.count("\n") == 1, result.stderr[-2000:]
    return result.stderr.rstrip("\n")


def report_of(result: subprocess.CompletedProcess, status: int) -> dict:
    """The one report of a bounded ``hubfork scan --json``, which exited with `status`."""
    assert result.returncode == status, (result.returncode, result.stderr[-2000:])
    (report,) = json.loads(result.stdout)
    return report


# --------------------------------------------------------------------------- deep chains of calls


def test_a_finding_is_reached_by_its_whole_path_of_calls(tmp_path):
    (finding,) = hubfork.scan(chain(tmp_path / "five", 5)).findings
    assert (finding.op, finding.where, finding.node) == ("ReadFile", "f4", "read")
    assert finding.path == ("object root", "f0", "f1", "f2", "f3", "f4")
    # As deep as the path is spelled out in full.
    depth = HEAD + TAIL
    (finding,) = hubfork.scan(chain(tmp_path / "full", depth)).findings
    assert finding.path == ("object root", *(f"f{level}" for level in range(depth)))


def test_a_deeper_path_counts_the_calls_between_its_first_and_last(tmp_path):
    (finding,) = hubfork.scan(chain(tmp_path / "deep", 1000)).findings
    assert finding.where == "f999"
    assert finding.path == ("object root", *(f"f{level}" for level in range(HEAD)),
                            f"({1000 - HEAD - TAIL} more calls)", *(f"f{level}" for level in range(1000 - TAIL, 1000)))


def test_each_function_is_walked_once_however_often_it_is_called(tmp_path):
    # Every function calls the next twice: 2**200 paths, 200 functions, one finding by a shortest path.
    report = hubfork.scan(chain(tmp_path / "twice", 200, twice=True))
    (finding,) = report.findings
    assert finding.where == "f199" and len(finding.path) == 1 + HEAD + 1 + TAIL
    assert report.ops == {"ReadFile": 1} and report.functions == 200
    # Calls round a cycle end where they began.
    cycle = saved_model(tmp_path / "cycle", {"f0": [("call", "f1", ["path"])],
                                             "f1": [("back", "f0", ["path"]), ("read", "ReadFile", ["path"])]}, "f0")
    (finding,) = hubfork.scan(cycle).findings
    assert finding.path == ("object root", "f0", "f1")


@pytest.mark.slow
def test_a_chain_of_calls_50000_deep_is_scanned_in_little_memory(tmp_path):
    depth = 50_000
    result = scan_bounded(chain(tmp_path / "deep", depth))
    report = report_of(result, 1)
    (finding,) = report["findings"]
    assert (finding["op"], finding["where"]) == ("ReadFile", f"f{depth - 1}")
    assert finding["path"] == ["object root", *(f"f{level}" for level in range(HEAD)),
                               f"({depth - HEAD - TAIL:,} more calls)",
                               *(f"f{level}" for level in range(depth - TAIL, depth))]
    assert report["functions"] == depth


@pytest.mark.slow
def test_a_finding_in_every_function_of_a_20000_deep_chain_keeps_each_path_short(tmp_path):
    # 20,000 findings, each with its own path: spelled out in full they would hold 200 million names.
    depth = 20_000
    result = scan_bounded(chain(tmp_path / "every", depth, every=True))
    report = report_of(result, 1)
    findings = {finding["where"]: finding["path"] for finding in report["findings"]}
    assert len(findings) == depth and all(len(path) <= 1 + HEAD + 1 + TAIL for path in findings.values())
    assert findings["f2"] == ["object root", "f0", "f1", "f2"]
    assert findings["f10000"][HEAD + 1] == f"({10_001 - HEAD - TAIL:,} more calls)"


# --------------------------------------------------------------------------- long chains of nodes


def test_thousands_of_vocab_tables_on_one_long_chain_of_nodes(tmp_path):
    # 30,000 Identity nodes in a row from the model's own asset (the graph tensor its asset_file_def names),
    # a vocab table filled from each: clean. One more table is filled from the chain's end joined with a
    # path written into the graph: not provably inside the model.
    length = 30_000
    model = message("SavedModel")
    meta_graph = model.meta_graphs.add()
    meta_graph.meta_info_def.tags.append("serve")
    meta_graph.asset_file_def.add(filename="vocab.txt").tensor_info.name = "asset:0"
    nodes = [("asset", "Placeholder", []), ("table", "HashTableV2", []), ("n0", "Identity", ["asset"])]
    nodes += [(f"n{i}", "Identity", [f"n{i - 1}"]) for i in range(1, length)]
    nodes += [(f"table{i}", "InitializeTableFromTextFileV2", ["table", f"n{i}"]) for i in range(length)]
    nodes += [("joined", "StringJoin", [f"n{length - 1}", "secret"]),
              ("stolen", "InitializeTableFromTextFileV2", ["table", "joined"])]
    for name, op, inputs in nodes:
        meta_graph.graph_def.node.add(name=name, op=op).input.extend(inputs)
    meta_graph.graph_def.node.add(name="secret", op="Const").attr["value"].tensor.string_val.append(b"/etc/passwd")
    folder = tmp_path / "tables"
    folder.mkdir()
    (folder / SAVED_MODEL).write_bytes(model.SerializeToString())
    report = report_of(scan_bounded(folder), 1)
    (finding,) = report["findings"]
    assert (finding["op"], finding["node"], finding["category"]) == ("InitializeTableFromTextFileV2", "stolen",
                                                                      "file-read")
    assert "path not provably inside the model" in finding["detail"]
    assert report["ops"]["InitializeTableFromTextFileV2"] == length + 1


# --------------------------------------------------------------------------- sizes and nesting of the files


def test_a_saved_model_pb_over_protobufs_limit_is_unreadable_unread(tmp_path):
    folder = tmp_path / "huge"
    folder.mkdir()
    with open(folder / SAVED_MODEL, "wb") as handle:
        handle.truncate(3 << 30)  # sparse: 3 GiB that take no disk
    assert (folder / SAVED_MODEL).stat().st_size > MAX_PROTO_BYTES
    reason = (f"cannot read {SAVED_MODEL}: the file is 3221.2 MB; at most 2147.5 MB is read (protobuf parses no "
              "message of 2 GiB or more)")
    with pytest.raises(UnreadableModelError) as caught:
        hubfork.scan(folder)
    assert caught.value.reason == reason
    assert one_line(scan_bounded(folder, json_output=False)) == f"{folder}: unreadable: {reason}"


def test_a_keras_metadata_pb_over_protobufs_limit_is_noted_unread(tmp_path):
    folder = saved_model(tmp_path / "huge-keras", {"f0": [("identity", "Identity", ["path"])]}, "f0")
    with open(folder / KERAS_METADATA, "wb") as handle:
        handle.truncate(3 << 30)
    # The scan, and the gate (whose cache key is a digest of the file too), in one bounded process.
    script = ("import sys; from hubfork.scanning.scanner import check_model, scan; "
              "print(repr(scan(sys.argv[1]).notes)); print(repr(check_model(sys.argv[1]).notes))")
    result = bounded("-c", script, str(folder))
    assert result.returncode == 0, result.stderr[-2000:]
    note = (f"{KERAS_METADATA} could not be read ([Errno 27] the file is 3221.2 MB; at most 2147.5 MB is read: "
            f"'{folder / KERAS_METADATA}'); Keras loaders would refuse it too")
    assert result.stdout.splitlines() == [repr((note,))] * 2


def keras_model(folder: Path, metadata: bytes) -> Path:
    saved_model(folder, {"f0": [("identity", "Identity", ["path"])]}, "f0")
    (folder / KERAS_METADATA).write_bytes(metadata)
    return folder


def keras_metadata(*configs: str) -> bytes:
    metadata = message("KerasMetadata")
    for number, config in enumerate(configs):
        metadata.nodes.add(node_id=number, node_path=f"root.layer{number}", metadata=config)
    return metadata.SerializeToString()


def test_keras_metadata_json_nested_100000_deep_is_unreadable_in_one_line(tmp_path):
    folder = keras_model(tmp_path / "deep-json", keras_metadata('{"class_name": "Dense"}',
                                                                "[" * 100_000 + "]" * 100_000))
    reason = f"{KERAS_METADATA}: the JSON metadata of Keras object 'root.layer1' is nested too deep to read"
    with pytest.raises(UnreadableModelError) as caught:
        hubfork.scan(folder)
    assert caught.value.reason == reason
    assert one_line(scan_bounded(folder, json_output=False)) == f"{folder}: unreadable: {reason}"


def test_a_lambda_deep_in_keras_json_is_still_found(tmp_path):
    # As deep as Python's JSON decoder goes here, deeper than a walk of two frames a level could follow.
    depth = 600
    config = '{"class_name": "Wrapper", "config": ' + "[" * depth + '{"function_type": "lambda"}' + "]" * depth + "}"
    report = hubfork.scan(keras_model(tmp_path / "deep-lambda", keras_metadata(config)))
    (finding,) = report.findings
    assert (finding.op, finding.category, finding.path) == ("Lambda", "code-execution",
                                                            ("keras_metadata.pb", "root.layer0"))


def test_keras_metadata_protobuf_nested_100000_deep_is_noted_unreadable(tmp_path):
    # Field 7 of a Keras object, as groups inside groups: protobuf refuses to go that deep.
    depth = 100_000
    groups = bytes([7 << 3 | 3]) * depth + bytes([7 << 3 | 4]) * depth
    length = len(groups)
    varint = bytearray()
    while True:
        varint.append(length & 0x7F | (0x80 if length > 0x7F else 0))
        length >>= 7
        if not length:
            break
    folder = keras_model(tmp_path / "deep-proto", bytes([1 << 3 | 2]) + bytes(varint) + groups)
    report = hubfork.scan(folder)
    assert report.clean
    (note,) = report.notes
    assert note.startswith(f"{KERAS_METADATA} could not be read (")
