"""Page file names: safe for any handle, distinct for every entry, the same every build."""

from __future__ import annotations

import re

from hubfork.registry.entry import RegistryEntry
from hubfork.site.paths import default_slug, page_path, page_slugs


def entry(handle: str, kind: str = "Module", version: int | None = 1) -> RegistryEntry:
    return RegistryEntry(handle=handle, kind=kind, family="tfhub", publisher=handle.split("/")[0], name=None,
                         version=version, description="", metadata={}, architecture=None, casing=None,
                         preprocessor=None, api=None, mlm=None, fine_tunable=None, languages=(), tasks=(),
                         format=None, parent_model=None, card_path=f"cards/{handle}/{kind}.md", card_sha256="")


def test_plain_handles_keep_their_default_name():
    entries = [entry("google/bert/1"), entry("google"), entry("tensorflow/efficientnet/b0/classification/1")]
    assert page_slugs(entries) == ["google~bert~1", "google", "tensorflow~efficientnet~b0~classification~1"]
    assert page_slugs(entries) == [default_slug(e.handle) for e in entries]
    assert page_path("google~bert~1") == "e/google~bert~1.html"


def test_a_shared_handle_gives_the_variant_a_kind_suffix():
    entries = [entry("g/m/1", "Lite"), entry("g/m/1", "Module"), entry("g/m/1", "Tfjs")]
    assert page_slugs(entries) == ["g~m~1~lite", "g~m~1", "g~m~1~tfjs"]


def test_hostile_handles_give_safe_names_that_never_leave_the_folder():
    entries = [entry("../../etc/passwd/1"), entry("a/.hidden/1"), entry("a/b c\u00e9\u200b/1"),
               entry("a/" + "x" * 300 + "/1")]
    slugs = page_slugs(entries)
    for slug in slugs:
        assert re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9._~-]*", slug), slug
        assert ".." not in slug.split("~") and not any(part.startswith(".") for part in slug.split("~"))
        assert len(slug) < 200
    assert slugs[0] == "_..~_..~etc~passwd~1"


def test_names_that_differ_only_in_case_or_unsafe_characters_stay_distinct():
    entries = [entry("Org/Model/1"), entry("org/model/1"), entry("a/b\u00e9/1"), entry("a/b\u00e8/1")]
    slugs = page_slugs(entries)
    assert len({s.lower() for s in slugs}) == 4
    assert slugs == page_slugs(entries)  # the same every time
    assert all(re.fullmatch(r".+~[0-9a-f]{10}", s) for s in slugs)
