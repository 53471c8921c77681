"""The tables Jupyter shows for hubfork's objects: their facts, and every text escaped."""

from __future__ import annotations

import hubfork
from hubfork._html import fields_table, table
from hubfork.models.text_model import Predictions, TokenPrediction
from hubfork.registry.search import SearchResults
from hubfork.scanning.report import Finding, ScanReport
from tests.conftest import SEEDS


def test_tables_escape_their_text():
    assert fields_table([("a<b", "<script>x</script>")]) == (
        '<table><tr><th style="text-align:left">a&lt;b</th><td>&lt;script&gt;x&lt;/script&gt;</td></tr></table>')
    assert "<th>x&amp;y</th>" in table(["x&y"], [["<b>"]]) and "<td>&lt;b&gt;</td>" in table(["x&y"], [["<b>"]])


def test_search_results_are_a_list_shown_as_a_table():
    found = hubfork.load_registry().search("bert")
    assert isinstance(found, SearchResults) and isinstance(found, list) and found
    shown = found._repr_html_()
    assert f"{len(found)} entries" in shown and found[0].handle in shown and shown.count("<tr>") == len(found) + 1
    assert found[:1] == [found[0]]


def test_a_card_shows_its_facts():
    card = hubfork.parse_card(sorted(SEEDS.glob("*.txt"))[0])
    shown = card._repr_html_()
    assert card.handle in shown and "architecture" in shown and card.architecture.label in shown


def test_predictions_and_scan_reports_are_tables():
    shown = Predictions([TokenPrediction("paris", 3, 0.5), TokenPrediction("<x>", 4, 0.25)])._repr_html_()
    assert "<td>paris</td><td>3</td><td>0.5000</td>" in shown and "&lt;x&gt;" in shown
    report = ScanReport("m", "ab", (Finding("ReadFile", "file-read", "f<1>", "n", ("object root.__call__", "f<1>")),))
    assert "<td>ReadFile</td><td>file-read</td><td>f&lt;1&gt;</td>" in report._repr_html_()
    assert "clean" in ScanReport("m", "ab")._repr_html_()
