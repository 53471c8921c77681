"""The ranking table (`hubfork.registry.ranking`): what it holds, and its form in the site's index."""

from __future__ import annotations

import json
import re

from hubfork.constants import CARD_KINDS
from hubfork.registry import ranking


def test_the_table_names_only_texts_tests_and_keys_it_defines():
    for match in ranking.MATCHES:
        assert match.test in ranking.TESTS and match.texts and set(match.texts) <= set(ranking.TEXTS)
        assert match.points > 0
    assert [key for key, _ in ranking.ORDER] == list(dict.fromkeys(key for key, _ in ranking.ORDER))
    assert {key for key, _ in ranking.ORDER} <= set(ranking.SORT_KEYS)
    assert {direction for _, direction in ranking.ORDER} <= {ranking.ASCENDING, ranking.DESCENDING}


def test_the_table_ranks_name_then_tags_then_description_best_score_first():
    # The name equal to a word scores as a whole word of it: a Collection named "bert" does not outrank
    # the BERT models its name is a word of; the catalogue's signals order those.
    assert [(m.test, m.texts, m.points) for m in ranking.MATCHES] == [
        ("equals", ("name", "handle", "model"), 8),
        ("word", ("name",), 8),
        ("contains", ("name", "handle"), 4),
        ("contains", ("tags",), 2),
        ("contains", ("description",), 1),
    ]
    assert ranking.ORDER[0] == ("score", ranking.DESCENDING)
    assert ranking.KIND_ORDER == CARD_KINDS


def test_within_a_score_the_catalogues_signals_order_then_the_model():
    assert ranking.ORDER == (
        ("score", ranking.DESCENDING),
        ("official", ranking.DESCENDING),
        ("kind", ranking.ASCENDING),
        ("collections", ranking.DESCENDING),
        ("links", ranking.DESCENDING),
        ("model", ranking.ASCENDING),
        ("handle", ranking.ASCENDING),
    )
    assert set(ranking.SIGNALS) <= set(ranking.SORT_KEYS)
    # Each signal is a field of the numbers the registry computes per entry.
    from dataclasses import fields

    from hubfork.registry.search import Prominence

    assert tuple(f.name for f in fields(Prominence)) == ranking.SIGNALS


def test_as_index_is_the_table_as_json():
    data = json.loads(json.dumps(ranking.as_index()))
    assert data["split"] == ranking.WORD_SEPARATORS
    assert [(test, tuple(texts), points) for test, texts, points in data["match"]] == \
        [(m.test, m.texts, m.points) for m in ranking.MATCHES]
    assert [tuple(row) for row in data["order"]] == list(ranking.ORDER)
    assert data["order"][0] == ["score", -1] and data["kinds"] == list(CARD_KINDS)


def test_word_separators_split_names_into_words():
    assert re.split(ranking.WORD_SEPARATORS, "bert_en_uncased_l-12 v2.1/lite") == \
        ["bert", "en", "uncased", "l", "12", "v2", "1", "lite"]
