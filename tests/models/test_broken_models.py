"""Broken SavedModel folders (a truncated or random saved_model.pb, missing or truncated weights)
and broken text on stdin: every way in (the scanner, inspect_model, load_text_model,
pull_from_hub, the CLI) gives a hubfork error naming the folder and the file, never a traceback.

The CLI's answers to broken folders are read from the command run in this process (`run_cli_here`); broken
stdin goes to a real ``python -m hubfork embed`` process (`test_invalid_utf8_on_stdin_names_the_line`)."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hubfork.errors import TextInputError, UnreadableModelError
from hubfork.scanning import scan
from hubfork.scanning.scanner import check_model
from tests.conftest import ROOT, run_cli_here


def _truncated_pb(folder: Path) -> None:
    data = (folder / "saved_model.pb").read_bytes()
    (folder / "saved_model.pb").write_bytes(data[: len(data) // 2])


def _random_pb(folder: Path) -> None:
    (folder / "saved_model.pb").write_bytes(random.Random(5).randbytes(6000))


def _no_variables(folder: Path) -> None:
    shutil.rmtree(folder / "variables")


def _no_data_shard(folder: Path) -> None:
    for shard in (folder / "variables").glob("variables.data-*"):
        shard.unlink()


def _truncated_weights(folder: Path) -> None:
    for shard in (folder / "variables").glob("variables.data-*"):
        shard.write_bytes(shard.read_bytes()[:100])


# (how it is broken, what the error says) -- each caught by the scanner, before TensorFlow.
SCANNED = [
    (_truncated_pb, "saved_model.pb is not a SavedModel protobuf"),
    (_random_pb, "saved_model.pb is not a SavedModel protobuf"),
    (_no_variables, "variables/variables.index is missing"),
    (_no_data_shard, "variables/variables.index has no variables/variables.data"),
]


@pytest.fixture
def broken(tmp_path, generations):
    """broken(generation, how) -> a copy of that generation's encoder, broken `how`."""
    def make(generation: str, how) -> Path:
        folder = tmp_path / f"{generation}-{how.__name__.strip('_')}"
        shutil.copytree(generations[generation], folder)
        how(folder)
        return folder

    return make


@pytest.mark.parametrize("generation", ["v3", "tf1-hub"])
@pytest.mark.parametrize("how, says", SCANNED)
def test_the_scanner_names_what_is_broken(broken, generation, how, says):
    folder = broken(generation, how)
    for check in (scan, check_model, check_model):  # the second check_model reads its cached verdict
        with pytest.raises(UnreadableModelError, match=says) as caught:
            check(folder)
        assert caught.value.path == str(folder)


def test_a_cached_verdict_does_not_hide_weights_gone_since(generations, tmp_path):
    folder = tmp_path / "model"
    shutil.copytree(generations["v3"], folder)
    assert check_model(folder).clean
    _no_variables(folder)
    with pytest.raises(UnreadableModelError, match="variables/variables.index is missing"):
        check_model(folder)


@pytest.mark.parametrize("how, says", SCANNED + [(_truncated_weights, "the weights in variables/ are truncated")])
def test_python_entry_points(broken, how, says):
    from hubfork import inspect_model, load_text_model, pull_from_hub

    folder = broken("v3", how)
    loaders = [lambda: load_text_model(str(folder)), lambda: pull_from_hub(str(folder)),
               lambda: inspect_model(folder)]
    if how is not _truncated_pb and how is not _random_pb:
        # trust=True skips the scan: TensorFlow's own failure is translated where the model is loaded
        loaders += [lambda: load_text_model(str(folder), trust=True), lambda: pull_from_hub(str(folder), trust=True)]
    for load in loaders:
        with pytest.raises(UnreadableModelError, match=says) as caught:
            load()
        assert caught.value.path == str(folder)


@pytest.mark.parametrize("how", [_truncated_pb, _random_pb])
def test_trusted_corrupt_graphs_are_translated_too(broken, how):
    from hubfork import load_text_model, pull_from_hub

    folder = broken("tf1-hub", how)
    for load in (lambda: load_text_model(str(folder), trust=True), lambda: pull_from_hub(str(folder), trust=True)):
        with pytest.raises(UnreadableModelError, match="saved_model.pb is not a SavedModel protobuf"):
            load()


def test_missing_weights_through_the_cli(broken):
    folder = broken("v3", _no_variables)
    for args in (["scan", str(folder)], ["pull", str(folder)], ["inspect", str(folder)],
                 ["embed", "--model", str(folder), "hello"]):
        result = run_cli_here(*args)
        assert result.returncode != 0 and "Traceback" not in result.stderr, (args, result.stderr)
        assert f"{folder}: " in result.stderr + result.stdout and "variables/variables.index is missing" in (
            result.stderr + result.stdout)


def test_truncated_weights_through_the_cli_when_trusted(broken):
    folder = broken("v3", _truncated_weights)
    result = run_cli_here("embed", "--model", str(folder), "--trust", "hello")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"hubfork: error: {folder}: the weights in variables/ are truncated or corrupt" in result.stderr


def test_invalid_utf8_on_stdin_names_the_line(tmp_path):
    # Bytes, not text: run_cli's input is text. The texts are read before any model is looked for.
    result = subprocess.run([sys.executable, "-m", "hubfork", "embed", "--model", str(tmp_path / "nowhere")],
                            input=b"fine\n\nstill fine\nbad \xff\xfe here\n", capture_output=True, cwd=ROOT,
                            env=dict(os.environ), timeout=300)
    assert result.returncode == 1 and b"Traceback" not in result.stderr
    assert result.stderr.decode() == ("hubfork: error: <stdin>: line 4: not UTF-8 text (byte 0xff at column 5); "
                                      "give texts as UTF-8\n")


def test_read_texts_decodes_line_by_line():
    import argparse
    import io

    from hubfork.cli.text_cmd import read_texts

    class Stdin(io.TextIOWrapper):
        def isatty(self) -> bool:
            return False

    def texts(data: bytes) -> list[str]:
        return read_texts(argparse.Namespace(texts=[]), Stdin(io.BytesIO(data), encoding="utf-8"))

    assert texts("\ufeffcafé\r\n\n  \nnaïve\n".encode()) == ["café", "naïve"]
    with pytest.raises(TextInputError, match="<stdin>: line 2: not UTF-8 text"):
        texts(b"ok\n\xc3\n")
