"""The four seed cards the project started from: every fact, written out."""

from __future__ import annotations

from hubfork import Architecture, parse_card
from tests.conftest import SEEDS


def seed(number: str):
    (path,) = SEEDS.glob(f"{number}_*.txt")
    return parse_card(path)


def test_seed_000_small_bert_dict_api_with_preprocessor():
    card = seed("000")
    assert card.kind == "Module" and card.family == "tfhub"
    assert card.handle == "tensorflow/small_bert/bert_en_uncased_L-12_H-128_A-2/1"
    assert (card.publisher, card.name, card.version) == ("tensorflow", "small_bert/bert_en_uncased_L-12_H-128_A-2", 1)
    assert card.description == "Smaller BERT model."
    assert card.metadata == {
        "dataset": ["Wikipedia and BooksCorpus"],
        "asset-path": "legacy",
        "fine-tunable": "true",
        "format": "saved_model_2",
        "language": ["en"],
        "module-type": ["text-embedding"],
        "network-architecture": ["Transformer"],
    }
    assert card.architecture == Architecture(12, 128, 2)
    assert card.casing == "uncased"
    assert card.preprocessor == "tensorflow/bert_en_uncased_preprocess/1"
    assert card.api == "dict"
    assert card.mlm is False
    assert card.fine_tunable is True
    assert card.languages == ["en"] and card.tasks == ["text-embedding"] and card.format == "saved_model_2"
    assert [s.title for s in card.sections] == ["Overview", "Usage", "Changelog", "Version 1"]
    assert [(e.version, e.notes) for e in card.changelog] == [(1, ("Initial release.",))]
    assert card.code_handles == ["tensorflow/small_bert/bert_en_uncased_L-12_H-128_A-2/1"]
    # Free-text tag values are warnings, never errors.
    assert card.ok and {p.code for p in card.warnings} == {"value"}


def test_seed_001_bert_large_wwm_v3():
    card = seed("001")
    assert card.handle == "tensorflow/bert_en_wwm_uncased_L-24_H-1024_A-16/3"
    assert card.version == 3
    assert card.architecture == Architecture(24, 1024, 16)
    assert card.casing == "uncased"
    assert card.api == "dict"
    assert card.mlm is False
    assert card.preprocessor == "tensorflow/bert_en_uncased_preprocess/1"
    assert [e.version for e in card.changelog] == [3, 2, 1]
    assert card.changelog[0].notes[0] == "Uses dicts (not lists) for inputs and outputs."
    assert card.changelog[0].line == 78
    assert card.ok


def test_seed_002_tf1_hub_multilingual():
    card = seed("002")
    assert card.handle == "google/bert_multi_cased_L-12_H-768_A-12/1"
    assert card.metadata["format"] == "hub"
    assert card.api == "tf1-hub"
    assert card.architecture == Architecture(12, 768, 12)
    assert card.casing == "cased"
    assert card.preprocessor is None
    assert card.mlm is False
    assert card.languages == ["en"]  # what the card states, though the vocabulary is multilingual
    assert card.code_handles == ["google/bert_multi_cased_L-12_H-768_A-12/1"]
    assert card.problems == []  # the Colab badge line in its metadata block is accepted


def test_seed_003_hugging_face_prose_card():
    card = seed("003")
    assert card.family == "huggingface" and card.kind == "Model"
    assert card.handle == "Dimitre/bert_en_cased_L-12_H-768_A-12"
    assert (card.publisher, card.name, card.version) == ("Dimitre", "bert_en_cased_L-12_H-768_A-12", None)
    assert card.architecture == Architecture(12, 768, 12)
    assert card.casing == "cased"
    assert card.preprocessor == "Dimitre/bert_en_cased_preprocess"
    assert card.mlm is True
    assert card.api == "dict"
    assert card.fine_tunable is True
    assert card.languages == ["en"]
    assert card.description.startswith("BERT (Bidirectional Encoder Representations from Transformers) provides")
    assert [s.title for s in card.sections] == [
        "Overview", "Usage", "Basic usage", "Using TF Hub and HF Hub", "Using TF Hub fork",
        "Advanced topics", "Masked Language Model",
    ]
    assert card.sources[0].repo_id == "Dimitre/bert_en_cased_L-12_H-768_A-12"
    assert card.problems == []
