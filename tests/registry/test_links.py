"""hubfork.registry.links: the models a card links to or loads, read from the text the registry build
parses (no second read of the card), its own model left out; and the build keeps them in each entry."""

from __future__ import annotations

from hubfork.cards.parser import parse_card
from hubfork.registry.build import build_registry
from hubfork.registry.links import card_links, model_key

CARD = ("# Module acme/encoder/2\n\nAn encoder.\n\n<!-- asset-path: legacy -->\n<!-- task: text-embedding -->\n"
        "<!-- fine-tunable: true -->\n<!-- format: saved_model_2 -->\n\n"
        "## Overview\n\nUses [the preprocessor](https://tfhub.dev/acme/preprocess/3) and "
        "[version 1 of itself](https://tfhub.dev/acme/encoder/1); again "
        "[the preprocessor](https://tfhub.dev/acme/preprocess/3).\n\n"
        "```python\nhub.KerasLayer(snapshot_download(\"other/head/1\"))\n```\n")


def test_links_and_code_once_each_in_order_without_the_card_s_own_model(tmp_path):
    path = tmp_path / "2.md"
    path.write_text(CARD, encoding="utf-8")
    card = parse_card(path)
    card.handle = "acme/encoder/2"  # as the catalogue's folder would name it
    assert [model_key(name) for name in card_links(card, CARD)] == ["acme/preprocess", "other/head"]


def test_the_build_keeps_each_card_s_links_code_included(tmp_path):
    card = tmp_path / "cards" / "tfhub.dev" / "assets" / "docs" / "acme" / "models" / "encoder" / "2.md"
    card.parent.mkdir(parents=True)
    card.write_text(CARD, encoding="utf-8")
    built = build_registry(tmp_path / "cards", tmp_path / "registry.yaml", jobs=1)
    (entry,) = [e for e in built.registry if e.handle == "acme/encoder/2"]
    # The code's handle too: the build drops a card's code before it makes the entry, not before its links.
    assert [model_key(name) for name in entry.links] == ["acme/preprocess", "other/head"]
