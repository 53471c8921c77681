"""Looking up, relating and searching registry entries, on the shipped registry (the whole tfhub.dev
catalogue) and on small crafted ones."""

from __future__ import annotations

import pytest

from hubfork import EntryNotFoundError, Registry
from hubfork.registry.entry import RegistryEntry
from hubfork.registry.search import group_key, model_key, page
from tests.conftest import ROOT

USE = "google/universal-sentence-encoder"


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry.load_file(ROOT / "registry.yaml")


#: Kinds of card that name no model files of their own.
NO_FILES = ("Collection", "Publisher", "Placeholder")


def crafted(*entries: dict) -> Registry:
    return Registry([RegistryEntry.from_dict({"kind": "Module", "name": e["handle"].split("/")[1], **e})
                     for e in entries])


def handles(entries):
    return [e.handle for e in entries]


def test_find_by_handle_url_repo_id_any_case_and_without_version(registry):
    assert registry.find("google/bert_multi_cased_L-12_H-768_A-12/1").version == 1
    assert registry.find("https://tfhub.dev/google/bert_multi_cased_L-12_H-768_A-12/1").kind == "Module"
    assert registry.find("GOOGLE/bert_multi_cased_l-12_h-768_a-12/1").handle == \
        "google/bert_multi_cased_L-12_H-768_A-12/1"
    assert registry.find("tensorflow/bert_en_wwm_uncased_L-24_H-1024_A-16").version == 4
    assert registry.find("https://huggingface.co/Dimitre/bert_en_cased_preprocess").kind == "Model"
    assert registry.find("nobody/nothing/1") is None
    assert "tensorflow" in registry and "nope" not in registry


def test_a_handle_without_version_is_the_newest_model_not_the_collection_of_that_name(registry):
    assert registry.find(USE).handle == f"{USE}/4"
    assert registry.find(USE, kind="Collection").kind == "Collection"
    assert registry.find(f"{USE}-qa-ondevice/1", kind="Lite").kind == "Lite"


def test_tfhub_urls_of_collection_and_publisher_pages_name_those_cards(registry):
    collection = registry.find("https://tfhub.dev/google/collections/universal-sentence-encoder/1")
    assert (collection.handle, collection.kind) == (USE, "Collection")
    assert registry.find("https://tfhub.dev/google/collections/bert").kind == "Collection"
    publisher = registry.find("https://tfhub.dev/tensorflow")
    assert (publisher.handle, publisher.kind) == ("tensorflow", "Publisher")
    assert registry.find("https://tfhub.dev/google/collections/no-such-collection/1") is None


def test_get_suggests_close_handles(registry):
    with pytest.raises(EntryNotFoundError) as info:
        registry.get("tensorflow/bert_en_uncased_preprocess/9")
    assert info.value.suggestions[0] == "tensorflow/bert_en_uncased_preprocess/3"


def test_model_key_drops_the_version_and_case():
    assert model_key("Google/Universal-Sentence-Encoder/4") == "google/universal-sentence-encoder"
    assert model_key("tensorflow/ssd_mobilenet_v1/1/metadata/2") == "tensorflow/ssd_mobilenet_v1/1/metadata"
    assert model_key("Dimitre/bert") == "dimitre/bert"


# ---------------------------------------------------------------------------------- relations


def test_versions_variants_collections_of_the_universal_sentence_encoder(registry):
    use4 = registry.get(f"{USE}/4")
    assert handles(registry.versions_of(use4)) == [f"{USE}/4", f"{USE}/3", f"{USE}/2", f"{USE}/1"]
    assert registry.versions_of(registry.get(f"{USE}/2"))[0] is use4
    assert registry.variants_of(use4) == []
    assert handles(registry.collections_of(use4)) == [USE]
    assert registry.collections_of(registry.get(f"{USE}/1")) == registry.collections_of(use4)


def test_variants_share_the_handle(registry):
    placeholder = registry.find(f"{USE}-qa-ondevice/1")
    assert placeholder.kind == "Placeholder"
    assert [(e.handle, e.kind) for e in registry.variants_of(placeholder)] == [
        (f"{USE}-qa-ondevice/1", "Lite"), (f"{USE}-qa-ondevice/1", "Tfjs")]
    lite = registry.find(f"{USE}-qa-ondevice/1", kind="Lite")
    assert [e.kind for e in registry.variants_of(lite)] == ["Placeholder", "Tfjs"]
    assert registry.versions_of(lite) == [lite]


def test_members_of_a_collection_are_each_models_newest_entry(registry):
    collection = registry.find(USE, kind="Collection")
    members = registry.members_of(collection)
    assert len(members) == len(collection.members) == 11
    assert members[0] == (USE, registry.get(f"{USE}/4"))
    assert (f"{USE}-large", registry.get(f"{USE}-large/5")) in members
    assert all(found is not None for _, found in members)
    assert registry.members_of(registry.get(f"{USE}/4")) == []


def test_unknown_members_and_members_in_any_case():
    registry = crafted({"handle": "acme/set", "kind": "Collection", "version": 1,
                        "members": ["ACME/Model", "acme/gone", "acme/model/1"]},
                       {"handle": "acme/model/1", "version": 1}, {"handle": "acme/model/2", "version": 2})
    newest = registry.get("acme/model/2")
    assert registry.members_of(registry.find("acme/set")) == [("ACME/Model", newest), ("acme/gone", None),
                                                              ("acme/model/1", newest)]
    assert handles(registry.collections_of(registry.get("acme/model/1"))) == ["acme/set"]


# ------------------------------------------------------------------------------------- search


def test_search_universal_sentence_encoder_lists_the_catalogues_use_models_one_result_each(registry):
    results = registry.search("universal-sentence-encoder")
    found = handles(results)
    assert found[:2] == [f"{USE}/4", USE]  # the model, shown by its newest version, then its collection
    assert handles(results.versions_of(results[0])) == [f"{USE}/4", f"{USE}/3", f"{USE}/2", f"{USE}/1"]
    assert {f"{USE}-large/5", f"{USE}-multilingual/3", f"{USE}-cmlm/en-base/1",
            "tensorflow/universal-sentence-encoder-lite/1"} <= set(found)
    assert all("universal-sentence-encoder" in h for h in found)
    # Older versions ride with their model: one result per model and kind (a Lite variant may share a handle).
    assert len(results) == len({(e.handle, e.kind) for e in results}) and f"{USE}/3" not in found


def test_ranking_name_words_first_then_parts_tags_description_one_result_per_model():
    registry = crafted(
        {"handle": "a/mentions/1", "version": 1, "description": "better than any encoder"},
        {"handle": "z/encoder/1", "version": 1},
        {"handle": "z/encoder/2", "version": 2},
        {"handle": "b/big_encoder/1", "version": 1},
        {"handle": "c/encoderish/1", "version": 1},
        {"handle": "d/tagged/1", "version": 1, "tasks": ["text-encoder"]},
        {"handle": "a/encoder/1", "version": 1},
    )
    results = registry.search("encoder")
    assert handles(results) == [
        "a/encoder/1", "b/big_encoder/1", "z/encoder/2",  # the word is the name or a whole word of it; by model
        "c/encoderish/1",                                 # a part of the name
        "d/tagged/1",                                     # a tag
        "a/mentions/1",                                   # the description
    ]
    assert handles(results.versions_of(results[2])) == ["z/encoder/2", "z/encoder/1"]  # newest first


def test_each_facet_narrows(registry):
    every = len(registry)
    for filters, check in [
        ({"publisher": "DIMITRE"}, lambda e: e.publisher == "Dimitre"),
        ({"task": "embedding"}, lambda e: any("embedding" in t for t in e.tasks)),
        ({"kind": "lite"}, lambda e: e.kind == "Lite"),
        ({"kind": "Collection"}, lambda e: e.kind == "Collection"),
        ({"format": "TFJS"}, lambda e: e.format == "tfjs"),
        ({"language": "English"}, lambda e: "en" in e.languages),
        ({"arch": "12/768/12"}, lambda e: e.architecture and e.architecture.label == "L-12_H-768_A-12"),
        ({"fine_tunable": True}, lambda e: e.fine_tunable is True),
        ({"fine_tunable": False}, lambda e: e.fine_tunable is False),
        ({"license": "Apache-2.0"}, lambda e: e.license == "apache-2.0"),
        # A source: a mirror, or tfhub.dev (Kaggle Models) for every catalogue model it did not delete.
        ({"has_source": True}, lambda e: bool(e.sources) or (e.kind not in NO_FILES and e.status != "deleted")),
        ({"has_source": False}, lambda e: not e.sources and (e.kind in NO_FILES or e.status == "deleted")),
    ]:
        found = registry.search(**filters)
        assert 0 < len(found) < every, filters
        assert all(check(e) for e in found), filters
        # One result per model (and kind): the versions a filter keeps ride with it.
        assert len(found) == len({group_key(e) for e in registry if check(e)}), filters
        assert sum(len(found.versions_of(e)) for e in found) == sum(1 for e in registry if check(e)), filters
    assert len(registry.search(language="en")) == len(registry.search(language="English"))
    assert handles(registry.search(task="preprocessing", publisher="dimitre")) == ["Dimitre/bert_en_cased_preprocess"]
    assert registry.search("bert", kind="Coral") == []
    assert registry.search("no-such-word") == []


def test_pages_cut_the_results_and_count_them():
    results = list(range(45))
    first = page(results, 1, 20)
    assert (first.entries, first.total, first.pages, first.first, first.last) == (results[:20], 45, 3, 1, 20)
    last = page(results, 3, 20)
    assert (last.entries, last.first, last.last) == (results[40:], 41, 45)
    assert page([], 1, 20).entries == [] and page([], 1, 20).pages == 0
    with pytest.raises(ValueError, match="page 4 is past the end: 45 results make 3 pages of 20"):
        page(results, 4, 20)
    with pytest.raises(ValueError, match="page 2 is past the end: 0 results make 1 page of 20"):
        page([], 2, 20)
    with pytest.raises(ValueError):
        page(results, 0, 20)


def test_loading_the_same_bytes_again_reuses_their_entries_and_changed_bytes_are_read_anew(tmp_path, monkeypatch):
    from hubfork.registry import store

    path = tmp_path / "registry.yaml"
    path.write_bytes((ROOT / "registry.yaml").read_bytes())
    first = Registry.load_file(path)
    parses = []
    monkeypatch.setattr(store, "parse", lambda raw, where: parses.append(where) or pytest.fail("parsed again"))
    again = Registry.load_file(path)
    assert again is not first and again.entries is not first.entries
    assert again.entries == first.entries and again.path == path and again.cards_dir == first.cards_dir
    # The same bytes elsewhere: the same entries, its own path.
    elsewhere = tmp_path / "copy.yaml"
    elsewhere.write_bytes(path.read_bytes())
    assert Registry.load_file(elsewhere).path == elsewhere
    monkeypatch.undo()
    # One byte changed (a description), and the file is read again: the change is seen.
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"description": "Aditya Kane"', '"description": "Aditya K."', 1), encoding="utf-8")
    assert Registry.load_file(path).get("adityakane2001").description == "Aditya K."
