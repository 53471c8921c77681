"""The usage lines an entry's page offers to copy, by kind and family."""

from __future__ import annotations

from hubfork.site.facts import architecture_text, fact_rows
from hubfork.site.usage import snippets, tfhub_url


def entry_of(registry, handle, kind):
    return next(e for e in registry if e.handle == handle and e.kind == kind)


def test_a_bert_encoder_gets_pull_text_model_and_tensorflow_hub(small_registry):
    bert = entry_of(small_registry, "tensorflow/bert_en_uncased_L-12_H-768_A-12/4", "Module")
    found = snippets(bert)
    assert [s.title for s in found] == ["Download it", "Load it as a text model", "Load it with tensorflow_hub"]
    assert found[0].code == "hubfork pull tensorflow/bert_en_uncased_L-12_H-768_A-12/4"
    assert 'hubfork.load_text_model("tensorflow/bert_en_uncased_L-12_H-768_A-12/4")' in found[1].code
    assert 'hub.KerasLayer("https://tfhub.dev/tensorflow/bert_en_uncased_L-12_H-768_A-12/4")' in found[2].code
    assert "hubfork.install()" in found[2].code


def test_a_variant_is_pulled_by_its_tfhub_url_and_groups_get_nothing(small_registry):
    lite = entry_of(small_registry, "google/aiy/vision/classifier/birds_V1/1", "Lite")
    assert tfhub_url(lite) == "https://tfhub.dev/google/lite-model/aiy/vision/classifier/birds_V1/1"
    assert [s.code for s in snippets(lite)] == ["hubfork pull https://tfhub.dev/google/lite-model/aiy/vision/"
                                                "classifier/birds_V1/1"]
    assert snippets(entry_of(small_registry, "google/universal-sentence-encoder", "Collection")) == []
    assert snippets(entry_of(small_registry, "google", "Publisher")) == []


def test_a_hugging_face_model_has_no_tfhub_url(small_registry):
    hf = entry_of(small_registry, "Dimitre/bert_en_cased_L-12_H-768_A-12", "Model")
    assert tfhub_url(hf) is None
    assert [s.title for s in snippets(hf)] == ["Download it", "Load it as a text model"]


def test_facts_of_a_deleted_model(small_registry):
    birds = entry_of(small_registry, "google/aiy/vision/classifier/birds_V1/1", "Module")
    rows = dict(fact_rows(birds))
    assert rows["Status"] == "deleted: tfhub.dev removed it and no mirror is known"
    assert rows["Kind"] == "Module" and rows["Version"] == "1"
    use = entry_of(small_registry, "google/universal-sentence-encoder/4", "Module")
    assert architecture_text(use) == "dan" and "Status" not in dict(fact_rows(use))
