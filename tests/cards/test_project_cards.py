"""The cards in cards/: the project's own (cards/hubfork, cards/huggingface) valid without warnings,
the catalogue's (cards/tfhub.dev) without errors, and the seeds' models stating the seeds' facts."""

from __future__ import annotations

import pytest

from hubfork import Architecture, parse_cards
from hubfork.cards.catalogue import project_key_lines
from tests.conftest import CATALOGUE, ROOT, SAMPLES

PROJECT = {card.handle: card for card in parse_cards([ROOT / "cards" / "hubfork", ROOT / "cards" / "huggingface"])}
SEED_MODELS = [
    "tensorflow/models/small_bert/bert_en_uncased_L-12_H-128_A-2/1.md",
    "tensorflow/models/bert_en_wwm_uncased_L-24_H-1024_A-16/3.md",
    "google/models/bert_multi_cased_L-12_H-768_A-12/1.md",
    "tensorflow/models/bert_en_cased_L-12_H-768_A-12/4.md",
    "tensorflow/models/bert_en_cased_preprocess/3.md",
    "tensorflow/models/bert_en_uncased_preprocess/3.md",
]
CARDS = {**PROJECT, **{card.handle: card for card in parse_cards([SAMPLES / rel for rel in SEED_MODELS])}}


def test_every_project_card_is_clean():
    assert sorted(PROJECT) == ["Dimitre/bert_en_cased_L-12_H-768_A-12", "Dimitre/bert_en_cased_preprocess", "hubfork",
                               "hubfork/all-MiniLM-L6-v2/1", "hubfork/all-MiniLM-L6-v2_preprocess/1"]
    problems = [str(p) for card in PROJECT.values() for p in card.problems]
    assert problems == []


@pytest.mark.parametrize(
    "handle, size, casing, api, mlm, preprocessor",
    [
        ("tensorflow/small_bert/bert_en_uncased_L-12_H-128_A-2/1", (12, 128, 2), "uncased", "dict", True,
         "tensorflow/bert_en_uncased_preprocess/3"),
        ("tensorflow/bert_en_wwm_uncased_L-24_H-1024_A-16/3", (24, 1024, 16), "uncased", "dict", True,
         "tensorflow/bert_en_uncased_preprocess/3"),
        ("google/bert_multi_cased_L-12_H-768_A-12/1", (12, 768, 12), "cased", "tf1-hub", False, None),
        ("Dimitre/bert_en_cased_L-12_H-768_A-12", (12, 768, 12), "cased", "dict", True,
         "Dimitre/bert_en_cased_preprocess"),
        ("tensorflow/bert_en_cased_L-12_H-768_A-12/4", (12, 768, 12), "cased", "dict", True,
         "tensorflow/bert_en_cased_preprocess/3"),
        ("hubfork/all-MiniLM-L6-v2/1", (6, 384, 12), "uncased", "dict", False, "hubfork/all-MiniLM-L6-v2_preprocess/1"),
    ],
)
def test_seed_models_carry_the_seed_facts(handle, size, casing, api, mlm, preprocessor):
    card = CARDS[handle]
    assert card.architecture == Architecture(*size)
    assert (card.casing, card.api, card.mlm, card.preprocessor) == (casing, api, mlm, preprocessor)
    assert card.fine_tunable is True


def test_companion_preprocessors_are_there():
    for encoder in ("tensorflow/small_bert/bert_en_uncased_L-12_H-128_A-2/1", "Dimitre/bert_en_cased_L-12_H-768_A-12",
                    "tensorflow/bert_en_cased_L-12_H-768_A-12/4", "hubfork/all-MiniLM-L6-v2/1"):
        preprocessor = CARDS[CARDS[encoder].preprocessor]
        assert preprocessor.fine_tunable is False
        assert preprocessor.casing == CARDS[encoder].casing


def test_hugging_face_cards_record_where_to_fetch_them():
    assert [s.repo_id for s in CARDS["Dimitre/bert_en_cased_L-12_H-768_A-12"].sources] == [
        "Dimitre/bert_en_cased_L-12_H-768_A-12"]
    assert [s.repo_id for s in CARDS["Dimitre/bert_en_cased_preprocess"].sources] == [
        "Dimitre/bert_en_cased_preprocess"]


def test_the_catalogue_cards_of_the_mirrored_models_name_their_mirror():
    # The Hugging Face cards above are mirrors of these tfhub.dev models (seed 003 says so).
    assert [s.repo_id for s in CARDS["tensorflow/bert_en_cased_L-12_H-768_A-12/4"].sources] == [
        "Dimitre/bert_en_cased_L-12_H-768_A-12"]
    assert [s.repo_id for s in CARDS["tensorflow/bert_en_cased_preprocess/3"].sources] == [
        "Dimitre/bert_en_cased_preprocess"]


def test_only_hubfork_s_keys_are_added_to_catalogue_cards():
    # The NOTICE promises it: hubfork adds its own metadata lines and changes nothing else.
    texts = {path.relative_to(SAMPLES).as_posix(): path.read_text(encoding="utf-8") for path in SAMPLES.rglob("*.md")}
    keyed = {rel: project_key_lines(text) for rel, text in texts.items() if project_key_lines(text)}
    assert keyed == {
        "tensorflow/models/bert_en_cased_L-12_H-768_A-12/4.md":
            [("hub-repo", "<!-- hub-repo: Dimitre/bert_en_cased_L-12_H-768_A-12 -->")],
        "tensorflow/models/bert_en_cased_preprocess/3.md":
            [("hub-repo", "<!-- hub-repo: Dimitre/bert_en_cased_preprocess -->")],
    }
    assert "may add its own metadata lines" in (CATALOGUE / "NOTICE").read_text()
    assert (CATALOGUE / "LICENSE").read_text().startswith("\n                                 Apache License")
