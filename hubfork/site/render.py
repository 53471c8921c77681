"""A card's markdown as HTML that is safe to put in a page: rendered by markdown-it-py, code
highlighted by Pygments, then cleaned by a real HTML sanitiser (nh3) with an allow-list.

Why sanitise rather than render with HTML disabled: tfhub.dev's cards use raw HTML for what
markdown cannot say (``<img>`` sizes, ``<sup>``, ``<br>``, tables); disabled, that HTML would
show as source text. So markdown-it passes it through and nh3 (Rust's ammonia) then keeps
only the listed tags and attributes, drops ``<script>``, ``<style>`` and their content,
comments (the ``<!-- key: value -->`` lines), event handlers, ``style`` and ``id`` (an
``id`` would let a card define globals, e.g. ``window.x``, by DOM clobbering), and every URL
that is not http(s) or mailto. A link to a tfhub.dev page the registry knows becomes a
relative link to that entry's page; a card's relative links (to tfhub.dev's own paths) are
dropped, since the catalogue's pages have other paths than tfhub.dev's.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable

from hubfork.cards.markdown import MAX_NESTING

#: Turns an absolute URL of a card into the link the page shows (a local page), or None to keep it.
LinkMapper = Callable[[str], "str | None"]

_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "details", "div", "dl", "dt", "em",
    "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "q", "s", "samp", "small",
    "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
})
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan", "scope"},
    "ol": {"start"},
    "abbr": {"title"},
}
_URL_ATTRIBUTES = {("a", "href"), ("img", "src")}
_SCHEMES = {"http", "https", "mailto"}


def render_markdown(markdown: str, link: LinkMapper | None = None) -> str:
    """`markdown` (a card's body) as sanitised HTML: headings one level down (the page's own
    title is its only ``<h1>``), code highlighted, links mapped by `link`."""
    html = _markdown().render(markdown)
    return sanitise(html, link)


def sanitise(html: str, link: LinkMapper | None = None) -> str:
    """Keep only the allowed tags, attributes and URLs of `html`; see the module's docstring."""
    import nh3

    def filter_attribute(tag: str, attribute: str, value: str) -> str | None:
        if (tag, attribute) not in _URL_ATTRIBUTES:
            return value
        return _url(tag, value.strip(), link)

    cleaned = nh3.clean(
        html,
        tags=set(_TAGS),
        clean_content_tags={"script", "style"},
        attributes={tag: set(names) for tag, names in _ATTRIBUTES.items()},
        attribute_filter=filter_attribute,
        url_schemes=set(_SCHEMES),
        link_rel="noopener noreferrer nofollow",
        allowed_classes={"span": _token_classes()},
        # One attribute only: nh3 adds several in no fixed order, and a build must give the same bytes.
        # (The page's referrer policy already keeps a card's images from learning where they are shown.)
        set_tag_attribute_values={"img": {"loading": "lazy"}},
        strip_comments=True,
    )
    return _IMAGE.sub(_with_alt, cleaned)


# An <img> as nh3 writes it: every attribute value in double quotes (a '"' inside is &quot;).
_IMAGE = re.compile(r'<img((?:\s+[a-z-]+(?:="[^"]*")?)*)\s*/?>')


def _with_alt(match: re.Match) -> str:
    """An image the card gave no alt text: marked decorative (alt=""), as nothing says what it shows."""
    attributes = match.group(1)
    return match.group(0) if re.search(r'\salt="', attributes) else f'<img alt=""{attributes}>'


def _url(tag: str, value: str, link: LinkMapper | None) -> str | None:
    scheme = value.split(":", 1)[0].lower() if ":" in value else ""
    if value.startswith("#") and tag == "a":
        return value
    if scheme not in ("http", "https", "mailto") or (tag == "img" and scheme == "mailto"):
        return None
    if link is not None and tag == "a" and scheme != "mailto":
        local = link(value)
        if local is not None:
            return local
    return value


@lru_cache(maxsize=1)
def _markdown():
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": True, "maxNesting": MAX_NESTING, "highlight": highlight})
    md.enable(["table", "strikethrough"])
    md.core.ruler.push("demote_headings", _demote_headings)
    return md


def _demote_headings(state) -> None:
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1:]) + 1, 6)}"


def highlight(code: str, language: str, attributes: str = "") -> str:
    """`code` as Pygments' HTML spans (classes, no inline styles) for a known language, else ''
    (markdown-it then escapes it as plain text)."""
    lexer = _lexer(language.lower()) if language else None
    if lexer is None:
        return ""
    from pygments import highlight as pygmentize

    return pygmentize(code, lexer, _formatter())


@lru_cache(maxsize=64)
def _lexer(language: str):
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        return get_lexer_by_name(language)
    except ClassNotFound:
        return None


@lru_cache(maxsize=1)
def _formatter():
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(nowrap=True)


@lru_cache(maxsize=1)
def _token_classes() -> set[str]:
    from pygments.token import STANDARD_TYPES

    return {name for name in STANDARD_TYPES.values() if name}


#: Languages cards mostly use, loaded before worker processes fork (they then start warm).
_COMMON_LANGUAGES = ("python", "py", "bash", "shell", "sh", "console", "javascript", "js", "json", "text")


def warm_up() -> None:
    """Load the parser, sanitiser and common lexers now: forked workers inherit them loaded."""
    import nh3  # noqa: F401

    _markdown()
    _formatter()
    _token_classes()
    for language in _COMMON_LANGUAGES:
        _lexer(language)


def highlight_css() -> str:
    """The stylesheet of the highlighted code's classes (Pygments' default style)."""
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(nowrap=True).get_style_defs(".card pre code") + "\n"


__all__ = ["render_markdown", "sanitise", "highlight", "highlight_css", "warm_up", "LinkMapper"]
