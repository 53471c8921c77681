"""Building registry.yaml: content, determinism, and never half a file."""

from __future__ import annotations

import importlib.util
import os
import random
import shutil
from pathlib import Path

import pytest
import yaml

from hubfork import CardError, Registry, RegistryError, build_registry
from hubfork.registry import store
from tests.conftest import ROOT, SAMPLES


def _copy_tree(source: Path, target: Path, order_seed: int | None = None) -> None:
    files = sorted(p for p in source.rglob("*") if p.is_file())
    if order_seed is not None:
        random.Random(order_seed).shuffle(files)  # creation order changes what a directory listing returns
    for file in files:
        destination = target / file.relative_to(source)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(file, destination)


def test_entries_hold_handle_kind_metadata_facts_card_and_sources(tmp_path):
    _copy_tree(ROOT / "cards", tmp_path / "cards")
    result = build_registry(tmp_path / "cards")
    assert result.path == tmp_path / "registry.yaml"
    document = yaml.safe_load(result.path.read_text())
    assert document["format"] == 1 and document["cards"] == "cards"
    entries = {e["handle"]: e for e in document["entries"]}
    assert list(entries) == sorted(entries)
    entry = entries["Dimitre/bert_en_cased_L-12_H-768_A-12"]
    assert entry["kind"] == "Model"
    assert entry["architecture"] == {"layers": 12, "hidden_size": 768, "heads": 12}
    assert (entry["casing"], entry["api"], entry["mlm"]) == ("cased", "dict", True)
    assert entry["preprocessor"] == "Dimitre/bert_en_cased_preprocess"
    assert entry["sources"] == [{"repo_id": "Dimitre/bert_en_cased_L-12_H-768_A-12"}]
    card = tmp_path / entry["card"]["path"]
    assert card.is_file()
    import hashlib

    assert entry["card"]["sha256"] == hashlib.sha256(card.read_bytes()).hexdigest()
    module = entries["google/bert_multi_cased_L-12_H-768_A-12/1"]
    assert module["metadata"]["format"] == "hub" and module["metadata"]["language"] == ["en"]
    assert module["version"] == 1 and module["api"] == "tf1-hub"


def test_same_cards_give_the_same_bytes_whatever_the_file_order(tmp_path):
    outputs = []
    for seed in (1, 2):
        root = tmp_path / f"copy{seed}"
        _copy_tree(SAMPLES, root / "cards", order_seed=seed)
        _copy_tree(ROOT / "cards", root / "cards" / "project", order_seed=seed + 10)
        outputs.append(build_registry(root / "cards").path.read_bytes())
    assert outputs[0] == outputs[1]
    # and a rebuild over an existing registry changes nothing
    again = build_registry(tmp_path / "copy1" / "cards").path.read_bytes()
    assert again == outputs[0]


def _corpus_module():
    spec = importlib.util.spec_from_file_location("corpus", ROOT / "benchmarks" / "corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_parallel_and_serial_builds_are_identical(tmp_path):
    paths = _corpus_module().generate(tmp_path / "docs", 500, seed=7)
    assert len(paths) == 500
    serial = build_registry(tmp_path / "docs", tmp_path / "serial.yaml", jobs=1)
    parallel = build_registry(tmp_path / "docs", tmp_path / "parallel.yaml", jobs=2)
    strip = lambda text: text.replace("serial.yaml", "").replace("parallel.yaml", "")  # noqa: E731
    assert strip(serial.path.read_text()) == strip(parallel.path.read_text())
    assert len(serial.registry) == 500


def test_a_card_with_errors_writes_nothing_and_lists_every_error(tmp_path):
    _copy_tree(ROOT / "cards", tmp_path / "cards")
    first = build_registry(tmp_path / "cards").path
    before = first.read_bytes()
    bad = tmp_path / "cards" / "acme" / "models" / "x" / "1.md"
    bad.parent.mkdir(parents=True)
    bad.write_text("# Module acme/x/1\nDesc.\n\n<!-- format: hub -->\nprose in the metadata block\n")
    with pytest.raises(CardError) as info:
        build_registry(tmp_path / "cards")
    assert [(Path(p.path).name, p.line, p.code) for p in info.value.problems] == [
        ("1.md", 5, "metadata-line"), ("1.md", 4, "missing-metadata")]
    assert first.read_bytes() == before
    assert sorted(p.name for p in first.parent.iterdir()) == ["cards", "registry.yaml"]  # no temp file left


def test_a_failed_write_keeps_the_old_registry_whole(tmp_path, monkeypatch):
    _copy_tree(ROOT / "cards", tmp_path / "cards")
    path = build_registry(tmp_path / "cards").path
    before = path.read_bytes()
    (tmp_path / "cards" / "google" / "google.md").write_text("# Publisher google\nGoogle, renamed.\n")

    def crash(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(RegistryError, match="No space left on device"):
        build_registry(tmp_path / "cards")
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cards", "registry.yaml"]


def test_cards_of_one_kind_sharing_a_handle_are_kept_with_a_warning(tmp_path):
    for name in ("a.md", "b.md"):
        (tmp_path / "cards").mkdir(exist_ok=True)
        (tmp_path / "cards" / name).write_text("# Publisher acme\nAcme.\n")
    (tmp_path / "cards" / "lite.md").write_text(
        "# Lite acme/x/1\nLite.\n\n<!-- asset-path: legacy -->\n<!-- parent-model: acme/x/1 -->\n")
    (tmp_path / "cards" / "module.md").write_text(
        "# Placeholder acme/x/1\nSoon.\n\n<!-- task: text-embedding -->\n")
    result = build_registry(tmp_path / "cards")
    assert len(result.registry) == 4
    assert [(p.code, p.path) for p in result.warnings] == [("duplicate-handle", "cards/b.md")]
    assert result.registry.find("acme/x/1").kind == "Placeholder"
    assert result.registry.find("acme/x/1", kind="Lite").kind == "Lite"
    assert result.registry.find("https://tfhub.dev/acme/lite-model/x/1").kind == "Lite"


def test_not_a_folder(tmp_path):
    with pytest.raises(RegistryError, match="not a folder of cards"):
        build_registry(tmp_path / "nope")


def test_build_primes_the_read_cache(tmp_path):
    _copy_tree(ROOT / "cards", tmp_path / "cards")
    path = build_registry(tmp_path / "cards").path
    digest = __import__("hashlib").sha256(path.read_bytes()).hexdigest()
    assert store._cache_file(digest).is_file()
    assert len(Registry.load(path)) == 11
