"""The small site in headless Chromium, from file:// and from `hubfork registry serve`: searching,
facets, the keyboard, entry pages, and a hostile card that stays inert."""

from __future__ import annotations

import re

import pytest

from tests.site.conftest import expect, open_index


@pytest.fixture(params=["file", "serve"])
def site_url(request, small_site, serve_site):
    """The small site's address: its folder as file://, or `hubfork registry serve --dir` on a free port."""
    if request.param == "file":
        return small_site.as_uri() + "/"
    return serve_site("--dir", str(small_site))


def shown(tab) -> list[str]:
    return tab.locator("#results a.handle").all_inner_texts()


def count(tab) -> str:
    return tab.locator("#count").inner_text()


def test_typing_a_query_shows_what_the_cli_finds_in_its_order(page, site_url, small_registry):
    open_index(page, site_url + "index.html")
    # One result per model and kind: the four versions of the universal sentence encoder are one.
    assert count(page) == "9 results among 12 entries" and len(shown(page)) == 9
    page.fill("#q", "universal-sentence-encoder")
    expected = [e.handle for e in small_registry.search("universal-sentence-encoder")]
    assert shown(page) == expected
    assert expected[0] == "google/universal-sentence-encoder/4"
    assert count(page) == f"{len(expected)} results among 12 entries"
    page.fill("#q", "bert uncased")
    assert shown(page) == [e.handle for e in small_registry.search("bert uncased")]
    page.fill("#q", "no such model anywhere")
    assert shown(page) == [] and count(page) == "0 results among 12 entries"
    assert page.errors == [] and page.outside == []


def test_a_facet_narrows_the_results_to_the_expected_counts(page, site_url, small_registry):
    open_index(page, site_url + "index.html")
    page.fill("#q", "encoder")
    found = small_registry.search("encoder")
    publishers = sorted({e.publisher for e in found}, key=str.lower)
    options = page.locator("#facet-publisher option").all_inner_texts()
    assert options == ["any"] + [f"{p} ({sum(e.publisher == p for e in found)})" for p in publishers]
    page.select_option("#facet-publisher", label=f"google ({sum(e.publisher == 'google' for e in found)})")
    expected = [e.handle for e in found if e.publisher == "google"]
    assert shown(page) == expected and count(page) == f"{len(expected)} results among 12 entries"
    tunable = [e.handle for e in found if e.publisher == "google" and e.fine_tunable is True]
    assert tunable and len(tunable) < len(expected)
    page.select_option("#facet-fine_tunable", label=f"yes ({len(tunable)})")
    assert shown(page) == tunable
    page.click("#reset")
    expect(page.locator("#count")).to_have_text("9 results among 12 entries")
    assert page.input_value("#q") == "" and len(shown(page)) == 9


def test_the_facets_cover_every_listed_dimension(page, small_site):
    open_index(page, small_site.as_uri() + "/index.html")
    labels = page.locator(".facet label").all_inner_texts()
    assert labels == ["Kind", "Publisher", "Tasks", "Languages", "Format", "Architecture", "Fine-tunable", "License",
                      "Has a source"]
    # A source: tfhub.dev (Kaggle Models) for every catalogue model it did not delete, or a mirror.
    page.select_option("#facet-has_source", label="no (4)")
    birds = "google/aiy/vision/classifier/birds_V1/1"
    # By the ranking: a Module first, a Collection, a Publisher, then the Lite variant.
    assert shown(page) == [birds, "google/universal-sentence-encoder", "google", birds]
    page.select_option("#facet-has_source", label="yes (5)")  # results: the encoder's four versions are one
    assert "google/universal-sentence-encoder/4" in shown(page) and "google" not in shown(page)
    page.select_option("#facet-has_source", index=0)
    page.select_option("#facet-arch", label="L-12_H-768_A-12 (2)")
    # The official model before the mirror.
    assert shown(page) == ["tensorflow/bert_en_uncased_L-12_H-768_A-12/4", "Dimitre/bert_en_cased_L-12_H-768_A-12"]
    page.select_option("#facet-arch", index=0)
    # The license a card states: the Hugging Face card's front matter (the catalogue's sample cards state none).
    page.select_option("#facet-license", label="apache-2.0 (1)")
    assert shown(page) == ["Dimitre/bert_en_cased_L-12_H-768_A-12"]


def test_the_keyboard_reaches_search_results_and_facets(page, site_url):
    open_index(page, site_url + "index.html")
    page.locator("main").focus()
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type("universal-sentence-encoder")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.textContent") == "google/universal-sentence-encoder/4"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"  # focus is visible
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.textContent") == "google/universal-sentence-encoder"
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.id") == "q"
    # A facet by keyboard: focus it, change it with the arrow keys.
    page.locator("#facet-kind").focus()
    page.keyboard.press("ArrowDown")
    # Facets count results, not entries: the encoder's versions are one.
    assert page.locator("#facet-kind").evaluate("s => s.selectedOptions[0].textContent") == "Module (1)"
    assert shown(page) == ["google/universal-sentence-encoder/4"]  # the Collection is left out
    page.keyboard.press("ArrowUp")
    page.locator("#q").focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"e/google~universal-sentence-encoder~4\.html$"))
    assert page.locator("h1").inner_text().startswith("google/universal-sentence-encoder/4")
    # Back: the query is still there (it lives in the address's fragment).
    page.go_back()
    page.wait_for_selector("html[data-ready=true]")
    assert page.input_value("#q") == "universal-sentence-encoder"
    assert shown(page)[0] == "google/universal-sentence-encoder/4"


def test_each_result_says_where_its_model_can_be_fetched(page, small_site, small_registry):
    from hubfork.registry.availability import source_word

    open_index(page, small_site.as_uri() + "/index.html")
    page.fill("#q", "birds")
    items = page.locator("#results li")
    assert items.count() == 2
    for i in range(2):
        assert "deleted" in items.nth(i).get_attribute("class")
        assert items.nth(i).locator(".badge.source-deleted").inner_text() == "deleted"
    page.fill("#q", "universal-sentence-encoder")
    assert page.locator("#results li.deleted").count() == 0
    # Every result's badge is the word hubfork search's Source column shows for it.
    page.fill("#q", "")
    handles = shown(page)
    badges = page.locator("#results li .badge").all_inner_texts()
    kinds = page.locator("#results li .kind").all_inner_texts()
    expected = [source_word(e) for e in small_registry.search()]
    assert badges == expected and len(handles) == len(kinds) == len(expected)
    assert set(expected) == {"tfhub.dev", "mirror", "deleted", "none"}


def test_an_entry_page_shows_its_card_facts_and_copyable_usage(page, site_url):
    page.goto(site_url + "e/tensorflow~bert_en_uncased_L-12_H-768_A-12~4.html")
    page.wait_for_selector("html[data-ready=true]")
    assert page.locator("h1").count() == 1
    assert page.locator("h1 .handle").inner_text() == "tensorflow/bert_en_uncased_L-12_H-768_A-12/4"
    facts = dict(zip(page.locator("dl.facts dt").all_inner_texts(), page.locator("dl.facts dd").all_inner_texts()))
    assert facts["Architecture"] == "L-12_H-768_A-12 (12 layers, hidden size 768, 12 heads); transformer"
    assert facts["Casing"] == "uncased" and facts["Masked LM head"] == "yes" and facts["Fine-tunable"] == "yes"
    card = page.locator(".card")
    assert card.locator("h3").first.inner_text() == "Overview"
    assert card.locator("pre code span.s2").count() > 0  # highlighted Python (its strings)
    assert "asset-path" not in card.inner_text()
    background = page.evaluate("getComputedStyle(document.querySelector('.card pre')).backgroundColor")
    assert background != "rgba(0, 0, 0, 0)"  # the stylesheet loaded
    page.locator("a", has_text="tensorflow/bert_en_uncased_preprocess/3").first.click()
    page.wait_for_url(re.compile(r"tensorflow~bert_en_uncased_preprocess~3\.html$"))
    assert page.errors == [] and page.outside == []


def test_copy_puts_the_usage_line_on_the_clipboard(page, small_site, browser_context):
    browser_context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(small_site.as_uri() + "/e/google~universal-sentence-encoder~4.html")
    page.wait_for_selector("html[data-ready=true]")
    button = page.locator("button.copy").first
    button.click()
    expect(button).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == \
        "hubfork pull https://tfhub.dev/google/universal-sentence-encoder/4"


def test_a_hostile_card_renders_inert(page, site_url):
    page.goto(site_url + "e/evil~hostile~1.html")
    page.wait_for_selector("html[data-ready=true]")
    page.wait_for_timeout(300)
    card = page.locator(".card")
    card.locator("details summary").click()
    card.locator("p", has_text="styled").hover()
    assert page.evaluate("typeof window.__pwned") == "undefined"
    dangerous = "script, iframe, style, object, embed, svg, math, base, meta, link, form, input, [id], [name], [style]"
    assert card.locator(dangerous).count() == 0
    handlers = page.evaluate("""() => [...document.querySelectorAll('.card *')].flatMap(
        e => [...e.attributes].map(a => a.name).filter(n => n.startsWith('on')))""")
    assert handlers == []
    hrefs = page.evaluate("() => [...document.querySelectorAll('.card [href], .card [src]')].map("
                          "e => e.getAttribute('href') || e.getAttribute('src'))")
    assert all(not re.match(r"^\s*(javascript|data|vbscript):", h, re.IGNORECASE) for h in hrefs), hrefs
    assert "A card that tries to run code <script>" in page.locator(".lead").inner_text()
    assert page.errors == [] and page.outside == []
    assert not [m for m in page.console if "Content Security Policy" in m]
    # The search page shows its description as text too.
    open_index(page, site_url + "index.html")
    page.fill("#q", "hostile")
    assert page.locator("#results li p").inner_text().startswith("A card that tries to run code <script>")
    assert page.evaluate("typeof window.__pwned") == "undefined"


@pytest.mark.parametrize("path", ["index.html", "e/tensorflow~bert_en_uncased_L-12_H-768_A-12~4.html", "all.html"])
def test_pages_fit_a_phone_and_have_landmarks(page, small_site, path):
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(small_site.as_uri() + "/" + path)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert page.evaluate("document.documentElement.lang") == "en"
    for landmark in ("header", "main", "footer", "nav"):
        assert page.locator(landmark).count() >= 1
    assert page.locator("h1").count() == 1
    unlabelled = page.evaluate("""() => [...document.querySelectorAll('input, select')].filter(
        e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).length""")
    assert unlabelled == 0
    assert page.evaluate("[...document.images].filter(i => !i.hasAttribute('alt')).length") == 0
