"""The table of a model's facts (`hubfork.cards.schema`): every place derived from it agrees with it,
and ``license``, a fact added by one row and its parse rule, is read from both kinds of card."""

from __future__ import annotations

import dataclasses
import re

import pytest

from hubfork import Registry, parse_card
from hubfork.cards import schema
from hubfork.cards.records import Card
from hubfork.cards.schema import BY_NAME, FACETS, FACTS, JUPYTER, READ_FACTS, SITE, SUMMARY_FIELDS
from hubfork.registry.entry import RegistryEntry, entry_problem
from tests.conftest import ROOT, SAMPLE_PATHS, SAMPLES

#: The facts no parse rule reads: those that name the card (its format's parser reads them) and the
#: status the registry build sets from the catalogue.
NOT_READ = {"handle", "kind", "status", "family", "publisher", "name", "version", "description", "metadata"}
MIT_CARD = SAMPLES / "shoaib6174" / "models" / "swin_base_patch244_window877_kinetics600_22k" / "1.md"


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry.load(ROOT / "registry.yaml")


def test_names_labels_and_keys_are_each_one_per_fact():
    for column in ("name", "label", "key"):
        values = [getattr(fact, column) for fact in FACTS]
        assert len(set(values)) == len(values), column
    assert SUMMARY_FIELDS == tuple(fact.name for fact in FACTS)
    assert {fact.name for fact in FACTS} - {fact.name for fact in READ_FACTS} == NOT_READ
    assert BY_NAME["license"].read is not None and BY_NAME["license"].facet is not None
    assert BY_NAME["license"].shown == {schema.SHOW, JUPYTER, SITE}


def test_card_and_registry_entry_hold_every_fact_with_the_table_s_type():
    entry_types = {f.name: f.type for f in dataclasses.fields(RegistryEntry)}
    assert {name: entry_types[name] for name in SUMMARY_FIELDS} == {fact.name: fact.annotation for fact in FACTS}
    assert set(SUMMARY_FIELDS) <= {f.name for f in dataclasses.fields(Card)}
    # Every other field is the entry's own: where its card is, where its model can be fetched, what it links to.
    assert set(entry_types) - set(SUMMARY_FIELDS) == {"card_path", "card_sha256", "sources", "links", "_search_text"}


def test_search_filters_are_the_table_s_facets():
    from hubfork.registry.search import Filters

    fields = {f.name: f.type for f in dataclasses.fields(Filters)}
    assert list(fields) == [fact.facet.option for fact in FACETS] + ["has_source"]
    for fact in FACETS:
        assert fields[fact.facet.option] == ("bool | None" if fact.facet.match == "flag" else "str | None")


def test_the_registry_file_form_and_its_type_check_follow_the_table(registry):
    for entry in (registry.get("hubfork/all-MiniLM-L6-v2/1"), registry.get("silero/silero-stt/de/1")):
        data = entry.to_dict()
        assert list(data) == [fact.key for fact in FACTS] + ["card", "sources", "links"]
        assert entry_problem(data) is None and RegistryEntry.from_dict(data) == entry
        for fact in FACTS:
            wrong = {**data, fact.key: 1.5}
            expected = (f"needs at least 'handle' and 'kind' as text; '{fact.key}' is float 1.5" if fact.required
                        else f"has '{fact.key}' as float 1.5; expected {fact.type.expected}")
            assert entry_problem(wrong) == expected
    # A file that gives no value: each fact as the table says an entry then holds it.
    bare = RegistryEntry.from_dict({"handle": "acme/x/1", "kind": "Module"})
    assert {fact.name: getattr(bare, fact.name) for fact in FACTS if not fact.required} == {
        "status": None, "family": "tfhub", "publisher": None, "name": None, "version": None, "description": "",
        "metadata": {}, "tasks": (), "languages": (), "format": None, "architecture": None, "casing": None,
        "api": None, "mlm": None, "fine_tunable": None, "preprocessor": None, "parent_model": None,
        "license": None, "members": ()}


def test_each_card_becomes_an_entry_of_the_types_the_table_gives():
    for path in SAMPLE_PATHS:
        card = parse_card(path)
        entry = RegistryEntry.from_card(card, card_path="c.md", sha256="0")
        assert entry_problem(entry.to_dict()) is None, path
        assert schema.summary_dict(card) == schema.summary_dict(entry), path


def test_the_fact_tables_use_the_table_s_labels_and_texts(registry):
    from hubfork.site.facts import fact_rows

    entry = registry.get("hubfork/all-MiniLM-L6-v2/1")
    jupyter = dict(entry._display_rows())
    site = dict(fact_rows(entry))
    for fact in FACTS:
        text = fact.text(entry)
        assert (jupyter.get(fact.label) == text) if JUPYTER in fact.shown and text else fact.label not in jupyter
        assert (site.get(fact.label) == text) if SITE in fact.shown and text else fact.label not in site
    assert set(jupyter) - {f.label for f in FACTS} == {"Sources"}
    assert set(site) - {f.label for f in FACTS} == {"Pooling"}
    card = parse_card(ROOT / "cards" / "huggingface" / "Dimitre" / "bert_en_cased_L-12_H-768_A-12" / "README.md")
    labels = re.findall(r'<th style="text-align:left">(.*?)</th>', card._repr_html_())
    assert labels == [label for label, _ in schema.shown(card, JUPYTER)] + ["File"]


def test_hubfork_search_has_an_option_for_each_facet():
    from hubfork.cli.main import build_parser

    parser = build_parser()
    for fact in FACETS:
        facet = fact.facet
        value = "yes" if facet.match == "flag" else (facet.choices[0].upper() if facet.choices else "Some-Value")
        for flag in facet.option_strings:
            args = parser.parse_args(["search", "q", flag, value])
            expected = True if facet.match == "flag" else (facet.choices[0] if facet.choices else "Some-Value")
            assert getattr(args, facet.option) == expected, flag


def test_the_site_offers_each_facet_and_its_index_names_every_column():
    from hubfork.site.index import FACETS as SITE_FACETS
    from hubfork.site.index import FIELDS
    from hubfork.site.pages import index_page

    # Named as `hubfork search` names them: --task, Filters.task, select facet-task, #task=... in the address.
    assert SITE_FACETS == tuple((f.facet.option, f.label) for f in FACETS) + (("has_source", "Has a source"),)
    page = index_page(1)
    for name, label in SITE_FACETS:
        assert f'<label for="facet-{name}">{label}</label><select id="facet-{name}" data-facet="{name}">' in page
        assert name in FIELDS
    script = (ROOT / "hubfork" / "site" / "static" / "search.js").read_text(encoding="utf-8")
    # Columns are read by name (r[col.kind]), never by a position written into the script.
    assert not re.search(r"\br\[\d+\]", script)
    assert set(re.findall(r"\bcol\.(\w+)", script)) <= set(FIELDS)
    assert set(re.findall(r'named\("(\w+)"\)', script)) | set(re.findall(r"\blabels\.(\w+)", script)) <= set(
        name for name, _ in SITE_FACETS)


# ------------------------------------------------------------------ license, end to end: the card


def test_a_tfhub_card_s_license_line_is_its_license():
    card = parse_card(MIT_CARD)
    assert "<!-- license: mit -->" in MIT_CARD.read_text(encoding="utf-8")
    assert card.errors == [] and card.license == "mit"
    assert card.to_dict()["license"] == "mit"
    assert ("License", "mit") in schema.shown(card, JUPYTER)
    unlicensed = parse_card(SAMPLES / "google" / "models" / "universal-sentence-encoder" / "4.md")
    assert "license" not in unlicensed.metadata and unlicensed.license is None


@pytest.mark.parametrize("front, expected", [
    ("license: apache-2.0", "apache-2.0"),
    ("license: '  mit '", "mit"),
    ("license: [mit, apache-2.0]", None),  # not one license id
    ("license: ''", None),
    ("language: en", None),
])
def test_a_hugging_face_card_s_license_is_its_front_matter_s(front, expected):
    card = parse_card("README.md", f"---\n{front}\n---\n# org/model\n\nA model.\n", repo_id="org/model")
    assert card.errors == [] and card.license == expected
