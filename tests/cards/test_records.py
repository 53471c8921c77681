"""Typed card records: how an architecture reads."""

from __future__ import annotations

import pytest

from hubfork.cards.records import Architecture


@pytest.mark.parametrize("arch, label, described", [
    (Architecture(12, 768, 12), "L-12_H-768_A-12", "L-12_H-768_A-12 (12 layers, hidden size 768, 12 heads)"),
    (Architecture(layers=24), "L-24", "L-24 (24 layers)"),
    (Architecture(hidden_size=128, heads=2), "H-128_A-2", "H-128_A-2 (hidden size 128, 2 heads)"),
    (Architecture(), "", ""),
])
def test_an_architecture_says_only_the_parts_it_states(arch, label, described):
    assert (arch.label, arch.described) == (label, described)


def test_facts_and_records_import_one_way():
    """A card (records) reads its stated embedding through facts; facts reads only the card's pieces (parts)."""
    from tests.test_layers import PACKAGE, imported_modules

    def imports(name: str) -> set[str]:
        return {module for _, module in imported_modules(PACKAGE / "cards" / f"{name}.py")}

    assert "hubfork.cards.facts" in imports("records")
    assert not {m for m in imports("facts") if m.startswith(("hubfork.cards.records", "hubfork.cards.schema"))}
    assert not {m for m in imports("parts") if m.startswith("hubfork")}
