"""How a model's embeddings are meant to be pooled and normalised, when the caller does not say.

In this order: what the caller passes to `TextModel.embed`; a sentence-transformers
configuration beside the weights (``modules.json``, ``1_Pooling/config.json``); what the
model card or registry entry says (read by `hubfork.loading`, which knows names); else
`DEFAULT_POOLING` without normalisation, which is what TF Hub's BERT cards used.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from hubfork.constants import POOLINGS
from hubfork.errors import ModelFormatError
from hubfork.models.model_files import read_model_file

#: The pooling when nothing says otherwise: the encoder's own pooled_output.
DEFAULT_POOLING = "pooled"
#: What sentence-transformers' Pooling flags mean in hubfork's `POOLINGS`.
_SENTENCE_TRANSFORMERS_MODES = {"pooling_mode_mean_tokens": "mean", "pooling_mode_cls_token": "cls"}
_NORMALIZE_MODULE = "sentence_transformers.models.Normalize"


@dataclass(frozen=True)
class EmbeddingDefaults:
    """What one source says about pooling and normalisation (None: it does not say), and which source."""

    pooling: str | None = None
    normalize: bool | None = None
    source: str = "hubfork's default"

    def __post_init__(self) -> None:
        if self.pooling is not None and self.pooling not in POOLINGS:
            raise ValueError(f"pooling must be one of {', '.join(POOLINGS)}, not {self.pooling!r}")


def sentence_transformers_defaults(folder: Path) -> EmbeddingDefaults | None:
    """What a sentence-transformers configuration in `folder` says, or None when there is none.

    A pooling mode hubfork does not have (max, weighted mean, last token) says nothing
    about pooling. An unreadable file is treated as absent: it is documentation of the
    weights, not part of the SavedModel.
    """
    modules = _read_json(folder, folder / "modules.json")
    modules = modules if isinstance(modules, list) else []
    pooling_dirs = [m["path"] for m in modules if isinstance(m, dict) and isinstance(m.get("path"), str)
                    and str(m.get("type", "")).endswith(".Pooling")]
    config = None
    for name in (*pooling_dirs, "1_Pooling"):
        config = _read_json(folder, folder / name / "config.json")
        if isinstance(config, dict):
            break
    pooling = None
    if isinstance(config, dict):
        chosen = [mode for key, mode in _SENTENCE_TRANSFORMERS_MODES.items() if config.get(key) is True]
        pooling = chosen[0] if len(chosen) == 1 else None
    # modules.json lists every module, so a Normalize missing from it means no normalisation.
    normalize = any(isinstance(m, dict) and m.get("type") == _NORMALIZE_MODULE for m in modules) if modules else None
    if pooling is None and normalize is None:
        return None
    return EmbeddingDefaults(pooling, normalize, "the sentence-transformers configuration beside the weights")


def choose_defaults(*sources: EmbeddingDefaults | None) -> tuple[EmbeddingDefaults, EmbeddingDefaults]:
    """The pooling and the normalisation, each from the first source that says (then the default):
    two `EmbeddingDefaults`, the first with its pooling set, the second with its normalize set."""
    said = [s for s in sources if s is not None]
    pooling = next((s for s in said if s.pooling is not None), EmbeddingDefaults(DEFAULT_POOLING))
    normalize = next((s for s in said if s.normalize is not None), EmbeddingDefaults(normalize=False))
    return pooling, normalize


def _read_json(folder: Path, path: Path) -> object:
    # `modules.json` names the pooling folder: it must not lead hubfork out of the model's folder.
    try:
        return json.loads(read_model_file(folder, path, path.name))
    except (ModelFormatError, ValueError, RecursionError):
        return None


__all__ = ["DEFAULT_POOLING", "EmbeddingDefaults", "choose_defaults", "sentence_transformers_defaults"]
