"""The user's own registry: `add_source` writes a card and rebuilds ``$HUBFORK_HOME/registry.yaml``,
and `Registry.load()` layers it over the shipped registry, the user's entries winning."""

from __future__ import annotations

from pathlib import Path

import pytest

from hubfork import load_registry
from hubfork.cards.parser import parse_card
from hubfork.cards.records import Source
from hubfork.constants import ENV_REGISTRY
from hubfork.errors import CardError, RegistryError, SourceError
from hubfork.registry import store
from hubfork.registry.registry import LayeredRegistry, Registry
from hubfork.registry.user import add_source, with_source

SHIPPED = "google/bert_multi_cased_L-12_H-768_A-12/1"
ONLY_SHIPPED = "tensorflow/bert_en_uncased_preprocess/1"
NEW = "someone/text_encoder/2"


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "home"
    monkeypatch.setenv("HUBFORK_HOME", str(folder))
    return folder


def files(folder: Path) -> list[str]:
    """The files under `folder`, but the registry's lock file (empty, left for the next writer)."""
    if not folder.exists():
        return []
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and p.suffix != ".lock")


def test_a_shipped_handle_gets_the_users_source_and_keeps_its_card(home):
    added = add_source(SHIPPED, "org/bert@v1")
    assert added.card == home / "cards/google/models/bert_multi_cased_L-12_H-768_A-12/1.md"
    assert added.replaces is not None and added.replaces.handle == SHIPPED
    card = parse_card(added.card)
    assert card.errors == [] and card.handle == SHIPPED
    assert card.sources == [Source("org/bert", "v1", None)]
    assert card.api == "tf1-hub" and card.casing == "cased"  # derived from the shipped card's body, kept
    assert (home / "registry.yaml").is_file()

    registry = load_registry()
    assert isinstance(registry, LayeredRegistry)
    entry = registry.get(SHIPPED)
    assert entry.sources == (Source("org/bert", "v1", None),)
    assert registry.origin(entry).path == home / "registry.yaml"
    assert registry.card_file(entry) == added.card
    assert [e.handle for e in registry if e.handle == SHIPPED] == [SHIPPED]  # replaced, not doubled


def test_entries_only_in_the_shipped_registry_are_still_found(home):
    add_source(SHIPPED, "org/bert@v1")
    registry = Registry.load()
    shipped = Registry.load_file(store.default_registry_path())
    assert len(registry) == len(shipped)
    entry = registry.get(ONLY_SHIPPED)
    assert registry.origin(entry).path == shipped.path
    assert registry.card_file(entry) == shipped.card_file(shipped.get(ONLY_SHIPPED))
    assert registry.where == f"{home / 'registry.yaml'} over {shipped.path}"


def test_a_new_handle_gets_a_minimal_valid_card_with_endpoint(home):
    added = add_source(f"https://tfhub.dev/{NEW}", "org/enc", endpoint="http://127.0.0.1:8080/")
    assert added.replaces is None
    card = parse_card(added.card)
    assert card.problems == []  # no errors and no warnings: every value is one tfhub.dev's validator took
    assert (card.kind, card.handle, card.format, card.tasks) == ("Module", NEW, "saved_model_2", ["text-embedding"])
    registry = load_registry()
    assert registry.get(NEW).sources == (Source("org/enc", None, "http://127.0.0.1:8080"),)
    assert [e.handle for e in registry.search("text_encoder")] == [NEW]
    assert len(registry) == len(Registry.load_file(store.default_registry_path())) + 1


def test_a_kaggle_url_names_the_shipped_handle_it_matches(home):
    url = ("https://www.kaggle.com/models/tensorflow/bert/frameworks/tensorFlow2/variations/"
           "en-wwm-uncased-l-24-h-1024-a-16/versions/3")
    added = add_source(url, "org/bert-large")
    assert added.handle == "tensorflow/bert_en_wwm_uncased_L-24_H-1024_A-16/3"
    registry = load_registry()
    assert registry.find_kaggle("tensorflow", "bert", "en-wwm-uncased-l-24-h-1024-a-16", 3).sources == (
        Source("org/bert-large", None, None),)


def test_adding_again_replaces_the_source(home):
    add_source(NEW, "org/enc@v1", endpoint="http://127.0.0.1:8080")
    added = add_source(NEW, "org/other@v2")
    text = added.card.read_text()
    assert text.count("hub-repo") == 1 and "hub-endpoint" not in text
    assert load_registry().get(NEW).sources == (Source("org/other", "v2", None),)


@pytest.mark.parametrize(("name", "repo", "endpoint", "says"), [
    ("google/bert_multi_cased", "org/bert", None, "publisher/name/version"),
    ("google/../1", "org/bert", None, "publisher/name/version"),
    ("https://example.com/google/bert/1", "org/bert", None, "not a tfhub.dev model URL"),
    ("https://www.kaggle.com/models/google/bert", "org/bert", None, "not a Kaggle model URL"),
    ("https://www.kaggle.com/models/nobody/x/frameworks/tf2/variations/y/versions/1", "org/bert", None,
     "give its TF Hub handle"),
    (SHIPPED, "bert", None, "repo id org/name"),
    (SHIPPED, "org/../bert", None, "repo id org/name"),
    (SHIPPED, "org/bert@", None, "not a revision"),
    (SHIPPED, "org/bert@a..b", None, "not a revision"),
    (SHIPPED, "org/bert", "ftp://hub", "http(s) URL"),
])
def test_bad_input_is_refused_and_nothing_is_written(home, name, repo, endpoint, says):
    with pytest.raises(SourceError, match="cannot map") as caught:
        add_source(name, repo, endpoint=endpoint)
    assert says in str(caught.value)
    assert files(home) == []
    assert not isinstance(load_registry(), LayeredRegistry)


def test_a_failed_rebuild_leaves_registry_and_cards_as_they_were(home):
    add_source(SHIPPED, "org/bert@v1")
    before = {name: (home / name).read_bytes() for name in files(home)}
    bad = home / "cards/other/models/broken/1.md"
    bad.parent.mkdir(parents=True)
    bad.write_text("# Module other/broken/1\n")  # no description, no metadata: errors
    with pytest.raises(CardError) as caught:
        add_source(SHIPPED, "org/bert@v2")
    assert caught.value.path == str(bad)
    assert {name: (home / name).read_bytes() for name in files(home) if name in before} == before
    with pytest.raises(CardError):
        add_source(NEW, "org/enc")
    assert files(home) == sorted([*before, "cards/other/models/broken/1.md"])  # the new card was taken back


def test_a_failed_write_leaves_no_registry(home, monkeypatch):
    def fail(path, text):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store, "atomic_write_text", fail)
    with pytest.raises(RegistryError, match="No space left on device"):
        add_source(NEW, "org/enc")
    assert files(home) == []


def test_an_explicit_registry_is_that_file_only(home, monkeypatch):
    add_source(SHIPPED, "org/bert@v1")
    shipped = store.default_registry_path()
    assert Registry.load(shipped).get(SHIPPED).sources == ()
    monkeypatch.setenv(ENV_REGISTRY, str(shipped))
    assert not isinstance(Registry.load(), LayeredRegistry)
    assert Registry.load().get(SHIPPED).sources == ()


def test_with_source_replaces_the_source_lines_at_the_end_of_the_metadata():
    card = ("# Module a/b/1\nA model.\n\n<!-- hub-repo: x/y -->\n<!-- format: hub -->\n"
            "<!-- hub-endpoint: http://old -->\n\n## Overview\n\nText.\n")
    assert with_source(card, "org/bert@v1", "http://new") == (
        "# Module a/b/1\nA model.\n\n<!-- format: hub -->\n<!-- hub-repo: org/bert@v1 -->\n"
        "<!-- hub-endpoint: http://new -->\n\n## Overview\n\nText.\n")
