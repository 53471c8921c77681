"""The size and shape of a BERT encoder."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Mapping

from hubfork.errors import ModelFormatError

#: Activations the encoder implements, by their Hugging Face config names.
ACTIVATIONS = ("gelu", "relu")


@dataclass(frozen=True)
class BertConfig:
    """BERT hyper-parameters (names as in the original BERT and Hugging Face configs)."""

    vocab_size: int
    hidden_size: int = 768
    num_hidden_layers: int = 12
    num_attention_heads: int = 12
    intermediate_size: int = 0  # 0 means 4 * hidden_size, BERT's choice
    max_position_embeddings: int = 512
    type_vocab_size: int = 2
    hidden_dropout_prob: float = 0.1
    attention_probs_dropout_prob: float = 0.1
    layer_norm_eps: float = 1e-12
    hidden_act: str = "gelu"
    initializer_range: float = 0.02

    def __post_init__(self) -> None:
        if self.intermediate_size == 0:
            object.__setattr__(self, "intermediate_size", 4 * self.hidden_size)
        if self.hidden_size % self.num_attention_heads:
            raise ModelFormatError(
                f"hidden size {self.hidden_size} is not a multiple of the {self.num_attention_heads} attention heads"
            )
        if self.hidden_act not in ACTIVATIONS:
            raise ModelFormatError(f"activation {self.hidden_act!r} is not one of {', '.join(ACTIVATIONS)}")

    @property
    def head_size(self) -> int:
        return self.hidden_size // self.num_attention_heads

    @property
    def label(self) -> str:
        return f"L-{self.num_hidden_layers}_H-{self.hidden_size}_A-{self.num_attention_heads}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_hf(cls, config: Mapping[str, Any], *, source: str = "config.json") -> "BertConfig":
        """Read a Hugging Face ``config.json``; anything that is not a plain BERT is refused."""
        model_type = config.get("model_type")
        architectures = config.get("architectures") or []
        if model_type != "bert":
            found = f"model_type {model_type!r}" if model_type else "no model_type"
            if architectures:
                found += f" (architectures {', '.join(map(str, architectures))})"
            raise ModelFormatError(f"{source}: not a BERT checkpoint: found {found}; "
                                   "hubfork converts model_type 'bert'")
        if config.get("position_embedding_type", "absolute") != "absolute":
            raise ModelFormatError(
                f"{source}: position_embedding_type {config['position_embedding_type']!r} is not supported "
                "(only 'absolute', as in BERT)"
            )
        known = {f.name for f in fields(cls)}
        values = {key: config[key] for key in known if key in config}
        if "vocab_size" not in values:
            raise ModelFormatError(f"{source}: no vocab_size")
        try:
            return cls(**values)
        except ModelFormatError as exc:
            raise ModelFormatError(f"{source}: {exc}") from None

    @classmethod
    def from_spec(cls, spec: str, *, vocab_size: int) -> "BertConfig":
        """``layers=2,hidden=32,heads=2[,intermediate=64]`` -> a config (for random weights)."""
        names = {"layers": "num_hidden_layers", "hidden": "hidden_size", "heads": "num_attention_heads",
                 "intermediate": "intermediate_size", "positions": "max_position_embeddings"}
        values: dict[str, int] = {}
        for part in filter(None, (p.strip() for p in spec.split(","))):
            key, sep, value = part.partition("=")
            if not sep or key.strip() not in names or not value.strip().isdigit():
                raise ModelFormatError(
                    f"bad size {part!r} in {spec!r}: expected key=number with key one of {', '.join(names)}"
                )
            values[names[key.strip()]] = int(value)
        return cls(vocab_size=vocab_size, **values)

    def with_dropout(self, rate: float) -> "BertConfig":
        return replace(self, hidden_dropout_prob=rate, attention_probs_dropout_prob=rate)
