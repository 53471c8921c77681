"""Model-name shapes and the URLs that carry them."""

from __future__ import annotations

import pytest

from hubfork.handles import (
    RepoRef,
    hub_url_to_repo,
    is_repo_id,
    is_tfhub_handle,
    tfhub_collection_handle,
    tfhub_url_to_handle,
    tfhub_url_to_publisher,
)


@pytest.mark.parametrize(
    "url, handle",
    [
        ("https://tfhub.dev/google/bert/1", "google/bert/1"),
        ("https://tfhub.dev/tensorflow/small_bert/bert_en_uncased_L-2_H-128_A-2/1?tf-hub-format=compressed",
         "tensorflow/small_bert/bert_en_uncased_L-2_H-128_A-2/1"),
        ("https://tfhub.dev/google/tfjs-model/imagenet/mobilenet/3/default/1", "google/imagenet/mobilenet/3/default/1"),
        ("https://tfhub.dev/google/collections/bert/1", "google/collections/bert/1"),
        ("https://huggingface.co/google/bert", None),
        ("ftp://tfhub.dev/google/bert/1", None),
    ],
)
def test_tfhub_url_to_handle(url, handle):
    assert tfhub_url_to_handle(url) == handle


@pytest.mark.parametrize(
    "url, ref",
    [
        ("https://huggingface.co/Dimitre/bert_en_cased_preprocess",
         RepoRef("Dimitre/bert_en_cased_preprocess", None, "https://huggingface.co")),
        ("https://hf.xwall.us.kg/Dimitre/bert_en_cased_preprocess",
         RepoRef("Dimitre/bert_en_cased_preprocess", None, "https://hf.xwall.us.kg")),
        ("http://127.0.0.1:8090/org/name/tree/v2", RepoRef("org/name", "v2", "http://127.0.0.1:8090")),
        ("https://huggingface.co/org/name/resolve/abc123/saved_model.pb", RepoRef("org/name", "abc123",
                                                                                  "https://huggingface.co")),
        ("https://github.com/tensorflow/models", None),
        ("https://huggingface.co/datasets/org/data", None),
        ("https://tfhub.dev/google/bert/1", None),
        ("https://huggingface.co/org", None),
    ],
)
def test_hub_url_to_repo(url, ref):
    assert hub_url_to_repo(url) == ref


def test_shapes():
    assert is_repo_id("Dimitre/bert_en_cased_L-12_H-768_A-12")
    for bad in ("a", "a/b/c", "a/../b", "a--b/c", "a/b.git", "/a/b", "a/-b", "a/b c"):
        assert not is_repo_id(bad), bad
    assert is_tfhub_handle("tensorflow/small_bert/bert_en_uncased_L-2_H-128_A-2/1")
    assert not is_tfhub_handle("tensorflow/bert")


@pytest.mark.parametrize("handle, collection", [
    ("google/collections/bert/1", "google/bert"),
    ("google/collections/universal-sentence-encoder", "google/universal-sentence-encoder"),
    ("google/collections/a/b/2", "google/a/b"),
    ("google/bert/1", None),
    ("google/collections", None),
])
def test_tfhub_collection_handle(handle, collection):
    assert tfhub_collection_handle(handle) == collection


@pytest.mark.parametrize("url, publisher", [
    ("https://tfhub.dev/google", "google"),
    ("https://tfhub.dev/google/", "google"),
    ("https://tfhub.dev/google/bert/1", None),
    ("https://example.org/google", None),
    ("https://tfhub.dev/", None),
])
def test_tfhub_url_to_publisher(url, publisher):
    assert tfhub_url_to_publisher(url) == publisher
