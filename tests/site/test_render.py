"""Card markdown to safe HTML: headings, highlighting, local links, and hostile cards made inert."""

from __future__ import annotations

from html.parser import HTMLParser

from hubfork.site.card_body import card_markdown
from hubfork.site.render import _TAGS, render_markdown, sanitise
from tests.site.conftest import CATALOGUE, HOSTILE

USE_4 = CATALOGUE / "assets" / "docs" / "google" / "models" / "universal-sentence-encoder" / "4.md"


class Elements(HTMLParser):
    """Every start tag of a fragment with its attributes."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def hostile_html() -> str:
    return render_markdown(card_markdown(HOSTILE.read_text(encoding="utf-8")), lambda url: None)


def test_headings_move_one_level_down_so_the_page_keeps_its_only_h1():
    html = render_markdown("# One\n\n## Two\n\n###### Six\n")
    assert html == "<h2>One</h2>\n<h3>Two</h3>\n<h6>Six</h6>\n"


def test_code_is_highlighted_with_classes_and_escaped():
    html = render_markdown('```python\nprint("<b>")\n```\n')
    assert '<span class="nb">print</span>' in html
    assert '<span class="s2">"&lt;b&gt;"</span>' in html
    assert "style=" not in html
    plain = render_markdown("```nosuchlanguage\n<i>x</i>\n```\n")
    assert "<pre><code>&lt;i&gt;x&lt;/i&gt;\n</code></pre>" in plain


def test_tables_and_inline_html_of_cards_survive():
    html = render_markdown("| a | b |\n|---|---|\n| 1 | <sup>2</sup> |\n\nH<sub>2</sub>O<br>next\n")
    assert "<table>" in html and "<td><sup>2</sup></td>" in html
    assert "H<sub>2</sub>O<br>next" in html


def test_a_tfhub_cards_header_and_metadata_comments_are_not_body_text():
    text = USE_4.read_text(encoding="utf-8")
    body = card_markdown(text)
    assert body.startswith("## Overview\n")
    html = render_markdown(body)
    assert "asset-path" not in html and "network-architecture" not in html and "<!--" not in html
    assert "Module google/universal-sentence-encoder/4" not in html


def test_front_matter_of_a_hugging_face_card_is_not_body_text():
    body = card_markdown("---\nlicense: apache-2.0\ntags: [bert]\n---\n\n# Title\n\nText.\n")
    assert "license" not in body and body.strip().startswith("# Title")


def test_links_to_known_tfhub_pages_become_local_and_relative_links_are_dropped():
    seen = []

    def local(url):
        seen.append(url)
        return "google~x~1.html" if url == "https://tfhub.dev/google/x/1" else None

    html = render_markdown("[a](https://tfhub.dev/google/x/1) [b](https://tfhub.dev/nobody/y/1) [c](../z/1.md) "
                           "[d](mailto:a@b.c) [e](#overview)", local)
    links = [attrs.get("href") for tag, attrs in Elements(html).found if tag == "a"]
    assert links == ["google~x~1.html", "https://tfhub.dev/nobody/y/1", None, "mailto:a@b.c", "#overview"]
    assert seen == ["https://tfhub.dev/google/x/1", "https://tfhub.dev/nobody/y/1"]


def test_a_hostile_card_keeps_only_allowed_tags_attributes_and_urls():
    elements = Elements(hostile_html()).found
    assert elements
    tags = {tag for tag, _ in elements}
    assert tags <= _TAGS, tags - _TAGS
    for tag, attrs in elements:
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            assert name not in ("style", "id", "name", "srcdoc", "action", "class") or (tag, name) == ("span", "class")
            if name in ("href", "src"):
                assert value is not None and value.startswith(("https://", "http://", "#")), (tag, name, value)


def test_a_hostile_card_loses_scripts_frames_styles_and_their_content():
    html = hostile_html()
    lowered = html.lower()
    for marker in ("<script", "<iframe", "<style", "<object", "<embed", "<svg", "<math", "<base", "<meta", "<link",
                   "<form", "<input", "display: none", "onerror", "onload", "ontoggle", "id=\"__pwned"):
        assert marker not in lowered, marker
    # A link markdown-it refuses to make stays as text; no attribute holds such a URL.
    values = " ".join(str(v) for _, attrs in Elements(html).found for v in attrs.values()).lower()
    assert "javascript:" not in values and "vbscript:" not in values and "data:" not in values
    # The code block's text is shown as text.
    assert "&lt;script&gt;window.__pwned = 'code'&lt;/script&gt;" in html.replace("&#39;", "'")


def test_sanitise_drops_images_without_a_web_address():
    html = sanitise('<img src="data:image/png;base64,AAAA" alt="a"><img src="https://e.org/i.png" alt="b">')
    images = [attrs for tag, attrs in Elements(html).found if tag == "img"]
    assert [i.get("src") for i in images] == [None, "https://e.org/i.png"]
    assert all(i["loading"] == "lazy" for i in images)


def test_an_image_without_alt_text_gets_an_empty_one():
    html = sanitise('<img src="https://e.org/a.png" title="a>b"><img alt="kept" src="https://e.org/b.png">')
    images = [attrs for tag, attrs in Elements(html).found if tag == "img"]
    assert [(i.get("alt"), i.get("title")) for i in images] == [("", "a>b"), ("kept", None)]
