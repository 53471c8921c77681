"""How a model's embeddings are meant to be pooled and normalised, when the caller does not say.

In this order: what the caller passes to `TextModel.embed`; a sentence-transformers
configuration beside the weights (``modules.json``, ``1_Pooling/config.json``); what the
model card or registry entry says (read by `hubfork.loading`, which knows names); else
`DEFAULT_POOLING` without normalisation, which is what TF Hub's BERT cards used.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from hubfork.constants import POOLINGS
from hubfork.errors import ModelFormatError
from hubfork.models.model_files import read_model_file

#: The pooling when nothing says otherwise: the encoder's own pooled_output.
DEFAULT_POOLING = "pooled"
#: What sentence-transformers' Pooling flags mean in hubfork's `POOLINGS`.
_SENTENCE_TRANSFORMERS_MODES = {"pooling_mode_mean_tokens": "mean", "pooling_mode_cls_token": "cls"}
_NORMALIZE_MODULE = "sentence_transformers.models.Normalize"
_MODE_PREFIX = "pooling_mode_"
_SOURCE = "the sentence-transformers configuration beside the weights"


@dataclass(frozen=True)
class EmbeddingDefaults:
    """What one source says about pooling and normalisation (None: it does not say), and which source."""

    pooling: str | None = None
    normalize: bool | None = None
    source: str = "hubfork's default"

    def __post_init__(self) -> None:
        if self.pooling is not None and self.pooling not in POOLINGS:
            raise ValueError(f"pooling must be one of {', '.join(POOLINGS)}, not {self.pooling!r}")


@dataclass(frozen=True)
class SentenceTransformersConfig:
    """A sentence-transformers configuration in a folder: what it says, the files it was read from
    (folder-relative, as written there) and their texts, and the Pooling flags it sets."""

    defaults: EmbeddingDefaults | None
    files: dict[str, bytes]
    #: The ``pooling_mode_*`` flags of the Pooling config that are true, in the file's order.
    modes: tuple[str, ...] = ()

    @property
    def unsupported(self) -> str | None:
        """The pooling the configuration sets that hubfork does not have (``max_tokens``, ``weightedmean_tokens
        and max_tokens``), or None when it sets one hubfork has, or none."""
        if not self.modes or (self.defaults is not None and self.defaults.pooling is not None):
            return None
        return " and ".join(mode.removeprefix(_MODE_PREFIX) for mode in self.modes)

    def describe(self) -> str:
        """One line on what the configuration says and where: ``pooling: mean, normalised (from
        1_Pooling/config.json and modules.json)``."""
        said = self.defaults or EmbeddingDefaults()
        parts = [said.pooling] if said.pooling else []
        if said.normalize is not None:
            parts.append("normalised" if said.normalize else "not normalised")
        return f"pooling: {', '.join(parts)} (from {' and '.join(sorted(self.files))})"


def read_sentence_transformers(folder: Path) -> SentenceTransformersConfig | None:
    """The sentence-transformers configuration in `folder` (``modules.json``, the Pooling module's
    ``config.json``), or None when it has neither.

    A pooling mode hubfork does not have (max, weighted mean, last token, several at once) says
    nothing about pooling, and is named by `SentenceTransformersConfig.unsupported`. An unreadable
    file is treated as absent: it is documentation of the weights, not part of the SavedModel.
    """
    files: dict[str, bytes] = {}
    modules = _read_json(folder, "modules.json", files)
    if not isinstance(modules, list):
        files.pop("modules.json", None)
        modules = []
    pooling_dirs = [m["path"] for m in modules if isinstance(m, dict) and _plain(m.get("path"))
                    and str(m.get("type", "")).endswith(".Pooling")]
    config: object = None
    for name in dict.fromkeys((*pooling_dirs, "1_Pooling")):
        config = _read_json(folder, f"{name}/config.json", files)
        if isinstance(config, dict):
            break
        files.pop(f"{name}/config.json", None)
    modes: tuple[str, ...] = ()
    pooling = None
    if isinstance(config, dict):
        modes = tuple(key for key, value in config.items() if key.startswith(_MODE_PREFIX) and value is True)
        pooling = _SENTENCE_TRANSFORMERS_MODES.get(modes[0]) if len(modes) == 1 else None
    # modules.json lists every module, so a Normalize missing from it means no normalisation.
    normalize = any(isinstance(m, dict) and m.get("type") == _NORMALIZE_MODULE for m in modules) if modules else None
    if not files:
        return None
    said = None if pooling is None and normalize is None else EmbeddingDefaults(pooling, normalize, _SOURCE)
    return SentenceTransformersConfig(said, files, modes)


def sentence_transformers_defaults(folder: Path) -> EmbeddingDefaults | None:
    """What a sentence-transformers configuration in `folder` says, or None when there is none
    (see `read_sentence_transformers`)."""
    config = read_sentence_transformers(folder)
    return None if config is None else config.defaults


def choose_defaults(*sources: EmbeddingDefaults | None) -> tuple[EmbeddingDefaults, EmbeddingDefaults]:
    """The pooling and the normalisation, each from the first source that says (then the default):
    two `EmbeddingDefaults`, the first with its pooling set, the second with its normalize set."""
    said = [s for s in sources if s is not None]
    pooling = next((s for s in said if s.pooling is not None), EmbeddingDefaults(DEFAULT_POOLING))
    normalize = next((s for s in said if s.normalize is not None), EmbeddingDefaults(normalize=False))
    return pooling, normalize


def _plain(name: object) -> bool:
    # A folder-relative name that can be written elsewhere as it is: no "..", no absolute path.
    return isinstance(name, str) and bool(name) and not PurePosixPath(name).is_absolute() and all(
        part not in ("", ".", "..") for part in name.split("/"))


def _read_json(folder: Path, name: str, texts: dict[str, bytes]) -> object:
    """The JSON of the file `name` of `folder` (its bytes kept in `texts`), or None when it cannot be read."""
    # `modules.json` names the pooling folder: it must not lead hubfork out of the model's folder.
    try:
        data = read_model_file(folder, folder / name, Path(name).name)
        texts[name] = data
        return json.loads(data)
    except (ModelFormatError, ValueError, RecursionError):
        return None


__all__ = ["DEFAULT_POOLING", "EmbeddingDefaults", "SentenceTransformersConfig", "choose_defaults",
           "read_sentence_transformers", "sentence_transformers_defaults"]
