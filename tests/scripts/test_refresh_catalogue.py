"""scripts/refresh_catalogue.py: refreshing the vendored catalogue from a tfhub.dev checkout (a small
fake one made here from vendored cards), what it reports, the project keys it keeps, and the
checkouts it refuses without changing anything."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hubfork.registry.registry import Registry
from tests.conftest import ROOT
from tests.fixtures.scripts import load_script

CATALOGUE = ROOT / "cards" / "tfhub.dev"
DOCS = "assets/docs"
# A few vendored cards: a publisher, a collection, three models the README lists as deleted, two of BERT.
CARDS = [
    "silero/silero.md",
    "silero/collections/silero-stt/1.md",
    "silero/models/silero-stt/de/1.md",
    "silero/models/silero-stt/en/1.md",
    "silero/models/silero-stt/es/1.md",
    "tensorflow/models/bert_en_uncased_L-12_H-768_A-12/3.md",
    "tensorflow/models/bert_en_uncased_L-12_H-768_A-12/4.md",
]
BERT = f"{DOCS}/tensorflow/models/bert_en_uncased_L-12_H-768_A-12/4.md"
HUB_REPO = "<!-- hub-repo: someone/bert_en_uncased -->"


def _load_script():
    return load_script("scripts/refresh_catalogue.py")


refresh_catalogue = _load_script()


def make_checkout(folder: Path, cards: list[str] = CARDS) -> Path:
    """A tfhub.dev checkout holding `cards` (copied from the vendored catalogue), its tags and top files."""
    for rel in cards:
        target = folder / DOCS / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(CATALOGUE / DOCS / rel, target)
    shutil.copytree(CATALOGUE / "tags", folder / "tags")
    for name in ("LICENSE", "README.md", "AUTHORS"):
        shutil.copyfile(CATALOGUE / name, folder / name)
    return folder


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def project(tmp_path):
    """A cards folder whose catalogue was refreshed from the fake checkout, with a registry and vocabulary."""
    cards = tmp_path / "project" / "cards"
    cards.mkdir(parents=True)
    checkout = make_checkout(tmp_path / "checkout")
    code, out = run(checkout, cards, "--commit", "a" * 40)
    assert code == 0, out
    return cards


def run(checkout: Path, cards: Path, *args: str) -> tuple[int, str]:
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = refresh_catalogue.main([str(checkout), "--cards", str(cards), "--registry",
                                       str(cards.parent / "registry.yaml"), "--vocabulary",
                                       str(cards.parent / "tags.json"), *args])
    return code, out.getvalue() + err.getvalue()


def test_a_first_refresh_copies_the_catalogue_with_its_licence_commit_and_notice(tmp_path):
    cards = tmp_path / "cards"
    cards.mkdir()
    code, out = run(make_checkout(tmp_path / "checkout"), cards, "--commit", "b" * 40)
    assert code == 0, out
    files = tree(cards / "tfhub.dev")
    assert sorted(f for f in files if f.startswith(DOCS)) == sorted(f"{DOCS}/{rel}" for rel in CARDS)
    assert files["LICENSE"] == (CATALOGUE / "LICENSE").read_bytes()
    assert files["COMMIT"] == b"b" * 40 + b"\n"
    assert "b" * 40 in files["NOTICE"].decode() and "Apache License" in files["NOTICE"].decode()
    assert "added: 20\n" in out  # 7 cards, 8 tag files, LICENSE, README.md, AUTHORS, COMMIT, NOTICE
    assert "Module silero/silero-stt/de/1 (assets/docs/silero/models/silero-stt/de/1.md)" in out
    registry = Registry.load(cards.parent / "registry.yaml")
    assert len(registry) == len(CARDS)
    assert (cards.parent / "tags.json").read_text() == (ROOT / "hubfork" / "cards" / "tags.json").read_text()


def test_the_registry_marks_the_readme_s_deleted_models_and_lists_the_collection_s_members(project):
    registry = Registry.load(project.parent / "registry.yaml")
    status = {entry.handle: entry.status for entry in registry}
    assert status == {"silero": None, "silero/silero-stt": None, "silero/silero-stt/de/1": "deleted",
                      "silero/silero-stt/en/1": "deleted", "silero/silero-stt/es/1": "deleted",
                      "tensorflow/bert_en_uncased_L-12_H-768_A-12/3": None,
                      "tensorflow/bert_en_uncased_L-12_H-768_A-12/4": None}
    collection = next(e for e in registry if e.kind == "Collection")
    assert collection.members == ("silero/silero-stt/en", "silero/silero-stt/de", "silero/silero-stt/es")


def test_a_second_refresh_from_the_same_checkout_reports_no_changes(project, tmp_path):
    before = tree(project)
    code, out = run(tmp_path / "checkout", project, "--commit", "a" * 40)
    assert (code, out.strip()) == (0, "no changes")
    assert tree(project) == before


def test_added_removed_and_changed_cards_are_reported_by_handle_and_project_keys_kept(project, tmp_path):
    bert = project / "tfhub.dev" / BERT
    lines = bert.read_text().split("\n")
    lines.insert(4, HUB_REPO)
    bert.write_text("\n".join(lines))
    checkout = make_checkout(tmp_path / "new", [c for c in CARDS if not c.endswith("/3.md")]
                             + ["tensorflow/models/bert_en_uncased_L-12_H-768_A-12/2.md"])
    upstream = (checkout / BERT).read_text().replace("## Overview", "## Overview\n\nA new paragraph.", 1)
    (checkout / BERT).write_text(upstream)
    code, out = run(checkout, project, "--commit", "c" * 40)
    assert code == 0, out
    assert "added: 1\n  Module tensorflow/bert_en_uncased_L-12_H-768_A-12/2 " in out
    assert "removed: 1\n  Module tensorflow/bert_en_uncased_L-12_H-768_A-12/3 " in out
    assert "  Module tensorflow/bert_en_uncased_L-12_H-768_A-12/4 " in out and "  COMMIT" in out
    assert f"kept hubfork keys (hub-repo) in {BERT}" in out
    refreshed = bert.read_text()
    assert "A new paragraph." in refreshed and HUB_REPO in refreshed
    # The catalogue's text, with the key line at the end of its metadata block and nothing else changed.
    assert refreshed.replace(HUB_REPO + "\n", "", 1) == upstream
    entry = Registry.load(project.parent / "registry.yaml").get("tensorflow/bert_en_uncased_L-12_H-768_A-12/4")
    assert [s.repo_id for s in entry.sources] == ["someone/bert_en_uncased"]


def test_tag_and_deleted_list_changes_are_reported(project, tmp_path):
    checkout = make_checkout(tmp_path / "new")
    readme = (checkout / "README.md").read_text()
    (checkout / "README.md").write_text("\n".join(line for line in readme.split("\n") if "silero-stt/de" not in line))
    task = checkout / "tags" / "task.yaml"
    task.write_text(task.read_text() + "  - id: brand-new-task\n    display_name: Brand new task\n")
    code, out = run(checkout, project, "--commit", "a" * 40)
    assert code == 0, out
    assert "deleted models (README): -silero/models/silero-stt/de" in out
    assert "task: +brand-new-task" in out
    assert "brand-new-task" in (project.parent / "tags.json").read_text()
    status = {e.handle: e.status for e in Registry.load(project.parent / "registry.yaml")}
    assert (status["silero/silero-stt/de/1"], status["silero/silero-stt/en/1"]) == (None, "deleted")


def test_a_dry_run_reports_and_writes_nothing(project, tmp_path):
    before = tree(project.parent)
    code, out = run(make_checkout(tmp_path / "new", CARDS[:-1]), project, "--dry-run")
    assert code == 0
    assert "removed: 1\n  Module tensorflow/bert_en_uncased_L-12_H-768_A-12/4 " in out
    assert "(dry run: nothing written)" in out
    assert tree(project.parent) == before


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (lambda c: shutil.rmtree(c / "assets"), "not a tfhub.dev checkout; expected the folders assets/docs and tags"),
        (lambda c: shutil.rmtree(c / "tags"), "not a tfhub.dev checkout"),
        (lambda c: (c / "LICENSE").unlink(), "no LICENSE; the catalogue is only copied with its licence"),
        (lambda c: (c / DOCS / CARDS[2]).write_text("# Module silero/silero-stt/de\nno version\n"),
         "the refreshed cards have errors; nothing was changed:\n"),
        (lambda c: (c / "tags" / "task.yaml").write_text("values: [{display_name: no id}]\n"),
         "not tfhub.dev tag files"),
    ],
    ids=["no-assets-docs", "no-tags", "no-licence", "card-with-errors", "bad-tags"],
)
def test_a_bad_checkout_is_refused_and_changes_nothing(project, tmp_path, spoil, message):
    checkout = make_checkout(tmp_path / "bad", CARDS[:-1])
    spoil(checkout)
    before = tree(project.parent)
    code, out = run(checkout, project, "--commit", "d" * 40)
    assert code == 1
    assert message in out
    assert tree(project.parent) == before
    assert not [p for p in project.iterdir() if p.name.startswith(".")]  # no staging folder left behind


def test_the_commit_comes_from_git_when_the_checkout_is_a_repository(project, tmp_path):
    import subprocess

    checkout = make_checkout(tmp_path / "repo")
    git = ["git", "-C", str(checkout), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(git[:3] + ["init", "-q"], check=True)
    subprocess.run(git + ["add", "."], check=True)
    subprocess.run(git + ["commit", "-qm", "x"], check=True)
    head = subprocess.run(git[:3] + ["rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    code, out = run(checkout, project, "--commit", "e" * 40)
    assert code == 0, out
    assert (project / "tfhub.dev" / "COMMIT").read_text() == head + "\n"


def test_a_card_with_project_keys_that_the_checkout_lost_is_reported(project, tmp_path):
    bert = project / "tfhub.dev" / BERT
    bert.write_text(bert.read_text().replace("<!-- language: en -->", "<!-- language: en -->\n" + HUB_REPO, 1))
    code, out = run(make_checkout(tmp_path / "new", CARDS[:-1]), project, "--commit", "a" * 40)
    assert code == 0, out
    assert f"warning: {BERT} is gone from the checkout; its hubfork keys (hub-repo) go with it" in out
    assert not bert.exists()
