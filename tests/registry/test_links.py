"""hubfork.registry.links: the models a card links to or loads, read from the card file as the parser reads
one (a regular file of bounded size), its own model left out."""

from __future__ import annotations

import os
import threading

from hubfork.cards.parser import parse_card
from hubfork.registry.links import card_links, model_key


def _card(tmp_path, text: str):
    path = tmp_path / "acme" / "encoder" / "2.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    card = parse_card(path)
    card.handle = "acme/encoder/2"  # as the catalogue's folder would name it
    return card


def test_links_and_code_once_each_in_order_without_the_card_s_own_model(tmp_path):
    card = _card(tmp_path, "# Module acme/encoder/2\n\nAn encoder.\n\n"
                           "Uses [the preprocessor](https://tfhub.dev/acme/preprocess/3) and "
                           "[version 1 of itself](https://tfhub.dev/acme/encoder/1); again "
                           "[the preprocessor](https://tfhub.dev/acme/preprocess/3).\n\n"
                           "```python\nhub.KerasLayer('https://tfhub.dev/other/head/1')\n```\n")
    links = card_links(card)
    assert [model_key(name) for name in links] == ["acme/preprocess", "other/head"]


def test_a_card_file_swapped_for_a_fifo_adds_no_prose_links_and_does_not_block(tmp_path):
    card = _card(tmp_path, "# Module acme/encoder/2\n\nAn encoder.\n")
    os.remove(card.path)
    os.mkfifo(card.path)
    found: list = []
    reader = threading.Thread(target=lambda: found.append(card_links(card)), daemon=True)
    reader.start()
    reader.join(timeout=30)
    assert found == [()]  # refused unread (a FIFO is not a regular file), not waited on
