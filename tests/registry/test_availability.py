"""Where an entry's model can be fetched: tfhub.dev (served by Kaggle Models) for the catalogue's models it did
not delete, a card's hub repos as mirrors, nothing for deleted models without one nor for cards with no files."""

from __future__ import annotations

from collections import Counter

import pytest

from hubfork.registry import availability
from hubfork.registry.entry import RegistryEntry
from hubfork.registry.registry import Registry
from tests.conftest import ROOT

CATALOGUE_CARD = "cards/tfhub.dev/assets/docs/acme/models/m/1.md"
OFFICIAL = "tfhub.dev (served by Kaggle Models)"


def entry(kind: str = "Module", card: str = CATALOGUE_CARD, **fields) -> RegistryEntry:
    return RegistryEntry.from_dict({"handle": "acme/m/1", "kind": kind, "version": 1, "card": {"path": card},
                                    **fields})


@pytest.mark.parametrize("kind, served", [("Module", True), ("Lite", True), ("Tfjs", True), ("Coral", True),
                                          ("Collection", False), ("Publisher", False), ("Placeholder", False)])
def test_tfhub_serves_the_catalogue_models_and_their_variants(kind, served):
    found = entry(kind)
    assert availability.on_tfhub(found) is served and availability.has_source(found) is served
    assert availability.source_labels(found) == ([OFFICIAL] if served else [])
    if not served:
        assert availability.no_source_text(found) == f"none: a {kind} card names no model files of its own"


def test_a_deleted_model_has_no_source_unless_a_mirror_holds_it():
    gone = entry(status="deleted")
    assert (availability.is_deleted(gone), availability.on_tfhub(gone), availability.has_source(gone)) == (
        True, False, False)
    assert availability.source_labels(gone) == ["deleted 2024-03-18"]
    assert availability.status_text(gone) == "deleted 2024-03-18: tfhub.dev removed it; no mirror of it is known"
    kept = entry(status="deleted", sources=[{"repo_id": "org/m", "revision": "v1", "endpoint": "https://hub.example"}])
    assert availability.has_source(kept) and not availability.on_tfhub(kept)
    assert availability.source_labels(kept) == ["deleted 2024-03-18", "org/m@v1 (https://hub.example)"]
    assert availability.status_text(kept).endswith("; a mirror serves it (see its sources)")


def test_tfhub_comes_first_then_mirrors_and_other_cards_have_only_their_sources():
    mirrored = entry(sources=[{"repo_id": "Dimitre/m"}, {"repo_id": "hubfork/m", "endpoint": "embedded"}])
    assert availability.source_labels(mirrored) == [OFFICIAL, "Dimitre/m", "hubfork/m (embedded)"]
    # A card outside the catalogue (a user's, the embedded hub's, a Hugging Face card) is not on tfhub.dev.
    own = entry(card="cards/embedded/acme/m/1.md", sources=[{"repo_id": "acme/m", "endpoint": "embedded"}])
    assert not availability.on_tfhub(own) and availability.source_labels(own) == ["acme/m (embedded)"]
    unknown = entry(card="/home/me/cards/m.md")
    assert (availability.has_source(unknown), availability.source_labels(unknown)) == (False, [])
    assert availability.no_source_text(unknown) == "none known"
    assert availability.status_text(unknown) == ""


def test_the_shipped_registry_reads_true():
    registry = Registry.load_file(ROOT / "registry.yaml")
    deleted = sorted({e.handle for e in registry if availability.is_deleted(e)})
    # The 16 folders tfhub.dev's README lists as deleted on 2024-03-18 (fungi_mobile_V1 holds two versions
    # and a Lite variant).
    assert len(deleted) == 18 and {h.split("/")[0] for h in deleted} == {"inaturalist", "nvidia", "silero",
                                                                        "svampeatlas"}
    assert not any(availability.has_source(e) for e in registry if availability.is_deleted(e))
    counts = Counter((e.kind, availability.has_source(e)) for e in registry)
    assert counts[("Module", True)] == 1800 and counts[("Module", False)] == 17
    assert counts[("Lite", True)] + counts[("Tfjs", True)] + counts[("Coral", True)] == 732
    assert not any(counts[(kind, True)] for kind in ("Collection", "Publisher", "Placeholder"))
    bert = registry.get("tensorflow/bert_en_cased_L-12_H-768_A-12/4")
    assert availability.source_labels(bert) == [OFFICIAL, "Dimitre/bert_en_cased_L-12_H-768_A-12"]


@pytest.mark.parametrize("found, word", [
    (entry(), "tfhub.dev"),
    # tfhub.dev first when it serves the model: its mirrors are not what the row is.
    (entry(sources=[{"repo_id": "Dimitre/m"}]), "tfhub.dev"),
    (entry(card="cards/embedded/acme/m/1.md", sources=[{"repo_id": "acme/m"}]), "mirror"),
    (entry(status="deleted", sources=[{"repo_id": "org/m"}]), "mirror"),
    (entry(status="deleted"), "deleted"),
    (entry(card="/home/me/cards/m.md"), "none"),
    (entry("Collection"), "none"), (entry("Publisher"), "none"), (entry("Placeholder"), "none"),
])
def test_one_word_says_where_a_model_comes_from(found, word):
    assert availability.source_word(found) == word and word in availability.SOURCE_WORDS
    assert availability.has_source(found) is (word in ("tfhub.dev", "mirror"))


def test_the_add_source_command_is_offered_only_for_a_tf_hub_model_no_source_serves():
    assert availability.add_source_command(entry(status="deleted")) == (
        "hubfork registry add-source acme/m/1 org/repo@rev")
    assert availability.add_source_command(entry(card="/home/me/cards/m.md")) == (
        "hubfork registry add-source acme/m/1 org/repo@rev")
    assert availability.add_source_command(entry()) is None  # tfhub.dev serves it
    assert availability.add_source_command(entry(status="deleted", sources=[{"repo_id": "org/m"}])) is None
    for kind in ("Lite", "Collection", "Publisher", "Placeholder"):  # the command maps a model, by its handle
        assert availability.add_source_command(entry(kind, status="deleted")) is None
    hf = RegistryEntry.from_dict({"handle": "org/m", "kind": "Model", "family": "huggingface",
                                  "card": {"path": "/home/me/m.md"}})
    assert availability.names_files(hf) and availability.add_source_command(hf) is None


def test_the_shipped_registry_in_words():
    registry = Registry.load_file(ROOT / "registry.yaml")
    words = Counter(availability.source_word(e) for e in registry)
    # "none": the 50 Collections, 40 Publishers and 182 Placeholders; "mirror": two Hugging Face cards and two
    # models served from hub repos only; "deleted": the 17 deleted models and a Lite variant of one.
    assert words == {"tfhub.dev": 2530, "mirror": 4, "deleted": 18, "none": 272}
    offered = [e for e in registry if availability.add_source_command(e) is not None]
    assert len(offered) == 17 and all(e.kind == "Module" and availability.is_deleted(e) for e in offered)
