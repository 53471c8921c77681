"""The compact index search.js reads: each entry's values, decoded, are the registry's."""

from __future__ import annotations

import json

import pytest

from hubfork.cards.schema import BY_NAME, FACETS
from hubfork.constants import CARD_KINDS
from hubfork.registry.availability import has_source, source_word
from hubfork.site.catalogue import SiteCatalogue
from hubfork.site.index import FIELDS, GLOBAL, build_index, index_script
from hubfork.site.paths import default_slug


@pytest.fixture(scope="module")
def catalogue(small_registry):
    return SiteCatalogue(small_registry)


def architectures(entry) -> list[str]:
    return BY_NAME["architecture"].facet_values(entry)


def decode(data, row):
    """An index row back as the values it stands for (what search.js derives), by the columns it names."""
    values = {field: row[column] for field, column in data["c"].items()}
    handle, version = values["handle"], values["version"]
    parts = handle.split("/")
    implied = "/".join(parts[1:-1]) if version >= 0 and len(parts) > 2 else ("/".join(parts[1:]) or handle)

    def one(facet):
        return None if values[facet] < 0 else data["values"][facet][values[facet]]

    def many(facet):
        return [data["values"][facet][i] for i in values[facet]]

    return {
        "handle": handle,
        "name": implied if values["name"] == 0 else (values["name"] or None),
        "version": None if version < 0 else version,
        "kind": one("kind"),
        "publisher": one("publisher"),
        "description": values["description"],
        "tasks": many("task"),
        "format": one("format"),
        "languages": many("language"),
        "architectures": many("arch"),
        "fine_tunable": {"yes": True, "no": False, "unknown": None}[one("fine_tunable")],
        "license": one("license"),
        "has_source": one("has_source") == "yes",
        "deleted": values["deleted"] == 1,
        "source": data["s"][values["source"]],
        "page": default_slug(handle) if values["page"] == 0 else values["page"],
    }


def test_every_entry_decodes_to_its_registry_values(catalogue):
    data = build_index(catalogue)
    assert data["n"] == len(catalogue.entries) == len(data["e"]) == 12
    assert data["c"] == {field: column for column, field in enumerate(FIELDS)}
    assert data["f"] == [fact.facet.option for fact in FACETS] + ["has_source"]
    for entry, slug, row in zip(catalogue.entries, catalogue.slugs, data["e"]):
        assert len(row) == len(FIELDS)
        assert decode(data, row) == {
            "handle": entry.handle, "name": entry.name, "version": entry.version, "kind": entry.kind,
            "publisher": entry.publisher, "description": entry.description, "tasks": list(entry.tasks),
            "format": entry.format, "languages": list(entry.languages), "architectures": architectures(entry),
            "fine_tunable": entry.fine_tunable, "license": entry.license, "has_source": has_source(entry),
            "deleted": entry.status == "deleted", "source": source_word(entry), "page": slug,
        }
    assert data["values"]["license"] == ["apache-2.0"]  # the Hugging Face card's


def test_tables_are_sorted_and_kinds_keep_the_lookup_order(catalogue):
    data = build_index(catalogue)
    assert data["values"]["kind"] == [k for k in CARD_KINDS if k in {e.kind for e in catalogue.entries}]
    assert data["values"]["publisher"] == ["Dimitre", "evil", "google", "tensorflow"]
    assert data["values"]["fine_tunable"] == ["yes", "no", "unknown"]
    bert = next(e for e in catalogue.entries if e.handle == "tensorflow/bert_en_uncased_L-12_H-768_A-12/4")
    assert architectures(bert) == ["transformer", "L-12_H-768_A-12"]
    column = data["c"]
    deleted = [row[0] for row in data["e"] if row[column["deleted"]] == 1]
    assert deleted == ["google/aiy/vision/classifier/birds_V1/1"] * 2
    # The "Has a source" facet: tfhub.dev serves every catalogue model it did not delete.
    no = data["values"]["has_source"].index("no")
    unserved = sorted((row[0], data["values"]["kind"][row[column["kind"]]]) for row in data["e"]
                      if row[column["has_source"]] == no)
    assert unserved == [("google", "Publisher"), ("google/aiy/vision/classifier/birds_V1/1", "Lite"),
                        ("google/aiy/vision/classifier/birds_V1/1", "Module"),
                        ("google/universal-sentence-encoder", "Collection")]


def test_the_script_sets_one_global_and_no_card_text_can_close_the_script_element(catalogue):
    script = index_script(build_index(catalogue))
    assert script.startswith(f"window.{GLOBAL}=") and script.endswith(";\n")
    assert "<" not in script  # the hostile description holds <script>...</script>
    data = json.loads(script[len(f"window.{GLOBAL}="):-2])
    assert any("\u003cscript>" in row[data["c"]["description"]] for row in data["e"])
    assert script == index_script(build_index(catalogue))


def test_each_entry_carries_its_standing_as_the_registry_computes_it(catalogue):
    """The ranking's per-entry signals are numbers in the index, so search.js sorts by them as computed."""
    from hubfork.registry import ranking

    data = build_index(catalogue)
    assert set(ranking.SIGNALS) <= set(data["c"])
    for entry, row in zip(catalogue.entries, data["e"]):
        standing = catalogue.registry.prominence(entry)
        assert [row[data["c"][signal]] for signal in ranking.SIGNALS] == \
            [getattr(standing, signal) for signal in ranking.SIGNALS]
    # The small catalogue has a publisher page for google only: its models are official, the others not.
    column = data["c"]
    standing = {row[0]: [row[column[signal]] for signal in ranking.SIGNALS] for row in data["e"]}
    assert standing["google/universal-sentence-encoder/4"] == [1, 1, 1]  # its collection; the hostile card's link
    assert standing["tensorflow/bert_en_uncased_L-12_H-768_A-12/4"] == [0, 0, 0]
    assert standing["Dimitre/bert_en_cased_L-12_H-768_A-12"] == [0, 0, 0]
