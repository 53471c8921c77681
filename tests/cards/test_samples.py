"""The sample cards of the vendored catalogue (tests/conftest.py SAMPLE_CARDS): handle, kind, version
and metadata written out as tfhub.dev's validator read them, plus the BERT facts; and the catalogue's
derived fields (a collection's members, the deleted models' status)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hubfork import Architecture, parse_card, parse_cards
from hubfork.cards.parser import iter_card_paths
from tests.conftest import CATALOGUE, SAMPLE_CARDS, SAMPLE_PATHS, SAMPLES

COLAB_GLUE = "https://colab.research.google.com/github/tensorflow/text/blob/master/docs/tutorials/bert_glue.ipynb"
BERT_META = {
    "dataset": ["wikipedia-and-bookscorpus"], "asset-path": "legacy", "fine-tunable": "true",
    "format": "saved_model_2", "language": ["en"], "task": ["text-embedding"], "network-architecture": ["transformer"],
}
PREPROCESS_META = {
    "asset-path": "legacy", "dataset": ["wikipedia-and-bookscorpus"], "fine-tunable": "false",
    "format": "saved_model_2", "language": ["en"], "task": ["text-preprocessing"],
}

EXPECTED = [
    ("google/collections/bert/1.md", "Collection", "google/bert", 1,
     {"dataset": ["wikipedia-and-bookscorpus"], "task": ["text-embedding"], "network-architecture": ["transformer"],
      "language": ["en"]}),
    ("google/google.md", "Publisher", "google", None, {}),
    ("google/models/bert_multi_cased_L-12_H-768_A-12/1.md", "Module", "google/bert_multi_cased_L-12_H-768_A-12/1", 1,
     {"colab": "https://colab.research.google.com/github/google-research/bert/blob/master/"
               "predicting_movie_reviews_with_bert_on_tf_hub.ipynb",
      "dataset": ["wikipedia-and-bookscorpus"], "asset-path": "legacy", "network-architecture": ["transformer"],
      "language": ["en"], "fine-tunable": "true", "format": "hub", "task": ["text-embedding"]}),
    ("google/models/imagenet/mobilenet_v2_075_224/feature_vector/3/default/tfjs/1.md", "Tfjs",
     "google/imagenet/mobilenet_v2_075_224/feature_vector/3/default/1", 1,
     {"asset-path": "legacy", "parent-model": "google/imagenet/mobilenet_v2_075_224/feature_vector/3"}),
    ("google/models/imagenet/mobilenet_v2_100_224/feature_vector/1.md", "Module",
     "google/imagenet/mobilenet_v2_100_224/feature_vector/1", 1,
     {"fine-tunable": "true", "asset-path": "legacy", "format": "hub", "task": ["image-feature-vector"]}),
    ("google/models/universal-sentence-encoder/4.md", "Module", "google/universal-sentence-encoder/4", 4,
     {"task": ["text-embedding"], "asset-path": "legacy", "network-architecture": ["dan"], "language": ["en"],
      "fine-tunable": "true", "format": "saved_model_2",
      "colab": "https://colab.research.google.com/github/tensorflow/docs/blob/master/site/en/hub/tutorials/"
               "semantic_similarity_with_tf_hub_universal_encoder.ipynb"}),
    ("sayannath/sayannath.md", "Publisher", "sayannath", None, {}),
    ("sayannath/zero-dce/1.md", "Placeholder", "sayannath/zero-dce/1", 1,
     {"dataset": ["lol"], "task": ["image-super-resolution"], "network-architecture": ["other"],
      "fine-tunable": "false", "license": "apache-2.0"}),
    ("svampeatlas/models/vision/classifier/fungi_mobile_V1/1/default/lite/1.md", "Lite",
     "svampeatlas/vision/classifier/fungi_mobile_V1/1/default/1", 1,
     {"asset-path": "legacy", "parent-model": "svampeatlas/vision/classifier/fungi_mobile_V1/1"}),
    ("svampeatlas/svampeatlas.md", "Publisher", "svampeatlas", None, {}),
    ("tensorflow/models/bert_en_cased_L-12_H-768_A-12/1.md", "Module", "tensorflow/bert_en_cased_L-12_H-768_A-12/1",
     1, BERT_META),
    # Its <!-- colab --> comes after "## TF2 SavedModel", outside the metadata block.
    ("tensorflow/models/bert_en_cased_L-12_H-768_A-12/2.md", "Module", "tensorflow/bert_en_cased_L-12_H-768_A-12/2",
     2, BERT_META),
    ("tensorflow/models/bert_en_cased_L-12_H-768_A-12/3.md", "Module", "tensorflow/bert_en_cased_L-12_H-768_A-12/3",
     3, {**BERT_META, "colab": COLAB_GLUE}),
    # The project's key (the model's mirror) is added to the catalogue's card.
    ("tensorflow/models/bert_en_cased_L-12_H-768_A-12/4.md", "Module", "tensorflow/bert_en_cased_L-12_H-768_A-12/4",
     4, {**BERT_META, "asset-path": "internal", "colab": COLAB_GLUE,
         "hub-repo": "Dimitre/bert_en_cased_L-12_H-768_A-12"}),
    ("tensorflow/models/bert_en_cased_preprocess/1.md", "Module", "tensorflow/bert_en_cased_preprocess/1", 1,
     PREPROCESS_META),
    ("tensorflow/models/bert_en_cased_preprocess/3.md", "Module", "tensorflow/bert_en_cased_preprocess/3", 3,
     {**PREPROCESS_META, "colab": COLAB_GLUE, "hub-repo": "Dimitre/bert_en_cased_preprocess"}),
    ("tensorflow/models/bert_en_uncased_preprocess/3.md", "Module", "tensorflow/bert_en_uncased_preprocess/3", 3,
     {**PREPROCESS_META, "colab": COLAB_GLUE}),
    ("tensorflow/models/mobilenet_v1_1.0_224_quantized/1/default/coral/1.md", "Coral",
     "tensorflow/mobilenet_v1_1.0_224_quantized/1/default/1", 1,
     {"asset-path": "legacy", "parent-model": "tensorflow/mobilenet_v1_1.0_224_quantized/1"}),
    ("tensorflow/models/small_bert/bert_en_uncased_L-2_H-128_A-2/1.md", "Module",
     "tensorflow/small_bert/bert_en_uncased_L-2_H-128_A-2/1", 1, {**BERT_META, "colab": COLAB_GLUE}),
    ("tensorflow/models/small_bert/bert_en_uncased_L-2_H-128_A-2/2.md", "Module",
     "tensorflow/small_bert/bert_en_uncased_L-2_H-128_A-2/2", 2,
     {**BERT_META, "asset-path": "internal", "colab": COLAB_GLUE}),
    ("tensorflow/tensorflow.md", "Publisher", "tensorflow", None, {}),
]

# (file, size, casing, api, mlm, preprocessor)
BERT_FACTS = [
    ("google/models/bert_multi_cased_L-12_H-768_A-12/1.md", (12, 768, 12), "cased", "tf1-hub", False, None),
    ("tensorflow/models/bert_en_cased_L-12_H-768_A-12/1.md", (12, 768, 12), "cased", "list", False, None),
    ("tensorflow/models/bert_en_cased_L-12_H-768_A-12/2.md", (12, 768, 12), "cased", "list", False, None),
    ("tensorflow/models/bert_en_cased_L-12_H-768_A-12/3.md", (12, 768, 12), "cased", "dict", True,
     "tensorflow/bert_en_cased_preprocess/3"),
    ("tensorflow/models/bert_en_cased_L-12_H-768_A-12/4.md", (12, 768, 12), "cased", "dict", True,
     "tensorflow/bert_en_cased_preprocess/3"),
    ("tensorflow/models/small_bert/bert_en_uncased_L-2_H-128_A-2/1.md", (2, 128, 2), "uncased", "dict", True,
     "tensorflow/bert_en_uncased_preprocess/3"),
    ("tensorflow/models/small_bert/bert_en_uncased_L-2_H-128_A-2/2.md", (2, 128, 2), "uncased", "dict", True,
     "tensorflow/bert_en_uncased_preprocess/3"),
    ("tensorflow/models/bert_en_cased_preprocess/3.md", None, "cased", None, None, None),
    ("tensorflow/models/bert_en_uncased_preprocess/3.md", None, "uncased", None, None, None),
]


def test_the_expectations_cover_every_sample():
    assert sorted(SAMPLE_CARDS) == sorted(e[0] for e in EXPECTED)
    assert all(path.is_file() for path in SAMPLE_PATHS)


@pytest.mark.parametrize("relative, kind, handle, version, metadata", EXPECTED, ids=[e[0] for e in EXPECTED])
def test_sample_handle_and_metadata(relative, kind, handle, version, metadata):
    card = parse_card(SAMPLES / relative)
    assert (card.kind, card.handle, card.version) == (kind, handle, version)
    assert card.metadata == metadata
    assert card.errors == []


def test_metadata_keeps_the_card_order():
    card = parse_card(SAMPLES / "google/models/universal-sentence-encoder/4.md")
    assert list(card.metadata) == ["task", "asset-path", "network-architecture", "language", "fine-tunable",
                                   "format", "colab"]


@pytest.mark.parametrize("relative, size, casing, api, mlm, preprocessor", BERT_FACTS, ids=[f[0] for f in BERT_FACTS])
def test_sample_bert_facts(relative, size, casing, api, mlm, preprocessor):
    card = parse_card(SAMPLES / relative)
    assert card.architecture == (Architecture(*size) if size else None)
    assert (card.casing, card.api, card.mlm, card.preprocessor) == (casing, api, mlm, preprocessor)


def test_stray_metadata_comment_is_reported_with_its_line():
    card = parse_card(SAMPLES / "tensorflow/models/bert_en_cased_L-12_H-768_A-12/2.md")
    assert [(p.code, p.line) for p in card.problems] == [("stray-metadata", 18)]


def test_publisher_pages_keep_their_icon():
    card = parse_card(SAMPLES / "google/google.md")
    assert card.icon_url == "https://www.gstatic.com/aihub/google_logo_120.png"
    assert card.description == "Google"


def test_lite_and_tfjs_variants_name_their_parent_model():
    cards = {c.kind: c for c in parse_cards(SAMPLE_PATHS)}
    assert cards["Tfjs"].parent_model == "google/imagenet/mobilenet_v2_075_224/feature_vector/3"
    assert cards["Tfjs"].format == "tfjs"
    assert cards["Lite"].parent_model == "svampeatlas/vision/classifier/fungi_mobile_V1/1"
    assert cards["Lite"].format == "lite"


def test_folders_are_searched_for_md_files_in_sorted_order():
    cards = parse_cards([SAMPLES / "svampeatlas"])
    assert [Path(c.path).relative_to(SAMPLES).as_posix() for c in cards] == [
        "svampeatlas/models/vision/classifier/fungi_mobile_V1/1.md",
        "svampeatlas/models/vision/classifier/fungi_mobile_V1/1/default/lite/1.md",
        "svampeatlas/models/vision/classifier/fungi_mobile_V1/2.md",
        "svampeatlas/models/vision/embedder/fungi_V2/1.md",
        "svampeatlas/svampeatlas.md",
    ]


def test_the_top_files_of_the_catalogue_are_not_cards():
    paths = [p.relative_to(CATALOGUE).as_posix() for p in iter_card_paths([CATALOGUE])]
    assert len(paths) == 2819
    assert all(p.startswith("assets/docs/") for p in paths)


def test_a_collection_lists_its_members_and_other_cards_none():
    bert = parse_card(SAMPLES / "google/collections/bert/1.md")
    assert len(bert.members) == 66
    # Card order, once each (the preprocessor's link is on every row of its table).
    assert bert.members[:3] == ("tensorflow/bert_en_uncased_L-12_H-768_A-12", "tensorflow/bert_en_uncased_preprocess",
                                "tensorflow/bert_en_uncased_L-24_H-1024_A-16")
    assert "google/collections/transformer_encoders_text/1" not in bert.members  # a collection, not a model
    # Most collections list their models in hidden comment lines.
    bit = parse_card(SAMPLES / "google/collections/experts/bit/1.md")
    assert bit.members[0] == "google/experts/bit/r50x1/in21k/artifact" and len(bit.members) == 48
    assert parse_card(SAMPLES / "google/models/universal-sentence-encoder/4.md").members == ()
