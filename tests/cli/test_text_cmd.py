"""``hubfork embed``, ``fill-mask`` and ``similarity``: parsing without TensorFlow,
and real runs on tiny real SavedModels checked against the library's own results."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest

from hubfork.cli.main import build_parser, main
from tests.conftest import run_cli

TEXTS = ["the cat sat on the mat.", "a dog was running fast!", "hello world"]
MASKED = ["the cat [MASK] on the mat.", "[MASK] dog is [MASK] ."]


# ------------------------------------------------------------------ parsing (no TensorFlow)


def test_defaults_and_options_parse():
    args = build_parser().parse_args(["embed", "--model", "org/m", "a", "b"])
    assert (args.model, args.texts, args.pooling, args.normalize, args.batch_size, args.json) == (
        "org/m", ["a", "b"], None, None, 64, False)
    assert (args.preprocessor, args.seq_length, args.revision, args.device, args.offline) == (
        None, None, None, None, False)
    args = build_parser().parse_args(["similarity", "--model", "m", "--seq-length", "16", "x", "y"])
    assert (args.pooling, args.seq_length) == (None, 16)
    args = build_parser().parse_args(["embed", "--model", "m", "--no-normalize", "--pooling", "cls", "a"])
    assert (args.pooling, args.normalize) == ("cls", False)
    args = build_parser().parse_args(["fill-mask", "--model", "m", "--top-k", "3", "--json", "a [MASK]"])
    assert (args.top_k, args.json, args.texts) == (3, True, ["a [MASK]"])


@pytest.mark.parametrize("argv", [
    ["embed", "a"],  # --model is required
    ["embed", "--model", "m", "--pooling", "max", "a"],
    ["fill-mask", "--model", "m", "--top-k", "0", "a"],
    ["similarity", "--model", "m", "--batch-size", "many", "a", "b"],
])
def test_bad_arguments_are_usage_errors(argv, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    assert "error:" in capsys.readouterr().err


@pytest.mark.parametrize("args, stdin, needle", [
    (("similarity", "--model", "no/such-model", "only one"), None, "at least two texts, got 1"),
    (("embed", "--model", "no/such-model"), "\n  \n", "no texts to embed"),
    (("fill-mask", "--model", "no/such-model"), "", "no texts"),
])
def test_missing_texts_fail_before_tensorflow_is_imported(args, stdin, needle, tripwire):
    result = run_cli(*args, pythonpath=[tripwire], input=stdin)
    assert result.returncode == 2, result.stderr
    assert needle in result.stderr and "TRIPWIRE" not in result.stderr


# ------------------------------------------------------------------ real runs


def _json_out(capsys, argv: list[str]):
    code = main(argv)
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return json.loads(captured.out)


@pytest.mark.parametrize("generation", ["tf1-hub", "v1", "v3", "v4"])
def test_embed_json_is_what_the_library_returns(generation, generations, tiny_preprocessor, capsys):
    from hubfork.loading.text import load_text_model

    encoder = str(generations[generation])
    out = _json_out(capsys, ["embed", "--model", encoder, "--preprocessor", str(tiny_preprocessor),
                             "--pooling", "mean", "--normalize", "--batch-size", "2", "--json", *TEXTS])
    assert [item["text"] for item in out] == TEXTS
    got = np.array([item["embedding"] for item in out], np.float32)
    model = load_text_model(encoder, preprocessor=tiny_preprocessor)
    expected = model.embed(TEXTS, pooling="mean", normalize=True, batch_size=2)
    assert got.shape == (3, 32)
    np.testing.assert_array_equal(got, expected)  # JSON carries float32 values exactly
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-6)


def test_embed_reads_stdin_lines_and_skips_blank_ones(generations, monkeypatch, capsys):
    from hubfork.loading.text import load_text_model

    encoder = str(generations["v3"])
    monkeypatch.setattr("sys.stdin", io.StringIO("the cat sat on the mat.\r\n\n   \nhello world\n"))
    out = _json_out(capsys, ["embed", "--model", encoder, "--json"])
    assert [item["text"] for item in out] == ["the cat sat on the mat.", "hello world"]
    expected = load_text_model(encoder).embed(["the cat sat on the mat.", "hello world"])  # pooled, as the CLI
    np.testing.assert_array_equal(np.array([item["embedding"] for item in out], np.float32), expected)


def test_embed_table_for_people(generations, capsys):
    assert main(["embed", "--model", str(generations["v3"]), "--pooling", "cls", *TEXTS]) == 0
    out = capsys.readouterr().out
    assert "3 embeddings (cls pooling)" in out
    for i, text in enumerate(TEXTS):
        line = next(line for line in out.splitlines() if text in line)
        assert f" {i} " in line and " 32 " in line


def test_fill_mask_json_top_k_per_mask_best_first(generations, capsys):
    from hubfork.loading.text import load_text_model

    encoder = str(generations["v4"])
    out = _json_out(capsys, ["fill-mask", "--model", encoder, "--top-k", "4", "--json", *MASKED])
    assert [item["text"] for item in out] == MASKED
    assert [len(item["masks"]) for item in out] == [1, 2]
    expected = load_text_model(encoder).fill_mask(MASKED, top_k=4)
    for item, masks in zip(out, expected):
        for mask, (got, want) in enumerate(zip(item["masks"], masks)):
            assert got["mask"] == mask and len(got["predictions"]) == 4
            scores = [p["score"] for p in got["predictions"]]
            assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
            assert [(p["token"], p["token_id"]) for p in got["predictions"]] == [(w.token, w.token_id) for w in want]
            np.testing.assert_allclose(scores, [w.score for w in want], rtol=1e-6)


def test_fill_mask_table_and_errors(generations, capsys):
    assert main(["fill-mask", "--model", str(generations["v4"]), "--top-k", "2", MASKED[1]]) == 0
    out = capsys.readouterr().out
    assert f"[0] {MASKED[1]}" in out and "rank" in out and "score" in out
    # Mask 0 and mask 1, two ranks each.
    assert sum(1 for line in out.splitlines() if line.startswith(("│ 0 ", "│ 1 "))) == 4

    assert main(["fill-mask", "--model", str(generations["v3"]), "the [MASK] sat."]) == 1
    assert "masked-LM head" in capsys.readouterr().err
    assert main(["fill-mask", "--model", str(generations["v4"]), "no mask here"]) == 1
    err = capsys.readouterr().err
    assert "hubfork: error: text 0 has no [MASK] token" in err


def test_similarity_json_and_table(generations, tiny_preprocessor, capsys):
    encoder = str(generations["v2"])
    out = _json_out(capsys, ["similarity", "--model", encoder, "--preprocessor", str(tiny_preprocessor),
                             "--json", *TEXTS])
    assert out["texts"] == TEXTS and out["pooling"] == "mean"
    matrix = np.array(out["matrix"])
    assert matrix.shape == (3, 3)
    np.testing.assert_allclose(np.diag(matrix), 1.0, atol=1e-6)
    np.testing.assert_allclose(matrix, matrix.T, atol=1e-6)
    assert (matrix <= 1).all() and (matrix >= -1).all()

    assert main(["similarity", "--model", encoder, "--pooling", "pooled", *TEXTS[:2]]) == 0
    out = capsys.readouterr().out
    assert "cosine (pooled)" in out and f"[0] {TEXTS[0]}" in out and f"[1] {TEXTS[1]}" in out
    assert "1.000" in out


def test_the_pooling_choices_are_textmodels(capsys):
    from hubfork.cli.main import main
    from hubfork.constants import POOLINGS

    with pytest.raises(SystemExit):
        main(["embed", "--model", "m", "--pooling", "nonsense", "text"])
    err = capsys.readouterr().err
    assert "invalid choice: 'nonsense'" in err and all(pooling in err for pooling in POOLINGS)
