"""Dynamic padding: batches of similar length, each cut to its longest sequence.

Padding costs as much as real tokens (a BERT layer is dense matmuls over every
position), and real text is mostly short: at a fixed 128 tokens, 30-token
sentences spend three quarters of the work on padding. So texts are packed
once at the preprocessor's full length, sorted by length, cut into batches,
and each batch keeps only the columns up to its longest sequence, rounded up to
a multiple of `multiple` so that a handful of shapes serve every input (XLA
compiles once per shape). Given a token budget, where to cut is planned
(`planned_cuts`): each cut saves padding and costs one more encoder call.
Results come back in the caller's order.

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
#: What one more batch costs, in padded tokens: whatever its size, a call runs a few hundred ops and
#: reads (oneDNN also re-lays out) every weight of the encoder. On MiniLM a call costs about 7 ms
#: beyond its tokens, which take about 0.11 ms each; the ratio is much the same for larger BERTs.
BATCH_COST_TOKENS = 64


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


def bucket_width(longest: int | np.ndarray, full: int, multiple: int = DEFAULT_MULTIPLE) -> int | np.ndarray:
    """`longest` (a length, or an array of them) rounded up to a multiple of `multiple`, but never past `full`."""
    return np.minimum(full, np.maximum(multiple, -(-longest // multiple) * multiple))


def length_batches(packed: dict[str, np.ndarray], batch_size: int, multiple: int = DEFAULT_MULTIPLE,
                   max_tokens: int | None = None) -> Iterator[Batch]:
    """Batches longest first, each cut to its bucket width: of `batch_size` rows, or, given
    `max_tokens`, the cheapest cut into batches of rows x width <= max_tokens (or one row each)
    by `planned_cuts`."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    if max_tokens is not None and max_tokens < 1:
        raise ValueError(f"max_tokens must be at least 1, not {max_tokens}")
    sizes = lengths(packed)
    full = next(iter(packed.values())).shape[1]
    # Longest first: the widest shapes are met (and traced) first, and a stable
    # sort keeps equal lengths in input order.
    order = np.argsort(-sizes, kind="stable")
    widths = bucket_width(sizes[order], full, multiple)
    if max_tokens is None:
        cuts = [*range(0, len(order), batch_size), len(order)]
    else:
        cuts = planned_cuts(widths, max_tokens)
    for start, stop in zip(cuts, cuts[1:]):
        index, width = order[start:stop], int(widths[start])
        yield Batch(index, {key: np.ascontiguousarray(value[index, :width]) for key, value in packed.items()})


def planned_cuts(widths: np.ndarray, max_tokens: int, batch_cost: int = BATCH_COST_TOKENS) -> list[int]:
    """Where to cut `widths` (sorted longest first) into batches: the cuts that minimise the padded
    tokens computed plus `batch_cost` per batch, each batch holding at most `max_tokens` (rows x its
    first, widest, width) unless it is a single row. Returns the cut positions, 0 and len(widths) included.

    Filling every batch to the budget pads the short end of each batch to its long end; cutting at
    every change of length wastes nothing on padding but pays the per-call cost many times. The
    cheapest plan (dynamic programming over the sorted widths, O(n x rows per batch)) sits between.
    """
    n = len(widths)
    if n == 0:
        return [0]
    widths = np.asarray(widths, dtype=np.int64)
    most_rows = max(1, max_tokens // max(1, int(widths[-1])))
    cost = np.zeros(n + 1)
    start_of = np.zeros(n + 1, dtype=np.int64)
    for stop in range(1, n + 1):
        first = max(0, stop - most_rows)
        starts = np.arange(first, stop)
        padded = (stop - starts) * widths[first:stop]
        total = cost[first:stop] + batch_cost + padded
        total[(padded > max_tokens) & (starts < stop - 1)] = np.inf
        best = int(np.argmin(total))  # the first minimum: the fewest, largest batches
        cost[stop], start_of[stop] = total[best], starts[best]
    cuts = [n]
    while cuts[-1] > 0:
        cuts.append(int(start_of[cuts[-1]]))
    return cuts[::-1]


def token_budget(packed: dict[str, np.ndarray], batch_size: int, multiple: int = DEFAULT_MULTIPLE) -> int:
    """Tokens per batch for `length_batches(max_tokens=...)`: `batch_size` rows of the texts' mean
    bucket width. Batches of short texts then get more rows and of long ones fewer, so a long
    tail no longer pads a whole batch of mid-length texts, while memory stays that of
    `batch_size` rows on average."""
    full = next(iter(packed.values())).shape[1]
    sizes = lengths(packed)
    if sizes.size == 0:
        return batch_size * multiple
    return max(1, int(round(batch_size * float(bucket_width(sizes, full, multiple).mean()))))


__all__ = ["BATCH_COST_TOKENS", "Batch", "DEFAULT_MULTIPLE", "bucket_width", "length_batches", "lengths",
           "planned_cuts", "token_budget"]
