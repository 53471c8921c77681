"""Building registry.yaml: content, determinism, and never half a file."""

from __future__ import annotations

import os
import random
import shutil
from pathlib import Path

import pytest
import yaml

from hubfork import CardError, Registry, RegistryError, build_registry
from hubfork.cards.schema import SUMMARY_FIELDS
from tests.conftest import CATALOGUE, ROOT, SAMPLE_CARDS, SAMPLES
from tests.fixtures.scripts import load_script


def _copy_tree(source: Path, target: Path, order_seed: int | None = None) -> None:
    files = sorted(p for p in source.rglob("*") if p.is_file())
    if order_seed is not None:
        random.Random(order_seed).shuffle(files)  # creation order changes what a directory listing returns
    for file in files:
        destination = target / file.relative_to(source)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(file, destination)


# The silero cards: a collection and three models the catalogue's README lists as deleted.
SILERO = ["silero/silero.md", "silero/collections/silero-stt/1.md", "silero/models/silero-stt/de/1.md",
          "silero/models/silero-stt/en/1.md", "silero/models/silero-stt/es/1.md"]


def _project_cards(target: Path, order_seed: int | None = None) -> Path:
    """The project's own cards and a small catalogue (the sample cards, silero's, the README and tags)."""
    for folder in ("hubfork", "huggingface"):
        _copy_tree(ROOT / "cards" / folder, target / folder, order_seed)
    catalogue = target / "tfhub.dev"
    cards = list(SAMPLE_CARDS) + SILERO
    if order_seed is not None:
        random.Random(order_seed).shuffle(cards)
    for rel in cards:
        destination = catalogue / "assets" / "docs" / rel
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SAMPLES / rel, destination)
    _copy_tree(CATALOGUE / "tags", catalogue / "tags", order_seed)
    for name in ("README.md", "LICENSE"):
        shutil.copyfile(CATALOGUE / name, catalogue / name)
    return target


def test_entries_hold_handle_kind_metadata_facts_card_and_sources(tmp_path):
    result = build_registry(_project_cards(tmp_path / "cards"))
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
    assert module["card"]["path"] == "cards/tfhub.dev/assets/docs/google/models/bert_multi_cased_L-12_H-768_A-12/1.md"
    # The project's key on a catalogue card: the model's mirror.
    assert entries["tensorflow/bert_en_cased_L-12_H-768_A-12/4"]["sources"] == [
        {"repo_id": "Dimitre/bert_en_cased_L-12_H-768_A-12"}]
    # An entry's keys: the facts in the order of their table, then where its card is and its sources.
    assert list(entry) == [*SUMMARY_FIELDS, "card", "sources", "links"]
    assert (entry["license"], module["license"]) == ("apache-2.0", None)


def test_the_catalogue_s_deleted_models_and_a_collection_s_members(tmp_path):
    registry = build_registry(_project_cards(tmp_path / "cards")).registry
    # The sample's Lite variant of a deleted model is deleted with it.
    assert sorted(e.handle for e in registry if e.status == "deleted") == [
        "silero/silero-stt/de/1", "silero/silero-stt/en/1", "silero/silero-stt/es/1",
        "svampeatlas/vision/classifier/fungi_mobile_V1/1/default/1"]
    assert registry.get("silero/silero-stt").members == (
        "silero/silero-stt/en", "silero/silero-stt/de", "silero/silero-stt/es")
    assert registry.get("silero/silero-stt").status is None
    assert registry.get("tensorflow/bert_en_cased_L-12_H-768_A-12/4").members == ()


def test_a_catalogue_without_its_readme_has_no_deleted_models(tmp_path):
    cards = _project_cards(tmp_path / "cards")
    (cards / "tfhub.dev" / "README.md").unlink()
    assert [e.handle for e in build_registry(cards).registry if e.status] == []


def test_an_unreadable_readme_is_a_registry_error_and_writes_nothing(tmp_path):
    cards = _project_cards(tmp_path / "cards")
    (cards / "tfhub.dev" / "README.md").write_bytes(b"\xff\xfe not UTF-8")
    with pytest.raises(RegistryError, match="cannot read the catalogue's list of deleted models"):
        build_registry(cards)
    assert not (tmp_path / "registry.yaml").exists()


def test_same_cards_give_the_same_bytes_whatever_the_file_order(tmp_path):
    outputs = []
    for seed in (1, 2):
        root = tmp_path / f"copy{seed}"
        _project_cards(root / "cards", order_seed=seed)
        outputs.append(build_registry(root / "cards").path.read_bytes())
    assert outputs[0] == outputs[1]
    # and a rebuild over an existing registry changes nothing
    again = build_registry(tmp_path / "copy1" / "cards").path.read_bytes()
    assert again == outputs[0]


def _corpus_module():
    return load_script("benchmarks/corpus.py")


def test_parallel_and_serial_builds_are_identical(tmp_path):
    paths = _corpus_module().generate(tmp_path / "docs", 500, seed=7)
    assert len(paths) == 500
    serial = build_registry(tmp_path / "docs", tmp_path / "serial.yaml", jobs=1)
    parallel = build_registry(tmp_path / "docs", tmp_path / "parallel.yaml", jobs=2)
    strip = lambda text: text.replace("serial.yaml", "").replace("parallel.yaml", "")  # noqa: E731
    assert strip(serial.path.read_text()) == strip(parallel.path.read_text())
    assert len(serial.registry) == 500


def test_a_card_with_errors_writes_nothing_and_lists_every_error(tmp_path):
    _project_cards(tmp_path / "cards")
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
    _project_cards(tmp_path / "cards")
    path = build_registry(tmp_path / "cards").path
    before = path.read_bytes()
    (tmp_path / "cards" / "tfhub.dev" / "assets" / "docs" / "google" / "google.md").write_text(
        "# Publisher google\nGoogle, renamed.\n")

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


def test_the_built_registry_reads_back_as_built(tmp_path):
    result = build_registry(_project_cards(tmp_path / "cards"))
    loaded = Registry.load(result.path)
    assert len(loaded) == 5 + len(SAMPLE_CARDS) + len(SILERO)
    assert [e.to_dict() for e in loaded] == [e.to_dict() for e in result.registry]


@pytest.mark.slow
def test_the_whole_repository_s_cards_build_the_same_in_parallel_and_serially(tmp_path):
    # Parallel builds hand out small batches: every card must come back once, in path order, with
    # the same warnings (the two Hugging Face cards among them).
    serial = build_registry(ROOT / "cards", tmp_path / "serial" / "registry.yaml", jobs=1)
    parallel = build_registry(ROOT / "cards", tmp_path / "parallel" / "registry.yaml", jobs=2)
    assert serial.path.read_bytes() == parallel.path.read_bytes()
    assert [str(w) for w in serial.warnings] == [str(w) for w in parallel.warnings]
    assert len(serial.registry) > 2800
    assert {e.family for e in parallel.registry.entries} == {"tfhub", "huggingface"}


def test_card_paths_are_read_through_symbolic_links(tmp_path):
    from hubfork.registry.build import _real_path

    _project_cards(tmp_path / "real")
    cards = tmp_path / "cards"
    (cards / "linked").mkdir(parents=True)
    (cards / "linked" / "hubfork").symlink_to(tmp_path / "real" / "hubfork")  # a folder
    card = tmp_path / "real" / "hubfork" / "models" / "all-MiniLM-L6-v2" / "1.md"
    (cards / "one.md").symlink_to(card)  # a card
    (cards / "dangling.md").symlink_to(tmp_path / "nowhere.md")
    known: dict[str, str] = {}
    given = [cards / "linked" / "hubfork" / "hubfork.md", cards / "one.md", cards / "dangling.md",
             cards / "linked" / ".." / "one.md", cards / "linked" / "hubfork" / ".." / "hubfork" / "hubfork.md",
             Path("relative") / "x.md"]
    for path in given:
        assert _real_path(str(path), known) == str(path.resolve())
    (cards / "dangling.md").unlink()
    result = build_registry(cards, tmp_path / "registry.yaml", jobs=1)
    assert [entry.card_path for entry in result.registry.entries] == ["real/hubfork/models/all-MiniLM-L6-v2/1.md"]
