"""Dynamic padding: batches of similar length, each cut to its longest sequence.

Padding costs as much as real tokens (a BERT layer is dense matmuls over every
position), and real text is mostly short: at a fixed 128 tokens, 30-token
sentences spend three quarters of the work on padding. So texts are packed
once at the preprocessor's full length, sorted by length, cut into batches,
and each batch keeps only the columns up to its longest sequence, rounded up to
a multiple of `multiple` so that a handful of shapes serve every input (XLA
compiles once per shape). Results come back in the caller's order.

Padding is masked out of attention with a -10000 bias, which underflows to an
exact zero weight, so a batch cut shorter gives the same numbers as at full
length up to float rounding (about 1e-6).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import numpy as np

#: Batch widths are rounded up to a multiple of this.
DEFAULT_MULTIPLE = 8


@dataclass(frozen=True)
class Batch:
    """Rows `index` of the packed inputs, cut to `width` columns."""

    index: np.ndarray
    inputs: dict[str, np.ndarray]

    @property
    def width(self) -> int:
        return next(iter(self.inputs.values())).shape[1]


def lengths(packed: dict[str, np.ndarray]) -> np.ndarray:
    """The number of real (unmasked) tokens of each packed row."""
    return packed["input_mask"].sum(axis=1)


def bucket_width(longest: int, full: int, multiple: int = DEFAULT_MULTIPLE) -> int:
    """`longest` rounded up to a multiple of `multiple`, but never past `full`."""
    return min(full, max(multiple, -(-longest // multiple) * multiple))


def length_batches(packed: dict[str, np.ndarray], batch_size: int, multiple: int = DEFAULT_MULTIPLE,
                   max_tokens: int | None = None) -> Iterator[Batch]:
    """Batches longest first, each cut to its bucket width: of `batch_size` rows, or, given
    `max_tokens`, of as many rows as fit in rows x width <= max_tokens (at least one)."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    if max_tokens is not None and max_tokens < 1:
        raise ValueError(f"max_tokens must be at least 1, not {max_tokens}")
    sizes = lengths(packed)
    full = next(iter(packed.values())).shape[1]
    # Longest first: the widest shapes are met (and traced) first, and a stable
    # sort keeps equal lengths in input order.
    order = np.argsort(-sizes, kind="stable")
    start = 0
    while start < len(order):
        # The first row of a batch is its longest, so it sets the width and hence how many rows fit.
        width = bucket_width(int(sizes[order[start]]), full, multiple)
        rows = batch_size if max_tokens is None else max(1, max_tokens // width)
        index = order[start:start + rows]
        start += rows
        yield Batch(index, {key: np.ascontiguousarray(value[index, :width]) for key, value in packed.items()})


def token_budget(packed: dict[str, np.ndarray], batch_size: int, multiple: int = DEFAULT_MULTIPLE) -> int:
    """Tokens per batch for `length_batches(max_tokens=...)`: `batch_size` rows of the texts' mean
    bucket width. Batches of short texts then get more rows and of long ones fewer, so a long
    tail no longer pads a whole batch of mid-length texts, while memory stays that of
    `batch_size` rows on average."""
    full = next(iter(packed.values())).shape[1]
    sizes = lengths(packed)
    if sizes.size == 0:
        return batch_size * multiple
    widths = np.minimum(full, np.maximum(multiple, -(-sizes // multiple) * multiple))
    return max(1, int(round(batch_size * float(widths.mean()))))


__all__ = ["Batch", "DEFAULT_MULTIPLE", "bucket_width", "length_batches", "lengths", "token_budget"]
