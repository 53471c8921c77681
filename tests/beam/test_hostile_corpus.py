"""A corpus or an output folder that would stop `embed_corpus` in its tracks: a FIFO or a device among the
inputs (a reader blocks forever, or never ends), a JSONL line nested deeper than Python's stack, an output
folder that is a symbolic link. Each is refused up front in one line, or reported in the errors file while
the job goes on; none hangs, and no vector is lost."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from hubfork.beam.outputs import resolve_output
from hubfork.beam.pipeline import _ReadFile, embed_corpus, matched_files
from hubfork.beam.records import Malformed, Record, read_lines
from hubfork.errors import CorpusError
from tests.beam.conftest import NORMALIZE, POOLING, assert_embedded, read_errors, read_output

DEEP = 100_000
DEEP_LINE = "[" * DEEP + "]" * DEEP


def read_bounded(name: str, path: Path) -> list:
    """What `_ReadFile` gives for (name, path), read in a thread: should it block on a FIFO, a writer opens
    the FIFO and closes it at once, which ends the read (the test then fails rather than hangs)."""
    found: list = []
    reader = threading.Thread(target=lambda: found.extend(_ReadFile().process((name, str(path)))), daemon=True)
    reader.start()
    reader.join(timeout=60)
    if reader.is_alive():
        os.close(os.open(path, os.O_WRONLY))
        reader.join()
        pytest.fail(f"reading {path} blocked")
    return found


def test_json_nested_too_deep_is_a_malformed_line_and_the_next_line_is_read():
    lines = [b'{"id": "a", "text": "the cat"}\n', DEEP_LINE.encode() + b"\n",
             ('{"id": "b", "text": "x", "extra": ' + DEEP_LINE + "}\n").encode(), b'{"id": "c", "text": "a dog"}\n']
    found = list(read_lines("deep.jsonl", lines))
    assert found[0] == Record("a", "the cat", "deep.jsonl", 1)
    assert [(f.line, f.error, len(f.content)) for f in found[1:3]] == [(2, "JSON nested too deep to read", 200),
                                                                      (3, "JSON nested too deep to read", 200)]
    assert found[3] == Record("c", "a dog", "deep.jsonl", 4)


@pytest.mark.parametrize("what", ["fifo", "/dev/zero"])
def test_an_input_that_is_not_a_regular_file_is_refused_before_the_job(tmp_path, what):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.txt").write_text("the cat\n")
    odd = folder / "b.txt"
    kinds = {"fifo": "a FIFO (named pipe)", "/dev/zero": "a character device"}
    if what == "fifo":
        os.mkfifo(odd)
    else:
        odd.symlink_to(what)
    with pytest.raises(CorpusError) as caught:
        matched_files(str(folder / "*"))
    assert str(caught.value) == f"{odd}: cannot read this input file: not a regular file but {kinds[what]}"


def test_an_input_that_became_a_fifo_after_the_listing_is_reported_not_read(tmp_path):
    fifo = tmp_path / "b.txt"
    os.mkfifo(fifo)
    found = read_bounded("b.txt", fifo)
    assert [item.tag for item in found] == ["malformed"]
    assert found[0].value == Malformed("b.txt", 0, "not read: not a regular file but a FIFO (named pipe)")


def test_compressed_and_plain_inputs_are_still_read(tmp_path):
    import gzip

    plain, packed = tmp_path / "a.txt", tmp_path / "b.txt.gz"
    plain.write_bytes(b"the cat\n")
    packed.write_bytes(gzip.compress(b"a dog\n\nfast\n"))
    assert read_bounded("a.txt", plain) == [Record("a.txt:1", "the cat", "a.txt", 1)]
    assert read_bounded("b.txt.gz", packed) == [Record("b.txt.gz:1", "a dog", "b.txt.gz", 1),
                                                Record("b.txt.gz:3", "fast", "b.txt.gz", 3)]


def test_an_output_link_is_resolved_before_the_job_and_a_link_to_nothing_is_refused(tmp_path):
    real = tmp_path / "disk" / "vectors"
    real.mkdir(parents=True)
    link = tmp_path / "vectors"
    link.symlink_to(real)
    assert resolve_output(str(link)) == str(real)
    assert resolve_output("gs://bucket/out") == "gs://bucket/out"
    dangling = tmp_path / "gone"
    dangling.symlink_to(tmp_path / "nowhere")
    with pytest.raises(CorpusError) as caught:
        resolve_output(str(dangling))
    assert str(caught.value) == (f"{dangling}: the output is a link to {tmp_path / 'nowhere'}, which does not exist; "
                                 "create that folder, or give another output folder")
    assert not (tmp_path / "nowhere").exists()


def test_a_deep_line_is_reported_and_the_vectors_land_where_the_output_link_leads(tmp_path, tiny_model, reference):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    good = {"one": "the cat sat on the mat", "two": "a big dog is running fast"}
    lines = [json.dumps({"id": "one", "text": good["one"]}), DEEP_LINE, json.dumps({"id": "two", "text": good["two"]})]
    (corpus / "c.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    real = tmp_path / "disk" / "vectors"
    real.mkdir(parents=True)
    link = tmp_path / "vectors"
    link.symlink_to(real)
    summary = embed_corpus(str(corpus / "*.jsonl"), str(link), model=str(tiny_model.encoder), pooling=POOLING,
                           normalize=NORMALIZE, load_options=tiny_model.load_options(), output_format="jsonl")
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert summary.output_dir == str(real) and (summary.vectors, summary.malformed) == (2, 1)
    assert sorted(p.name for p in real.iterdir()) == ["embeddings-00000-of-00001.jsonl", "errors-00000-of-00001.jsonl"]
    assert_embedded(read_output(real), good, reference)
    errors = read_errors(real)
    assert [(e["file"], e["line"], e["error"]) for e in errors] == [("c.jsonl", 2, "JSON nested too deep to read")]
    assert sorted(p.name for p in (tmp_path / "disk").iterdir()) == ["vectors"]  # no staging folder left
