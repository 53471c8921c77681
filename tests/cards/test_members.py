"""hubfork.cards.members: the models a Collection card links to."""

from __future__ import annotations

from hubfork.cards.members import collection_members

BODY = """## Models

| [a](https://tfhub.dev/acme/a) | [a again](https://tfhub.dev/acme/a) |
| [b, version 2](https://tfhub.dev/acme/b/2) |
See also [another collection](https://tfhub.dev/acme/collections/more/1) and [the paper](https://arxiv.org/abs/1).

<!-- (https://tfhub.dev/acme/lite-model/c/1) -->
<!-- (https://tfhub.dev/acme/d/nested/name) -->
[search](https://tfhub.dev/s?q=bert) [terms](https://tfhub.dev/terms#x)
"""


def test_a_collection_s_members_are_its_tfhub_links_in_order_once_each():
    assert collection_members("Collection", BODY.split("\n")) == (
        "acme/a", "acme/b/2", "acme/c/1", "acme/d/nested/name")


def test_other_kinds_and_collections_without_links_have_none():
    assert collection_members("Module", BODY.split("\n")) == ()
    assert collection_members(None, BODY.split("\n")) == ()
    assert collection_members("Collection", ["## Models", "", "None yet."]) == ()
