"""hubfork.cards.catalogue: the deleted models a catalogue's README lists, and the project's keys
carried from a vendored card into the catalogue's text."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hubfork.cards.catalogue import deleted_cards, deleted_folders, project_key_lines, with_project_keys
from hubfork.cards.parser import iter_card_paths
from hubfork.errors import CardError
from tests.conftest import CATALOGUE, SAMPLES

BERT4 = SAMPLES / "tensorflow/models/bert_en_cased_L-12_H-768_A-12/4.md"
HUB_REPO = "<!-- hub-repo: Dimitre/bert_en_cased_L-12_H-768_A-12 -->"


def test_the_readme_lists_sixteen_deleted_model_folders():
    folders = deleted_folders(CATALOGUE)
    assert len(folders) == 16
    assert folders[:2] == ("inaturalist/models/vision/embedder/inaturalist_V2", "nvidia/models/unet/industrial/class_1")
    assert "svampeatlas/models/vision/embedder/fungi_V2" in folders


def test_every_card_under_a_deleted_folder_is_deleted_and_no_other(tmp_path):
    deleted = deleted_cards(list(iter_card_paths([CATALOGUE])))
    relative = sorted(Path(p).relative_to(SAMPLES).as_posix() for p in deleted)
    assert len(relative) == 18
    # Every version and variant; class_1 does not take class_10 with it (nor the other way round).
    assert [r for r in relative if r.startswith("svampeatlas")] == [
        "svampeatlas/models/vision/classifier/fungi_mobile_V1/1.md",
        "svampeatlas/models/vision/classifier/fungi_mobile_V1/1/default/lite/1.md",
        "svampeatlas/models/vision/classifier/fungi_mobile_V1/2.md",
        "svampeatlas/models/vision/embedder/fungi_V2/1.md",
    ]
    assert "nvidia/models/unet/industrial/class_10/1.md" in relative
    assert not any(r.startswith("silero/collections") or r == "silero/silero.md" for r in relative)


def test_cards_outside_a_catalogue_or_without_a_readme_are_not_deleted(tmp_path):
    root = tmp_path / "tfhub.dev"
    card = root / "assets/docs/nvidia/models/unet/industrial/class_1/1.md"
    card.parent.mkdir(parents=True)
    (root / "tags").mkdir()
    shutil.copyfile(SAMPLES / "nvidia/models/unet/industrial/class_1/1.md", card)
    assert deleted_cards([card]) == set()  # no README: nothing listed
    shutil.copyfile(CATALOGUE / "README.md", root / "README.md")
    assert deleted_cards([card]) == {str(card)}
    shutil.rmtree(root / "tags")  # not a catalogue any more: its README says nothing
    assert deleted_cards([card]) == set()
    assert deleted_cards([Path("cards/hubfork/models/x/1.md")]) == set()


def test_a_relative_path_inside_the_catalogue_is_found(monkeypatch):
    monkeypatch.chdir(CATALOGUE)
    assert len(deleted_cards(list(iter_card_paths(["."])))) == 18


def test_project_keys_are_read_from_a_card_and_put_back_into_the_catalogue_text():
    text = BERT4.read_text()
    assert project_key_lines(text) == [("hub-repo", HUB_REPO)]
    upstream = text.replace(HUB_REPO + "\n", "")
    assert project_key_lines(upstream) == []
    # Back where it was: at the end of the metadata block.
    assert with_project_keys(upstream, project_key_lines(text)) == text
    # A key the catalogue's card already states is not stated twice.
    assert with_project_keys(text, [("hub-repo", "<!-- hub-repo: other/repo -->")]) == text


def test_project_keys_go_before_the_body_of_a_card_without_metadata():
    text = "# Publisher someone\nSomeone.\n\n## About\n\nText.\n"
    assert with_project_keys(text, [("pooling", "<!-- pooling: mean -->")]) == (
        "# Publisher someone\nSomeone.\n\n<!-- pooling: mean -->\n## About\n\nText.\n")


def test_project_keys_cannot_go_into_a_file_that_is_not_a_tfhub_card():
    with pytest.raises(CardError, match="expected \"# Module publisher/name/version\""):
        with_project_keys("Just text\n", [("hub-repo", HUB_REPO)])


def test_a_listed_folder_does_not_take_a_folder_whose_name_it_starts(tmp_path):
    root = tmp_path / "tfhub.dev"
    (root / "tags").mkdir(parents=True)
    cards = []
    for name in ("class_1", "class_10"):
        card = root / f"assets/docs/nvidia/models/unet/industrial/{name}/1.md"
        card.parent.mkdir(parents=True)
        shutil.copyfile(SAMPLES / f"nvidia/models/unet/industrial/{name}/1.md", card)
        cards.append(card)
    link = "https://github.com/tensorflow/tfhub.dev/tree/master/assets/docs/nvidia/models/unet/industrial/class_1"
    (root / "README.md").write_text(f"Deleted:\n\n-   [nvidia/unet/industrial/class_1]({link})\n")
    assert deleted_folders(root) == ("nvidia/models/unet/industrial/class_1",)
    assert deleted_cards(cards) == {str(cards[0])}
