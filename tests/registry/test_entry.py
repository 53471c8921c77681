"""How a registry entry shows itself in Jupyter."""

from __future__ import annotations

import dataclasses

import pytest

from hubfork import Registry
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry.load(ROOT / "registry.yaml")


def rows(shown: str) -> dict[str, str]:
    import re

    return dict(re.findall(r'<tr><th style="text-align:left">(.*?)</th><td>(.*?)</td></tr>', shown))


def test_html_repr_is_a_table_of_the_entrys_facts(registry):
    entry = registry.get("hubfork/all-MiniLM-L6-v2/1")
    shown = entry._repr_html_()
    assert shown.startswith("<table>") and shown.endswith("</table>")
    table = rows(shown)
    # The labels are the table of facts' (hubfork.cards.schema), the same as `hubfork show` and the site use.
    assert table["Handle"] == "hubfork/all-MiniLM-L6-v2/1"
    assert table["Architecture"] == "L-6_H-384_A-12 (6 layers, hidden size 384, 12 heads); transformer"
    assert table["Preprocessor"] == "hubfork/all-MiniLM-L6-v2_preprocess/1"
    assert table["Fine-tunable"] == "yes"
    assert table["Masked LM head"] == "no"
    assert table["License"] == "apache-2.0"
    assert table["Sources"] == "hubfork/all-MiniLM-L6-v2@v1 (embedded)"


def test_html_repr_escapes_text_and_leaves_out_empty_fields(registry):
    entry = dataclasses.replace(registry.get("hubfork/all-MiniLM-L6-v2/1"), description="<script>a & b</script>",
                                preprocessor=None, mlm=None, sources=())
    table = rows(entry._repr_html_())
    assert table["Description"] == "&lt;script&gt;a &amp; b&lt;/script&gt;"
    assert "Preprocessor" not in table and "Masked LM head" not in table and "Sources" not in table
    assert "<script>" not in entry._repr_html_()


def test_a_collection_s_members_and_a_deleted_model_s_status_are_shown(registry):
    collection = rows(registry.find("google/universal-sentence-encoder", kind="Collection")._repr_html_())
    assert collection["Members"].startswith(
        "google/universal-sentence-encoder, google/universal-sentence-encoder-large")
    assert "Status" not in collection
    assert rows(registry.get("silero/silero-stt/de/1")._repr_html_())["Status"] == "deleted"


# ----------------------------------------------------------------- the file form


def test_members_and_status_go_to_the_file_and_back(registry):
    from hubfork.registry.entry import RegistryEntry, entry_problem

    collection = registry.find("google/universal-sentence-encoder", kind="Collection")
    for entry in (collection, registry.get("silero/silero-stt/de/1"), registry.get("hubfork/all-MiniLM-L6-v2/1")):
        data = entry.to_dict()
        assert entry_problem(data) is None
        assert RegistryEntry.from_dict(data) == entry
    data = registry.get("silero/silero-stt/de/1").to_dict()
    assert (data["members"], data["status"]) == ([], "deleted")
    assert len(collection.to_dict()["members"]) == 11


def test_an_entry_written_before_members_and_status_still_reads(registry):
    from hubfork.registry.entry import RegistryEntry, entry_problem

    data = registry.get("hubfork/all-MiniLM-L6-v2/1").to_dict()
    del data["members"], data["status"]
    assert entry_problem(data) is None
    entry = RegistryEntry.from_dict(data)
    assert (entry.members, entry.status) == ((), None)


@pytest.mark.parametrize(("field", "value", "expected"), [
    ("members", "google/x", "has 'members' as str 'google/x'; expected a list of text"),
    ("members", [1], "has 'members' as list [1]; expected a list of text"),
    ("status", True, "has 'status' as bool True; expected text"),
    ("license", ["mit"], "has 'license' as list ['mit']; expected text"),
])
def test_members_and_status_of_the_wrong_type_are_refused(registry, field, value, expected):
    from hubfork.registry.entry import entry_problem

    data = registry.get("hubfork/all-MiniLM-L6-v2/1").to_dict()
    data[field] = value
    assert entry_problem(data) == expected


def test_the_license_goes_to_the_file_and_back_and_an_entry_without_one_still_reads(registry):
    from hubfork.registry.entry import RegistryEntry, entry_problem

    entry = registry.get("hubfork/all-MiniLM-L6-v2/1")
    data = entry.to_dict()
    assert data["license"] == entry.license == "apache-2.0"
    assert RegistryEntry.from_dict(data) == entry
    del data["license"]
    assert entry_problem(data) is None
    assert RegistryEntry.from_dict(data).license is None
    # The catalogue's cards state theirs in a metadata line: <!-- license: mit -->.
    licensed = [e for e in registry if e.license is not None]
    assert {"apache-2.0", "mit", "custom"} <= {e.license for e in licensed}
    assert registry.get("silero/silero-stt/de/1").license == "custom"
