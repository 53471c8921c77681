"""Pieces of the body reader: the prose kept outside code and HTML, and heading titles."""

from __future__ import annotations

import random

import pytest

from hubfork.cards.body import _prose, clean_title


def _prose_line_by_line(lines: list[str], hidden: list[tuple[int, int]]) -> str:
    keep = [True] * len(lines)
    for start, end in hidden:
        for number in range(start, min(end, len(lines))):
            keep[number] = False
    return "\n".join(line for line, kept in zip(lines, keep) if kept)


def test_prose_leaves_out_exactly_the_hidden_lines():
    # Ranges in any order, overlapping, empty, or running past the end.
    pick = random.Random(14)
    for _ in range(5000):
        lines = [f"line {n}" for n in range(pick.randint(0, 12))]
        hidden = [(start, start + pick.randint(0, 5)) for start in
                  (pick.randint(0, len(lines) + 2) for _ in range(pick.randint(0, 4)))]
        assert _prose(lines, hidden) == _prose_line_by_line(lines, hidden), (lines, hidden)


@pytest.mark.parametrize("title, clean", [
    ("Overview", "Overview"),
    ("**Bold** and `code` ##", "Bold and code"),
    ("[Link](https://x.y) text", "Link text"),
    ("pooled_output and _emphasis_", "pooled_output and emphasis"),
    ("![icon](a.png) Name", "icon Name"),
])
def test_clean_title(title, clean):
    assert clean_title(title) == clean
