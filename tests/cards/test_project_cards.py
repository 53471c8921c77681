"""The project's own cards in cards/: valid without warnings, and stating the
seeds' facts."""

from __future__ import annotations

import pytest

from hubfork import Architecture, parse_cards
from tests.conftest import ROOT

CARDS = {card.handle: card for card in parse_cards([ROOT / "cards"])}


def test_every_project_card_is_clean():
    assert len(CARDS) == 11
    problems = [str(p) for card in CARDS.values() for p in card.problems]
    assert problems == []


@pytest.mark.parametrize(
    "handle, size, casing, api, mlm, preprocessor",
    [
        ("tensorflow/small_bert/bert_en_uncased_L-12_H-128_A-2/1", (12, 128, 2), "uncased", "dict", False,
         "tensorflow/bert_en_uncased_preprocess/1"),
        ("tensorflow/bert_en_wwm_uncased_L-24_H-1024_A-16/3", (24, 1024, 16), "uncased", "dict", False,
         "tensorflow/bert_en_uncased_preprocess/1"),
        ("google/bert_multi_cased_L-12_H-768_A-12/1", (12, 768, 12), "cased", "tf1-hub", False, None),
        ("Dimitre/bert_en_cased_L-12_H-768_A-12", (12, 768, 12), "cased", "dict", True,
         "Dimitre/bert_en_cased_preprocess"),
        ("hubfork/all-MiniLM-L6-v2/1", (6, 384, 12), "uncased", "dict", False, "hubfork/all-MiniLM-L6-v2_preprocess/1"),
    ],
)
def test_seed_models_carry_the_seed_facts(handle, size, casing, api, mlm, preprocessor):
    card = CARDS[handle]
    assert card.architecture == Architecture(*size)
    assert (card.casing, card.api, card.mlm, card.preprocessor) == (casing, api, mlm, preprocessor)
    assert card.fine_tunable is True


def test_companion_preprocessors_are_in_the_project():
    for encoder in ("tensorflow/small_bert/bert_en_uncased_L-12_H-128_A-2/1", "Dimitre/bert_en_cased_L-12_H-768_A-12",
                    "hubfork/all-MiniLM-L6-v2/1"):
        preprocessor = CARDS[CARDS[encoder].preprocessor]
        assert preprocessor.fine_tunable is False
        assert preprocessor.casing == CARDS[encoder].casing


def test_hugging_face_cards_record_where_to_fetch_them():
    assert [s.repo_id for s in CARDS["Dimitre/bert_en_cased_L-12_H-768_A-12"].sources] == [
        "Dimitre/bert_en_cased_L-12_H-768_A-12"]
    assert [s.repo_id for s in CARDS["Dimitre/bert_en_cased_preprocess"].sources] == [
        "Dimitre/bert_en_cased_preprocess"]
