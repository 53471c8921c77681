"""The shipped tag vocabulary, and its checks."""

from __future__ import annotations

from hubfork import Vocabulary
from tests.conftest import TAGS


def test_shipped_vocabulary_is_made_from_the_tfhub_dev_tags():
    fresh = Vocabulary.from_tags_dir(TAGS)
    assert fresh.to_json() == Vocabulary.default().to_json()
    assert "wikipedia-and-bookscorpus" in fresh.values["dataset"]
    assert fresh.values["language"]["en"] == "English"
    assert fresh.url_keys == {"colab": "colab.research.google.com", "demo": None}


def test_checks():
    vocabulary = Vocabulary.default()
    assert vocabulary.check("language", "en") is None
    assert vocabulary.check("module-type", "text-embedding") is None  # checked as a task
    assert "did you mean 'transformer'" in vocabulary.check("network-architecture", "Transformer")
    assert vocabulary.check("license", "no-such-license").startswith("unknown license 'no-such-license'")
    assert vocabulary.check("colab", "https://colab.research.google.com/x") is None
    assert "colab.research.google.com" in vocabulary.check("colab", "https://example.org/x")
    assert "URL" in vocabulary.check("demo", "not a url")
    assert vocabulary.check("asset-path", "anything") is None  # no vocabulary for it
    assert vocabulary.language_ids_by_name["german"] == "de"
