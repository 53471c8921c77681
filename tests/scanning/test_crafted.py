"""The scanner against crafted malicious SavedModels (tests/fixtures/crafted.py): each is reported with the op
it abuses and its category, and both load paths refuse it before it runs, whether the op sits in ``__call__``,
two functions behind it, in a branch or loop body, in a TF1 graph, or in what loading alone runs (an init op,
a checkpoint restore function, a vocab table filled from outside the folder). A SavedModel that cannot be read
is refused with a one-line reason, never a traceback.

`hubfork scan` runs as a real process once (`test_the_cli_exits_1_on_a_crafted_model`); the other CLI tests
check its output and exit status, and run it in this process (`run_cli_here`)."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest
from google.protobuf.message import DecodeError

import hubfork
from hubfork.errors import ModelFormatError, UnreadableModelError, UnsafeModelError
from tests.conftest import run_cli, run_cli_here
from tests.fixtures.crafted import NAMES, Crafted, build_all, calls, dicts_with, op_sites, read_saved_model

# The load paths resolve names: keep them off any real hub.
pytestmark = pytest.mark.usefixtures("hf_isolated")


@pytest.fixture(scope="module")
def crafted(tmp_path_factory) -> dict[str, Crafted]:
    return {model.name: model for model in build_all(tmp_path_factory.mktemp("crafted"))}


@pytest.fixture(params=NAMES)
def model(request, crafted) -> Crafted:
    model = crafted[request.param]
    sites = op_sites(model.path, model.op)
    # Precondition: the model holds what its record claims, where it claims, so a miss below is the scanner's.
    assert sites and min(sites.values()) == model.depth, f"{model.name}: {model.op} sits at {sites}"
    return model


def function_chain(model: Crafted, path: tuple[str, ...]) -> list[str]:
    """The longest tail of a finding's path made of functions of the model's library."""
    library = {f.signature.name for graph in read_saved_model(model.path).meta_graphs
               for f in graph.graph_def.library.function}
    chain: list[str] = []
    for name in reversed(path):
        if name not in library:
            break
        chain.insert(0, name)
    return chain


def test_scan_reports_the_op_with_its_category_where_it_sits(model):
    report = hubfork.scan(model.path)
    assert not report.clean, f"{model.name}: scanned clean"
    found = [finding for finding in report.findings if finding.op == model.op]
    assert found, f"{model.name}: no {model.op} among {[(f.op, f.where) for f in report.findings]}"
    assert {finding.category for finding in found} == {model.category}
    sites = op_sites(model.path, model.op)
    for finding in found:
        assert finding.where in sites
        if finding.where == "graph":
            continue
        assert finding.path[-1] == finding.where
        # The path is a real chain of calls down to the op, at least as long as the op is deep.
        chain = function_chain(model, finding.path)
        assert len(chain) >= model.depth, finding.path
        assert all(calls(model.path, caller, callee) for caller, callee in zip(chain, chain[1:])), finding.path
        if model.depth >= 3:
            assert len(finding.path) >= 3


def test_the_report_is_json_ready(model):
    report = hubfork.scan(model.path).to_dict()
    assert any(finding["op"] == model.op and finding["category"] == model.category
               for finding in json.loads(json.dumps(report))["findings"])


def refused(model: Crafted, error: UnsafeModelError) -> None:
    """What every refusal says: the op, where it sits, the way to load the model anyway."""
    message = str(error)
    assert model.op in message
    assert any(site in message for site in op_sites(model.path, model.op)), message
    assert "trust=True" in message
    assert Path(error.path).resolve() == model.path.resolve()
    assert any(finding.op == model.op for finding in error.report.findings)
    # Some of these write when merely loaded (a TF1 main op, a resource initializer): nothing ran.
    assert model.target is None or not model.target.exists()


def test_pull_from_hub_refuses_it_before_it_runs(model):
    with pytest.raises(UnsafeModelError) as caught:
        hubfork.pull_from_hub(str(model.path))
    refused(model, caught.value)


def test_load_text_model_refuses_it_first(model):
    """None of these is a BERT encoder, so without the scanner loading would fail otherwise: the scan comes first."""
    with pytest.raises(UnsafeModelError) as caught:
        hubfork.load_text_model(str(model.path))
    refused(model, caught.value)


def test_the_cli_exits_1_on_a_crafted_model(crafted):
    result = run_cli("scan", str(crafted["nested-writefile"].path))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "WriteFile" in result.stdout


def test_the_cli_json_lists_every_crafted_models_finding(crafted):
    result = run_cli_here("scan", "--json", *(str(model.path) for model in crafted.values()))
    assert result.returncode == 1, result.stderr
    reports = {Path(report["path"]): report for report in dicts_with(json.loads(result.stdout), "findings")}
    for model in crafted.values():
        findings = reports[model.path]["findings"]
        assert any(f["op"] == model.op and f["category"] == model.category for f in findings), (model.name, findings)


def test_the_cli_passes_hubforks_own_encoders(generations):
    result = run_cli_here("scan", *(str(path) for path in generations.values()))
    assert result.returncode == 0, result.stdout + result.stderr


# --------------------------------------------------------------------------- unreadable


@pytest.fixture(scope="module")
def unreadable(crafted, tmp_path_factory) -> dict[str, Path]:
    """SavedModel folders whose saved_model.pb is cut in half, random bytes, or missing."""
    root = tmp_path_factory.mktemp("unreadable")
    source = crafted["call-readfile"].path
    folders = {name: shutil.copytree(source, root / name) for name in ("truncated", "random-bytes", "no-proto")}
    proto = folders["truncated"] / "saved_model.pb"
    proto.write_bytes(proto.read_bytes()[: proto.stat().st_size // 2])
    (folders["random-bytes"] / "saved_model.pb").write_bytes(random.Random(10).randbytes(4096))
    (folders["no-proto"] / "saved_model.pb").unlink()
    for name in ("truncated", "random-bytes"):
        with pytest.raises(DecodeError):  # precondition: protobuf itself cannot read it
            read_saved_model(folders[name])
    return folders


@pytest.mark.parametrize("kind", ["truncated", "random-bytes", "no-proto"])
def test_scan_refuses_an_unreadable_saved_model(unreadable, kind):
    with pytest.raises(UnreadableModelError) as caught:
        hubfork.scan(unreadable[kind])
    assert isinstance(caught.value, ModelFormatError)


def test_the_cli_gives_one_line_per_unreadable_model(unreadable):
    result = run_cli_here("scan", *(str(path) for path in unreadable.values()))
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert "Traceback" not in output
    for path in unreadable.values():
        assert len([line for line in output.splitlines() if str(path) in line]) == 1, output
