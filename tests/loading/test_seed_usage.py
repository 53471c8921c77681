"""The usage code of each seed card in tests/data/seeds, as the card writes it, run in a fresh Python
process (one for the three TF Hub cards, each card's code in a namespace of its own after the one before, as
in a notebook's kernel; one for the Hugging Face card, whose code never calls ``hubfork.install()``) against
tiny replicas of the seed's generation and casing: the TF Hub seeds' handles served by the tfhub.dev emulator
(tests/fixtures/tfhub_emulator.py: tfhub.dev redirecting to Kaggle Models and its bucket, as tensorflow_hub
fetches them), with nothing but ``import hubfork; hubfork.install()`` added and no mapping of any kind, and
the Hugging Face seed's mirror repos by a real olah local hub.

The code comes from hubfork's own card parser; a test adds only what the card leaves to the notebook
around it (imports, the placeholders it names but never defines, each said where it is added) and a
capture of a few outputs, which must match `hubfork.load_text_model` on the same folders.
"""

from __future__ import annotations

import ast
import functools
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

import hubfork
from hubfork.hub.local_hub import LocalHub
from tests.conftest import SEEDS
from tests.fixtures.tfhub_emulator import TfhubEmulator

#: What the appended capture code prints before its JSON, so the card's own prints do not get in the way.
MARK = "SEED-CAPTURE "
#: What the runner prints (on stdout and stderr) as a card's code starts, and on stdout when it ran to its end.
START, DONE = "SEED-START ", "SEED-DONE "
#: The card's sentence for 003; the others name none, so these are the tests' own.
TEXTS = ["Hello world.", "The cat sat on the mat (your text here)."]
#: The seeds have 12 or 24 layers of width 128 to 1024; their code takes any size (only its comments name
#: shapes), so the replicas are as small as conversion allows.
SPEC = "layers=2,hidden=32,heads=2"
#: Every card builds its Keras inputs (or expects its ids) at this length.
SEQ_LENGTH = 128
WORDS = ["hello", "world", "the", "cat", "sat", "on", "mat", "your", "text", "here", "(", ")", ".", ","]
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
UNCASED_VOCAB = "\n".join(SPECIALS + WORDS) + "\n"
CASED_VOCAB = "\n".join(SPECIALS + WORDS + ["Hello", "The"]) + "\n"

PREPROCESS_HANDLE = "tensorflow/bert_en_uncased_preprocess/1"
#: Seed number -> (the handle its code names, or None; the mirror repo id of a Hugging Face seed).
SEED_REPOS = {
    "000": ("tensorflow/small_bert/bert_en_uncased_L-12_H-128_A-2/1", None),
    "001": ("tensorflow/bert_en_wwm_uncased_L-24_H-1024_A-16/3", None),
    "002": ("google/bert_multi_cased_L-12_H-768_A-12/1", None),
    # 003 is a Hugging Face card: its code names the mirror repos themselves, no handle.
    "003": (None, "Dimitre/bert_en_cased_L-12_H-768_A-12"),
}
CASED_PREPROCESS_REPO = "Dimitre/bert_en_cased_preprocess"


@dataclass(frozen=True)
class Replica:
    encoder: Path
    preprocessor: Path


@dataclass(frozen=True)
class SeedHub:
    replicas: dict[str, Replica]
    #: The environment the seed code runs in: HF_ENDPOINT on the local hub, the mappings' HUBFORK_HOME.
    env: dict[str, str]


def seed_card(number: str):
    (path,) = SEEDS.glob(f"{number}_*.txt")
    return path, hubfork.parse_card(path)


def python_blocks(number: str) -> str:
    """The card's code blocks that are Python (000-002 fence theirs; 002's fence names no language)."""
    _, card = seed_card(number)
    blocks = [block.text for block in card.code_blocks if _is_python(block.text)]
    assert blocks, f"seed {number}: no Python code block"
    return "\n".join(blocks)


def section_code(number: str, title: str) -> str:
    """The Python statements of one section of a card whose code lost its fences (003 is a Hugging Face
    card as scraped: code and prose are lines alike, so the parser finds no code block, only sections).

    A statement is the shortest run of lines that parses as assignments or calls; prose lines parse as
    neither (or not at all), so they fall out, and a call spread over lines is kept whole.
    """
    path, card = seed_card(number)
    (section,) = [s for s in card.sections if s.title == title]
    lines = path.read_text(encoding="utf-8").splitlines()[section.line:section.end_line]
    statements, start = [], 0
    while start < len(lines):
        for end in range(start + 1, len(lines) + 1):
            chunk = "\n".join(lines[start:end])
            if _is_python(chunk) and ast.parse(chunk).body:
                statements.append(chunk)
                start = end
                break
        else:
            start += 1
    assert statements, f"seed {number}: no code in section {title!r}"
    return "\n".join(statements)


def _is_python(text: str) -> bool:
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return False
    return all(isinstance(node, (ast.Assign, ast.Import, ast.ImportFrom))
               or isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) for node in tree.body)


@pytest.fixture(scope="module")
def seed_hub(tmp_path_factory) -> SeedHub:
    """Replicas of the four seeds (and their preprocessors) on one local hub, served for the module,
    with the seeds' handles mapped to their mirror repos in a HUBFORK_HOME of the module's own."""
    root = tmp_path_factory.mktemp("seed-replicas")
    uncased_vocab, cased_vocab = root / "uncased.txt", root / "cased.txt"
    uncased_vocab.write_text(UNCASED_VOCAB, encoding="utf-8")
    cased_vocab.write_text(CASED_VOCAB, encoding="utf-8")

    def replica(number: str, generation: str, cased: bool) -> Replica:
        out = root / number
        vocab = cased_vocab if cased else uncased_vocab
        hubfork.convert(out / "encoder", generation, random_spec=SPEC, vocab_file=vocab, cased=cased, seed=int(number),
                        preprocessor_out=out / "preprocess")
        return Replica(out / "encoder", out / "preprocess")

    # The generations tfhub.dev published under these handles: small_bert /1 and bert_en_wwm /3 are the
    # dict API (v3, with the legacy .vocab_file and .do_lower_case), google/bert_multi_cased /1 a TF1 Hub
    # module, and the Hugging Face mirror of bert_en_cased /4 has .mlm (v4).
    replicas = {"000": replica("000", "v3", False), "001": replica("001", "v3", False),
                "002": replica("002", "tf1-hub", True), "003": replica("003", "v4", True)}

    hub = LocalHub(root / "hub").init()
    hub.add(replicas["003"].preprocessor, CASED_PREPROCESS_REPO, tag="v1")
    hub.add(replicas["003"].encoder, SEED_REPOS["003"][1], tag="v1")
    # tfhub.dev serves the TF Hub seeds' handles as it does today (through Kaggle Models): no mapping.
    tfhub = TfhubEmulator()
    tfhub.add_model(PREPROCESS_HANDLE, replicas["000"].preprocessor)
    for number, (handle, _) in SEED_REPOS.items():
        if handle:
            tfhub.add_model(handle, replicas[number].encoder)

    home = tmp_path_factory.mktemp("seed-home")  # empty: no user registry
    server = hub.start(port=0)
    try:
        with tfhub:
            env = {"HF_ENDPOINT": server.endpoint, "HUBFORK_HOME": str(home), "HF_HUB_DISABLE_TELEMETRY": "1",
                   "HUBFORK_TFHUB_ENDPOINT": tfhub.endpoint, "HUBFORK_KAGGLE_ENDPOINT": tfhub.kaggle_endpoint}
            yield SeedHub(replicas, env)
    finally:
        server.stop()
        reference_model.cache_clear()


@dataclass(frozen=True)
class SeedRun:
    code: str
    returncode: int
    stderr: str
    #: What each capture printed, in order (a run that fails midway keeps those before the failure).
    captures: list[dict]

    def check(self) -> dict:
        """The last capture of a run that succeeded."""
        assert self.returncode == 0, f"the seed's code failed:\n{self.code}\n--- stderr\n{self.stderr[-6000:]}"
        return self.captures[-1]


#: Runs each card's code of a JSON list [[number, code, environment], ...] (read from stdin) in a namespace of
#: its own, its environment (fresh caches) set first; says on stdout and stderr where each card starts, and on
#: stdout when one ran to its end.
RUN_CARDS = f"""
import json, os, sys, traceback
for number, code, environment in json.loads(sys.stdin.read()):
    os.environ.update(environment)
    print({START!r} + number, flush=True)
    print({START!r} + number, file=sys.stderr, flush=True)
    try:
        exec(compile(code, "<seed " + number + ">", "exec"), {{"__name__": "__main__"}})
    except Exception:
        traceback.print_exc()
    else:
        print({DONE!r} + number, flush=True)
"""


def run_seeds(seed_hub: SeedHub, tmp_path: Path, codes: dict[str, str]) -> dict[str, SeedRun]:
    """Run each card's `code` (number -> code), in order, in one fresh Python process, each with fresh caches."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN",
                          "HUBFORK_REGISTRY", "TF_USE_LEGACY_KERAS")}
    env.update(seed_hub.env)
    cards = [[number, code, dict(HF_HOME=str(tmp_path / number / "hf-home"),
                                 HF_HUB_CACHE=str(tmp_path / number / "hf-cache"),
                                 HUBFORK_CACHE=str(tmp_path / number / "hubfork-cache"),
                                 TFHUB_CACHE_DIR=str(tmp_path / number / "tfhub-cache"))]
             for number, code in codes.items()]
    env.update(cards[0][2])  # what libraries read at import, as the first card's
    result = subprocess.run([sys.executable, "-c", RUN_CARDS], cwd=tmp_path, env=env, capture_output=True, text=True,
                            input=json.dumps(cards), timeout=600)
    runs = {}
    for number in codes:
        stdout = _part(result.stdout, number)
        stderr = _part(result.stderr, number)
        failed = DONE + number not in stdout.splitlines()
        captures = [json.loads(line[len(MARK):]) for line in stdout.splitlines() if line.startswith(MARK)]
        runs[number] = SeedRun(codes[number], 1 if failed else 0, stderr or result.stderr, captures)
    return runs


def _part(text: str, number: str) -> str:
    """What card `number` printed: the lines after its start line, up to the next card's."""
    _, found, rest = text.partition(START + number + "\n")
    return rest.split(START, 1)[0] if found else ""


def capture(**values: str) -> str:
    """Code that prints `values` (name -> a Python expression giving a tensor) as JSON lists."""
    fields = ", ".join(f"{name}=({expr}).numpy().tolist()" for name, expr in values.items())
    return f"\nimport json\nprint({MARK!r} + json.dumps(dict({fields})))\n"


@functools.cache
def reference_model(replica: Replica):
    """`hubfork.load_text_model` on a replica, loaded once for the checks that read it."""
    return hubfork.load_text_model(replica.encoder, preprocessor=replica.preprocessor)


def pooled_reference(replica: Replica, texts: list[str] = TEXTS) -> np.ndarray:
    return reference_model(replica).embed(texts, pooling="pooled", normalize=False)


def packed_ids(replica: Replica, texts: list[str] = TEXTS) -> dict[str, np.ndarray]:
    model = reference_model(replica)
    return {key: np.asarray(value) for key, value in model.preprocessor.pack(texts, SEQ_LENGTH).items()}


# The TF Hub cards assume the notebook's `import tensorflow as tf` and `import tensorflow_hub as hub`.
TF_IMPORTS = "import tensorflow as tf\nimport tensorflow_hub as hub\n"
INSTALL = "import hubfork\nhubfork.install()\n"

# After 000's and 001's code: their encoder on ids from the companion preprocessor the cards link
# (https://tfhub.dev/tensorflow/bert_en_uncased_preprocess/1, through the registry too), whose 128 tokens
# are the seq_length of the cards' Keras inputs.
CAPTURE_KERAS = f"""
import json
preprocess = hub.KerasLayer("https://tfhub.dev/{PREPROCESS_HANDLE}")
model = tf.keras.Model(inputs, [pooled_output, sequence_output, outputs["encoder_outputs"]])
pooled, sequence, blocks = model(preprocess(tf.constant({TEXTS!r})))
legacy = encoder.resolved_object
print({MARK!r} + json.dumps(dict(
    pooled=pooled.numpy().tolist(), sequence_shape=list(sequence.shape), blocks=len(blocks),
    last_block_is_sequence=bool((blocks[-1].numpy() == sequence.numpy()).all()),
    trainable=len(encoder.trainable_weights), vocab=open(legacy.vocab_file.asset_path.numpy()).read(),
    do_lower_case=bool(legacy.do_lower_case.numpy()))))
"""


def tf1_placeholders(replica: Replica) -> str:
    """What 002's code names but never defines (the BERT repository's preprocessing makes them) and its
    `training` flag: the ids are the replica's own cased preprocessor's, at 128 tokens."""
    ids = packed_ids(replica)
    return (f"training = False\ninput_ids = tf.constant({ids['input_word_ids'].tolist()}, tf.int32)\n"
            f"input_mask = tf.constant({ids['input_mask'].tolist()}, tf.int32)\n"
            f"segment_ids = tf.constant({ids['input_type_ids'].tolist()}, tf.int32)\n")


@pytest.fixture(scope="module")
def tfhub_cards(seed_hub, tmp_path_factory) -> dict[str, SeedRun]:
    """The three TF Hub cards' code (each with the notebook's imports and ``hubfork.install()`` added) run
    one after the other in one fresh process: a notebook's kernel, each card in a namespace and caches of
    its own. A card that fails leaves the others to run."""
    keras = INSTALL + TF_IMPORTS + "{code}" + CAPTURE_KERAS
    codes = {"000": keras.format(code=python_blocks("000")), "001": keras.format(code=python_blocks("001")),
             "002": INSTALL + TF_IMPORTS + tf1_placeholders(seed_hub.replicas["002"]) + python_blocks("002")
             + capture(pooled="pooled_output", sequence="sequence_output")}
    return run_seeds(seed_hub, tmp_path_factory.mktemp("tfhub-cards"), codes)


def check_keras_seed(seed_hub, tfhub_cards, number: str) -> dict:
    captured = tfhub_cards[number].check()
    replica = seed_hub.replicas[number]
    np.testing.assert_allclose(captured["pooled"], pooled_reference(replica), atol=1e-5)
    assert captured["sequence_shape"] == [len(TEXTS), SEQ_LENGTH, 32]
    assert captured["blocks"] == 2 and captured["last_block_is_sequence"]
    assert captured["trainable"] > 0  # trainable=True, as the card asks
    return captured


def test_seed_000_small_bert_encoder_with_its_preprocessor(seed_hub, tfhub_cards):
    captured = check_keras_seed(seed_hub, tfhub_cards, "000")
    assert captured["do_lower_case"] is True


def test_seed_001_dict_api_and_legacy_vocab_attributes(seed_hub, tfhub_cards):
    captured = check_keras_seed(seed_hub, tfhub_cards, "001")
    # The legacy attributes its changelog keeps "for legacy users" are the replica's own vocab and casing.
    assert captured["vocab"] == UNCASED_VOCAB
    assert captured["do_lower_case"] is True


def test_seed_002_tf1_tokens_signature(seed_hub, tfhub_cards):
    captured = tfhub_cards["002"].check()
    np.testing.assert_allclose(captured["pooled"], pooled_reference(seed_hub.replicas["002"]), atol=1e-5)
    assert np.asarray(captured["sequence"]).shape == (len(TEXTS), SEQ_LENGTH, 32)


def test_seed_003_pull_from_hub_with_preprocessor_and_mlm(seed_hub, tmp_path):
    replica = seed_hub.replicas["003"]
    # The earlier fork's pull_from_hub is hubfork's (docs/migrating.md): its import is all that is added.
    # The MLM section sizes its inputs by `seq_length` and `num_predict`, which it leaves to the reader.
    prelude = "from hubfork import pull_from_hub\n" + TF_IMPORTS + "seq_length = 128\nnum_predict = 2\n"
    positions = [[1, 2], [2, 4]]
    texts = f"tf.constant({TEXTS!r})"
    code = (prelude + section_code("003", "Using TF Hub fork")
            + capture(pooled=f"embedding_model({texts})", card_pooled="embedding_model(sentences)") + "\n"
            + section_code("003", "Masked Language Model")
            + capture(logits=f'mlm({{**preprocessor({texts}), "masked_lm_positions": tf.constant({positions})}})'
                             '["mlm_logits"]'))
    run = run_seeds(seed_hub, tmp_path, {"003": code})["003"]
    # The first section ran whatever the second did.
    assert run.captures, f"the card's pull_from_hub section failed:\n{run.stderr[-6000:]}"
    np.testing.assert_allclose(run.captures[0]["pooled"], pooled_reference(replica), atol=1e-5)
    np.testing.assert_allclose(run.captures[0]["card_pooled"], pooled_reference(replica, ["(your text here)"]),
                               atol=1e-5)
    expected = reference_model(replica).encoder.mlm_logits(packed_ids(replica), np.array(positions, np.int32))
    np.testing.assert_allclose(run.check()["logits"], np.asarray(expected), atol=1e-5)


def test_section_code_is_the_cards_code_without_its_prose():
    fork = section_code("003", "Using TF Hub fork").splitlines()
    assert len(fork) == 10
    assert fork[0] == 'preprocessor = pull_from_hub(repo_id="Dimitre/bert_en_cased_preprocess")'
    assert fork[-1] == "print(embedding_model(sentences))"
    mlm = section_code("003", "Masked Language Model").splitlines()
    assert mlm[0] == "mlm_inputs = dict(" and mlm[5] == ")"  # one statement over six lines, kept whole
    assert mlm[-3:-1] == ["mlm = hub.KerasLayer(encoder.mlm, trainable=True)", "mlm_outputs = mlm(mlm_inputs)"]
