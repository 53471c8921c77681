"""Dynamic padding (`hubfork.models.batching`): pure NumPy, no TensorFlow."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hubfork.models.batching import (
    BATCH_COST_TOKENS,
    DEFAULT_MULTIPLE,
    bucket_width,
    length_batches,
    lengths,
    planned_cuts,
    token_budget,
)


def _packed(sizes, full=128, seed=0) -> dict[str, np.ndarray]:
    """Packed inputs as a preprocessor gives them: `sizes[i]` real tokens in row i, zeros after."""
    rng = np.random.default_rng(seed)
    sizes = np.asarray(sizes)
    mask = (np.arange(full)[None, :] < sizes[:, None]).astype(np.int32)
    ids = rng.integers(1, 1000, size=(len(sizes), full)).astype(np.int32) * mask
    types = (rng.integers(0, 2, size=(len(sizes), full)) * mask).astype(np.int32)
    return {"input_word_ids": ids, "input_mask": mask, "input_type_ids": types}


@pytest.mark.parametrize("longest, full, expected", [
    (1, 128, 8), (7, 128, 8), (8, 128, 8), (9, 128, 16), (16, 128, 16), (17, 128, 24),
    (100, 128, 104), (121, 128, 128), (128, 128, 128),
    (0, 128, 8),          # an empty row still gets one bucket's width
    (60, 64, 64), (61, 62, 62), (3, 5, 5),  # capped at the full width, even when that is not a multiple
])
def test_bucket_width_rounds_up_to_the_multiple_and_never_past_full(longest, full, expected):
    assert DEFAULT_MULTIPLE == 8
    assert bucket_width(longest, full) == expected


def test_bucket_width_with_another_multiple():
    assert [bucket_width(n, 128, multiple=32) for n in (1, 32, 33, 97, 128)] == [32, 32, 64, 128, 128]
    assert [bucket_width(n, 100, multiple=1) for n in (1, 2, 99, 100)] == [1, 2, 99, 100]


def test_lengths_count_the_unmasked_tokens():
    assert lengths(_packed([3, 0, 128, 17])).tolist() == [3, 0, 128, 17]


def test_batches_cover_every_row_exactly_once_longest_first_and_keep_the_values():
    sizes = [5, 40, 12, 128, 3, 40, 77, 9, 40, 1, 64, 22, 5]
    packed = _packed(sizes)
    batches = list(length_batches(packed, batch_size=4))
    assert [len(b.index) for b in batches] == [4, 4, 4, 1]
    order = np.concatenate([b.index for b in batches])
    assert sorted(order.tolist()) == list(range(len(sizes)))  # every row, once
    ordered_sizes = [sizes[i] for i in order]
    assert ordered_sizes == sorted(sizes, reverse=True)  # longest first
    # stable: rows of equal length keep their input order (the three 40s, the two 5s)
    assert [i for i in order if sizes[i] == 40] == [1, 5, 8]
    assert [i for i in order if sizes[i] == 5] == [0, 12]
    for batch in batches:
        longest = max(sizes[i] for i in batch.index)
        assert batch.width == bucket_width(longest, 128)
        assert batch.width % 8 == 0 and longest <= batch.width <= 128
        assert set(batch.inputs) == set(packed)
        for key, value in batch.inputs.items():
            assert value.shape == (len(batch.index), batch.width) and value.dtype == np.int32
            assert value.flags["C_CONTIGUOUS"]
            np.testing.assert_array_equal(value, packed[key][batch.index, :batch.width])
            # nothing real was cut off: the dropped columns were padding
            assert not packed[key][batch.index, batch.width:].any()
    assert [b.width for b in batches] == [128, 40, 16, 8]  # 128,77,64,40 | 40,40,22,12 | 9,5,5,3 | 1


def test_widths_are_capped_at_an_odd_full_width():
    packed = _packed([50, 10, 3], full=50)
    assert [b.width for b in length_batches(packed, batch_size=1)] == [50, 16, 8]
    packed = _packed([4, 2], full=6)
    assert [b.width for b in length_batches(packed, batch_size=1)] == [6, 6]


def test_one_batch_when_batch_size_exceeds_the_rows():
    packed = _packed([3, 9, 1])
    (batch,) = length_batches(packed, batch_size=100)
    assert batch.index.tolist() == [1, 0, 2] and batch.width == 16


def test_no_rows_no_batches():
    assert list(length_batches(_packed([]), batch_size=8)) == []


@pytest.mark.parametrize("batch_size", [0, -1])
def test_batch_size_below_one_is_refused(batch_size):
    with pytest.raises(ValueError, match=f"batch_size must be at least 1, not {batch_size}"):
        list(length_batches(_packed([3, 4]), batch_size=batch_size))


def test_token_batches_fit_the_budget_longest_first_and_cover_every_row_once():
    sizes = [5, 40, 12, 128, 3, 40, 77, 9, 40, 1, 64, 22, 5, 7, 7, 7, 2]
    packed = _packed(sizes)
    batches = list(length_batches(packed, batch_size=4, multiple=1, max_tokens=100))
    order = np.concatenate([b.index for b in batches])
    assert sorted(order.tolist()) == list(range(len(sizes)))
    assert [sizes[i] for i in order] == sorted(sizes, reverse=True)
    # One each of 128, 77, 64 (over the budget alone); the three 40s as 2 + 1 would fit, but then the 22
    # would pad to 40 or stand alone, so 2 + (40, 22) loses less; the 12 and 9 together rather than the 12
    # padding eight short rows; the eight rows from 7 down fill 56 tokens.
    assert [(len(b.index), b.width) for b in batches] == [(1, 128), (1, 77), (1, 64), (2, 40), (2, 40), (2, 12),
                                                            (8, 7)]
    for batch in batches:
        assert batch.width == max(sizes[i] for i in batch.index)
        assert len(batch.index) * batch.width <= 100 or len(batch.index) == 1
        for key, value in batch.inputs.items():
            assert (value == packed[key][batch.index, :batch.width]).all()
    with pytest.raises(ValueError, match="max_tokens"):
        next(length_batches(packed, 4, max_tokens=0))


def _plan_cost(widths, cuts, batch_cost):
    return sum(batch_cost + (stop - start) * widths[start] for start, stop in zip(cuts, cuts[1:]))


def _fits(widths, cuts, max_tokens):
    return all(stop - start == 1 or (stop - start) * widths[start] <= max_tokens for start, stop in zip(cuts, cuts[1:]))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(1, 60), min_size=1, max_size=10), st.integers(1, 200), st.integers(0, 100))
def test_planned_cuts_are_the_cheapest_plan_that_fits_the_budget(sizes, max_tokens, batch_cost):
    widths = sorted(sizes, reverse=True)
    n = len(widths)
    cuts = planned_cuts(np.array(widths), max_tokens, batch_cost)
    assert cuts[0] == 0 and cuts[-1] == n and cuts == sorted(set(cuts))
    assert _fits(widths, cuts, max_tokens)
    every_plan = ([0, *inner, n] for k in range(n) for inner in itertools.combinations(range(1, n), k))
    cheapest = min(_plan_cost(widths, plan, batch_cost) for plan in every_plan if _fits(widths, plan, max_tokens))
    assert _plan_cost(widths, cuts, batch_cost) == cheapest


def test_the_batch_cost_trades_padding_against_calls():
    widths = np.array([30, 20, 20, 10, 10, 10])
    assert planned_cuts(widths, 1000, batch_cost=0) == [0, 1, 3, 6]   # no padding at all
    assert planned_cuts(widths, 1000, batch_cost=10 ** 6) == [0, 6]  # one call, padded to 30
    # The budget allows no fewer than three calls; of those plans, the one that pads nothing.
    assert planned_cuts(widths, 60, batch_cost=10 ** 6) == [0, 1, 3, 6]
    assert planned_cuts(widths, 39, batch_cost=10 ** 6) == [0, 1, 2, 3, 6]
    assert planned_cuts(np.array([], dtype=int), 100) == [0]
    assert BATCH_COST_TOKENS > 0


def test_token_budget_is_batch_size_rows_of_the_mean_bucket_width():
    packed = _packed([5, 40, 12, 3])  # buckets of 8: 8, 40, 16, 8 -> mean 18
    assert token_budget(packed, 64) == 64 * 18
    assert token_budget(packed, 64, multiple=1) == 64 * 15
    assert token_budget(_packed([]), 10) == 10 * DEFAULT_MULTIPLE
