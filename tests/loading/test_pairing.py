"""Which preprocessor goes with an encoder, by name: the registry entry, the card in
the model's folder, a given name, and what happens when none is named. No
TensorFlow here: the folders are cards, the fetches are recorded (the pairing
of real SavedModels through real hubs is in tests/models/test_text_model.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hubfork.errors import ModelFormatError, NotCachedError
from hubfork.hub.download import Snapshot
from hubfork.loading.pairing import companion_name, pair_preprocessor, registry_or_none
from hubfork.registry.registry import Registry

ENCODER, PREPROCESS = "acme/tiny_bert/1", "acme/tiny_bert_preprocess/1"
ENCODER_REPO = "acme/tiny-bert"

CARD = """\
# Module {handle}
A tiny BERT.

<!-- asset-path: legacy -->
<!-- fine-tunable: true -->
<!-- format: saved_model_2 -->
<!-- task: text-embedding -->
{hub_repo}

## Overview

A BERT encoder: 2 layers, hidden size 32, 2 attention heads.

## Usage

```python
preprocessor = hub.KerasLayer("https://tfhub.dev/{preprocessor}")
encoder = hub.KerasLayer("https://tfhub.dev/{handle}", trainable=True)
```
"""


@pytest.fixture(scope="module")
def registry(tmp_path_factory) -> Registry:
    from hubfork.registry.build import build_registry

    root = tmp_path_factory.mktemp("pairing-registry")
    card = root / "cards" / "acme" / "models" / "tiny_bert" / "1.md"
    card.parent.mkdir(parents=True)
    card.write_text(CARD.format(handle=ENCODER, hub_repo=f"<!-- hub-repo: {ENCODER_REPO}@v1 -->",
                                preprocessor=PREPROCESS))
    return Registry.load(build_registry(root / "cards", root / "registry.yaml", jobs=1).path)


def snapshot(path: Path, *, repo_id: str | None = None, handle: str | None = None) -> Snapshot:
    return Snapshot(path=str(path), name=handle or repo_id or str(path), form="test",
                    kind="repo" if repo_id else "folder", repo_id=repo_id, handle=handle)


class FakeEncoder:
    """What pairing asks of an encoder: where it is, its generation, its vocab (none here)."""

    generation = "v3"

    def __init__(self, path: Path):
        self.path = path

    def vocab(self):
        return None


def test_the_registry_entry_names_the_companion_by_handle_or_by_source_repo(registry, tmp_path):
    assert companion_name(snapshot(tmp_path, repo_id=ENCODER_REPO, handle=ENCODER), registry) == PREPROCESS
    assert companion_name(snapshot(tmp_path, repo_id=ENCODER_REPO), registry) == PREPROCESS
    assert companion_name(snapshot(tmp_path, repo_id="acme/other"), registry) is None


def test_the_card_in_the_model_folder_names_the_companion(tmp_path):
    (tmp_path / "README.md").write_text(CARD.format(handle="acme/local_bert/1", hub_repo="",
                                                    preprocessor=PREPROCESS), encoding="utf-8")
    assert companion_name(snapshot(tmp_path), None) == PREPROCESS


def test_a_broken_card_is_documentation_not_an_error(tmp_path):
    (tmp_path / "README.md").write_bytes(b"\xff\xfe not text")
    assert companion_name(snapshot(tmp_path), None) is None


def test_a_registry_that_cannot_be_read_is_none(tmp_path, registry):
    assert registry_or_none(tmp_path / "absent.yaml") is None
    assert registry_or_none(registry) is registry


def test_a_given_preprocessor_is_fetched_by_its_name(registry, tmp_path):
    fetched = []

    def fetch(name: str) -> Snapshot:
        fetched.append(name)
        return snapshot(tmp_path / "given", repo_id="acme/given")

    pairing = pair_preprocessor(FakeEncoder(tmp_path), snapshot(tmp_path, handle=ENCODER), given="acme/given",
                                registry=registry, fetch=fetch)
    assert (pairing.path, pairing.source, pairing.name, pairing.notes) == (tmp_path / "given", "given",
                                                                          "acme/given", [])
    assert fetched == ["acme/given"]  # the registry's companion is not even asked for


def test_the_companion_is_fetched_by_the_name_the_registry_gives(registry, tmp_path):
    pairing = pair_preprocessor(FakeEncoder(tmp_path), snapshot(tmp_path, handle=ENCODER), given=None,
                                registry=registry, fetch=lambda name: snapshot(tmp_path / name, repo_id=name))
    assert (pairing.path, pairing.source, pairing.name) == (tmp_path / PREPROCESS, "companion", PREPROCESS)


def test_without_a_companion_or_a_vocab_the_encoder_is_refused(registry, tmp_path):
    def offline(name: str) -> Snapshot:
        raise NotCachedError(name, repo_id=name, revision="v1", cache_dir=str(tmp_path), why="offline")

    with pytest.raises(ModelFormatError, match="no preprocessor for this v3 encoder") as caught:
        pair_preprocessor(FakeEncoder(tmp_path), snapshot(tmp_path, handle=ENCODER), given=None,
                          registry=registry, fetch=offline)
    assert str(tmp_path) in str(caught.value) and "no vocab of its own" in str(caught.value)
