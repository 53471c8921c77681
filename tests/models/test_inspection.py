"""`inspect_model` and ``hubfork inspect``: what a SavedModel folder is, read from the model itself,
checked against what each model was written with (sizes from the config, counted here independently
of hubfork's weight table; vocab hashes of the files themselves).

The command's behaviour runs in this process (`run_cli_here`); `test_the_command_prints_the_facts` and
`test_the_command_parses_without_tensorflow` run ``hubfork inspect`` as a real process."""

from __future__ import annotations

import hashlib
import json
import math
import re
import struct
from pathlib import Path

import pytest

from hubfork.errors import ModelFormatError, UnreadableModelError, UnsafeModelError
from hubfork.models import _tf
from hubfork.models.inspection import ModelFacts, inspect_model
from tests.conftest import run_cli, run_cli_here
from tests.fixtures.models import minilm_folder

tf = _tf.tensorflow()

KEYS = ["input_mask", "input_type_ids", "input_word_ids"]  # sorted, as dict inputs are listed


def bert_parameters(*, vocab: int, hidden: int, layers: int, intermediate: int, positions: int,
                    token_types: int = 2, mlm: bool = False) -> int:
    """BERT's weight count from its sizes, written out from the architecture (not from hubfork's table)."""
    embeddings = (vocab + positions + token_types) * hidden + 2 * hidden
    attention = 4 * (hidden * hidden + hidden) + 2 * hidden
    feed_forward = (hidden * intermediate + intermediate) + (intermediate * hidden + hidden) + 2 * hidden
    pooler = hidden * hidden + hidden
    head = (hidden * hidden + hidden) + 2 * hidden + vocab if mlm else 0  # output matrix = word embeddings
    return embeddings + layers * (attention + feed_forward) + pooler + head


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def lines(path: Path) -> int:
    return len(Path(path).read_text(encoding="utf-8").splitlines())


def by_name(facts: ModelFacts) -> dict[str, dict]:
    return {s.name: {"inputs": [t.name for t in s.inputs], "outputs": [t.name for t in s.outputs],
                     "dtypes": {t.name: t.dtype for t in s.inputs + s.outputs},
                     "shapes": {t.name: t.shape for t in s.inputs + s.outputs}} for s in facts.signatures}


@pytest.fixture(scope="module")
def facts(generations) -> dict[str, ModelFacts]:
    return {generation: inspect_model(folder) for generation, folder in generations.items()}


# --------------------------------------------------------------------------- every generation


@pytest.mark.parametrize("generation, api", [("tf1-hub", "tf1-hub"), ("v1", "list"), ("v2", "list"),
                                             ("v3", "dict"), ("v4", "dict")])
def test_each_generation_is_reported_with_the_sizes_it_was_written_with(facts, generations, tiny_vocab,
                                                                         generation, api):
    found = facts[generation]
    assert (found.role, found.generation, found.api, found.path) == ("encoder", generation, api,
                                                                     str(generations[generation]))
    assert (found.layers, found.hidden_size, found.heads, found.intermediate_size, found.max_positions) == (
        2, 32, 2, 64, 64)
    assert found.architecture.label == "L-2_H-32_A-2"
    assert found.vocab_size == lines(tiny_vocab)
    assert found.casing == "uncased"
    assert found.vocab_sha256 == sha256(tiny_vocab)
    assert found.mlm is (generation == "v4")
    assert found.fine_tunable is (generation != "tf1-hub")
    assert found.seq_length is None
    expected = bert_parameters(vocab=lines(tiny_vocab), hidden=32, layers=2, intermediate=64, positions=64,
                               mlm=generation == "v4")
    assert found.parameters == expected
    # A TF1 module cannot be fine-tuned through hub.KerasLayer: none of its weights is trainable there.
    assert found.trainable_parameters == (0 if generation == "tf1-hub" else expected)


def test_files_and_size_cover_the_whole_folder(facts, generations):
    for generation, folder in generations.items():
        files = [p for p in Path(folder).rglob("*") if p.is_file()]
        assert facts[generation].files == len(files)
        assert facts[generation].size_bytes == sum(p.stat().st_size for p in files)


def test_the_scanner_verdict_comes_along(facts):
    for found in facts.values():
        assert found.scan_clean and found.findings == ()
        assert found.ops.get("MatMul", 0) + found.ops.get("BatchMatMulV2", 0) > 0


def test_tf1_signatures(facts):
    signatures = by_name(facts["tf1-hub"])
    assert signatures["tokens"]["inputs"] == ["input_ids", "input_mask", "segment_ids"]
    assert signatures["tokens"]["outputs"] == ["pooled_output", "sequence_output"]
    assert signatures["tokens"]["dtypes"]["input_ids"] == "int32"
    assert signatures["tokens"]["shapes"]["sequence_output"] == (None, None, 32)
    assert signatures["tokenization_info"] == {
        "inputs": [], "outputs": ["do_lower_case", "vocab_file"],
        "dtypes": {"do_lower_case": "bool", "vocab_file": "string"},
        "shapes": {"do_lower_case": (), "vocab_file": ()}}


@pytest.mark.parametrize("generation", ["v1", "v2"])
def test_list_encoders_name_their_positions(facts, generation):
    call = by_name(facts[generation])["__call__"]
    assert call["inputs"] == ["input_word_ids", "input_mask", "input_type_ids"]  # the list's order
    assert call["outputs"] == ["pooled_output", "sequence_output"]
    assert call["shapes"]["pooled_output"] == (None, 32)
    assert set(by_name(facts[generation])["serving_default"]["inputs"]) == set(KEYS)


@pytest.mark.parametrize("generation", ["v3", "v4"])
def test_dict_encoders_list_their_keys(facts, generation):
    signatures = by_name(facts[generation])
    assert signatures["__call__"]["inputs"] == KEYS
    assert set(signatures["__call__"]["outputs"]) == {"default", "pooled_output", "sequence_output",
                                                      "encoder_outputs[0]", "encoder_outputs[1]"}
    assert ("mlm" in signatures) is (generation == "v4")
    if generation == "v4":
        assert signatures["mlm"]["inputs"] == KEYS + ["masked_lm_positions"]
        assert "mlm_logits" in signatures["mlm"]["outputs"]
        assert signatures["mlm"]["shapes"]["mlm_logits"] == (None, None, facts["v4"].vocab_size)


def test_facts_are_json_data(facts):
    data = json.loads(json.dumps(facts["v4"].to_dict()))
    assert data["architecture"] == {"layers": 2, "hidden_size": 32, "heads": 2}
    assert data["api"] == "dict" and data["mlm"] is True
    assert {s["name"] for s in data["signatures"]} == {"serving_default", "__call__", "mlm"}


def test_the_tf1_writer_records_the_heads_beside_the_vocab(generations, tiny_config):
    # A TF1 graph keeps no hyper-parameters: the heads come from this file.
    config = json.loads((generations["tf1-hub"] / "assets" / "bert_config.json").read_text(encoding="utf-8"))
    assert config["num_attention_heads"] == tiny_config.num_attention_heads == 2


# --------------------------------------------------------------------------- casing


def test_a_cased_encoder_reports_cased(tmp_path, tiny_config, tiny_weights, tiny_vocab):
    from hubfork.models.convert import write_encoder

    folder = write_encoder(tmp_path / "cased", tiny_config, tiny_weights, "tf1-hub", vocab_file=tiny_vocab,
                           do_lower_case=False)
    assert inspect_model(folder).casing == "cased"


@pytest.mark.parametrize("lower_case, seq_length, casing", [(True, 128, "uncased"), (False, 24, "cased")])
def test_a_preprocessor_is_reported_with_its_vocab_casing_and_length(tmp_path, tiny_vocab, tiny_preprocessor,
                                                                     lower_case, seq_length, casing):
    from hubfork.models.export.preprocessor import write_preprocessor

    # The session's uncased preprocessor has the default length; the cased one is written with another,
    # so that both casings and a length other than the default are read from a model.
    folder = (tiny_preprocessor if lower_case else
              write_preprocessor(tmp_path / "preprocess", tiny_vocab, lower_case=False, seq_length=seq_length))
    found = inspect_model(folder)
    assert (found.role, found.generation, found.api, found.architecture) == ("preprocessor", None, None, None)
    assert (found.seq_length, found.casing) == (seq_length, casing)
    assert (found.vocab_size, found.vocab_sha256) == (lines(tiny_vocab), sha256(tiny_vocab))
    assert (found.mlm, found.fine_tunable, found.parameters) == (False, False, 0)
    signatures = by_name(found)
    assert signatures["__call__"]["dtypes"]["inputs"] == "string"
    assert signatures["__call__"]["outputs"] == KEYS
    assert signatures["__call__"]["shapes"]["input_word_ids"] == (None, seq_length)
    assert {"tokenize", "bert_pack_inputs"} <= set(signatures)


def test_the_tiny_preprocessor_fixture(tiny_preprocessor, tiny_vocab):
    found = inspect_model(tiny_preprocessor)
    assert (found.role, found.seq_length, found.casing) == ("preprocessor", 128, "uncased")
    assert (found.vocab_size, found.vocab_sha256) == (lines(tiny_vocab), sha256(tiny_vocab))


# --------------------------------------------------------------------------- other layouts


def save_encoder(folder: Path, vocab: Path, *, einsum: bool, lower_case: bool = False,
                 read_file: Path | None = None) -> dict[str, int]:
    """A v3-style encoder with tfhub.dev's tf-models-official variable names (and, with `einsum`, their
    ``[hidden, heads, head_size]`` attention kernels); its math is a stub, its structure is the point.
    With `read_file`, its ``__call__`` also reads that file (a scanner finding). Returns its sizes."""
    sizes = dict(vocab=lines(vocab), hidden=24, heads=4, layers=3, intermediate=40, positions=20)
    h, a, i = sizes["hidden"], sizes["heads"], sizes["intermediate"]
    attention = [h, a, h // a] if einsum else [h, h]
    shapes = {"word_embeddings/embeddings": [sizes["vocab"], h],
              "position_embedding/embeddings": [sizes["positions"], h], "type_embeddings/embeddings": [2, h]}
    for n in range(sizes["layers"]):
        for part in ("query", "key", "value"):
            shapes[f"transformer/layer_{n}/self_attention/{part}/kernel"] = attention
        shapes[f"transformer/layer_{n}/intermediate/kernel"] = [h, i]
        shapes[f"transformer/layer_{n}/output/kernel"] = [i, h]
    weights = [tf.Variable(tf.zeros(shape), name=name) for name, shape in shapes.items()]
    keys = ("input_word_ids", "input_mask", "input_type_ids")

    @tf.function(autograph=False)
    def call(inputs, training=False):
        sequence = tf.gather(weights[0], inputs["input_word_ids"])
        if read_file is not None:
            sequence += 0.0 * tf.cast(tf.strings.length(tf.io.read_file(str(read_file))), tf.float32)
        return {"pooled_output": sequence[:, 0], "sequence_output": sequence}

    for training in (False, True):
        call.get_concrete_function({k: tf.TensorSpec([None, None], tf.int32, name=k) for k in keys}, training=training)
    root = tf.train.Checkpoint()
    root.__call__ = call
    root.variables = weights
    root.trainable_variables = weights
    root.vocab_file = tf.saved_model.Asset(str(vocab))
    root.do_lower_case = tf.Variable(lower_case, trainable=False)
    tf.saved_model.save(root, str(folder))
    return {**sizes, "parameters": sum(math.prod(shape) for shape in shapes.values())}


@pytest.fixture(scope="module")
def official(tmp_path_factory, tiny_vocab) -> tuple[Path, dict[str, int], str]:
    """A tfhub.dev-layout encoder (cased, einsum kernels), its sizes and a card written for it. Tests
    read it; a test that changes a file works on a copy (`encoder_with_vocab`)."""
    from hubfork.publishing.card_writer import write_card

    folder = tmp_path_factory.mktemp("official") / "encoder"
    sizes = save_encoder(folder, tiny_vocab, einsum=True)
    return folder, sizes, write_card(inspect_model(folder), "acme/bert_en_cased_L-3_H-24_A-4/1").text


def test_tfhub_dev_layout_tells_the_heads_by_its_kernels(official):
    folder, sizes, _ = official
    found = inspect_model(folder)
    assert found.generation == "v3"
    assert (found.layers, found.hidden_size, found.heads, found.intermediate_size, found.max_positions,
            found.vocab_size) == tuple(sizes[k] for k in ("layers", "hidden", "heads", "intermediate", "positions",
                                                          "vocab"))
    assert found.parameters == found.trainable_parameters == sizes["parameters"]  # do_lower_case is no weight
    assert found.casing == "cased"


def test_a_model_that_does_not_say_its_heads_reports_none(tmp_path, tiny_vocab):
    sizes = save_encoder(tmp_path / "silent", tiny_vocab, einsum=False, lower_case=True)
    found = inspect_model(tmp_path / "silent")
    assert (found.layers, found.hidden_size, found.heads) == (sizes["layers"], sizes["hidden"], None)
    assert found.architecture.label == f"L-{sizes['layers']}_H-{sizes['hidden']}"
    assert found.casing == "uncased"


def test_a_model_with_findings_is_not_loaded_unless_trusted(tmp_path, tiny_vocab):
    secret = tmp_path / "secret.txt"
    secret.write_text("x", encoding="utf-8")
    save_encoder(tmp_path / "reader", tiny_vocab, einsum=True, read_file=secret)
    with pytest.raises(UnsafeModelError, match="ReadFile"):
        inspect_model(tmp_path / "reader")
    found = inspect_model(tmp_path / "reader", trust=True)
    assert not found.scan_clean and any("ReadFile" in line for line in found.findings)
    assert found.generation == "v3"


# --------------------------------------------------------------------------- a vocab that is not the model's


@pytest.fixture
def encoder_with_vocab(tmp_path, official):
    """A copy of a small encoder (31 rows of word embeddings), a card written for it, and a way to give it
    another vocab."""
    import shutil

    source, _, text = official
    folder = shutil.copytree(source, tmp_path / "encoder")
    card = tmp_path / "card.md"
    card.write_text(text, encoding="utf-8")
    vocab = folder / "assets" / "vocab.txt"

    def give(tokens: list[str]) -> Path:
        vocab.write_text("".join(f"{token}\n" for token in tokens), encoding="utf-8")
        return vocab

    return folder, card, give


@pytest.mark.parametrize("tokens", [31 + 20_000, 30, 1])
def test_a_vocab_that_is_not_one_token_a_row_is_refused(encoder_with_vocab, tiny_vocab, tokens):
    # Ids past the rows have no embedding, rows past the tokens are never used: no size is true.
    folder, _, give = encoder_with_vocab
    words = Path(tiny_vocab).read_text(encoding="utf-8").split()
    vocab = give((words + [f"extra{i}" for i in range(tokens)])[:tokens])
    with pytest.raises(ModelFormatError) as caught:
        inspect_model(folder)
    assert str(caught.value) == (f"{vocab}: the vocab has {tokens:,} tokens, but the model's word embeddings have 31 "
                                 "rows; expected one token a row")


def test_a_vocab_too_large_to_count_is_refused_unread(encoder_with_vocab):
    from hubfork.models.model_files import MAX_TEXT_FILE_BYTES

    folder, _, give = encoder_with_vocab
    vocab = give(["[PAD]"])
    with open(vocab, "r+b") as file:
        file.truncate(MAX_TEXT_FILE_BYTES + 1)  # sparse: nothing to read unless it is read
    with pytest.raises(ModelFormatError, match=f"^{re.escape(str(vocab))}: cannot read the vocab file: the file is "
                                               f"{MAX_TEXT_FILE_BYTES + 1:,} bytes; at most {MAX_TEXT_FILE_BYTES:,} "
                                               "bytes is read$"):
        inspect_model(folder)


def test_inspect_and_validate_say_so_in_one_line(encoder_with_vocab, tiny_vocab):
    folder, card, give = encoder_with_vocab
    words = Path(tiny_vocab).read_text(encoding="utf-8").split()
    vocab = give(words + [f"extra{i}" for i in range(100_000)])
    expected = (f"hubfork: error: {vocab}: the vocab has 100,031 tokens, but the model's word embeddings have 31 rows; "
                "expected one token a row\n")
    inspected = run_cli_here("inspect", str(folder))
    assert (inspected.returncode, inspected.stdout) == (1, "")
    assert inspected.stderr.endswith(expected) and "Traceback" not in inspected.stderr
    validated = run_cli_here("cards", "validate", str(card), "--model", str(folder), "--no-run")
    assert (validated.returncode, validated.stdout) == (1, "")
    assert validated.stderr.endswith(expected) and "Traceback" not in validated.stderr


# --------------------------------------------------------------------------- not a model hubfork knows


def test_a_folder_that_is_not_a_saved_model_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    with pytest.raises(ModelFormatError, match=str(tmp_path)) as error:
        inspect_model(tmp_path)
    assert isinstance(error.value, UnreadableModelError) and "saved_model.pb" in str(error.value)


def test_a_saved_model_that_is_neither_encoder_nor_preprocessor_is_refused(tmp_path):
    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
    def double(x):
        return 2.0 * x

    root = tf.train.Checkpoint()
    root.__call__ = double
    tf.saved_model.save(root, str(tmp_path / "double"))
    with pytest.raises(ModelFormatError) as error:
        inspect_model(tmp_path / "double")
    message = str(error.value)
    assert message.startswith(str(tmp_path / "double"))
    assert "not a BERT-style encoder" in message and "nor is it a text preprocessor" in message


# --------------------------------------------------------------------------- a real model


@pytest.fixture(scope="module")
def minilm(embedded_hub) -> tuple[Path, Path]:
    """all-MiniLM-L6-v2 as the session's embedded hub holds it, converted from its checkpoint: a v3 encoder
    (whose heads only its Keras metadata states) and its preprocessor."""
    return (embedded_hub.repo_path("hubfork/all-MiniLM-L6-v2"),
            embedded_hub.repo_path("hubfork/all-MiniLM-L6-v2_preprocess"))


def test_a_real_model_is_reported_as_its_checkpoint_says(minilm):
    checkpoint = minilm_folder()
    config = json.loads((checkpoint / "config.json").read_text(encoding="utf-8"))
    found = inspect_model(minilm[0])
    assert (found.generation, found.layers, found.hidden_size, found.heads, found.intermediate_size,
            found.max_positions, found.vocab_size) == (
        "v3", config["num_hidden_layers"], config["hidden_size"], config["num_attention_heads"],
        config["intermediate_size"], config["max_position_embeddings"], config["vocab_size"])
    assert found.architecture.label == "L-6_H-384_A-12"
    assert found.parameters == checkpoint_weights(checkpoint / "model.safetensors")
    assert found.casing == "uncased"
    assert found.vocab_sha256 == sha256(checkpoint / "vocab.txt")


def test_a_real_preprocessor_is_reported_with_its_vocab(minilm):
    checkpoint = minilm_folder()
    found = inspect_model(minilm[1])
    assert (found.role, found.casing, found.seq_length) == ("preprocessor", "uncased", 128)
    assert (found.vocab_size, found.vocab_sha256) == (lines(checkpoint / "vocab.txt"), sha256(checkpoint / "vocab.txt"))


def checkpoint_weights(path: Path) -> int:
    """The float tensors' sizes, from the safetensors header (``position_ids`` is an int64 buffer)."""
    with open(path, "rb") as file:
        header = json.loads(file.read(struct.unpack("<Q", file.read(8))[0]))
    header.pop("__metadata__", None)
    return sum(math.prod(t["shape"]) for t in header.values() if t["dtype"].startswith(("F", "BF")))


# --------------------------------------------------------------------------- the command


def test_the_command_prints_the_facts(generations):
    result = run_cli("inspect", str(generations["v4"]))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for needle in ("encoder", "v4", "dict", "L-2_H-32_A-2", "uncased", "clean", "serving_default", "mlm",
                   "masked_lm_positions"):
        assert needle in out, needle


def test_the_command_prints_json(tiny_preprocessor, tiny_vocab):
    result = run_cli_here("inspect", str(tiny_preprocessor), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["role"], data["seq_length"], data["casing"]) == ("preprocessor", 128, "uncased")
    assert data["vocab_sha256"] == sha256(tiny_vocab)


def test_the_command_reports_a_folder_that_is_not_a_model(tmp_path):
    result = run_cli_here("inspect", str(tmp_path))
    assert result.returncode == 1
    assert result.stderr.startswith("hubfork: error: ") and str(tmp_path) in result.stderr


def test_the_command_parses_without_tensorflow(tripwire):
    result = run_cli("inspect", "--help", pythonpath=[tripwire])
    assert result.returncode == 0, result.stderr
    assert "MODEL_DIR" in result.stdout and "--json" in result.stdout


def test_keras_metadata_nested_too_deep_is_skipped_not_a_traceback(tmp_path):
    # Trusted models are inspected without the scan that would refuse this: the heads come from the
    # next readable node.
    from hubfork.models.inspection import _keras_metadata_heads
    from tests.scanning.test_hostile_graphs import keras_metadata

    (tmp_path / "keras_metadata.pb").write_bytes(
        keras_metadata("[" * 100_000 + "]" * 100_000, '{"config": {"num_attention_heads": 4}}'))
    assert _keras_metadata_heads(tmp_path) == 4
