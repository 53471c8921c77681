"""Where an encoder's weights come from: a Hugging Face BERT checkpoint folder,
or random initialisation from a config.

Weights travel as a dict of NumPy arrays named and shaped as in a Hugging Face
``BertModel`` state dict (``embeddings.word_embeddings.weight``, linear weights
as ``[out, in]``); `assign` puts them into the tf_keras layers of
`hubfork.models.bert`. Safetensors files are read with the `safetensors`
package: no PyTorch is needed to convert.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from hubfork.errors import ModelFormatError
from hubfork.models.config import BertConfig
from hubfork.models.pooling import SentenceTransformersConfig, read_sentence_transformers
from hubfork.models.vocab import vocab_size
from hubfork.models.weight_table import MLM_KEYS, POOLER_KEYS, encoder_keys, expected_shapes, variable_map

# Keys of other heads (next-sentence prediction) and buffers: present, not needed.
_IGNORED = re.compile(r"^(?:embeddings\.position_ids|cls\.seq_relationship\..*|cls\.predictions\.decoder\.weight)$")


@dataclass
class Checkpoint:
    """A BERT checkpoint read into memory."""

    config: BertConfig
    weights: dict[str, np.ndarray]
    vocab_file: Path
    do_lower_case: bool
    source: str
    #: How a sentence-transformers checkpoint pools and normalises (``modules.json``, ``1_Pooling``), if it says.
    sentence_transformers: SentenceTransformersConfig | None = None

    @property
    def has_mlm(self) -> bool:
        return all(key in self.weights for key in MLM_KEYS)

    @property
    def has_pooler(self) -> bool:
        return all(key in self.weights for key in POOLER_KEYS)


def normalise_key(key: str) -> str:
    """``bert.encoder...LayerNorm.gamma`` -> ``encoder...LayerNorm.weight``."""
    key = key[len("bert."):] if key.startswith("bert.") else key
    key = re.sub(r"LayerNorm\.gamma$", "LayerNorm.weight", key)
    key = re.sub(r"LayerNorm\.beta$", "LayerNorm.bias", key)
    return "cls.predictions.bias" if key == "cls.predictions.decoder.bias" else key


def read_checkpoint(folder: str | Path) -> Checkpoint:
    """Read a Hugging Face BERT folder: ``config.json``, ``model.safetensors``, ``vocab.txt``.

    Accepts BertModel, BertForMaskedLM and BertForPreTraining layouts, with or
    without the ``bert.`` prefix. Anything else is refused with a message that
    names what was found. A sentence-transformers configuration beside the weights
    is read too (`hubfork.models.pooling.read_sentence_transformers`).
    """
    folder = Path(folder)
    config_file, weights_file, vocab_file = folder / "config.json", folder / "model.safetensors", folder / "vocab.txt"
    for needed in (config_file, vocab_file):
        if not needed.is_file():
            raise ModelFormatError(f"{folder}: no {needed.name} (a Hugging Face BERT folder has config.json, "
                                   "model.safetensors and vocab.txt)")
    if not weights_file.is_file():
        found = sorted(p.name for p in folder.iterdir() if p.suffix in (".bin", ".h5", ".msgpack", ".ckpt"))
        extra = f"; found {', '.join(found)} (convert it to safetensors first)" if found else ""
        raise ModelFormatError(f"{folder}: no model.safetensors{extra}")
    try:
        raw_config = json.loads(config_file.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ModelFormatError(f"{config_file}: not valid JSON: {exc}") from None
    config = BertConfig.from_hf(raw_config, source=str(config_file))
    weights = _read_safetensors(weights_file)
    unknown = sorted(k for k in weights if k not in set(encoder_keys(config)) | set(MLM_KEYS) and not _IGNORED.match(k))
    if unknown:
        shown = ", ".join(unknown[:5]) + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else "")
        raise ModelFormatError(f"{weights_file}: tensors that are not part of a BERT encoder: {shown}")
    missing = [k for k in encoder_keys(config) if k not in weights and k not in POOLER_KEYS]
    if missing:
        raise ModelFormatError(f"{weights_file}: missing BERT tensors: {', '.join(missing[:5])}")
    _check_shapes(weights, config, str(weights_file))
    tokens = vocab_size(vocab_file, folder=folder)
    if tokens != config.vocab_size:
        raise ModelFormatError(f"{vocab_file}: {tokens} tokens, but config.json says vocab_size {config.vocab_size}")
    return Checkpoint(config, weights, vocab_file, _lower_case(folder), str(folder),
                      read_sentence_transformers(folder))


def _read_safetensors(path: Path) -> dict[str, np.ndarray]:
    from safetensors import safe_open

    weights: dict[str, np.ndarray] = {}
    try:
        with safe_open(str(path), framework="numpy") as reader:
            for key in reader.keys():
                weights[normalise_key(key)] = np.asarray(reader.get_tensor(key), dtype=np.float32)
    except (OSError, ValueError, TypeError) as exc:
        raise ModelFormatError(f"{path}: cannot read safetensors: {exc}") from None
    return weights


def _check_shapes(weights: dict[str, np.ndarray], config: BertConfig, source: str) -> None:
    expected = expected_shapes(config)
    for key, array in weights.items():
        if key in expected and tuple(array.shape) != expected[key]:
            raise ModelFormatError(f"{source}: {key} has shape {tuple(array.shape)}, "
                                   f"the config implies {expected[key]}")


def _lower_case(folder: Path) -> bool:
    """Whether the checkpoint's tokenizer lower-cases: tokenizer_config.json, then tokenizer.json."""
    settings = folder / "tokenizer_config.json"
    if settings.is_file():
        value = json.loads(settings.read_text(encoding="utf-8")).get("do_lower_case")
        if isinstance(value, bool):
            return value
    tokenizer = folder / "tokenizer.json"
    if tokenizer.is_file():
        normalizer = json.loads(tokenizer.read_text(encoding="utf-8")).get("normalizer") or {}
        if isinstance(normalizer.get("lowercase"), bool):
            return normalizer["lowercase"]
    # BERT's own default; an "uncased"/"cased" name would have been set in either file.
    return True


def random_weights(config: BertConfig, seed: int = 0) -> dict[str, np.ndarray]:
    """BERT's initialisation (truncated normal, std `initializer_range`; layer norms 1 and 0; biases 0)."""
    rng = np.random.default_rng(seed)
    weights = {}
    for key, shape in expected_shapes(config).items():
        if key.endswith("LayerNorm.weight"):
            weights[key] = np.ones(shape, np.float32)
        elif key.endswith("bias"):
            weights[key] = np.zeros(shape, np.float32)
        else:
            values = rng.standard_normal(shape)
            weights[key] = (np.clip(values, -2, 2) * config.initializer_range).astype(np.float32)
    return weights


def assign(weights: dict[str, np.ndarray], encoder: Any, mlm_head: Any | None = None) -> list[str]:
    """Set the built layers' variables from `weights`; return the keys that had no value (kept as initialised)."""
    left = []
    for key, (variable, transpose) in variable_map(encoder, mlm_head).items():
        if key not in weights:
            left.append(key)
            continue
        value = weights[key].T if transpose else weights[key]
        variable.assign(value)
    return left
