"""Looking up and searching registry entries."""

from __future__ import annotations

import pytest

from hubfork import EntryNotFoundError, Registry
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry.load(ROOT / "registry.yaml")


def test_find_by_handle_url_repo_id_any_case_and_without_version(registry):
    assert registry.find("google/bert_multi_cased_L-12_H-768_A-12/1").version == 1
    assert registry.find("https://tfhub.dev/google/bert_multi_cased_L-12_H-768_A-12/1").kind == "Module"
    assert registry.find("GOOGLE/bert_multi_cased_l-12_h-768_a-12/1").handle == \
        "google/bert_multi_cased_L-12_H-768_A-12/1"
    assert registry.find("tensorflow/bert_en_wwm_uncased_L-24_H-1024_A-16").version == 3
    assert registry.find("https://huggingface.co/Dimitre/bert_en_cased_preprocess").kind == "Model"
    assert registry.find("https://hf.xwall.us.kg/Dimitre/bert_en_cased_preprocess/tree/main").kind == "Model"
    assert registry.find("nobody/nothing/1") is None
    assert "tensorflow" in registry and "nope" not in registry


def test_get_suggests_close_handles(registry):
    with pytest.raises(EntryNotFoundError) as info:
        registry.get("tensorflow/bert_en_uncased_preprocess/2")
    assert info.value.suggestions[0] == "tensorflow/bert_en_uncased_preprocess/1"
    assert "did you mean 'tensorflow/bert_en_uncased_preprocess/1'" in str(info.value)


def handles(entries):
    return [e.handle for e in entries]


def test_search_query_words_must_all_match_and_name_matches_rank_first(registry):
    assert handles(registry.search("bert preprocess")) == [
        "Dimitre/bert_en_cased_preprocess", "tensorflow/bert_en_uncased_preprocess/1",
        "hubfork/all-MiniLM-L6-v2_preprocess/1"]
    found = handles(registry.search("uncased"))
    assert found == ["tensorflow/bert_en_uncased_preprocess/1", "tensorflow/bert_en_wwm_uncased_L-24_H-1024_A-16/3",
                     "tensorflow/small_bert/bert_en_uncased_L-12_H-128_A-2/1", "hubfork/all-MiniLM-L6-v2_preprocess/1"]
    assert handles(registry.search("whole-word")) == ["tensorflow/bert_en_wwm_uncased_L-24_H-1024_A-16/3"]
    assert registry.search("no-such-word") == []


def test_search_filters(registry):
    assert handles(registry.search(format="hub")) == ["google/bert_multi_cased_L-12_H-768_A-12/1"]
    assert handles(registry.search(arch="12/768/12")) == [
        "Dimitre/bert_en_cased_L-12_H-768_A-12", "google/bert_multi_cased_L-12_H-768_A-12/1"]
    assert handles(registry.search(arch="H-1024")) == ["tensorflow/bert_en_wwm_uncased_L-24_H-1024_A-16/3"]
    assert len(registry.search(arch="transformer")) == 4
    assert handles(registry.search(arch="6/384/12")) == ["hubfork/all-MiniLM-L6-v2/1"]
    assert handles(registry.search(task="preprocessing", publisher="dimitre")) == ["Dimitre/bert_en_cased_preprocess"]
    assert len(registry.search(language="English")) == len(registry.search(language="en")) == 8
    assert handles(registry.search(kind="publisher")) == ["google", "hubfork", "tensorflow"]
    assert registry.search("bert", language="fr") == []
