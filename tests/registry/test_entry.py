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
    assert table["handle"] == "hubfork/all-MiniLM-L6-v2/1"
    assert table["architecture"] == "L-6_H-384_A-12"
    assert table["preprocessor"] == "hubfork/all-MiniLM-L6-v2_preprocess/1"
    assert table["fine-tunable"] == "yes"
    assert table["sources"] == "hubfork/all-MiniLM-L6-v2@v1 (embedded)"


def test_html_repr_escapes_text_and_leaves_out_empty_fields(registry):
    entry = dataclasses.replace(registry.get("hubfork/all-MiniLM-L6-v2/1"), description="<script>a & b</script>",
                                preprocessor=None, mlm=None, sources=())
    table = rows(entry._repr_html_())
    assert table["description"] == "&lt;script&gt;a &amp; b&lt;/script&gt;"
    assert "preprocessor" not in table and "masked LM" not in table and "sources" not in table
    assert "<script>" not in entry._repr_html_()
