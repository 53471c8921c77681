"""``hubfork registry add-source`` (and publish, which records its card the same way) writes no value
into a card that could end its line or comment and add metadata of its own: `with_source` and the card
made from a registry entry refuse it, naming it, and nothing is written."""

from __future__ import annotations

import dataclasses

import pytest

from hubfork.errors import SourceError
from hubfork.registry import store
from hubfork.registry.registry import Registry
from hubfork.registry.user import add_source, with_source
from tests.conftest import run_cli

SHIPPED = "google/bert_multi_cased_L-12_H-768_A-12/1"
CARD = "# Module acme/bert/1\nA BERT.\n\n<!-- asset-path: legacy -->\n<!-- format: saved_model_2 -->\n\n## Overview\n"


@pytest.fixture
def home(tmp_path, monkeypatch):
    folder = tmp_path / "home"
    monkeypatch.setenv("HUBFORK_HOME", str(folder))
    return folder


@pytest.mark.parametrize(("endpoint", "problem"), [
    ("http://hub.example/x-->y", "holds '-->', which would end or start a card's metadata comment"),
    ("http://hub.example/\u202e", "holds the control or format character U+202E"),
])
def test_an_endpoint_no_card_can_hold_is_refused_and_nothing_is_written(home, endpoint, problem):
    # Both pass the endpoint's own shape check (an http URL without blanks).
    with pytest.raises(SourceError) as caught:
        add_source(SHIPPED, "org/bert@v1", endpoint=endpoint)
    assert str(caught.value) == f"cannot map 'org/bert@v1': the hub-endpoint value {endpoint!r} {problem}"
    assert not home.exists()


def test_the_command_says_it_in_one_line(home):
    result = run_cli("registry", "add-source", SHIPPED, "org/bert", "--endpoint", "http://hub.example/a-->b")
    assert result.returncode == 1
    assert result.stderr == ("hubfork: error: cannot map 'org/bert': the hub-endpoint value 'http://hub.example/a-->b' "
                             "holds '-->', which would end or start a card's metadata comment\n")
    assert not home.exists()


@pytest.mark.parametrize(("repo", "endpoint", "key"), [
    ("org/bert\n<!-- hub-endpoint: http://evil.example -->", None, "hub-repo"),
    ("org/bert", "http://hub.example\n<!-- hub-repo: evil/model -->", "hub-endpoint"),
])
def test_with_source_refuses_a_line_break(repo, endpoint, key):
    # publish hands it the endpoint and repo it publishes to.
    with pytest.raises(SourceError, match=f"the {key} value .* holds a line break; a card value is one line$"):
        with_source(CARD, repo, endpoint)
    assert with_source(CARD, "org/bert", "http://hub.example").splitlines()[5:7] == [
        "<!-- hub-repo: org/bert -->", "<!-- hub-endpoint: http://hub.example -->"]


@pytest.mark.parametrize(("change", "key"), [
    ({"description": "A BERT.\n<!-- hub-endpoint: http://evil.example -->"}, "description"),
    ({"metadata": {"language": ["en", "de\n<!-- hub-repo: evil/model -->"]}}, "language"),
    ({"metadata": {"license\n<!-- hub-repo: evil/model": "mit"}}, "metadata key"),
])
def test_a_card_made_from_a_hostile_registry_entry_is_refused(home, change, key):
    shipped = Registry.load_file(store.default_registry_path()).find(SHIPPED)
    # A registry loaded from no file has no card files: add-source writes the card from the entry.
    base = Registry([dataclasses.replace(shipped, **change)])
    with pytest.raises(SourceError, match=f"^cannot map '{SHIPPED}': the {key} value .* holds a line break"):
        add_source(SHIPPED, "org/bert@v1", base=base)
    assert not home.exists()
