"""The one table of BERT's weights: each tensor's Hugging Face name, its shape, and the
variable of `hubfork.models.bert` that holds it (and whether it is stored transposed).

Reading a checkpoint (which names to expect, with which shapes), random
initialisation, and writing weights into the tf_keras layers all walk this table,
so a name or a shape is written down once.

Hugging Face stores a linear layer's weight as ``[out, in]``; a Keras kernel is
``[in, out]``: those rows are marked ``transpose``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hubfork.models.config import BertConfig

# (name, shape in sizes of the config, attribute of hubfork's layer, transpose?)
# Sizes: v vocab, h hidden, i intermediate, p positions, t token types.
_EMBEDDINGS = (
    ("embeddings.word_embeddings.weight", "vh", "embeddings.word_embeddings", False),
    ("embeddings.position_embeddings.weight", "ph", "embeddings.position_embeddings", False),
    ("embeddings.token_type_embeddings.weight", "th", "embeddings.token_type_embeddings", False),
    ("embeddings.LayerNorm.weight", "h", "embeddings.gamma", False),
    ("embeddings.LayerNorm.bias", "h", "embeddings.beta", False),
)
# One transformer block: names under ``encoder.layer.N.``, attributes of ``blocks[N]``.
_BLOCK = (
    ("attention.self.query.weight", "hh", "query_kernel", True),
    ("attention.self.query.bias", "h", "query_bias", False),
    ("attention.self.key.weight", "hh", "key_kernel", True),
    ("attention.self.key.bias", "h", "key_bias", False),
    ("attention.self.value.weight", "hh", "value_kernel", True),
    ("attention.self.value.bias", "h", "value_bias", False),
    ("attention.output.dense.weight", "hh", "attention_output_kernel", True),
    ("attention.output.dense.bias", "h", "attention_output_bias", False),
    ("attention.output.LayerNorm.weight", "h", "attention_gamma", False),
    ("attention.output.LayerNorm.bias", "h", "attention_beta", False),
    ("intermediate.dense.weight", "ih", "intermediate_kernel", True),
    ("intermediate.dense.bias", "i", "intermediate_bias", False),
    ("output.dense.weight", "hi", "output_kernel", True),
    ("output.dense.bias", "h", "output_bias", False),
    ("output.LayerNorm.weight", "h", "output_gamma", False),
    ("output.LayerNorm.bias", "h", "output_beta", False),
)
_POOLER = (
    ("pooler.dense.weight", "hh", "pooler.kernel", True),
    ("pooler.dense.bias", "h", "pooler.bias", False),
)
# Attributes of the masked-LM head (its output weights are the word embeddings, shared).
_MLM = (
    ("cls.predictions.transform.dense.weight", "hh", "transform_kernel", True),
    ("cls.predictions.transform.dense.bias", "h", "transform_bias", False),
    ("cls.predictions.transform.LayerNorm.weight", "h", "gamma", False),
    ("cls.predictions.transform.LayerNorm.bias", "h", "beta", False),
    ("cls.predictions.bias", "v", "output_bias", False),
)

#: The pooler's tensors (a checkpoint may lack them).
POOLER_KEYS = tuple(row[0] for row in _POOLER)
#: The masked-LM head's tensors (only a BertForMaskedLM checkpoint has them).
MLM_KEYS = tuple(row[0] for row in _MLM)


@dataclass(frozen=True)
class Weight:
    """One tensor: Hugging Face name, shape, and where it lives in hubfork's layers."""

    name: str
    shape: tuple[int, ...]
    #: "encoder" (the BertEncoder layer) or "mlm" (the MaskedLMHead layer).
    owner: str
    #: Dotted attribute path from the owner to the variable (``blocks.3.query_kernel``).
    attribute: str
    transpose: bool


def weight_table(config: BertConfig, *, mlm: bool = True) -> tuple[Weight, ...]:
    """Every tensor of a BERT encoder with `config` (pooler included) and, with `mlm`, of its masked-LM head."""
    sizes = {"v": config.vocab_size, "h": config.hidden_size, "i": config.intermediate_size,
             "p": config.max_position_embeddings, "t": config.type_vocab_size}

    def row(name: str, shape: str, attribute: str, transpose: bool, owner: str = "encoder") -> Weight:
        return Weight(name, tuple(sizes[s] for s in shape), owner, attribute, transpose)

    # This order is the order `random_weights` draws in: changing it changes every seeded model.
    rows = [row(*r) for r in _EMBEDDINGS + _POOLER]
    if mlm:
        rows += [row(*r, owner="mlm") for r in _MLM]
    for n in range(config.num_hidden_layers):
        rows += [row(f"encoder.layer.{n}.{name}", shape, f"blocks.{n}.{attribute}", transpose)
                 for name, shape, attribute, transpose in _BLOCK]
    return tuple(rows)


def encoder_keys(config: BertConfig) -> list[str]:
    """The state-dict keys of a BertModel encoder with this config (pooler included)."""
    return [w.name for w in weight_table(config, mlm=False)]


def expected_shapes(config: BertConfig) -> dict[str, tuple[int, ...]]:
    """Shape of every tensor of a BertForMaskedLM with this config (Hugging Face layout)."""
    return {w.name: w.shape for w in weight_table(config)}


def variable_map(encoder: Any, mlm_head: Any | None = None) -> dict[str, tuple[Any, bool]]:
    """Hugging Face name -> (tf variable, transpose?) for built encoder (and masked-LM head) layers."""
    owners = {"encoder": encoder, "mlm": mlm_head}
    return {w.name: (_attribute(owners[w.owner], w.attribute), w.transpose)
            for w in weight_table(encoder.config, mlm=mlm_head is not None)}


def _attribute(owner: Any, path: str) -> Any:
    for part in path.split("."):
        owner = owner[int(part)] if part.isdigit() else getattr(owner, part)
    return owner


__all__ = ["Weight", "weight_table", "encoder_keys", "expected_shapes", "variable_map", "MLM_KEYS", "POOLER_KEYS"]
