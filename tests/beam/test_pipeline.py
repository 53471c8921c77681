"""`embed_corpus` on the DirectRunner: every id of a 300-line corpus exactly once, with `TextModel.embed`'s
vector for its text, in both formats; malformed lines and repeated ids reported with their file and line
while the rest are embedded; a rerun into the same folder writes the same files and nothing twice."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hubfork.beam.pipeline import embed_corpus
from hubfork.errors import CorpusError
from tests.beam.conftest import NORMALIZE, POOLING, assert_embedded, read_errors, read_output


def run(corpus_glob: str, out: Path, tiny_model, **options):
    return embed_corpus(corpus_glob, str(out), model=str(tiny_model.encoder), pooling=POOLING, normalize=NORMALIZE,
                        load_options=tiny_model.load_options(), **options)


@pytest.mark.parametrize("output_format", ["parquet", "jsonl"])
def test_every_id_once_with_embeds_vector(corpus, tiny_model, reference, tmp_path, output_format):
    out = tmp_path / "out"
    summary = run(corpus.glob, out, tiny_model, output_format=output_format, num_shards=3, batch_size=16)
    suffix = "parquet" if output_format == "parquet" else "jsonl"
    assert sorted(p.name for p in out.iterdir()) == [f"embeddings-0000{i}-of-00003.{suffix}" for i in range(3)] + [
        "errors-00000-of-00001.jsonl"]
    assert_embedded(read_output(out), corpus.expected, reference)
    assert read_errors(out) == []
    assert (summary.vectors, summary.lines, summary.malformed, summary.duplicates) == (300, 300, 0, 0)


BAD_LINES = [
    ('{"id": "ok-1", "text": "the cat sat"}', None),
    ('{"id": "ok-2", "text": "a dog"', "not JSON"),
    ('{"text": "no id here"}', "no 'id' field"),
    ('{"id": "t", "txt": "typo"}', "no 'text' field"),
    ('{"id": ["x"], "text": "a list id"}', "'id' must be a non-empty string or an integer, not a list"),
    ('{"id": "n", "text": 7}', "'text' must be a string, not a number"),
    ('{"id": "b", "text": "   "}', "'text' is blank"),
    ('["id", "text"]', "expected a JSON object with id and text, not a list"),
    ('{"id": 42, "text": "an integer id"}', None),
    ('{"id": "ok-1", "text": "the same id again"}', "duplicate id 'ok-1' (kept mixed.jsonl:1)"),
    ('{"id": "ok-3", "text": "the mat is big"}', None),
]


def test_malformed_lines_are_reported_with_file_and_line_and_the_rest_embedded(tmp_path, tiny_model, reference):
    folder = tmp_path / "in"
    folder.mkdir()
    raw = "\n".join(line for line, _ in BAD_LINES).encode() + b"\n"
    (folder / "mixed.jsonl").write_bytes(raw)
    (folder / "plain.txt").write_bytes(b"hello world\nthe cat \xff sat\n\nfast dog\n")
    out = tmp_path / "out"
    summary = run(str(folder / "*"), out, tiny_model, output_format="jsonl")
    errors = read_errors(out)
    want = [("mixed.jsonl", n, says) for n, (_, says) in enumerate(BAD_LINES, 1) if says]
    want.append(("plain.txt", 2, "not UTF-8 text (byte 0xff at column 9)"))
    assert [(e["file"], e["line"]) for e in errors] == [(f, n) for f, n, _ in want]
    for error, (_, _, says) in zip(errors, want):
        assert error["error"].startswith(says), error
    assert errors[0]["content"] == BAD_LINES[1][0]
    expected = {"ok-1": "the cat sat", "42": "an integer id", "ok-3": "the mat is big",
                "plain.txt:1": "hello world", "plain.txt:4": "fast dog"}
    assert_embedded(read_output(out), expected, reference)
    assert (summary.vectors, summary.malformed, summary.duplicates) == (5, 8, 1)


def test_a_rerun_writes_the_same_files_and_nothing_twice(corpus, tiny_model, reference, tmp_path):
    out = tmp_path / "out"
    run(corpus.glob, out, tiny_model, output_format="parquet", num_shards=2)
    first = sorted(p.name for p in out.iterdir())
    run(corpus.glob, out, tiny_model, output_format="parquet", num_shards=2)
    assert sorted(p.name for p in out.iterdir()) == first
    assert_embedded(read_output(out), corpus.expected, reference)
    # Fewer shards, another format: the folder is replaced whole, no stale shard stays behind.
    run(corpus.glob, out, tiny_model, output_format="jsonl", num_shards=1)
    assert sorted(p.name for p in out.iterdir()) == ["embeddings-00000-of-00001.jsonl", "errors-00000-of-00001.jsonl"]
    assert_embedded(read_output(out), corpus.expected, reference)


def test_a_failed_run_leaves_the_previous_output_whole(corpus, tiny_model, tmp_path):
    out = tmp_path / "out"
    run(corpus.glob, out, tiny_model, output_format="jsonl")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    # The encoder passes the launcher's checks; its preprocessor is missing, which only the workers find.
    with pytest.raises(CorpusError, match="the pipeline failed on a worker: .*no_such_preprocessor"):
        embed_corpus(corpus.glob, str(out), model=str(tiny_model.encoder), output_format="parquet",
                     load_options={"preprocessor": str(tmp_path / "no_such_preprocessor")})
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.")] == []


def test_a_wrong_or_unsafe_model_fails_before_the_pipeline_starts(corpus, tmp_path):
    from hubfork.errors import LocalModelNotFoundError, UnsafeModelError
    from tests.fixtures.crafted import PAYLOADS, SHAPES

    with pytest.raises(LocalModelNotFoundError, match="no_such_model"):
        embed_corpus(corpus.glob, str(tmp_path / "out"), model=str(tmp_path / "no_such_model"))
    writer = next(p for p in PAYLOADS if p.key == "writefile")
    SHAPES["call"][0](writer, tmp_path / "evil", tmp_path / "written.out")
    with pytest.raises(UnsafeModelError, match="WriteFile"):
        embed_corpus(corpus.glob, str(tmp_path / "out"), model=str(tmp_path / "evil"))
    assert not (tmp_path / "out").exists()
    assert not (tmp_path / "written.out").exists()


def test_it_will_not_replace_a_folder_it_did_not_write(corpus, tiny_model, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(CorpusError, match="notes.txt"):
        run(corpus.glob, out, tiny_model)
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


def test_no_matching_file_is_a_clear_error(tmp_path, tiny_model):
    with pytest.raises(CorpusError, match="no file matches"):
        run(str(tmp_path / "*.txt"), tmp_path / "out", tiny_model)
    assert not (tmp_path / "out").exists()


def test_multi_process_direct_runner(corpus, tiny_model, reference, tmp_path):
    """Two worker processes, each loading the model itself: the same vectors, each id once."""
    out = tmp_path / "out"
    summary = run(corpus.glob, out, tiny_model, output_format="jsonl", num_shards=2,
                  beam_args=["--direct_running_mode=multi_processing", "--direct_num_workers=2"])
    assert_embedded(read_output(out), corpus.expected, reference)
    assert summary.vectors == 300
    assert json.loads((out / "embeddings-00000-of-00002.jsonl").read_text().splitlines()[0]).keys() == {"id", "vector"}
