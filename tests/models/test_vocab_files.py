"""The files of a model folder someone else made, read only as `hubfork.models.model_files` allows: a
regular file, inside the folder (or a Hugging Face cache snapshot's blobs), of a bounded size; and the
``assets/`` TensorFlow reads at load, looked at before any load.

A vocab that is a FIFO or a link to /dev/zero must not hang ``hubfork inspect`` or ``hubfork card new``,
and a path a model names must not make hubfork read a file of somewhere else. A read that could block
runs in a thread that the test unblocks (by opening the FIFO) should the check go; one that could fill
the memory (/dev/zero) or hang inside TensorFlow runs in a subprocess bounded in time and memory.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from hubfork.errors import ModelFormatError
from hubfork.models.model_files import MAX_ASSET_BYTES, MAX_TEXT_FILE_BYTES, check_assets, inside_model
from hubfork.models.vocab import read_vocab, read_vocab_bytes, vocab_size
from tests.conftest import ROOT

TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "secret", "words"]


def bounded_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (4_000_000_000, 4_000_000_000))


def hubfork_bounded(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hubfork", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=240, preexec_fn=bounded_memory)


def python_bounded(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          preexec_fn=bounded_memory)


def bounded_call(function, *fifos: Path) -> tuple[str, object]:
    """``("returned", value)`` or ``("raised", error)`` of `function()`, run in a thread: should it block on
    one of `fifos`, a writer opens and closes it at once, which ends that read, and the test fails rather
    than hangs."""
    outcome: list = []

    def run():
        try:
            outcome.append(("returned", function()))
        except Exception as exc:  # the test looks at which
            outcome.append(("raised", exc))

    reader = threading.Thread(target=run, daemon=True)
    reader.start()
    reader.join(timeout=60)
    if reader.is_alive():
        while reader.is_alive():
            for fifo in fifos:
                try:  # succeeds only while the reader waits on this FIFO
                    os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
                except OSError:
                    pass
            reader.join(timeout=0.1)
        pytest.fail(f"reading {', '.join(map(str, fifos))} blocked")
    return outcome[0]


def refused(function, fifo: Path) -> Exception:
    kind, value = bounded_call(function, fifo)
    assert kind == "raised", f"read {fifo} and returned {value!r}"
    return value


def model_folder(root: Path, name: str = "model") -> Path:
    folder = root / name
    (folder / "assets").mkdir(parents=True)
    (folder / "assets" / "vocab.txt").write_text("\n".join(TOKENS) + "\n", encoding="utf-8")
    return folder


def secret_file(root: Path) -> Path:
    secret = root / "secret.txt"
    secret.write_text("\n".join(TOKENS) + "\n", encoding="utf-8")
    return secret


# ------------------------------------------------------------------------ the one vocab reader


def vocab_readers():
    from hubfork.models.inspection import _sha256
    from hubfork.models.preprocessing import preprocessor_from_vocab

    return {"read_vocab": read_vocab, "vocab_size": vocab_size, "read_vocab_bytes": read_vocab_bytes,
            "inspection's vocab sha256": _sha256,
            "preprocessor_from_vocab": lambda path: preprocessor_from_vocab(path, True)}


@pytest.mark.parametrize("reader", ["read_vocab", "vocab_size", "read_vocab_bytes", "inspection's vocab sha256",
                                    "preprocessor_from_vocab"])
def test_every_vocab_read_refuses_a_fifo_unread(tmp_path, reader):
    fifo = tmp_path / "vocab.txt"
    os.mkfifo(fifo)
    error = refused(lambda: vocab_readers()[reader](fifo), fifo)
    assert isinstance(error, ModelFormatError)
    assert str(error) == f"{fifo}: cannot read the vocab file: not a regular file but a FIFO (named pipe)"


def test_a_vocab_linked_to_dev_zero_is_refused_unread(tmp_path):
    link = tmp_path / "vocab.txt"
    link.symlink_to("/dev/zero")
    done = python_bounded(f"from hubfork.models.vocab import read_vocab\nread_vocab({str(link)!r})")
    assert done.returncode == 1 and "MemoryError" not in done.stderr
    assert done.stderr.strip().splitlines()[-1] == (f"hubfork.errors.ModelFormatError: {link}: cannot read the vocab "
                                                    "file: not a regular file but a character device")


def test_a_vocab_larger_than_the_limit_is_refused_unread(tmp_path):
    vocab = tmp_path / "vocab.txt"
    with vocab.open("wb") as handle:
        handle.write(b"[PAD]\n")
        handle.truncate(MAX_TEXT_FILE_BYTES + 1)  # sparse: nothing on disk
    with pytest.raises(ModelFormatError) as caught:
        read_vocab(vocab)
    assert str(caught.value) == (f"{vocab}: cannot read the vocab file: the file is 50,000,001 bytes; at most "
                                 "50,000,000 bytes is read")


def test_a_vocab_that_leads_out_of_its_model_folder_is_refused(tmp_path):
    folder = model_folder(tmp_path)
    secret = secret_file(tmp_path)
    link = folder / "assets" / "linked.txt"
    link.symlink_to(secret)
    with pytest.raises(ModelFormatError) as caught:
        read_vocab(link, folder=folder)
    assert str(caught.value) == (f"{link}: leads to {secret}, outside the model folder {folder}; a model's files "
                                 "must be inside its folder")
    named = folder / "assets" / ".." / ".." / "secret.txt"  # a path a graph could name
    with pytest.raises(ModelFormatError, match="outside the model folder"):
        vocab_size(named, folder=folder)
    assert read_vocab(link) == TOKENS  # no folder named: the caller's own file
    (folder / "assets" / "inner.txt").symlink_to(folder / "assets" / "vocab.txt")
    assert read_vocab(folder / "assets" / "inner.txt", folder=folder) == TOKENS


def test_a_hugging_face_cache_snapshot_may_link_to_its_blobs(tmp_path):
    repo = tmp_path / "models--org--bert"
    snapshot = repo / "snapshots" / "0123abc"
    (repo / "blobs").mkdir(parents=True)
    (snapshot / "assets").mkdir(parents=True)
    (repo / "blobs" / "9f8e").write_text("\n".join(TOKENS) + "\n")
    (snapshot / "assets" / "vocab.txt").symlink_to("../../../blobs/9f8e")
    assert read_vocab(snapshot / "assets" / "vocab.txt", folder=snapshot) == TOKENS
    check_assets(snapshot)
    (tmp_path / "elsewhere").mkdir()
    secret = secret_file(tmp_path / "elsewhere")
    (snapshot / "assets" / "other.txt").symlink_to(secret)
    with pytest.raises(ModelFormatError, match="outside the model folder"):
        inside_model(snapshot, snapshot / "assets" / "other.txt")


# ------------------------------------------------------------------------ assets/, before TensorFlow loads it


@pytest.mark.parametrize("what", ["fifo", "/dev/zero", "secret", "folder-link", "large"])
def test_assets_tensorflow_would_read_are_checked_before_a_load(tmp_path, what):
    folder = model_folder(tmp_path)
    (folder / "assets" / "sub").mkdir()
    odd = folder / "assets" / "sub" / "table.txt"
    if what == "fifo":
        os.mkfifo(odd)
    elif what == "/dev/zero":
        odd.symlink_to("/dev/zero")
    elif what == "secret":
        odd.symlink_to(secret_file(tmp_path))
    elif what == "folder-link":
        odd.symlink_to(tmp_path)
    else:
        with odd.open("wb") as handle:
            handle.truncate(MAX_ASSET_BYTES + 1)
    said = {"fifo": f"{odd}: TensorFlow would read this asset when it loads the model: not a regular file but a "
                    "FIFO (named pipe)",
            "/dev/zero": f"{odd}: leads to /dev/zero, outside the model folder {folder}",
            "secret": f"{odd}: leads to {tmp_path / 'secret.txt'}, outside the model folder {folder}",
            "folder-link": f"{odd}: leads to {tmp_path}, outside the model folder {folder}",
            "large": f"{odd}: TensorFlow would read this asset when it loads the model: the file is "
                     "1,000,000,001 bytes; at most 1,000,000,000 bytes is read"}[what]
    with pytest.raises(ModelFormatError) as caught:
        check_assets(folder)
    assert str(caught.value).startswith(said)


def test_assets_inside_the_folder_pass_and_a_link_loop_ends(tmp_path):
    folder = model_folder(tmp_path)
    (folder / "assets" / "sub").mkdir()
    (folder / "assets" / "sub" / "loop").symlink_to(folder / "assets")
    (folder / "assets" / "again.txt").symlink_to("vocab.txt")
    check_assets(folder)
    check_assets(tmp_path / "no-assets")  # a model without assets/ has nothing TensorFlow reads


# ------------------------------------------------------------------------ other files of a model folder


def test_sentence_transformers_files_out_of_the_folder_or_not_regular_are_not_read(tmp_path):
    from hubfork.models.pooling import sentence_transformers_defaults

    folder = tmp_path / "model"
    folder.mkdir()
    evil = tmp_path / "evil"
    evil.mkdir()
    (evil / "config.json").write_text(json.dumps({"pooling_mode_cls_token": True}))
    (folder / "modules.json").write_text(json.dumps([{"path": "../evil", "type": "sentence_transformers.models."
                                                                                  "Pooling"}]))
    assert sentence_transformers_defaults(folder).pooling is None  # ../evil's config is not read
    (folder / "1_Pooling").mkdir()
    (folder / "1_Pooling" / "config.json").write_text(json.dumps({"pooling_mode_mean_tokens": True}))
    assert sentence_transformers_defaults(folder).pooling == "mean"
    (folder / "modules.json").unlink()
    os.mkfifo(folder / "modules.json")
    (folder / "1_Pooling" / "config.json").unlink()
    os.mkfifo(folder / "1_Pooling" / "config.json")
    fifos = (folder / "modules.json", folder / "1_Pooling" / "config.json")
    assert bounded_call(lambda: sentence_transformers_defaults(folder), *fifos) == ("returned", None)


def test_a_checkpoints_vocab_must_be_inside_its_folder(tmp_path):
    from safetensors.numpy import save_file

    from hubfork.models.config import BertConfig
    from hubfork.models.weight_table import expected_shapes
    from hubfork.models.weights import read_checkpoint

    sizes = {"vocab_size": len(TOKENS), "hidden_size": 4, "num_hidden_layers": 1, "num_attention_heads": 2,
             "intermediate_size": 8, "max_position_embeddings": 8}
    folder = tmp_path / "checkpoint"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"model_type": "bert", **sizes}))
    save_file({k: np.zeros(s, np.float32) for k, s in expected_shapes(BertConfig(**sizes)).items()},
              str(folder / "model.safetensors"))
    (folder / "vocab.txt").symlink_to(secret_file(tmp_path))
    with pytest.raises(ModelFormatError, match=f"leads to {tmp_path / 'secret.txt'}, outside the model folder"):
        read_checkpoint(folder)
    (folder / "vocab.txt").unlink()
    (folder / "vocab.txt").write_text("\n".join(TOKENS) + "\n")
    assert read_checkpoint(folder).config.vocab_size == len(TOKENS)


# ------------------------------------------------------------------------ SavedModels (TensorFlow)


@pytest.fixture(scope="module")
def encoder(generations) -> Path:
    """The session's v3 encoder (tiny vocab, lower case); tests only read it or change copies of it."""
    return generations["v3"]


def with_vocab(source: Path, root: Path, what: str) -> Path:
    """A copy of the model `source` whose ``assets/vocab.txt`` is a FIFO or a link to /dev/zero."""
    folder = root / f"{source.name}-{what.strip('/').replace('/', '-')}"
    shutil.copytree(source, folder)
    vocab = folder / "assets" / "vocab.txt"
    vocab.unlink()
    if what == "fifo":
        os.mkfifo(vocab)
    else:
        vocab.symlink_to(what)
    return folder


def asset_outside(source: Path, root: Path) -> tuple[Path, Path]:
    """A copy of the model `source` whose vocab asset, as saved_model.pb names it, is a file outside its folder
    (its ``assets/`` emptied): (the folder, that file)."""
    from tests.fixtures.crafted import read_saved_model

    folder = root / f"{source.name}-outside"
    shutil.copytree(source, folder)
    secret = secret_file(root)
    proto = read_saved_model(folder)
    for asset in proto.meta_graphs[0].asset_file_def:
        asset.filename = os.path.relpath(secret, folder / "assets")
    (folder / "saved_model.pb").write_bytes(proto.SerializeToString())
    shutil.rmtree(folder / "assets")
    (folder / "assets").mkdir()  # empty: ``assets/../..`` then leads somewhere
    return folder, secret


@pytest.mark.parametrize("model, what, command", [
    ("preprocessor", "fifo", "inspect"),
    ("encoder", "/dev/zero", "inspect"),
    ("encoder", "fifo", "card new"),
    ("preprocessor", "/dev/zero", "card new"),
])
def test_inspect_and_card_new_refuse_a_vocab_that_would_hang_them(tmp_path, tiny_preprocessor, encoder, model, what,
                                                                  command):
    folder = with_vocab(tiny_preprocessor if model == "preprocessor" else encoder, tmp_path, what)
    extra = ["--handle", "acme/bert/1", "-o", str(tmp_path / "card.md")] if command == "card new" else []
    done = hubfork_bounded(*command.split(), str(folder), *extra)
    vocab = folder / "assets" / "vocab.txt"
    said = (f"{vocab}: TensorFlow would read this asset when it loads the model: not a regular file but a FIFO "
            "(named pipe)" if what == "fifo" else
            f"{vocab}: leads to /dev/zero, outside the model folder {folder}; a model's files must be inside its "
            "folder")
    assert done.returncode == 1 and done.stdout == "", done.stderr
    assert done.stderr.splitlines()[-1] == f"hubfork: error: {said}"
    assert "Traceback" not in done.stderr and not (tmp_path / "card.md").exists()


def test_an_encoder_whose_graph_names_a_vocab_outside_its_folder_is_not_read(tmp_path, encoder):
    from hubfork.models.inspection import inspect_model

    folder, secret = asset_outside(encoder, tmp_path)
    with pytest.raises(ModelFormatError) as caught:
        inspect_model(folder, trust=True)  # the scanner's finding, overridden: hubfork still reads nothing outside
    assert f"leads to {secret}, outside the model folder {folder}" in str(caught.value)


def test_a_preprocessor_whose_graph_names_a_vocab_outside_its_folder_is_not_read(tmp_path, tiny_preprocessor,
                                                                                tiny_config, tiny_weights):
    import hubfork
    from hubfork.models.export.encoder import write_tf2_encoder
    from hubfork.models.inspection import inspect_model

    folder, secret = asset_outside(tiny_preprocessor, tmp_path)
    with pytest.raises(ModelFormatError) as caught:
        inspect_model(folder, trust=True)
    assert f"leads to {secret}, outside the model folder {folder}" in str(caught.value)
    # An encoder without a vocab of its own: fill-mask's tokens come from the preprocessor's vocab.
    bare = write_tf2_encoder(tmp_path / "bare", tiny_config, tiny_weights, "v3", vocab_file=None, do_lower_case=True)
    model = hubfork.load_text_model(str(bare), preprocessor=str(folder), trust=True)
    with pytest.raises(ModelFormatError) as caught:
        model.vocab()
    assert f"leads to {secret}, outside the model folder {folder}" in str(caught.value)


def test_the_keras3_layer_refuses_a_vocab_that_would_hang_tensorflow(tmp_path, tiny_preprocessor):
    folder = with_vocab(tiny_preprocessor, tmp_path, "fifo")
    done = python_bounded(f"from hubfork.keras3 import KerasLayer\nKerasLayer({str(folder)!r})")
    assert done.returncode == 1, done.stderr
    assert done.stderr.strip().splitlines()[-1] == (
        f"hubfork.errors.ModelFormatError: {folder / 'assets' / 'vocab.txt'}: TensorFlow would read this asset when "
        "it loads the model: not a regular file but a FIFO (named pipe)")


def test_the_heads_beside_the_weights_are_read_only_from_regular_files(tmp_path, encoder):
    from hubfork.models.export.tf1_hub import CONFIG_ASSET
    from hubfork.models.inspection import _recorded_heads
    from hubfork.scanning.scanner import KERAS_METADATA

    folder = tmp_path / "v3"
    shutil.copytree(encoder, folder)
    assert _recorded_heads(folder) == 2  # from keras_metadata.pb
    fifos = (folder / KERAS_METADATA, folder / "assets" / CONFIG_ASSET)
    for fifo in fifos:
        fifo.unlink(missing_ok=True)
        os.mkfifo(fifo)
    assert bounded_call(lambda: _recorded_heads(folder), *fifos) == ("returned", None)


@pytest.mark.parametrize("path", [5, None, ["1_Pooling"], {"a": 1}])
def test_a_pooling_module_whose_path_is_no_string_is_passed_over(tmp_path, path):
    from hubfork.models.pooling import sentence_transformers_defaults

    (tmp_path / "modules.json").write_text(json.dumps([{"path": path, "type": "sentence_transformers.models."
                                                                             "Pooling"}]))
    (tmp_path / "1_Pooling").mkdir()
    (tmp_path / "1_Pooling" / "config.json").write_text(json.dumps({"pooling_mode_mean_tokens": True}))
    assert sentence_transformers_defaults(tmp_path).pooling == "mean"
