"""Building a site: the files, every link inside the site, no external asset, the same bytes every
time, and a build that fails or would overwrite something else writes nothing."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from hubfork.errors import RegistryError
from hubfork.registry.registry import Registry
from hubfork.site.build import MARKER, build_site
from hubfork.site.catalogue import SiteCatalogue
from hubfork.site.pages import CSP
from tests.conftest import run_cli


class Links(HTMLParser):
    """Every (tag, attribute, value) that makes a browser fetch or follow a URL."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str, str]] = []
        self.tags: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("href", "src", "action", "srcset", "poster", "data", "formaction") and value is not None:
                self.found.append((tag, name, value))


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_site_has_every_page_and_its_own_assets(small_site, small_registry):
    built = files(small_site)
    pages = [name for name in built if name.startswith("e/")]
    assert len(pages) == len(small_registry) == 12
    assert {"index.html", "index.js", "all.html", MARKER, "static/site.css", "static/search.js", "static/copy.js",
            "static/highlight.css"} <= set(built)
    assert set(built) - set(pages) == {"index.html", "index.js", "all.html", MARKER, "static/site.css",
                                       "static/search.js", "static/copy.js", "static/highlight.css"}


def test_every_link_is_to_a_file_of_the_site_or_a_web_address_its_card_gave(small_site, small_registry):
    catalogue = SiteCatalogue(small_registry)
    cards = {small_site / catalogue.page(entry): small_registry.card_file(entry).read_text(encoding="utf-8")
             for entry in catalogue.entries}
    assert all(page.is_file() for page in cards)
    checked = 0
    for path in sorted(small_site.rglob("*.html")):
        for tag, attribute, value in Links(path.read_text(encoding="utf-8")).found:
            checked += 1
            if value.startswith("#"):
                continue
            if re.match(r"^[a-z][a-z0-9+.-]*:", value, re.IGNORECASE):
                assert value.startswith(("https://", "http://", "mailto:")), (path, tag, value)
                assert path in cards and value in html.unescape(cards[path]), (path, value)
                assert (tag, attribute) in (("a", "href"), ("img", "src")), (path, tag, attribute)
            else:
                target = (path.parent / value.split("#")[0]).resolve()
                assert target.is_file() and small_site.resolve() in target.parents, (path, value)
    assert checked > 100


def test_no_external_assets_inline_scripts_or_styles(small_site):
    for path in sorted(small_site.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        links = Links(text)
        assert links.tags.count("h1") == 1, path
        assert f'<meta http-equiv="Content-Security-Policy" content="{CSP}">' in text
        assert '<html lang="en">' in text and 'name="viewport"' in text
        for tag, attribute, value in links.found:
            if tag in ("script", "link"):
                assert not re.match(r"^[a-z]+:", value) and not value.startswith("//"), (path, value)
        assert re.findall(r"<script(?![^>]*\bsrc=)", text) == [], path
        assert "<style" not in text and " style=" not in text and " on" + "click=" not in text
    for path in sorted((small_site / "static").iterdir()):
        text = path.read_text(encoding="utf-8")
        assert "http://" not in text and "https://" not in text and "@import" not in text and "url(" not in text
        assert "@font-face" not in text


def test_the_entry_page_shows_card_facts_usage_and_relations(small_site):
    text = (small_site / "e" / "tensorflow~bert_en_uncased_L-12_H-768_A-12~4.html").read_text(encoding="utf-8")
    for fact in ("<dt>Architecture</dt><dd>L-12_H-768_A-12 (12 layers, hidden size 768, 12 heads); transformer</dd>",
                 "<dt>Casing</dt><dd>uncased</dd>", "<dt>API</dt><dd>dict (TF2 SavedModel, dict outputs)</dd>",
                 "<dt>Masked LM head</dt><dd>yes</dd>", "<dt>Fine-tunable</dt><dd>yes</dd>",
                 "<dt>Format</dt><dd>saved_model_2</dd>", "<dt>Languages</dt><dd>en</dd>",
                 "<dt>Tasks</dt><dd>text-embedding</dd>",
                 '<dt>Sources</dt><dd><ul class="plain"><li>tfhub.dev (served by Kaggle Models)</li></ul></dd>'):
        assert fact in text, fact
    assert "hubfork pull https://tfhub.dev/tensorflow/bert_en_uncased_L-12_H-768_A-12/4" in text
    assert "hubfork.load_text_model(&quot;tensorflow/bert_en_uncased_L-12_H-768_A-12/4&quot;)" in text
    assert "hub.KerasLayer(&quot;https://tfhub.dev/tensorflow/bert_en_uncased_L-12_H-768_A-12/4&quot;)" in text
    # The preprocessor named without a version: the newest in the registry, linked locally.
    assert '<a href="tensorflow~bert_en_uncased_preprocess~3.html">tensorflow/bert_en_uncased_preprocess/3</a>' in text
    assert "asset-path" not in text.split('<div class="card">')[1]
    mirror = (small_site / "e" / "Dimitre~bert_en_cased_L-12_H-768_A-12.html").read_text(encoding="utf-8")
    assert "<dt>License</dt><dd>apache-2.0</dd>" in mirror and "<dt>License</dt>" not in text

    use2 = (small_site / "e" / "google~universal-sentence-encoder~2.html").read_text(encoding="utf-8")
    versions = use2.split("<h3>Versions</h3>")[1].split("</ul>")[0]
    assert re.findall(r'href="([^"]+)"', versions) == [f"google~universal-sentence-encoder~{v}.html"
                                                        for v in (4, 3, 2, 1)]
    assert '<a href="google~universal-sentence-encoder.html">google/universal-sentence-encoder</a>' in use2
    assert "load_text_model" not in use2  # not a BERT-style encoder


def test_hf_card_deleted_entry_and_collection_pages(small_site):
    hf = (small_site / "e" / "Dimitre~bert_en_cased_L-12_H-768_A-12.html").read_text(encoding="utf-8")
    assert '<dt>Sources</dt><dd><ul class="plain"><li>Dimitre/bert_en_cased_L-12_H-768_A-12</li></ul></dd>' in hf
    assert "library_name" not in hf.split('<div class="card">')[1]  # front matter is metadata, not text
    birds = (small_site / "e" / "google~aiy~vision~classifier~birds_V1~1.html").read_text(encoding="utf-8")
    assert ('<p class="notice deleted" role="note"><strong>Deleted 2024-03-18: tfhub.dev removed it; no mirror of '
            "it is known.</strong> Its card is kept for the record.</p>") in birds
    assert "<dt>Status</dt><dd>deleted 2024-03-18: tfhub.dev removed it; no mirror of it is known</dd>" in birds
    assert '<dt>Sources</dt><dd><ul class="plain"><li>deleted 2024-03-18</li></ul></dd>' in birds
    assert "Use it" not in birds and "hubfork pull" not in birds  # nothing to copy that could not work
    assert 'href="google~aiy~vision~classifier~birds_V1~1~lite.html"' in birds
    collection = (small_site / "e" / "google~universal-sentence-encoder.html").read_text(encoding="utf-8")
    assert "<dt>Sources</dt><dd>none: a Collection card names no model files of its own</dd>" in collection
    assert "Use it" not in collection
    members = collection.split("<h3>Members</h3>")[1].split("</ul>")[0]
    assert '<a href="google~universal-sentence-encoder~4.html">google/universal-sentence-encoder</a>' in members
    assert "<code>google/universal-sentence-encoder-large</code> (not in the registry)" in members


def test_card_links_to_known_tfhub_pages_are_local(small_site):
    card = (small_site / "e" / "evil~hostile~1.html").read_text(encoding="utf-8").split('<div class="card">')[1]
    hrefs = re.findall(r'<a href="([^"]+)"', card)
    assert hrefs[:5] == ["google~universal-sentence-encoder~4.html", "google~universal-sentence-encoder~2.html",
                         "google~universal-sentence-encoder.html", "https://tfhub.dev/nobody/nothing/1",
                         "https://arxiv.org/abs/1803.11175"]


def test_the_same_registry_gives_the_same_bytes(small_registry, small_site, tmp_path):
    again = build_site(small_registry, tmp_path / "again", jobs=1).path
    assert files(again) == files(small_site)


def test_the_parallel_build_gives_the_same_bytes_as_one_process(small_registry, tmp_path, monkeypatch):
    from hubfork.site import build

    monkeypatch.setattr(build, "_PARALLEL_THRESHOLD", 1)
    parallel = build_site(small_registry, tmp_path / "parallel", jobs=2).path
    single = build_site(small_registry, tmp_path / "single", jobs=1).path
    assert files(parallel) == files(single)


def _render_or_die(args):
    """A worker that ends abruptly (as one the system kills does) on the chunk holding the first entry."""
    import os

    from hubfork.site import build

    if 0 in args[0]:
        os._exit(1)
    return build.render_chunk_for_test(args)


def test_a_worker_that_dies_costs_time_not_pages(small_registry, tmp_path, monkeypatch):
    from hubfork.site import build

    monkeypatch.setattr(build, "_PARALLEL_THRESHOLD", 1)
    # The workers are forked from this process, so they run the patched function.
    monkeypatch.setattr(build, "render_chunk_for_test", build._render_chunk, raising=False)
    monkeypatch.setattr(build, "_render_chunk", _render_or_die)
    counts = []
    broken = build_site(small_registry, tmp_path / "broken", jobs=2, progress=lambda done, total: counts.append(done))
    single = build_site(small_registry, tmp_path / "single", jobs=1)
    assert files(broken.path) == files(single.path)  # every page, the same bytes
    assert counts == sorted(counts) and counts[-1] == len(small_registry)
    (note,) = broken.notes
    assert note.startswith("a worker process ended abruptly; the ") and single.notes == ()


def test_a_failed_build_leaves_the_old_site_and_nothing_half_written(small_registry_path, tmp_path):
    registry = Registry.load_file(small_registry_path)
    site = build_site(registry, tmp_path / "site").path
    before = files(site)
    # Fewer entries (a different index.js), whose cards are not where this registry file says.
    broken = Registry(list(registry)[1:], tmp_path / "elsewhere" / "registry.yaml", registry.cards_dir)
    with pytest.raises(RegistryError, match="cannot render .*cannot read the card"):
        build_site(broken, site, jobs=1)
    assert files(site) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # no staging folder left
    with pytest.raises(RegistryError):
        build_site(broken, tmp_path / "new", jobs=1)
    assert not (tmp_path / "new").exists()


def test_a_folder_of_other_files_or_a_file_is_never_replaced(small_registry, tmp_path):
    folder = tmp_path / "documents"
    folder.mkdir()
    (folder / "thesis.txt").write_text("years of work")
    with pytest.raises(RegistryError, match="holds other files"):
        build_site(small_registry, folder)
    assert files(folder) == {"thesis.txt": b"years of work"}
    file = tmp_path / "file"
    file.write_text("x")
    with pytest.raises(RegistryError, match="not a folder"):
        build_site(small_registry, file)
    assert file.read_text() == "x"
    empty = tmp_path / "empty"
    empty.mkdir()
    assert build_site(small_registry, empty).pages == 12


def test_the_command_builds_without_tensorflow(small_registry_path, tmp_path, tripwire):
    done = run_cli("registry", "site", "--registry", str(small_registry_path), "-o", str(tmp_path / "site"),
                   pythonpath=[tripwire])
    assert done.returncode == 0, done.stderr
    assert re.search(r"wrote .*site: 12 entry pages, [\d.]+ MB \(index.js \d+ kB\) in [\d.]+ s", done.stderr)
    assert len(list((tmp_path / "site" / "e").iterdir())) == 12
    refused = run_cli("registry", "site", "--registry", str(small_registry_path), "-o", str(small_registry_path))
    assert refused.returncode == 1 and "not a folder" in refused.stderr
