"""Facts read from names and prose, one rule at a time."""

from __future__ import annotations

import pytest

from hubfork.cards import facts
from hubfork.cards.records import Architecture, ChangelogEntry, CodeBlock


@pytest.mark.parametrize(
    "name, prose, from_name, from_prose",
    [
        ("bert_en_uncased_L-12_H-768_A-12", "", Architecture(12, 768, 12), None),
        ("small_bert/bert_en_uncased_L-2_H-128_A-2", "", Architecture(2, 128, 2), None),
        ("albert_en_base", "It uses L=12 hidden layers, a hidden size of H=768,\nand A=12 attention heads.",
         None, Architecture(12, 768, 12)),
        ("mobilebert_L-24_H-128_B-512_A-4", "L=24 layers", None, Architecture(24, None, None)),
        ("x_L-2_H-128_A-2", "with L=4 layers", Architecture(2, 128, 2), Architecture(4, None, None)),
        ("resnet_50", "no sizes here", None, None),
    ],
)
def test_architecture(name, prose, from_name, from_prose):
    assert facts.architecture(name, prose) == (from_name, from_prose)


@pytest.mark.parametrize(
    "name, prose, expected",
    [
        ("bert_en_uncased_L-12_H-768_A-12", "", "uncased"),
        ("bert_multi_cased_L-12_H-768_A-12", "", "cased"),
        ("albert_en_base", 'Text inputs have been normalized the "uncased" way', "uncased"),
        ("x", 'Inputs have been "cased", meaning that', "cased"),
        ("x", "normalized the \u201ccased\u201d way", "cased"),
        ("x", 'both "cased" and "uncased" variants exist', None),
        ("electra_small", "", None),
    ],
)
def test_casing(name, prose, expected):
    assert facts.casing(name, prose) == expected


def test_preprocessor_prefers_code_then_links_and_skips_itself():
    assert facts.preprocessor("a/enc/1", ["a/enc/1", "a/enc_preprocess/3"], ["a/other_preprocess/1"]) == \
        "a/enc_preprocess/3"
    assert facts.preprocessor("a/enc/1", ["a/enc/1"], ["a/p_preprocess/1", "a/q_preprocess/1"]) == "a/p_preprocess/1"
    assert facts.preprocessor("a/enc_preprocess/1", ["a/enc_preprocess/1"], []) is None


def _code(text):
    return [CodeBlock("python", 1, text)]


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        (dict(kind="Module", format="hub", code_blocks=[], prose=""), "tf1-hub"),
        (dict(code_blocks=_code('m(inputs, signature="tokens", as_dict=True)'), prose=""), "tf1-hub"),
        (dict(code_blocks=_code("pooled_output, sequence_output = bert_layer([ids, mask, types])"), prose=""),
         "list"),
        (dict(code_blocks=_code('pooled = outputs["pooled_output"]'), prose=""), "dict"),
        (dict(code_blocks=[], prose="It expects a dict with three int32 Tensors"), "dict"),
        (dict(code_blocks=[], prose="", version=3,
              changelog=[ChangelogEntry(3, 1, ("Uses dicts (not lists) for inputs and outputs.",))]), "dict"),
        (dict(code_blocks=[], prose="", version=2,
              changelog=[ChangelogEntry(3, 1, ("Uses dicts.",)), ChangelogEntry(1, 5, ("Lists in and out.",))]),
         "list"),
        (dict(code_blocks=_code('embed(["hello"])'), prose="Universal sentence encoder."), None),
    ],
)
def test_api_generation(kwargs, expected):
    base = dict(kind="Module", format="saved_model_2", version=1, changelog=[])
    assert facts.api(**{**base, **kwargs}) == expected


def test_mlm_and_fine_tunable():
    assert facts.mlm("dict", "provides a trainable `.mlm` subobject", []) is True
    assert facts.mlm("dict", "nothing about it", _code("mlm = hub.KerasLayer(encoder.mlm)")) is True
    assert facts.mlm("dict", "nothing about it", []) is False
    assert facts.mlm(None, "nothing about it", []) is None
    assert facts.fine_tunable({"fine-tunable": "false"}, "All parameters are trainable") is False
    assert facts.fine_tunable({}, "All parameters in the module are\ntrainable.") is True
    assert facts.fine_tunable({}, "This model has no trainable parameters") is False
    assert facts.fine_tunable({}, "") is None


def test_languages_from_metadata_or_prose():
    names = {"english": "en", "german": "de"}
    assert facts.languages({"language": ["en", "de"]}, "", names) == ["en", "de"]
    assert facts.languages({"language": ["as, bn, en"]}, "", names) == ["as", "bn", "en"]
    assert facts.languages({}, "pre-trained for English on the Wikipedia", names) == ["en"]
    assert facts.languages({}, "trained on German text, pretrained on German", names) == ["de"]


def test_tasks_prefer_task_over_module_type():
    assert facts.tasks({"task": ["text-embedding"], "module-type": ["image-x"]}) == ["text-embedding"]
    assert facts.tasks({"module-type": ["text-embedding"]}) == ["text-embedding"]


# Pieces that put the patterns' first letters after word characters, non-word characters and
# nothing, with digits (ASCII and not) and letters (ASCII and not) around.
_PIECES = ["L", "A", "H", "=", " ", "1", "12", "٣", "_", "é", "x", "-", "pre", "pretrained", "trained ", "for ",
           "on ", "English", "hub.Module(", "Uses dicts", "expects a dict", "pooled_output, sequence_output = f([",
           "\n", "L=", "L =3", "(", "."]


@pytest.mark.parametrize("fast, pattern", [
    (facts._PROSE_LAYERS, r"\bL\s*=\s*(\d+)\b"),
    (facts._PROSE_HIDDEN, r"\bH\s*=\s*(\d+)\b"),
    (facts._PROSE_HEADS, r"\bA\s*=\s*(\d+)\b"),
    (facts._PRETRAINED_FOR, r"\bpre-?trained\s+(?:for|on)\s+([A-Z][a-z]+)\b"),
    (facts._TF1_SIGNALS[1], r"\bhub\.Module\("),
    (facts._DICT_SIGNALS[1], r"\bexpects\s+a\s+dict\b"),
    (facts._DICT_SIGNALS[2], r"\bUses\s+dicts\b"),
    (facts._LIST_SIGNALS, r"\bpooled_output\s*,\s*sequence_output\s*=\s*\w+\(\s*\["),
])
def test_patterns_at_a_word_boundary_match_where_their_plain_regex_does(fast, pattern):
    import random
    import re

    plain = re.compile(pattern)
    pick = random.Random(pattern)
    texts = ["".join(pick.choice(_PIECES) for _ in range(pick.randint(0, 12))) for _ in range(3000)]
    for text in texts:
        assert [(m.span(), m.groups()) for m in fast.finditer(text)] == [(m.span(), m.groups()) for m in
                                                                       plain.finditer(text)], text
        found, expected = fast.search(text), plain.search(text)
        assert (found and (found.span(), found.groups())) == (expected and (expected.span(), expected.groups()))


@pytest.mark.parametrize("metadata, expected", [
    ({"license": "apache-2.0"}, "apache-2.0"),
    ({"license": " MIT "}, "MIT"),  # as written, without the spaces
    ({"license": ""}, None),
    ({"license": ["mit"]}, None),
    ({}, None),
])
def test_license_id(metadata, expected):
    assert facts.license_id(metadata) == expected
