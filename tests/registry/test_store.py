"""Reading registry files: the JSON cache, format errors, the default registry."""

from __future__ import annotations

import hashlib

import pytest

from hubfork import Registry, RegistryFormatError, RegistryNotFoundError, default_registry_path
from hubfork.registry import store
from tests.conftest import ROOT

DOC = {"format": 1, "cards": "cards", "entries": [{"handle": "a/b/1", "kind": "Module", "metadata": {"x": ["y"]}}]}


def test_a_registry_read_once_is_then_read_from_the_cache(tmp_path):
    path = tmp_path / "registry.yaml"
    path.write_text(store.render(DOC))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    cache = store._cache_file(digest)
    assert not cache.exists()
    assert store.read(path) == DOC
    assert cache.is_file()
    # Prove the second read uses the cache: give the cache a different (valid) document.
    cache.write_text('{"format": 1, "entries": [{"handle": "from/cache/1", "kind": "Module"}]}')
    assert store.read(path)["entries"][0]["handle"] == "from/cache/1"
    # Any change to the file changes its key: the file is parsed again.
    path.write_text(store.render(DOC) + "\n")
    assert store.read(path) == DOC


def test_a_broken_cache_entry_is_ignored(tmp_path):
    path = tmp_path / "registry.yaml"
    path.write_text(store.render(DOC))
    cache = store._cache_file(hashlib.sha256(path.read_bytes()).hexdigest())
    cache.parent.mkdir(parents=True, exist_ok=True)
    for junk in ("{not json", '{"format": 1}', "[]"):
        cache.write_text(junk)
        assert store.read(path) == DOC


def test_an_unwritable_cache_does_not_fail_a_read(tmp_path, monkeypatch):
    blocker = tmp_path / "cache-is-a-file"
    blocker.write_text("")
    monkeypatch.setenv("HUBFORK_CACHE", str(blocker))
    path = tmp_path / "registry.yaml"
    path.write_text(store.render(DOC))
    assert store.read(path) == DOC


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
    assert len(Registry.load()) == 11
    monkeypatch.setenv("HUBFORK_REGISTRY", str(tmp_path / "other.yaml"))
    assert default_registry_path() == tmp_path / "other.yaml"
