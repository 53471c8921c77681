"""Reading registry files: the one-line-per-entry fast path against PyYAML, format errors, the default
registry."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from hubfork import Registry, RegistryFormatError, RegistryNotFoundError, default_registry_path
from hubfork.registry import store
from tests.conftest import ROOT

DOC = {"format": 1, "cards": "cards", "entries": [{"handle": "a/b/1", "kind": "Module", "metadata": {"x": ["y"]}}]}


def yaml_read(text: str):
    return yaml.load(text, Loader=yaml.CSafeLoader)


def fast_read(text: str):
    return store._parse_lines(text.encode("utf-8"), text)


@pytest.mark.slow
def test_the_shipped_registry_is_read_by_the_fast_path_exactly_as_pyyaml_reads_it():
    text = (ROOT / "registry.yaml").read_text(encoding="utf-8")
    assert store._ONE_LINE_JSON in text.splitlines()[:6]
    document = fast_read(text)
    assert document is not None and len(document["entries"]) > 2800
    assert document == yaml_read(text)


texts = st.one_of(
    st.text(),  # any unicode: control characters, line separators, quotes, backslashes
    st.text(alphabet="\\\"'\t\n\r\x85\u2028\u2029\ufeff\x7f\x9f#:&*-[]{},é😀 ", max_size=40),
    st.sampled_from(["yes", "No", "null", "~", "", "1.0", "1e3", "0x1F", "- a", "a: b", "#x", "*ref", "&a",
                     "\\ud800", "\\u00e9", "x" * 5000]),
)
values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), texts),
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(texts, children, max_size=4)),
    max_leaves=20,
)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(st.lists(st.dictionaries(texts, values, max_size=6), max_size=5), texts)
def test_the_fast_path_reads_what_pyyaml_reads(entries, cards):
    document = {"format": 1, "cards": cards, "entries": entries}
    text = store.render(document)
    assert yaml_read(text) == document
    fast = fast_read(text)
    # Text JSON and YAML could read differently goes to PyYAML (None here); otherwise the same document.
    assert fast is None or fast == document


def test_a_registry_written_by_hubfork_is_read_without_pyyaml(tmp_path, monkeypatch):
    path = tmp_path / "registry.yaml"
    path.write_text(store.render(DOC), encoding="utf-8")
    monkeypatch.setattr(store, "_parse_yaml", lambda *args: pytest.fail("PyYAML used"))
    assert store.read(path) == DOC


@pytest.mark.parametrize("edit", [
    # Hand edits the fast path hands to PyYAML (the whole file, or one line), read as PyYAML reads them.
    lambda text: text.replace('- {"handle": "a/b/1"', '- {"handle": "a/b/1", "note": 1e3', 1),
    lambda text: text.replace('"]}}\n', '"]}}  # a comment\n', 1),
    lambda text: text.replace('- {"handle": "a/b/1", "kind": "Module", "metadata": {"x": ["y"]}}',
                              "- handle: a/b/1\n  kind: Module\n  metadata: {x: [y]}"),
    lambda text: text.replace("cards: ", "yes: 1\ncards: "),
    lambda text: text.replace('"x": ["y"]', '"x":\t["y"]'),
    # Raw characters JSON takes as they are but YAML folds as line breaks or refuses, and escaped
    # surrogates (JSON pairs them, YAML refuses them).
    lambda text: text.replace('["y"]', '["y\u2028z"]'),
    lambda text: text.replace('["y"]', '["y\x85z"]'),
    lambda text: text.replace('["y"]', '["y\x80z"]'),
    lambda text: text.replace('["y"]', '["\\ud83d\\ude00"]'),
])
def test_hand_edits_are_read_as_pyyaml_reads_them(tmp_path, edit):
    text = edit(store.render(DOC))
    path = tmp_path / "registry.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        expected = yaml_read(text)
    except yaml.YAMLError:
        with pytest.raises(RegistryFormatError, match="not valid YAML"):
            store.read(path)
        return
    assert store.read(path) == expected


def test_an_alias_on_an_entry_line_is_refused_at_its_line(tmp_path):
    text = store.render({"format": 1, "cards": "cards", "entries": [
        {"handle": "a/b/1", "kind": "Module"}, {"handle": "a/c/1", "kind": "Module"}]})
    text = text.replace('- {"handle": "a/c/1", "kind": "Module"}', '- &x {"handle": "a/c/1", "kind": *x}')
    path = tmp_path / "registry.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RegistryFormatError, match="alias") as info:
        store.read(path)
    assert info.value.line == text.splitlines().index('- &x {"handle": "a/c/1", "kind": *x}') + 1


def test_a_wrong_field_on_the_fast_path_names_the_entry(tmp_path):
    text = store.render({"format": 1, "cards": "cards", "entries": [
        {"handle": "a/b/1", "kind": "Module"}, {"handle": "a/c/1", "kind": "Module", "languages": "en"}]})
    path = tmp_path / "registry.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RegistryFormatError, match=r"entry 2 \(a/c/1\) has 'languages' as str 'en'"):
        store.read(path)


def test_error_missing_registry(tmp_path):
    with pytest.raises(RegistryNotFoundError) as info:
        store.read(tmp_path / "none.yaml")
    assert info.value.path == str(tmp_path / "none.yaml")
    assert "hubfork registry build" in str(info.value)


@pytest.mark.parametrize(
    "text, line, message",
    [
        ("format: 1\nentries:\n- handle: a\n  kind: [x\n", 5, "not valid YAML"),
        ("- just\n- a list\n", None, "expected a mapping"),
        ("format: 7\nentries: []\n", None, "registry format 7"),
        ("format: 1\nentries: {}\n", None, "'entries' should be a list"),
        ("format: 1\nentries:\n- kind: Module\n", None, "entry 1 needs"),
    ],
)
def test_error_malformed_registry(tmp_path, text, line, message):
    path = tmp_path / "registry.yaml"
    path.write_text(text)
    with pytest.raises(RegistryFormatError) as info:
        store.read(path)
    assert info.value.line == line and message in str(info.value)
    assert str(info.value).startswith(f"{path}:{line}:" if line else f"{path}:")


def test_default_registry_is_the_checkout_one_or_the_environment(monkeypatch, tmp_path):
    assert default_registry_path() == ROOT / "registry.yaml"
    assert len(Registry.load()) == len(Registry.load_file(ROOT / "registry.yaml")) > 2800
    monkeypatch.setenv("HUBFORK_REGISTRY", str(tmp_path / "other.yaml"))
    assert default_registry_path() == tmp_path / "other.yaml"
