"""The compact index search.js reads: each entry's values, decoded, are the registry's."""

from __future__ import annotations

import json

import pytest

from hubfork.constants import CARD_KINDS
from hubfork.registry.availability import has_source
from hubfork.site.catalogue import SiteCatalogue
from hubfork.site.index import FIELDS, GLOBAL, architectures, build_index, index_script
from hubfork.site.paths import default_slug


@pytest.fixture(scope="module")
def catalogue(small_registry):
    return SiteCatalogue(small_registry)


def decode(data, row):
    """An index row back as the values it stands for (what search.js derives)."""
    values = dict(zip(FIELDS, row))
    handle, version = values["handle"], values["version"]
    parts = handle.split("/")
    implied = "/".join(parts[1:-1]) if version >= 0 and len(parts) > 2 else ("/".join(parts[1:]) or handle)
    return {
        "handle": handle,
        "name": implied if values["name"] == 0 else (values["name"] or None),
        "version": None if version < 0 else version,
        "kind": data["k"][values["kind"]],
        "publisher": None if values["publisher"] < 0 else data["p"][values["publisher"]],
        "description": values["description"],
        "tasks": [data["t"][i] for i in values["tasks"]],
        "format": None if values["format"] < 0 else data["f"][values["format"]],
        "languages": [data["l"][i] for i in values["languages"]],
        "architectures": [data["a"][i] for i in values["architectures"]],
        "fine_tunable": {1: True, 0: False, -1: None}[values["fine_tunable"]],
        "has_source": values["has_source"] == 1,
        "deleted": values["deleted"] == 1,
        "page": default_slug(handle) if values["page"] == 0 else values["page"],
    }


def test_every_entry_decodes_to_its_registry_values(catalogue):
    data = build_index(catalogue)
    assert data["n"] == len(catalogue.entries) == len(data["e"]) == 12
    for entry, slug, row in zip(catalogue.entries, catalogue.slugs, data["e"]):
        assert len(row) == len(FIELDS)
        assert decode(data, row) == {
            "handle": entry.handle, "name": entry.name, "version": entry.version, "kind": entry.kind,
            "publisher": entry.publisher, "description": entry.description, "tasks": list(entry.tasks),
            "format": entry.format, "languages": list(entry.languages), "architectures": architectures(entry),
            "fine_tunable": entry.fine_tunable, "has_source": has_source(entry),
            "deleted": entry.status == "deleted", "page": slug,
        }


def test_tables_are_sorted_and_kinds_keep_the_lookup_order(catalogue):
    data = build_index(catalogue)
    assert data["k"] == [k for k in CARD_KINDS if k in {e.kind for e in catalogue.entries}]
    assert data["p"] == ["Dimitre", "evil", "google", "tensorflow"]
    bert = next(e for e in catalogue.entries if e.handle == "tensorflow/bert_en_uncased_L-12_H-768_A-12/4")
    assert architectures(bert) == ["transformer", "L-12_H-768_A-12"]
    deleted = [row[0] for row in data["e"] if row[FIELDS.index("deleted")] == 1]
    assert deleted == ["google/aiy/vision/classifier/birds_V1/1"] * 2
    # The "Has a source" facet: tfhub.dev serves every catalogue model it did not delete.
    unserved = sorted((row[0], data["k"][row[3]]) for row in data["e"] if row[FIELDS.index("has_source")] == 0)
    assert unserved == [("google", "Publisher"), ("google/aiy/vision/classifier/birds_V1/1", "Lite"),
                        ("google/aiy/vision/classifier/birds_V1/1", "Module"),
                        ("google/universal-sentence-encoder", "Collection")]


def test_the_script_sets_one_global_and_no_card_text_can_close_the_script_element(catalogue):
    script = index_script(build_index(catalogue))
    assert script.startswith(f"window.{GLOBAL}=") and script.endswith(";\n")
    assert "<" not in script  # the hostile description holds <script>...</script>
    data = json.loads(script[len(f"window.{GLOBAL}="):-2])
    assert any("\u003cscript>" in row[FIELDS.index("description")] for row in data["e"])
    assert script == index_script(build_index(catalogue))
