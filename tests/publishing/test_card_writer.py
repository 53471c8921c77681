"""`write_card`: cards written from a model's facts read back as those facts, in both formats;
a user's card is completed, never corrected, and its contradictions are conflicts at their lines."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import pytest

from hubfork.cards.parser import parse_card
from hubfork.constants import GENERATIONS
from hubfork.errors import PublishError
from hubfork.models.inspection import ModelFacts, SignatureFacts, TensorFacts
from hubfork.publishing.card_writer import LIBRARY_NAME, write_card
from tests.conftest import ROOT

PRE = "hubfork/tiny_preprocess/1"
HANDLE = "hubfork/tiny_bert/3"
_INPUTS = tuple(TensorFacts(name, "int32", (None, None)) for name in ("input_word_ids", "input_mask", "input_type_ids"))
_OUTPUTS = (TensorFacts("pooled_output", "float32", (None, 32)),
            TensorFacts("sequence_output", "float32", (None, None, 32)))


def encoder_facts(generation: str, **changes) -> ModelFacts:
    """What inspect_model says of the `generations` fixture's tiny encoder (2 layers, H 32, 2 heads)."""
    signatures = [SignatureFacts("serving_default", _INPUTS, _OUTPUTS)]
    if generation == "v4":
        signatures.append(SignatureFacts("mlm", _INPUTS + (TensorFacts("masked_lm_positions", "int32", (None, None)),),
                                         (TensorFacts("mlm_logits", "float32", (None, None, 31)),)))
    facts = ModelFacts(f"/models/{generation}", "encoder", generation, tuple(signatures), layers=2, hidden_size=32,
                       heads=2, intermediate_size=64, max_positions=64, vocab_size=31, casing="uncased",
                       vocab_sha256="a" * 64, mlm=generation == "v4", fine_tunable=generation != "tf1-hub",
                       parameters=40_000)
    return dataclasses.replace(facts, **changes)


def preprocessor_facts(**changes) -> ModelFacts:
    signatures = (SignatureFacts("serving_default", (TensorFacts("text", "string", (None,)),), _INPUTS),
                  SignatureFacts("tokenize"), SignatureFacts("bert_pack_inputs"))
    facts = ModelFacts("/models/preprocess", "preprocessor", None, signatures, vocab_size=31, casing="uncased",
                       vocab_sha256="a" * 64, seq_length=128)
    return dataclasses.replace(facts, **changes)


def read_back(text: str):
    card = parse_card("<card>", text)
    assert card.problems == []
    return card


# ---------------------------------------------------------------------- fresh cards


@pytest.mark.parametrize("format", ["tfhub", "huggingface"])
@pytest.mark.parametrize("generation", GENERATIONS)
def test_an_encoder_card_reads_back_as_its_facts(generation, format):
    draft = write_card(encoder_facts(generation), HANDLE, format=format, preprocessor=PRE, license="apache-2.0",
                       language="en")
    assert draft.conflicts == []
    card = read_back(draft.text)
    api = {"tf1-hub": "tf1-hub", "v1": "list", "v2": "list", "v3": "dict", "v4": "dict"}[generation]
    assert (card.architecture.layers, card.architecture.hidden_size, card.architecture.heads) == (2, 32, 2)
    assert (card.casing, card.api, card.mlm, card.preprocessor) == ("uncased", api, generation == "v4", PRE)
    assert card.format == ("hub" if generation == "tf1-hub" else "saved_model_2")
    assert card.fine_tunable is (generation != "tf1-hub")
    assert card.languages == ["en"]
    if format == "tfhub":
        assert (card.kind, card.handle, card.tasks) == ("Module", HANDLE, ["text-embedding"])
        assert card.metadata["license"] == "apache-2.0"
    else:
        pipeline = "fill-mask" if generation == "v4" else "feature-extraction"
        assert (card.kind, card.handle, card.tasks) == ("Model", "hubfork/tiny_bert", [pipeline, "text-embedding"])
    assert [s.title for s in card.sections if s.level == 2] == ["Overview", "Usage", "Inputs", "Outputs", "Changelog"]
    assert [(entry.version, entry.notes) for entry in card.changelog] == [
        (3, ("Published with hubfork from the SavedModel.",))]
    assert card.code_handles[:2] == [HANDLE, PRE]


@pytest.mark.parametrize("format", ["tfhub", "huggingface"])
def test_a_preprocessor_card_reads_back_as_its_facts(format):
    draft = write_card(preprocessor_facts(), PRE, format=format, license="apache-2.0")
    assert draft.conflicts == []
    card = read_back(draft.text)
    assert (card.architecture, card.casing, card.api, card.mlm, card.preprocessor) == (None, "uncased", None, None,
                                                                                       None)
    assert (card.tasks, card.format, card.fine_tunable) == (["text-preprocessing"], "saved_model_2", False)
    assert "seq_length=128" in draft.text
    assert card.handle == (PRE if format == "tfhub" else "hubfork/tiny_preprocess")


def test_the_tfhub_card_has_the_metadata_tfhub_dev_required_and_hubforks_keys():
    draft = write_card(encoder_facts("tf1-hub"), HANDLE, preprocessor=PRE, hub_repo="me/tiny-bert@v3",
                       hub_endpoint="embedded", description="A tiny BERT.  For tests.")
    lines = draft.text.split("\n")
    assert lines[:12] == [
        f"# Module {HANDLE}", "A tiny BERT. For tests.", "",
        "<!-- asset-path: legacy -->", "<!-- fine-tunable: false -->", "<!-- format: hub -->",
        "<!-- task: text-embedding -->", "<!-- network-architecture: transformer -->",
        "<!-- hub-repo: me/tiny-bert@v3 -->", "<!-- hub-endpoint: embedded -->", "", "## Overview"]
    card = read_back(draft.text)
    assert [s.to_dict() for s in card.sources] == [{"repo_id": "me/tiny-bert", "revision": "v3",
                                                    "endpoint": "embedded"}]
    assert 'signature="tokens", as_dict=True' in draft.text and "hub.Module(" in draft.text


def test_the_inputs_and_outputs_sections_list_the_signatures():
    text = write_card(encoder_facts("v4"), HANDLE, preprocessor=PRE).text
    inputs = text[text.index("## Inputs"):text.index("## Outputs")]
    assert "  * `input_word_ids`: int32, shape `[None, None]`" in inputs
    outputs = text[text.index("## Outputs"):text.index("## Changelog")]
    assert "  * `pooled_output`: float32, shape `[None, 32]`" in outputs
    assert ("  * `mlm`: takes `input_word_ids`, `input_mask`, `input_type_ids`, `masked_lm_positions`; "
            "returns `mlm_logits`") in outputs


def test_the_huggingface_card_front_matter_is_what_huggingface_hub_reads():
    from huggingface_hub import ModelCard

    text = write_card(encoder_facts("v4"), HANDLE, format="huggingface", preprocessor=PRE, license="mit",
                      language="en, de", base_model="google-bert/bert-base-uncased", hub_repo="me/tiny-bert").text
    data = ModelCard(text).data.to_dict()
    assert data == {
        "library_name": LIBRARY_NAME, "license": "mit", "language": ["en", "de"],
        "base_model": "google-bert/bert-base-uncased", "pipeline_tag": "fill-mask",
        "tags": ["tensorflow", "tf-hub", "bert", "text-embedding", "tf-hub-v4"],
        "repo_id": "me/tiny-bert", "tfhub_handle": HANDLE, "format": "saved_model_2",
    }
    assert read_back(text).handle == "me/tiny-bert"


def test_a_handle_that_names_another_size_or_casing_is_a_conflict_at_line_1():
    draft = write_card(encoder_facts("v3"), "google/bert_en_cased_L-12_H-768_A-12/3", preprocessor=PRE)
    assert [str(p) for p in draft.conflicts] == [
        "<card>:1: error: card says L-12, the model has 2 layers",
        "<card>:1: error: card says H-768, the model has hidden size 32",
        "<card>:1: error: card says A-12, the model has 2 attention heads",
        "<card>:1: error: card says cased, the model is uncased",
    ]
    assert not draft.ok


def test_a_preprocessor_name_parse_card_would_not_read_is_a_warning():
    draft = write_card(encoder_facts("v3"), HANDLE, preprocessor="hubfork/tiny_tokenizer/1")
    assert [(p.severity, p.code) for p in draft.conflicts] == [("warning", "preprocessor")]
    assert draft.ok


@pytest.mark.parametrize("handle", ["tiny_bert", "hubfork/tiny_bert", "hubfork/tiny_bert/v1"])
def test_a_handle_without_publisher_name_version_is_refused(handle):
    with pytest.raises(PublishError, match="is not a TF Hub handle publisher/name/version"):
        write_card(encoder_facts("v3"), handle)


def test_card_writing_imports_no_tensorflow():
    code = ("import sys, hubfork.publishing.card_writer as w, tests.publishing.test_card_writer as t\n"
            "w.write_card(t.encoder_facts('v4'), 'a/b/1', format='huggingface')\n"
            "print(sorted(m for m in ('tensorflow', 'tensorflow_hub', 'tf_keras') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# ------------------------------------------------------------------ completing a user's card

USER_CARD = """\
# Module hubfork/tiny_bert/3
My tiny BERT.

<!-- asset-path: legacy -->
<!-- task: text-embedding -->

## Overview

A BERT with L=12 layers, H=32 and A=2; text is normalized the "cased" way.

```python
pooled_output, sequence_output = encoder([ids, mask, types])
mlm_outputs = encoder.mlm(inputs)
```

## Changelog

### Version 3

  * Mine.
"""


def test_a_users_card_that_contradicts_the_model_gives_conflicts_at_its_lines_and_is_kept():
    draft = write_card(encoder_facts("v3"), HANDLE, existing=USER_CARD, path="card.md", preprocessor=PRE)
    assert [str(p) for p in draft.conflicts] == [
        "card.md:9: error: card says L-12, the model has 2 layers",
        'card.md:9: error: card says cased, the model is uncased',
        "card.md:12: error: card says the list API, the model is v3 (dict API)",
        "card.md:13: error: card says the model has the .mlm subobject, the model (v3) has none",
    ]
    # Nothing the user wrote is changed.
    for line in USER_CARD.rstrip("\n").split("\n"):
        assert line in draft.text.split("\n")


def test_a_users_card_is_completed_with_the_metadata_and_sections_it_lacks():
    user = USER_CARD.replace("L=12 layers", "L=2 layers").replace('"cased"', '"uncased"').replace(
        "pooled_output, sequence_output = encoder([ids, mask, types])", 'pooled = outputs["pooled_output"]').replace(
        "mlm_outputs = encoder.mlm(inputs)\n", "")
    draft = write_card(encoder_facts("v3"), HANDLE, existing=user, preprocessor=PRE, license="apache-2.0")
    assert draft.conflicts == []
    lines = draft.text.split("\n")
    assert lines[:9] == ["# Module hubfork/tiny_bert/3", "My tiny BERT.", "", "<!-- asset-path: legacy -->",
                         "<!-- task: text-embedding -->", "<!-- fine-tunable: true -->",
                         "<!-- format: saved_model_2 -->", "<!-- license: apache-2.0 -->",
                         "<!-- network-architecture: transformer -->"]
    card = read_back(draft.text)
    # The user's Overview and Changelog stay; the missing sections come before the changelog.
    assert [s.title for s in card.sections if s.level == 2] == ["Overview", "Usage", "Inputs", "Outputs",
                                                                 "Changelog"]
    assert [(e.version, e.notes) for e in card.changelog] == [(3, ("Mine.",))]
    assert (card.api, card.casing, card.preprocessor, card.mlm) == ("dict", "uncased", PRE, False)


def test_a_users_card_for_another_handle_or_preprocessor_is_a_conflict():
    user = USER_CARD.replace("tiny_bert/3", "tiny_bert/2") + (
        '\n```python\np = hub.KerasLayer("https://tfhub.dev/tensorflow/bert_en_cased_preprocess/3")\n```\n')
    draft = write_card(encoder_facts("v2"), HANDLE, existing=user, preprocessor=PRE)
    stated = [(p.line, p.message) for p in draft.conflicts if p.code in ("handle", "preprocessor")]
    assert stated == [(1, "card says hubfork/tiny_bert/2, the model is published as hubfork/tiny_bert/3"),
                      (23, "card says its preprocessor is tensorflow/bert_en_cased_preprocess/3, the model is "
                           f"published with {PRE}")]


def test_a_users_huggingface_card_gets_the_front_matter_keys_it_lacks():
    from huggingface_hub import ModelCard

    user = "---\nlicense: mit\ntags:\n- mine\n---\n\n# hubfork/tiny_bert\n\nMy tiny BERT, read the \"uncased\" way.\n"
    draft = write_card(encoder_facts("v3"), HANDLE, existing=user, preprocessor=PRE, license="apache-2.0",
                       hub_repo="hubfork/tiny_bert")
    assert draft.conflicts == []
    data = ModelCard(draft.text).data.to_dict()
    assert (data["license"], data["tags"], data["library_name"], data["pipeline_tag"]) == (
        "mit", ["mine"], LIBRARY_NAME, "feature-extraction")
    card = read_back(draft.text)
    assert (card.handle, card.api, card.preprocessor, card.format) == ("hubfork/tiny_bert", "dict", PRE,
                                                                       "saved_model_2")


def test_a_users_card_of_the_other_format_is_a_conflict():
    draft = write_card(encoder_facts("v3"), HANDLE, existing=USER_CARD, format="huggingface")
    assert [str(p) for p in draft.conflicts] == [
        "<card>:1: error: the card given is a tfhub card, not a huggingface one"]
    assert draft.text == USER_CARD
