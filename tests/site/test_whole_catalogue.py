"""The shipped registry's whole site (2,824 entries): every page, a few of them read, and the search
page in Chromium ranking and counting like the CLI over the whole catalogue. Also writes the
screenshots of docs/site.md: ``HUBFORK_SCREENSHOTS=1 pytest tests/site/test_whole_catalogue.py``
writes them to docs/img/ (otherwise to a temporary folder, checked and thrown away)."""

from __future__ import annotations

import json
import os
import re
import struct

import pytest

from hubfork.site.index import GLOBAL
from tests.conftest import ROOT
from tests.site.conftest import expect, open_index


@pytest.mark.slow
def test_every_entry_has_its_page(whole_site, shipped):
    assert whole_site.pages == len(shipped) == len(list((whole_site.path / "e").iterdir()))
    script = (whole_site.path / "index.js").read_text(encoding="utf-8")
    data = json.loads(script[len(f"window.{GLOBAL}="):-2])
    assert data["n"] == len(data["e"]) == len(shipped)
    assert [row[0] for row in data["e"]] == [e.handle for e in shipped]
    all_page = (whole_site.path / "all.html").read_text(encoding="utf-8")
    assert all_page.count('<li><a href="e/') == len(shipped)
    images = [image for page in (whole_site.path / "e").iterdir()
              for image in re.findall(r"<img [^>]*>", page.read_text(encoding="utf-8"))]
    assert len(images) > 100 and all(re.search(r'\balt="', image) for image in images)


@pytest.mark.slow
def test_a_few_pages_of_the_whole_catalogue(whole_site):
    use4 = (whole_site.path / "e" / "google~universal-sentence-encoder~4.html").read_text(encoding="utf-8")
    assert "<h1><span class=\"handle\">google/universal-sentence-encoder/4</span>" in use4
    versions = use4.split("<h3>Versions</h3>")[1].split("</ul>")[0]
    assert re.findall(r'href="([^"]+)">version', versions) == [f"google~universal-sentence-encoder~{v}.html"
                                                             for v in (4, 3, 2, 1)]
    # Its card's link to the family's collection is local.
    assert '<a href="google~universal-sentence-encoder.html" rel="noopener noreferrer nofollow">Universal Sentence ' \
           'Encoder family</a>' in use4
    bert = (whole_site.path / "e" / "tensorflow~bert_en_uncased_L-12_H-768_A-12~4.html").read_text(encoding="utf-8")
    assert "<dt>Architecture</dt><dd>L-12_H-768_A-12 (12 layers, hidden size 768, 12 heads); transformer</dd>" in bert
    assert '<a href="google~bert.html">google/bert</a>' in bert  # the collection that lists it
    collection = (whole_site.path / "e" / "google~bert.html").read_text(encoding="utf-8")
    assert collection.count("<li><a href=\"tensorflow~small_bert~bert_en_uncased_L-") == 24


def test_search_over_the_whole_catalogue_ranks_and_counts_like_the_cli(page, whole_site, shipped):
    open_index(page, whole_site.path.as_uri() + "/index.html")
    total = f"{len(shipped):,}"
    opening = f"{len(shipped.search()):,}"  # every entry, a result per model and kind
    expect(page.locator("#count")).to_have_text(f"{opening} results among {total} entries (showing 1\u201350)")
    assert page.locator("#results li").count() == 50
    for query in ("universal-sentence-encoder", "bert", "mobilenet v2 lite", "en"):
        page.fill("#q", query)
        found = shipped.search(query)
        shown = page.locator("#results a.handle").all_inner_texts()
        assert shown == [e.handle for e in found[:50]], query
        expect(page.locator("#count")).to_have_text(re.compile(rf"^{len(found):,} results? among {total} entries"))
    page.fill("#q", "universal-sentence-encoder")
    assert page.locator("#results a.handle").first.inner_text() == "google/universal-sentence-encoder/4"
    # A facet: exact counts from the registry.
    page.fill("#q", "bert")
    found = shipped.search("bert")
    tensorflow = [e for e in found if e.publisher == "tensorflow"]
    page.select_option("#facet-publisher", label=f"tensorflow ({len(tensorflow)})")
    embedding = [e for e in tensorflow if "text-embedding" in e.tasks]
    page.select_option("#facet-task", label=f"text-embedding ({len(embedding)})")
    expect(page.locator("#count")).to_have_text(re.compile(rf"^{len(embedding):,} results? among {total} entries"))
    assert page.locator("#results a.handle").all_inner_texts() == [e.handle for e in embedding[:50]]
    # Paging: the next 50, numbered on.
    page.select_option("#facet-task", index=0)
    page.select_option("#facet-publisher", index=0)
    page.click("#pager button:has-text('Next')")
    assert page.locator("#results").get_attribute("start") == "51"
    assert page.locator("#results a.handle").all_inner_texts() == [e.handle for e in found[50:100]]
    # Deleted entries are marked wherever they show.
    page.fill("#q", "")
    page.select_option("#facet-publisher", index=0)
    assert page.locator("#results li.deleted").count() == sum(e.status == "deleted" for e in list(shipped)[:50])
    assert page.errors == [] and page.outside == []


def png_size(path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


def test_screenshots(page, whole_site, shipped, tmp_path):
    """The pictures of docs/site.md: the search page with a query typed, and an encoder's page."""
    folder = ROOT / "docs" / "img" if os.environ.get("HUBFORK_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1100, "height": 820})
    open_index(page, whole_site.path.as_uri() + "/index.html")
    page.fill("#q", "bert uncased")
    tensorflow = sum(e.publisher == "tensorflow" for e in shipped.search("bert uncased"))
    page.select_option("#facet-publisher", label=f"tensorflow ({tensorflow})")
    page.locator("#q").focus()
    index_png = folder / "site-index.png"
    page.screenshot(path=str(index_png))
    page.goto(whole_site.path.as_uri() + "/e/tensorflow~bert_en_uncased_L-12_H-768_A-12~4.html")
    entry_png = folder / "site-entry.png"
    page.screenshot(path=str(entry_png))
    for png in (index_png, entry_png):
        assert png_size(png) == (1100, 820)
        assert png.stat().st_size < 400_000
