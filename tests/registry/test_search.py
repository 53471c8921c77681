"""`hubfork.registry.search` ranking by the table of `hubfork.registry.ranking`: each row's points,
the first row a word passes, the sort keys and the catalogue's signals (official publisher,
collections, links, kind, newest version), one result per model, and a changed table changing the
ranking. The Done-when facts of issue 25 are checked on the shipped catalogue."""

from __future__ import annotations

import pytest

from hubfork.registry import ranking
from hubfork.registry.entry import RegistryEntry
from hubfork.registry.registry import Registry
from hubfork.registry.search import Prominence, SearchResults, page, search, versions_hint
from tests.conftest import ROOT


def entry(handle: str, **fields) -> RegistryEntry:
    parts = handle.split("/")
    version = int(parts[-1]) if len(parts) > 2 and parts[-1].isdigit() else None
    return RegistryEntry.from_dict({"kind": "Module", "name": parts[1] if len(parts) > 1 else handle,
                                    "version": version, "handle": handle,
                                    "publisher": parts[0], **fields})


def ranked(entries, query=None) -> list[tuple[str, str]]:
    return [(e.handle, e.kind) for e in search(entries, query)]


def handles(found) -> list[str]:
    return [e.handle for e in found]


@pytest.fixture
def table(monkeypatch):
    """Set the ranking's rows or order for one test."""

    def set_table(matches=None, order=None):
        if matches is not None:
            monkeypatch.setattr(ranking, "MATCHES", tuple(ranking.Match(*row) for row in matches))
        if order is not None:
            monkeypatch.setattr(ranking, "ORDER", tuple(order))

    return set_table


@pytest.fixture(scope="module")
def shipped() -> Registry:
    return Registry.load_file(ROOT / "registry.yaml")


# ----------------------------------------------------------------------------- text points


def test_a_word_scores_the_first_row_it_passes_and_the_words_add_up():
    entries = [
        entry("p/text-model/1", tasks=["text"]),        # a word of the name, twice: 8 + 8
        entry("p/textmodel/1", description="a model"),  # a part of the name, twice: 4 + 4
        entry("p/other/1", tasks=["text"], description="model of text"),  # a tag and the description: 2 + 1
        entry("p/text/1", description="model"),         # the name itself and the description: 8 + 1
    ]
    assert [h for h, _ in ranked(entries, "text model")] == [
        "p/text-model/1", "p/text/1", "p/textmodel/1", "p/other/1"]


def test_a_word_that_passes_no_row_drops_the_entry():
    entries = [entry("p/bert/1", description="an encoder"), entry("p/albert/1")]
    assert ranked(entries, "bert encoder") == [("p/bert/1", "Module")]
    assert ranked(entries, "bert zzz") == []


def test_the_model_and_the_whole_handle_count_as_the_name():
    entries = [entry("p/use/2", name="Universal"), entry("p/use-lite/1", name="Universal lite")]
    assert ranked(entries, "p/use") == [("p/use/2", "Module"), ("p/use-lite/1", "Module")]
    assert ranked(entries, "P/USE-LITE/1") == [("p/use-lite/1", "Module")]


def test_a_name_segment_comes_before_a_description_whatever_the_standing():
    official = Prominence(official=1, collections=5, links=50)
    entries = [entry("big/famous/1", description="works with any encoder"), entry("small/encoder_tiny/1")]
    found = search(entries, "encoder", prominence=lambda e: official if e.publisher == "big" else Prominence())
    assert handles(found) == ["small/encoder_tiny/1", "big/famous/1"]


# ------------------------------------------------------------------- the catalogue's signals


def registry_of(*entries: RegistryEntry) -> Registry:
    return Registry(list(entries))


def test_an_official_publishers_model_comes_before_one_whose_publisher_has_no_page():
    # "acme" has a publisher page in the catalogue; "Aaa" has none (a mirror, or a card of its own). Its
    # handle sorts first by name, so only the signal puts acme's model first.
    registry = registry_of(entry("Aaa/encoder/1"), entry("acme/encoder/2"), entry("acme", kind="Publisher", name=None))
    assert handles(registry.search("encoder")) == ["acme/encoder/2", "Aaa/encoder/1"]
    assert registry.prominence(registry.find("acme/encoder/2")).official == 1
    assert registry.prominence(registry.find("Aaa/encoder/1")).official == 0


def test_a_hugging_face_mirror_comes_after_the_official_model():
    registry = registry_of(entry("Aaa/encoder", kind="Model", family="huggingface"),
                           entry("acme/encoder/2"), entry("acme", kind="Publisher", name=None))
    assert handles(registry.search("encoder")) == ["acme/encoder/2", "Aaa/encoder"]


def test_the_model_more_collections_list_comes_first():
    registry = registry_of(entry("p/a-encoder/1"), entry("p/b-encoder/1"),
                           entry("p/set", kind="Collection", version=1, members=["p/b-encoder/1"]),
                           entry("p/other-set", kind="Collection", version=1, members=["p/b-encoder"]))
    found = registry.search("encoder", kind="Module")
    assert handles(found) == ["p/b-encoder/1", "p/a-encoder/1"]
    assert registry.prominence(found[0]).collections == 2


def test_the_model_more_other_cards_link_to_comes_first_each_linking_model_once():
    registry = registry_of(
        entry("p/a-encoder/1"), entry("p/b-encoder/1"), entry("p/c-encoder/1"),
        # Two versions of one model linking b count once; c links itself, which does not count; a link
        # to a model the registry does not know counts for nothing.
        entry("q/user/1", links=["p/b-encoder/1", "p/c-encoder/1"]), entry("q/user/2", links=["p/b-encoder/1"]),
        entry("r/user/1", links=["https-junk/x", "p/c-encoder"]),
        entry("s/user/1", links=["P/B-Encoder"]),
        entry("p/c-encoder/2", links=["p/c-encoder/1"]),
    )
    assert handles(registry.search("encoder")) == ["p/b-encoder/1", "p/c-encoder/2", "p/a-encoder/1"]
    assert [registry.prominence(e).links for e in registry.search("encoder")] == [2, 2, 0]
    assert handles(registry.search("encoder"))[:1] == ["p/b-encoder/1"]  # ties with c: then by model name


def test_a_card_s_link_to_its_own_preprocessor_is_a_pairing_not_a_link():
    pre = "p/encoder_preprocess/1"
    paired = [entry("p/encoder/1", preprocessor=pre, links=[pre]), entry(pre)]
    registry = registry_of(*paired)
    assert registry.prominence(registry.find(pre)).links == 0
    assert handles(registry.search("encoder")) == ["p/encoder/1", pre]
    # A classifier's card building on the preprocessor does count.
    assert registry_of(*paired, entry("q/classifier/1", links=[pre])).prominence(registry.find(pre)).links == 1


def test_a_collections_links_count_as_its_listing_not_as_links():
    registry = registry_of(entry("p/a-encoder/1"), entry("p/b-encoder/1"),
                           entry("p/set", kind="Collection", version=1, links=["p/b-encoder/1"]))
    assert registry.prominence(registry.find("p/b-encoder/1")) == Prominence(0, 0, 0)


def test_a_module_comes_before_its_lite_tfjs_and_coral_variants():
    entries = [entry("a/model/1", kind="Tfjs"), entry("a/model/1", kind="Coral"), entry("a/model/1", kind="Lite"),
               entry("b/model/1")]
    assert ranked(entries, "model") == [("b/model/1", "Module"), ("a/model/1", "Lite"), ("a/model/1", "Tfjs"),
                                        ("a/model/1", "Coral")]


def test_without_the_official_key_the_table_no_longer_prefers_the_official_model(table):
    registry = registry_of(entry("Aaa/encoder/1"), entry("acme/encoder/2"), entry("acme", kind="Publisher", name=None))
    table(order=[key for key in ranking.ORDER if key[0] != "official"])
    assert handles(registry.search("encoder")) == ["Aaa/encoder/1", "acme/encoder/2"]


# --------------------------------------------------------------------------- one result per model


def test_a_models_versions_are_one_result_shown_as_the_newest_placed_by_the_best():
    entries = [
        entry("b/model/1", name="model"),       # the name is the word: 8, so its model goes first
        entry("b/model/3", name="remodel"),     # a part of the name: 4, but the newest: shown
        entry("b/model/2", name="remodel"),
        entry("b/model/2", kind="Lite"),        # a variant is a result of its own
        entry("a/remodel/1", name="remodel"),
        entry("c/model", name="remodel"),       # no version: a model of its own
    ]
    found = search(entries, "model")
    assert [(e.handle, e.kind) for e in found] == [
        ("b/model/3", "Module"), ("b/model/2", "Lite"), ("a/remodel/1", "Module"), ("c/model", "Module")]
    assert handles(found.versions_of(found[0])) == ["b/model/3", "b/model/2", "b/model/1"]
    assert [found.versions_hint(e) for e in found] == ["v3 · 2 older", "v2", "v1", ""]


def test_versions_are_those_that_match_the_filters():
    entries = [entry("p/model/1", license="mit"), entry("p/model/2", license="apache-2.0"), entry("p/model/3")]
    found = search(entries, "model", filters=_filters(license="mit"))
    assert handles(found) == ["p/model/1"] and found.versions_hint(found[0]) == "v1"


def _filters(**values):
    from hubfork.registry.search import Filters

    return Filters(**values)


def test_versions_hint_says_the_newest_and_how_many_older():
    assert versions_hint([entry("p/m/4"), entry("p/m/3"), entry("p/m/1")]) == "v4 · 2 older"
    assert versions_hint([entry("p/m/2")]) == "v2"
    assert versions_hint([entry("p/m")]) == "" and versions_hint([]) == ""
    assert SearchResults([entry("p/m/2")]).versions_hint(entry("p/other/1")) == "v1"


def test_pages_count_results_not_versions():
    entries = [entry(f"p/model{i}/{v}") for i in range(5) for v in (1, 2, 3)]
    found = search(entries, "model")
    assert len(found) == 5
    second = page(found, 2, 2)
    assert (second.total, second.pages, handles(second.entries)) == (5, 3, ["p/model2/3", "p/model3/3"])


def test_no_query_ranks_by_standing_too():
    registry = registry_of(entry("a/plain/1"), entry("z/listed/1"),
                           entry("z/set", kind="Collection", version=1, members=["z/listed"]))
    assert handles(registry.search())[:2] == ["z/listed/1", "a/plain/1"]


# ------------------------------------------------------------------------- the table drives it


def test_the_ranking_is_the_tables_a_changed_row_changes_it(table):
    entries = [entry("p/encoder/1"), entry("p/other/1", tasks=["encoder"]), entry("p/third/1", description="encoder")]
    assert [h for h, _ in ranked(entries, "encoder")] == ["p/encoder/1", "p/other/1", "p/third/1"]
    table(matches=[("contains", ("description",), 5), ("contains", ("tags",), 3), ("equals", ("name",), 1)])
    assert [h for h, _ in ranked(entries, "encoder")] == ["p/third/1", "p/other/1", "p/encoder/1"]
    # A word passes one row at most: the description row above takes "encoder" wherever else it is too.
    both = [entry("q/encoder/1", description="encoder"), entry("p/encoder/1")]
    assert [h for h, _ in ranked(both, "encoder")] == ["q/encoder/1", "p/encoder/1"]
    table(matches=[("word", ("description",), 1)])
    assert ranked(both, "encoder") == [("q/encoder/1", "Module")]


def test_the_order_is_the_tables_a_changed_key_changes_it(table):
    entries = [entry("a/model/1"), entry("c/model/3"), entry("b/model/2")]
    assert [h for h, _ in ranked(entries, "model")] == ["a/model/1", "b/model/2", "c/model/3"]
    table(order=[("version", ranking.DESCENDING), ("handle", ranking.DESCENDING)])
    assert [h for h, _ in ranked(entries, "model")] == ["c/model/3", "b/model/2", "a/model/1"]
    table(order=[("handle", ranking.DESCENDING), ("version", ranking.DESCENDING)])
    assert [h for h, _ in ranked(entries, "model")] == ["c/model/3", "b/model/2", "a/model/1"]
    table(order=[("version", ranking.ASCENDING)])
    assert [h for h, _ in ranked(entries, "model")] == ["a/model/1", "b/model/2", "c/model/3"]


def test_every_text_test_and_key_the_table_can_name_is_read(table):
    entries = [entry("p/alpha-beta/1", name="alpha-beta", tasks=["gamma"], description="delta")]
    # Each text: the whole of it (None: no query word can be, it holds a space), a part and a word of it.
    cases = {"name": ("alpha-beta", "pha-be", "beta"), "handle": ("p/alpha-beta/1", "a-beta/", "alpha"),
             "model": ("p/alpha-beta", "/alph", "p"), "tags": (None, "amm", "module"),
             "description": ("delta", "elt", "delta")}
    assert set(cases) == set(ranking.TEXTS)
    for text, (whole, part, word) in cases.items():
        table(matches=[("equals", (text,), 1)])
        assert ranked(entries, part) == [] and (whole is None or ranked(entries, whole)), text
        table(matches=[("contains", (text,), 1)])
        assert ranked(entries, part) and ranked(entries, "zzz") == [], text
        table(matches=[("word", (text,), 1)])
        assert ranked(entries, word) and ranked(entries, part) == [], text
    assert set(ranking.TESTS) == {"equals", "contains", "word"}
    two = entries + [entry("q/alpha-beta/1", name="alpha-beta")]
    for key in ranking.SORT_KEYS:
        table(order=[(key, ranking.ASCENDING)])
        assert sorted(ranked(two)) == [("p/alpha-beta/1", "Module"), ("q/alpha-beta/1", "Module")], key


def test_an_unknown_test_in_the_table_is_an_error(table):
    table(matches=[("sounds-like", ("name",), 1)])
    with pytest.raises(ValueError, match="unknown test 'sounds-like'"):
        search([entry("p/a/1")], "a")


# ------------------------------------------------------------------ the shipped catalogue (issue 25)


def test_bert_lists_the_canonical_uncased_encoder_in_the_first_five(shipped):
    found = shipped.search("bert")
    assert "tensorflow/bert_en_uncased_L-12_H-768_A-12/4" in handles(found[:5])
    assert found.versions_hint(found[handles(found).index("tensorflow/bert_en_uncased_L-12_H-768_A-12/4")]) \
        == "v4 · 3 older"


def test_bert_cased_lists_the_official_cased_encoder_in_the_first_three_ahead_of_every_mirror(shipped):
    found = shipped.search("bert cased")
    at = handles(found).index("tensorflow/bert_en_cased_L-12_H-768_A-12/4")
    assert at < 3
    mirrors = [i for i, e in enumerate(found) if e.family == "huggingface"]
    assert mirrors and all(i > at for i in mirrors)


def test_each_model_is_one_result_on_the_shipped_catalogue(shipped):
    found = shipped.search("universal-sentence-encoder")
    keys = [(e.handle.rsplit("/", 1)[0] if e.version is not None else e.handle, e.kind) for e in found]
    assert len(keys) == len(set(keys))
    use = next(e for e in found if e.handle == "google/universal-sentence-encoder/4")
    assert handles(found.versions_of(use)) == [f"google/universal-sentence-encoder/{v}" for v in (4, 3, 2, 1)]
