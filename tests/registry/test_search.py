"""`hubfork.registry.search` ranking by the table of `hubfork.registry.ranking`: each row's points,
the first row a word passes, the sort keys, and a changed table changing the ranking."""

from __future__ import annotations

import pytest

from hubfork.registry import ranking
from hubfork.registry.entry import RegistryEntry
from hubfork.registry.search import search


def entry(handle: str, **fields) -> RegistryEntry:
    parts = handle.split("/")
    version = int(parts[-1]) if len(parts) > 2 and parts[-1].isdigit() else None
    return RegistryEntry.from_dict({"kind": "Module", "name": parts[1] if len(parts) > 1 else handle,
                                    "version": version, "handle": handle, **fields})


def ranked(entries, query=None) -> list[tuple[str, str]]:
    return [(e.handle, e.kind) for e in search(entries, query)]


@pytest.fixture
def table(monkeypatch):
    """Set the ranking's rows or order for one test."""

    def set_table(matches=None, order=None):
        if matches is not None:
            monkeypatch.setattr(ranking, "MATCHES", tuple(ranking.Match(*row) for row in matches))
        if order is not None:
            monkeypatch.setattr(ranking, "ORDER", tuple(order))

    return set_table


def test_a_word_scores_the_first_row_it_passes_and_the_words_add_up():
    entries = [
        entry("p/text-model/1", tasks=["text"]),        # a word of the name, twice: 8 + 8
        entry("p/textmodel/1", description="a model"),  # a part of the name, twice: 4 + 4
        entry("p/other/1", tasks=["text"], description="model of text"),  # a tag and the description: 2 + 1
        entry("p/text/1", description="model"),         # the name itself and the description: 16 + 1
    ]
    assert [h for h, _ in ranked(entries, "text model")] == [
        "p/text/1", "p/text-model/1", "p/textmodel/1", "p/other/1"]


def test_a_word_that_passes_no_row_drops_the_entry():
    entries = [entry("p/bert/1", description="an encoder"), entry("p/albert/1")]
    assert ranked(entries, "bert encoder") == [("p/bert/1", "Module")]
    assert ranked(entries, "bert zzz") == []


def test_the_model_and_the_whole_handle_count_as_the_name():
    entries = [entry("p/use/2", name="Universal"), entry("p/use-lite/1", name="Universal lite")]
    assert ranked(entries, "p/use") == [("p/use/2", "Module"), ("p/use-lite/1", "Module")]
    assert ranked(entries, "P/USE-LITE/1") == [("p/use-lite/1", "Module")]


def test_ties_keep_versions_together_newest_first_then_kinds_in_order_then_handle():
    entries = [
        entry("b/model/1"),
        entry("b/model/2", kind="Lite"),
        entry("b/model/2"),
        entry("b/model"),                 # no version counts as 0: after every version of its model
        entry("a/model/1", kind="Tfjs"),
        entry("a/model/1", kind="Weird"),  # a kind the table does not list: after those it does
        entry("a/model/1", kind="Coral"),
    ]
    assert ranked(entries, "model") == [
        ("a/model/1", "Tfjs"), ("a/model/1", "Coral"), ("a/model/1", "Weird"),
        ("b/model/2", "Module"), ("b/model/2", "Lite"), ("b/model/1", "Module"), ("b/model", "Module")]
    # No query: every entry scores 0 and the same order holds.
    assert ranked(entries) == ranked(entries, "model")


def test_the_ranking_is_the_tables_a_changed_row_changes_it(table):
    entries = [entry("p/encoder/1"), entry("p/other/1", tasks=["encoder"]), entry("p/third/1", description="encoder")]
    assert [h for h, _ in ranked(entries, "encoder")] == ["p/encoder/1", "p/other/1", "p/third/1"]
    table(matches=[("contains", ("description",), 5), ("contains", ("tags",), 3), ("equals", ("name",), 1)])
    assert [h for h, _ in ranked(entries, "encoder")] == ["p/third/1", "p/other/1", "p/encoder/1"]
    # A word passes one row at most: the description row above takes "encoder" wherever else it is too.
    both = [entry("p/encoder/2", description="encoder"), entry("p/encoder/1")]
    assert [h for h, _ in ranked(both, "encoder")] == ["p/encoder/2", "p/encoder/1"]
    table(matches=[("word", ("description",), 1)])
    assert ranked(both, "encoder") == [("p/encoder/2", "Module")]


def test_the_order_is_the_tables_a_changed_key_changes_it(table):
    entries = [entry("a/model/1"), entry("a/model/3"), entry("b/model/2")]
    assert [h for h, _ in ranked(entries, "model")] == ["a/model/3", "a/model/1", "b/model/2"]
    table(order=[("version", ranking.ASCENDING), ("handle", ranking.DESCENDING)])
    assert [h for h, _ in ranked(entries, "model")] == ["a/model/1", "b/model/2", "a/model/3"]
    table(order=[("handle", ranking.DESCENDING), ("version", ranking.DESCENDING)])
    assert [h for h, _ in ranked(entries, "model")] == ["b/model/2", "a/model/3", "a/model/1"]


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
    for key in ranking.SORT_KEYS:
        table(order=[(key, ranking.ASCENDING)])
        assert ranked(entries * 2) == [("p/alpha-beta/1", "Module")] * 2, key


def test_an_unknown_test_in_the_table_is_an_error(table):
    table(matches=[("sounds-like", ("name",), 1)])
    with pytest.raises(ValueError, match="unknown test 'sounds-like'"):
        search([entry("p/a/1")], "a")
