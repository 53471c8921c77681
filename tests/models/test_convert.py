"""`hubfork convert` as users run it, and the conversion API."""

from __future__ import annotations

import json

import pytest

from hubfork.errors import ModelError
from hubfork.models.convert import convert
from tests.conftest import run_cli
from tests.fixtures.models import minilm_folder


def test_convert_random_weights_from_the_command_line(tmp_path, tiny_vocab):
    out = tmp_path / "encoder"
    result = run_cli("convert", "--random", "layers=2,hidden=32,heads=2", "--vocab", str(tiny_vocab), "--cased",
                     "--generation", "v2", "--out", str(out), "--seed", "5", "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["generation"] == "v2" and summary["size"] == "L-2_H-32_A-2" and summary["do_lower_case"] is False
    # Progress goes only to a terminal (tests/cli/test_progress_tty.py); --json leaves stderr empty here.
    assert result.stderr == ""
    assert (out / "saved_model.pb").is_file() and (out / "assets" / "vocab.txt").is_file()
    from hubfork.models import _tf

    layer = _tf.tensorflow_hub().KerasLayer(str(out))
    assert bool(layer.resolved_object.do_lower_case.numpy()) is False


@pytest.mark.parametrize(
    "args, message",
    [
        (["--checkpoint", "{tmp}", "--generation", "v3"], "no config.json"),
        (["--random", "layers=2,hidden=30,heads=4", "--vocab", "{vocab}", "--generation", "v3"], "not a multiple"),
        (["--random", "layers=2", "--generation", "v3"], "random weights need a vocab file"),
        (["--checkpoint", "{minilm}", "--generation", "v4"], "no masked-LM head"),
    ],
)
def test_convert_errors_are_one_clear_line(tmp_path, tiny_vocab, args, message):
    args = [a.format(tmp=tmp_path, vocab=tiny_vocab, minilm=minilm_folder()) for a in args]
    result = run_cli("convert", *args, "--out", str(tmp_path / "out"))
    assert result.returncode == 1
    assert message in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_convert_refuses_to_overwrite(tmp_path, tiny_vocab):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "precious.txt").write_text("keep")
    with pytest.raises(ModelError, match="not empty"):
        convert(tmp_path / "out", "v3", random_spec="layers=1,hidden=8,heads=2", vocab_file=tiny_vocab)
    assert (tmp_path / "out" / "precious.txt").read_text() == "keep"
