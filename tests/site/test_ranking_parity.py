"""Search ranks alike in `hubfork search` and in the site: a fixed set of queries over the shipped
catalogue, run by `hubfork.registry.search` and by the site's search.js in headless Chromium, gives
the same top 20 in the same order, each result standing for the same versions ("v4 · 3 older"). Both
read the table of `hubfork.registry.ranking` and the per-entry signals the registry computes (the
site's index carries them); the Python ranking is the reference."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from hubfork.registry import ranking
from hubfork.registry.registry import Registry
from hubfork.site.catalogue import SiteCatalogue
from hubfork.site.index import build_index
from tests.conftest import ROOT
from tests.site.conftest import expect, open_index

TOP = 20

#: (query, facets in the order they are chosen): facets are (filter, value) of `Registry.search`, each
#: the search page's select ``facet-FILTER``.
QUERIES = (
    # One word: the name itself, a word of names, a part of names, a tag, a description.
    ("universal-sentence-encoder", ()),
    ("google", ()),
    ("bert", ()),
    ("mobilenet", ()),
    ("classification", ()),  # Module and Lite cards sharing a handle: kinds in order
    ("en", ()),
    ("lite", ()),
    ("audio", ()),
    ("wikipedia", ()),
    # Two or three words, in any case.
    ("bert uncased", ()),
    ("BERT Uncased", ()),
    ("mobilenet v2", ()),
    ("image classification", ()),
    ("mobilenet v2 lite", ()),
    ("efficientnet b0", ()),
    # A part of a handle, an architecture, a version, a whole handle.
    ("google/universal", ()),
    ("tensorflow/bert_en", ()),
    ("l-12_h-768_a-12", ()),
    ("4", ()),
    ("google/universal-sentence-encoder/4", ()),
    # No hits.
    ("no-such-model-anywhere", ()),
    ("bert zzzqqq", ()),
    # No query, and facets with and without one.
    ("", ()),
    ("bert", (("publisher", "tensorflow"),)),
    ("mobilenet", (("kind", "Lite"),)),
    ("encoder", (("language", "en"), ("fine_tunable", True))),
    ("", (("has_source", False),)),
    ("text", (("format", "tfjs"),)),
)


def top(registry: Registry, query: str, facets) -> list[tuple[str, str, str]]:
    found = registry.search(query, **dict(facets))
    return [(e.handle, e.kind, found.versions_hint(e)) for e in found[:TOP]]


def test_the_sites_index_carries_the_ranking_table(shipped):
    assert build_index(SiteCatalogue(shipped))["r"] == ranking.as_index()


def test_search_js_ranks_by_the_table_not_by_weights_of_its_own():
    script = (ROOT / "hubfork" / "site" / "static" / "search.js").read_text(encoding="utf-8")
    assert "data.r" in script
    for name in ranking.TEXTS + ranking.TESTS + ranking.SORT_KEYS:
        assert re.search(rf"\b{name}: ", script), name


def test_the_queries_would_catch_any_row_or_key_read_differently(shipped, monkeypatch):
    """Dropping any row of the ranking, reversing any sort key, or zeroing any per-entry signal changes some
    query's top 20: so the site passes the browser test below only by reading every row, key and signal
    as Python does. The last key (``handle``) is left out: it only separates rows alike in every other
    key, and rows sharing a model and a kind are one result."""
    expected = [top(shipped, query, facets) for query, facets in QUERIES]
    assert [query for (query, _), found in zip(QUERIES, expected) if not found] == \
        ["no-such-model-anywhere", "bert zzzqqq"]
    rows, order = ranking.MATCHES, ranking.ORDER
    for i in range(len(rows)):
        monkeypatch.setattr(ranking, "MATCHES", rows[:i] + rows[i + 1:])
        assert [top(shipped, query, facets) for query, facets in QUERIES] != expected, rows[i]
    monkeypatch.setattr(ranking, "MATCHES", rows)
    for i, (key, direction) in enumerate(order[:-1]):
        monkeypatch.setattr(ranking, "ORDER", order[:i] + ((key, -direction),) + order[i + 1:])
        assert [top(shipped, query, facets) for query, facets in QUERIES] != expected, key
    monkeypatch.setattr(ranking, "ORDER", order)
    # ``official`` separates only the shipped catalogue's two mirrors, which their kind (Model) already puts
    # after the Modules: tests/site/test_opening_order.py checks the site reads it, on the small site.
    assert set(ranking.SIGNALS) == {"official", "collections", "links"}
    standing = shipped.prominence
    for signal in ("collections", "links"):
        monkeypatch.setattr(shipped, "prominence", lambda entry, signal=signal: replace(standing(entry), **{signal: 0}))
        assert [top(shipped, query, facets) for query, facets in QUERIES] != expected, signal


@pytest.mark.parametrize(("query", "facets"), QUERIES, ids=[f"{q or '-'}{''.join(f'+{v}' for _, v in f)}"
                                                           for q, f in QUERIES])
def test_the_site_ranks_each_query_as_hubfork_search_does(page, whole_site, shipped, query, facets):
    open_index(page, whole_site.path.as_uri() + "/index.html")
    page.fill("#q", query)
    chosen: dict = {}
    for name, value in facets:
        chosen[name] = value
        count = len(shipped.search(query, **chosen))
        label = {True: "yes", False: "no"}.get(value, value) if isinstance(value, bool) else value
        page.select_option(f"#facet-{name}", label=f"{label} ({count})")
    found = shipped.search(query, **chosen)
    expected = [e.handle for e in found[:TOP]]
    shown = page.locator(f"#results li:nth-child(-n+{TOP}) a.handle")
    if expected:
        expect(shown).to_have_text(expected)
    else:
        expect(shown).to_have_count(0)
    # Same handle, same place: the kinds agree too (a model and its Lite card share a handle), and each
    # result stands for the same versions.
    kinds = page.locator(f"#results li:nth-child(-n+{TOP}) .kind").all_inner_texts()
    assert kinds == [e.kind for e in found[:TOP]]
    hints = page.locator(f"#results li:nth-child(-n+{TOP})").evaluate_all(
        "items => items.map(li => { const v = li.querySelector('.versions'); return v ? v.textContent : ''; })")
    assert hints == [found.versions_hint(e) for e in found[:TOP]]
    expect(page.locator("#count")).to_have_text(re.compile(rf"^{len(found):,} results? among {len(shipped):,} entries"))
    assert page.errors == [] and page.outside == []
