"""The search page opens, with no query, on the most prominent entries by the ranking (as ``hubfork
search`` with no words lists them), one row per model with its versions hint, not alphabetically; in
headless Chromium, on the small site and on the shipped catalogue's."""

from __future__ import annotations

from dataclasses import replace

from tests.site.conftest import expect, open_index


def rows(tab, count: int | None = None) -> list[tuple[str, str]]:
    """The listed results' (handle, versions hint), the first `count` (every one when None)."""
    where = "#results li" if count is None else f"#results li:nth-child(-n+{count})"
    return [tuple(row) for row in tab.locator(where).evaluate_all(
        "items => items.map(li => [li.querySelector('a.handle').textContent,"
        " (li.querySelector('.versions') || {textContent: ''}).textContent])")]


def test_the_small_site_opens_on_the_official_models_one_row_each(page, small_site, small_registry, monkeypatch):
    found = small_registry.search()
    expected = [(e.handle, found.versions_hint(e)) for e in found]
    open_index(page, small_site.as_uri() + "/index.html")
    assert rows(page) == expected
    # The catalogue's own publisher (google has a publisher page here) first, the mirror last; one row for the
    # four versions of the Universal Sentence Encoder.
    assert expected[0] == ("google/universal-sentence-encoder/4", "v4 · 3 older")
    assert expected[-1] == ("Dimitre/bert_en_cased_L-12_H-768_A-12", "")
    assert [h for h, _ in expected] != sorted(h for h, _ in expected)
    # The check means something: without the official signal the order would differ.
    standing = small_registry.prominence
    monkeypatch.setattr(small_registry, "prominence", lambda e: replace(standing(e), official=0))
    assert [e.handle for e in small_registry.search()] != [h for h, _ in expected]
    assert page.errors == [] and page.outside == []


def test_the_whole_site_opens_on_the_most_prominent_models_not_on_the_first_publisher(page, whole_site, shipped):
    found = shipped.search()
    expected = [(e.handle, found.versions_hint(e)) for e in found[:20]]
    open_index(page, whole_site.path.as_uri() + "/index.html")
    expect(page.locator("#results li:nth-child(-n+20) a.handle")).to_have_text([h for h, _ in expected])
    assert rows(page, 20) == expected
    assert expected[0][0] != min(e.handle for e in shipped)  # tfhub.dev's first publisher, alphabetically
    # An official Module that no other Module outranks by collections, then links.
    modules = [e for e in found if e.kind == "Module"]
    assert found[0].kind == "Module" and shipped.prominence(found[0]).official == 1
    assert max((shipped.prominence(e).collections, shipped.prominence(e).links) for e in modules) == \
        (shipped.prominence(found[0]).collections, shipped.prominence(found[0]).links)
    assert page.errors == [] and page.outside == []
