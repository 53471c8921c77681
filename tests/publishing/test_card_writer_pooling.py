"""The ``pooling`` and ``normalize`` keys of a written card: as given, else as the model folder's
sentence-transformers configuration says (what ``hubfork convert`` carries), else not stated; read
back by `parse_card` as written. Plain text work on `ModelFacts`: no model is inspected here."""

from __future__ import annotations

import pytest

from hubfork.errors import PublishError
from hubfork.publishing.card_writer import write_card
from tests.fixtures.sentence_transformers import write_sentence_transformers
from tests.publishing.test_card_writer import HANDLE, PRE, encoder_facts, preprocessor_facts, read_back


@pytest.mark.parametrize("format", ["tfhub", "huggingface"])
@pytest.mark.parametrize("pooling, normalize", [("mean", False), ("cls", True), ("pooled", None), (None, False)])
def test_the_given_pooling_and_normalize_read_back(format, pooling, normalize):
    draft = write_card(encoder_facts("v3"), HANDLE, format=format, preprocessor=PRE, pooling=pooling,
                       normalize=normalize)
    assert draft.conflicts == []
    card = read_back(draft.text)
    assert (card.pooling, card.normalize) == (pooling, normalize)
    if format == "tfhub":
        stated = [line for line in draft.text.splitlines() if line.startswith(("<!-- pooling", "<!-- normalize"))]
        assert stated == ([f"<!-- pooling: {pooling} -->"] if pooling else []) + (
            [f"<!-- normalize: {str(normalize).lower()} -->"] if normalize is not None else [])


def test_without_them_a_card_says_what_the_model_folder_says(tmp_path):
    folder = write_sentence_transformers(tmp_path / "model")
    facts = encoder_facts("v3", path=str(folder))
    assert (lambda c: (c.pooling, c.normalize))(read_back(write_card(facts, HANDLE).text)) == ("mean", True)
    # Each fact given wins over the folder's; the other is still the folder's.
    assert (lambda c: (c.pooling, c.normalize))(read_back(write_card(facts, HANDLE, pooling="cls").text)) == (
        "cls", True)
    given = read_back(write_card(facts, HANDLE, format="huggingface", normalize=False).text)
    assert (given.pooling, given.normalize) == ("mean", False)


def test_a_folder_with_no_configuration_and_no_options_states_neither(tmp_path):
    card = read_back(write_card(encoder_facts("v3", path=str(tmp_path)), HANDLE).text)
    assert (card.pooling, card.normalize) == (None, None)
    assert "pooling" not in card.metadata and "normalize" not in card.metadata


def test_a_pooling_hubfork_does_not_have_in_the_folder_is_not_stated(tmp_path):
    folder = write_sentence_transformers(tmp_path / "model", ("pooling_mode_max_tokens",), normalize=False)
    card = read_back(write_card(encoder_facts("v3", path=str(folder)), HANDLE).text)
    assert (card.pooling, card.normalize) == (None, False)


def test_a_preprocessor_card_states_no_pooling(tmp_path):
    folder = write_sentence_transformers(tmp_path / "model")
    card = read_back(write_card(preprocessor_facts(path=str(folder)), PRE, pooling="mean", normalize=True).text)
    assert (card.pooling, card.normalize) == (None, None)


def test_an_unknown_pooling_is_refused():
    with pytest.raises(PublishError, match="pooling must be one of pooled, mean, cls, not 'max'"):
        write_card(encoder_facts("v3"), HANDLE, pooling="max")


MY_CARD = """\
# Module hubfork/tiny_bert/3
My tiny BERT.

<!-- asset-path: legacy -->
<!-- task: text-embedding -->
{extra}
## Overview

Mine.
"""


def test_a_users_card_stating_another_pooling_is_a_conflict_at_its_line():
    card = MY_CARD.format(extra="<!-- pooling: mean -->\n<!-- normalize: true -->\n")
    draft = write_card(encoder_facts("v3"), HANDLE, existing=card, pooling="cls", normalize=True, path="mine.md")
    assert [(str(p), p.code) for p in draft.conflicts] == [
        ("mine.md:6: error: card says pooling mean, but cls is asked for (--pooling, else the model folder's "
         "sentence-transformers configuration)", "pooling")]
    assert read_back(draft.text).pooling == "mean"  # the user's card is kept as written


def test_a_users_card_without_them_is_completed_with_them():
    draft = write_card(encoder_facts("v3"), HANDLE, existing=MY_CARD.format(extra=""), pooling="mean",
                       normalize=False)
    assert draft.conflicts == []
    card = read_back(draft.text)
    assert (card.pooling, card.normalize) == ("mean", False)
