"""``hubfork embed-corpus`` end to end, its first run in a fresh process (the command's real-process test),
and its --help without Beam or TensorFlow."""

from __future__ import annotations

import shutil

import pytest

from tests.beam.conftest import assert_embedded, read_errors, read_output
from tests.conftest import run_cli, run_cli_here


def test_embed_corpus_end_to_end(corpus, tiny_model, reference, tmp_path):
    out = tmp_path / "vectors"
    (corpus.folder.parent / "extra").mkdir(exist_ok=True)
    bad = corpus.folder.parent / "extra" / "bad.jsonl"
    bad.write_text('{"id": "fine", "text": "the cat sat"}\n{"id": "broken"\n', encoding="utf-8")
    result = run_cli("embed-corpus", corpus.glob, "-o", str(out), "--model", str(tiny_model.encoder),
                     "--preprocessor", str(tiny_model.preprocessor), "--pooling", "mean", "--normalize",
                     "--format", "jsonl", "--num-shards", "2", "--batch-size", "16")
    assert result.returncode == 0, result.stderr
    assert_embedded(read_output(out), corpus.expected, reference)
    assert "300 vectors from 300 non-blank lines" in result.stderr
    # The errors of a second corpus are on stderr with their file and line, and in the errors file: what the
    # command prints, which needs no second fresh process.
    result = run_cli_here("embed-corpus", str(bad), "-o", str(out), "--model", str(tiny_model.encoder),
                     "--preprocessor", str(tiny_model.preprocessor), "--pooling", "mean", "--normalize",
                     "--", "--direct_num_workers=1")
    assert result.returncode == 0, result.stderr
    assert "1 malformed line(s) and 0 repeated id(s) skipped" in result.stderr
    assert "bad.jsonl:2: not JSON" in result.stderr
    assert [(e["file"], e["line"]) for e in read_errors(out)] == [("bad.jsonl", 2)]
    assert sorted(p.name for p in out.iterdir()) == ["embeddings-00000-of-00001.parquet", "errors-00000-of-00001.jsonl"]
    assert_embedded(read_output(out), {"fine": "the cat sat"}, reference)


@pytest.mark.parametrize("args", [["--help"], ["in/*.txt", "-o", "out"]])
def test_help_and_usage_errors_import_neither_beam_nor_tensorflow(args, tripwire, tmp_path):
    # The session's tripwire, plus Apache Beam (and pyarrow), in a copy of the test's own.
    wires = tmp_path / "tripwire"
    shutil.copytree(tripwire, wires)
    for name in ("apache_beam", "pyarrow"):
        shutil.copytree(tripwire / "tensorflow", wires / name)
    result = run_cli("embed-corpus", *args, pythonpath=[wires])
    assert result.returncode == (0 if args == ["--help"] else 2), result.stderr
    assert "TRIPWIRE" not in result.stderr
    if args != ["--help"]:
        assert "--model" in result.stderr
