"""The site's HTML pages: one per entry, the searchable index, and a plain list of every entry.

Every text from a card or registry is escaped here; the only unescaped HTML is a card body
that `hubfork.site.render` has sanitised. Pages use no inline script or style (the
Content-Security-Policy forbids both) and name only files of the site, by relative paths.
"""

from __future__ import annotations

import json
from html import escape
from typing import Iterable

from hubfork.registry.availability import is_deleted, no_source_text, source_labels, status_text
from hubfork.registry.entry import RegistryEntry
from hubfork.site.catalogue import SiteCatalogue
from hubfork.site.facts import fact_rows
from hubfork.site.index import FACETS
from hubfork.site.usage import use_lines

SITE_TITLE = "hubfork model catalogue"
#: Scripts from the site's own files only; no inline code, no plugins, no forms, no frames.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' http: https:; "
       "base-uri 'none'; form-action 'none'")


def document(title: str, body: str, *, root: str, scripts: Iterable[str] = (), description: str = "") -> str:
    """A whole page: `root` is the relative path from the page to the site's top ('' or '../'),
    `scripts` the site's scripts it loads (paths from the top)."""
    tags = "".join(f'<script src="{root}{name}" defer></script>\n' for name in scripts)
    meta = f'<meta name="description" content="{escape(description)}">\n' if description else ""
    return (
        "<!doctype html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"{meta}<title>{escape(title)}</title>\n"
        f'<link rel="stylesheet" href="{root}static/site.css">\n'
        f'<link rel="stylesheet" href="{root}static/highlight.css">\n'
        f"{tags}</head>\n<body>\n"
        '<a class="skip" href="#main">Skip to content</a>\n'
        '<header class="site"><nav aria-label="Site">'
        f'<a href="{root}index.html">{SITE_TITLE}</a> <a href="{root}all.html">All entries</a></nav></header>\n'
        f'<main id="main" tabindex="-1">\n{body}</main>\n'
        '<footer class="site"><p>Built by hubfork from its registry. Each page renders its model\'s card; '
        "cards keep their authors' licences (the tfhub.dev catalogue's: Apache-2.0).</p></footer>\n"
        "</body>\n</html>\n"
    )


# ------------------------------------------------------------------ entry page


def entry_page(catalogue: SiteCatalogue, entry: RegistryEntry, card_html: str) -> str:
    """The page of one entry, with its card's sanitised HTML."""
    def link(other: RegistryEntry, text: str | None = None) -> str:
        # Entry pages share one folder.
        href = catalogue.page(other).rsplit("/", 1)[1]
        label = escape(text or other.handle)
        mark = ' <span class="badge deleted">deleted</span>' if is_deleted(other) else ""
        kind = f' <span class="kind">{escape(other.kind)}</span>' if other.kind != entry.kind else ""
        return f'<a href="{escape(href)}">{label}</a>{kind}{mark}'

    parts = [f'<article class="entry">\n<h1><span class="handle">{escape(entry.handle)}</span> '
             f'<span class="kind">{escape(entry.kind)}</span></h1>\n']
    if is_deleted(entry):
        status = status_text(entry)
        parts.append(f'<p class="notice deleted" role="note"><strong>{escape(status[:1].upper() + status[1:])}.'
                     "</strong> Its card is kept for the record.</p>\n")
    if entry.description:
        parts.append(f'<p class="lead">{escape(entry.description)}</p>\n')
    parts.append(_facts(entry))
    parts.append(_usage(entry))
    parts.append(_related(catalogue, entry, link))
    parts.append('<section aria-labelledby="card-title">\n<h2 id="card-title">Model card</h2>\n'
                 f'<div class="card">\n{card_html}</div>\n</section>\n</article>\n')
    return document(f"{entry.handle} ({entry.kind}) - {SITE_TITLE}", "".join(parts), root="../",
                    scripts=("static/copy.js",), description=entry.description)


def _usage(entry: RegistryEntry) -> str:
    heading, found = use_lines(entry)
    if not found:
        return ""
    items = "".join(
        f'<div class="snippet"><div class="snippet-head"><h3 id="use-{i}">{escape(s.title)}</h3>'
        f'<button type="button" class="copy" data-copy="code-{i}" aria-describedby="use-{i}">Copy</button></div>'
        f'<pre tabindex="0" aria-labelledby="use-{i}"><code id="code-{i}">{escape(s.code)}</code></pre></div>\n'
        for i, s in enumerate(found))
    return f'<section aria-labelledby="use-title">\n<h2 id="use-title">{escape(heading)}</h2>\n{items}</section>\n'


def _facts(entry: RegistryEntry) -> str:
    rows = "".join(f"<dt>{escape(label)}</dt><dd>{escape(value)}</dd>" for label, value in fact_rows(entry))
    sources = "".join(f"<li>{escape(label)}</li>" for label in source_labels(entry))
    rows += "<dt>Sources</dt><dd>" + (f'<ul class="plain">{sources}</ul>' if sources
                                      else escape(no_source_text(entry))) + "</dd>"
    metadata = "".join(f"<tr><th scope=\"row\">{escape(str(k))}</th><td>{escape(_plain(v))}</td></tr>"
                       for k, v in sorted(entry.metadata.items()))
    table = (f'<details><summary>Card metadata</summary><table class="metadata">{metadata}</table></details>\n'
             if metadata else "")
    return (f'<section aria-labelledby="facts-title">\n<h2 id="facts-title">Facts</h2>\n<dl class="facts">{rows}</dl>\n'
            f"{table}</section>\n")


def _plain(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _related(catalogue: SiteCatalogue, entry: RegistryEntry, link) -> str:
    groups: list[tuple[str, list[str]]] = []

    def named(handle: str | None) -> list[str]:
        if not handle:
            return []
        found = catalogue.find(handle)
        return [link(found, handle) if found is not None else f"<code>{escape(handle)}</code> (not in the registry)"]

    groups.append(("Preprocessor", named(entry.preprocessor)))
    groups.append(("Parent model", named(entry.parent_model)))
    versions = catalogue.versions(entry)
    if len(versions) > 1:
        groups.append(("Versions", [link(v, f"version {v.version}") + (" (this page)" if v is entry else "")
                                    for v in versions]))
    groups.append(("Variants", [link(v, f"{v.handle} ({v.kind})") for v in catalogue.variants(entry)]))
    groups.append(("In collections", [link(c) for c in catalogue.collections(entry)]))
    groups.append(("Members", [link(found, handle) if found is not None
                               else f"<code>{escape(handle)}</code> (not in the registry)"
                               for handle, found in catalogue.members(entry)]))
    body = "".join(f"<h3>{escape(title)}</h3><ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>\n"
                   for title, items in groups if items)
    return f'<section aria-labelledby="related-title">\n<h2 id="related-title">Related</h2>\n{body}</section>\n' \
        if body else ""


# ------------------------------------------------------------------ index page


def index_page(total: int) -> str:
    """The search page: a query box and a select for each facet of ``index.js`` (`FACETS`, named by
    their names there), drawn by ``search.js``."""
    facets = "".join(
        f'<div class="facet"><label for="facet-{key}">{escape(label)}</label>'
        f'<select id="facet-{key}" data-facet="{key}"><option value="">any</option></select></div>'
        for key, label in FACETS)
    body = (
        f"<h1>{SITE_TITLE}</h1>\n"
        f'<p class="lead">{total:,} model cards: search as you type, narrow by facet. '
        'Press <kbd>/</kbd> to search, <kbd>&darr;</kbd> to reach the results.</p>\n'
        '<form id="search" class="search" action="#" role="search" aria-label="Models">\n'
        '<div class="query"><label for="q">Search</label>'
        '<input id="q" name="q" type="search" autocomplete="off" spellcheck="false" '
        'placeholder="bert, universal-sentence-encoder, mobilenet ..." aria-describedby="count" '
        'aria-controls="results"></div>\n'
        f'<fieldset class="facets"><legend>Facets</legend>{facets}'
        '<button type="reset" id="reset">Clear all</button></fieldset>\n'
        "</form>\n"
        '<section aria-labelledby="results-title">\n<h2 id="results-title" class="visually-hidden">Results</h2>\n'
        f'<p id="count" role="status" aria-live="polite">{total:,} of {total:,} entries</p>\n'
        '<ol id="results" class="results"></ol>\n'
        '<nav id="pager" class="pager" aria-label="Result pages"></nav>\n'
        '<noscript><p>Searching needs JavaScript; <a href="all.html">the list of all entries</a> works '
        "without it.</p></noscript>\n</section>\n"
    )
    return document(SITE_TITLE, body, root="", scripts=("index.js", "static/search.js"),
                    description=f"Search {total:,} TF Hub-style model cards.")


def all_page(catalogue: SiteCatalogue) -> str:
    """Every entry, by publisher: a page that needs no script."""
    by_publisher: dict[str, list[RegistryEntry]] = {}
    for entry in catalogue.entries:
        by_publisher.setdefault(entry.publisher or "(none)", []).append(entry)
    sections = []
    for i, publisher in enumerate(sorted(by_publisher, key=str.lower)):
        items = "".join(
            f'<li><a href="{escape(catalogue.page(e))}">{escape(e.handle)}</a> <span class="kind">{escape(e.kind)}'
            "</span>" + (' <span class="badge deleted">deleted</span>' if is_deleted(e) else "") + "</li>"
            for e in by_publisher[publisher])
        sections.append(f'<section aria-labelledby="p{i}"><h2 id="p{i}">{escape(publisher)}</h2>'
                        f'<ul class="all">{items}</ul></section>\n')
    body = (f"<h1>All {len(catalogue.entries):,} entries</h1>\n"
            '<p class="lead"><a href="index.html">Search them</a> instead.</p>\n' + "".join(sections))
    return document(f"All entries - {SITE_TITLE}", body, root="")


__all__ = ["CSP", "FACETS", "SITE_TITLE", "document", "entry_page", "index_page", "all_page"]
