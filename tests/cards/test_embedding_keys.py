"""hubfork's ``pooling`` and ``normalize`` card keys: read as facts, checked against POOLINGS,
and carried into the registry."""

from __future__ import annotations

import pytest

from hubfork.cards.parser import parse_card
from hubfork.registry.registry import Registry
from tests.conftest import ROOT

CARD = """# Module org/encoder/1
An encoder.

<!-- asset-path: legacy -->
<!-- fine-tunable: true -->
<!-- format: saved_model_2 -->
<!-- task: text-embedding -->
{extra}
## Overview

Text.
"""


def test_the_keys_are_facts_of_the_card():
    card = parse_card("1.md", CARD.format(extra="<!-- pooling: cls -->\n<!-- normalize: false -->"))
    assert card.ok, card.problems
    assert (card.pooling, card.normalize) == ("cls", False)
    plain = parse_card("1.md", CARD.format(extra=""))
    assert (plain.pooling, plain.normalize) == (None, None)


@pytest.mark.parametrize("extra, line, needle", [
    ("<!-- pooling: max -->", 8, "'pooling' must be one of pooled, mean, cls, not 'max'"),
    ("<!-- pooling: mean -->\n<!-- normalize: yes -->", 9, "'normalize' must be true or false, not 'yes'"),
])
def test_a_bad_value_is_an_error_on_its_line(extra, line, needle):
    card = parse_card("1.md", CARD.format(extra=extra))
    assert [(p.line, p.message) for p in card.errors] == [(line, needle)]


def test_the_project_registry_carries_the_minilm_keys():
    entry = Registry.load(ROOT / "registry.yaml").get("hubfork/all-MiniLM-L6-v2")
    assert (entry.pooling, entry.normalize) == ("mean", True)
    assert entry.metadata["pooling"] == "mean"
