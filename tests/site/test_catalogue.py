"""The site's lookups: tfhub.dev URLs and handles to entries, versions, variants, collections, members."""

from __future__ import annotations

import pytest

from hubfork.site.catalogue import SiteCatalogue


@pytest.fixture(scope="module")
def catalogue(small_registry):
    return SiteCatalogue(small_registry)


def named(entry):
    return None if entry is None else (entry.handle, entry.kind)


@pytest.mark.parametrize("url, expected", [
    ("https://tfhub.dev/google/universal-sentence-encoder/2", ("google/universal-sentence-encoder/2", "Module")),
    # Without a version: the newest, not the collection of the same name.
    ("https://tfhub.dev/google/universal-sentence-encoder", ("google/universal-sentence-encoder/4", "Module")),
    ("http://www.tfhub.dev/google/universal-sentence-encoder/?tf-hub-format=compressed",
     ("google/universal-sentence-encoder/4", "Module")),
    ("https://tfhub.dev/google/collections/universal-sentence-encoder/1", ("google/universal-sentence-encoder",
                                                                           "Collection")),
    ("https://tfhub.dev/google", ("google", "Publisher")),
    ("https://tfhub.dev/google/aiy/vision/classifier/birds_V1/1",
     ("google/aiy/vision/classifier/birds_V1/1", "Module")),
    ("https://tfhub.dev/google/lite-model/aiy/vision/classifier/birds_V1/1",
     ("google/aiy/vision/classifier/birds_V1/1", "Lite")),
    ("https://tfhub.dev/nobody/nothing/1", None),
    ("https://tfhub.dev/google/universal-sentence-encoder/9", None),
    ("https://example.org/google/universal-sentence-encoder/4", None),
    ("javascript:alert(1)", None),
    ("https://tfhub.dev/", None),
])
def test_find_url(catalogue, url, expected):
    assert named(catalogue.find(url)) == expected


def test_find_handle_without_version_is_the_newest(catalogue):
    assert named(catalogue.find("tensorflow/bert_en_uncased_preprocess")) == (
        "tensorflow/bert_en_uncased_preprocess/3", "Module")
    assert named(catalogue.find("google/universal-sentence-encoder", "Collection")) == (
        "google/universal-sentence-encoder", "Collection")


def test_versions_newest_first_variants_and_collections(catalogue):
    use2 = catalogue.find("google/universal-sentence-encoder/2")
    assert [e.version for e in catalogue.versions(use2)] == [4, 3, 2, 1]
    assert [named(c) for c in catalogue.collections(use2)] == [("google/universal-sentence-encoder", "Collection")]
    birds = catalogue.find("google/aiy/vision/classifier/birds_V1/1")
    assert [named(v) for v in catalogue.variants(birds)] == [("google/aiy/vision/classifier/birds_V1/1", "Lite")]
    assert catalogue.variants(use2) == []


def test_members_of_a_collection_name_entries_or_nothing(catalogue):
    collection = catalogue.find("google/universal-sentence-encoder", "Collection")
    members = dict(catalogue.members(collection))
    assert named(members["google/universal-sentence-encoder"]) == ("google/universal-sentence-encoder/4", "Module")
    assert members["google/universal-sentence-encoder-large"] is None
    assert len(members) == len(collection.members)


def test_pages_are_distinct_and_inside_the_pages_folder(catalogue):
    pages = [catalogue.page(e) for e in catalogue.entries]
    assert len(set(pages)) == len(pages)
    by_entry = {named(e): catalogue.page(e) for e in catalogue.entries}
    assert by_entry[("google/aiy/vision/classifier/birds_V1/1", "Module")] == \
        "e/google~aiy~vision~classifier~birds_V1~1.html"
    assert by_entry[("google/aiy/vision/classifier/birds_V1/1", "Lite")] == \
        "e/google~aiy~vision~classifier~birds_V1~1~lite.html"
