"""A registry's ``card.path`` is read only inside its cards folder (or the shipped one), only as a
``.md`` regular file, and never beyond a card's limit: a registry handed over by anyone must not put a
secret into a site page, nor make ``hubfork registry add-source`` read without end.

What could hang or fill the memory (a FIFO, /dev/zero) runs in a subprocess bounded in time and memory.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from hubfork.cards.parser import MAX_CARD_BYTES
from hubfork.errors import RegistryError, RegistryFormatError
from hubfork.registry.card_files import card_file_to_read
from hubfork.registry.registry import Registry
from hubfork.registry.user import add_source
from hubfork.site.build import build_site
from tests.conftest import ROOT, SAMPLES

HANDLE = "google/universal-sentence-encoder/4"
CARD = SAMPLES / "google/models/universal-sentence-encoder/4.md"
SECRET = "TOPSECRET-2f9c"
HOSTILE_PATHS = ["../secret.md", "{secret}", "../../../../../../../../etc/passwd", "/etc/shadow", "/dev/zero"]


def registry_with(folder: Path, card_path: str, *, cards: str = "cards") -> Path:
    """A registry file in `folder` (with a ``cards`` folder and a ``secret.md`` beside it) whose one
    entry, `HANDLE`, has this ``card.path``."""
    (folder / "cards").mkdir(parents=True, exist_ok=True)
    (folder / "secret.md").write_text(f"# Module {HANDLE}\n{SECRET}\n", encoding="utf-8")
    card_path = card_path.format(secret=folder / "secret.md")
    path = folder / "registry.yaml"
    path.write_text(f"format: 1\ncards: {json.dumps(cards)}\nentries:\n- handle: {HANDLE}\n  kind: Module\n"
                    f"  description: A model.\n  card: {{path: {json.dumps(card_path)}, sha256: ''}}\n",
                    encoding="utf-8")
    return path


def refusal(path: Path) -> RegistryFormatError:
    registry = Registry.load_file(path)
    with pytest.raises(RegistryFormatError) as caught:
        card_file_to_read(registry, registry.get(HANDLE))
    assert str(caught.value).startswith(f"{path}: ") and "\n" not in str(caught.value)
    return caught.value


def bounded_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (2_000_000_000, 2_000_000_000))


def hubfork_bounded(*args: str) -> subprocess.CompletedProcess:
    # Should a check go, reading a FIFO blocks and /dev/zero never ends: the bounds fail the test instead.
    return subprocess.run([sys.executable, "-m", "hubfork", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, preexec_fn=bounded_memory)


def written_anywhere(folder: Path, text: str) -> list[Path]:
    return [p for p in folder.rglob("*")
            if p.is_file() and p.name != "secret.md" and text in p.read_text("utf-8", "replace")]


# ------------------------------------------------------------------------ where a card may be


@pytest.mark.parametrize("card_path", HOSTILE_PATHS)
def test_a_card_path_out_of_the_cards_folder_is_refused(tmp_path, card_path):
    error = refusal(registry_with(tmp_path, card_path))
    real = os.path.realpath(tmp_path / card_path.format(secret=tmp_path / "secret.md"))
    assert f"the card of {HANDLE} (Module)" in str(error) and f"leads to {real};" in str(error)
    assert f"in its cards folder {os.path.realpath(tmp_path / 'cards')} (or the shipped one)" in str(error)


def test_a_link_out_of_the_cards_folder_is_refused(tmp_path):
    path = registry_with(tmp_path, "cards/google/1.md")
    (tmp_path / "cards" / "google").mkdir()
    (tmp_path / "cards" / "google" / "1.md").symlink_to(tmp_path / "secret.md")
    assert f"leads to {tmp_path / 'secret.md'};" in str(refusal(path))


def test_a_file_in_the_cards_folder_that_is_not_a_card_is_refused(tmp_path):
    path = registry_with(tmp_path, "cards/notes.txt")
    (tmp_path / "cards" / "notes.txt").write_text(SECRET)
    assert "expected a .md file" in str(refusal(path))


@pytest.mark.parametrize("cards", ["/", ".."])
def test_a_cards_folder_that_holds_the_registry_is_refused(tmp_path, cards):
    folder = tmp_path / "downloads"
    path = registry_with(folder, str(tmp_path / "secret.md") if cards == "/" else "../secret.md", cards=cards)
    (tmp_path / "secret.md").write_text(f"# Module {HANDLE}\n{SECRET}\n")
    error = refusal(path)
    assert f"its cards folder {cards!r} is {os.path.realpath(folder / cards)}, which holds the registry's own folder" \
        in str(error)


def test_cards_of_its_cards_folder_and_of_the_shipped_one_are_read(tmp_path):
    path = registry_with(tmp_path, "cards/google/1.md")
    (tmp_path / "cards" / "google").mkdir()
    (tmp_path / "cards" / "google" / "1.md").write_text("# Module x\n")
    registry = Registry.load_file(path)
    assert card_file_to_read(registry, registry.get(HANDLE)) == tmp_path / "cards" / "google" / "1.md"
    shipped = registry_with(tmp_path / "other", str(CARD))
    registry = Registry.load_file(shipped)
    assert card_file_to_read(registry, registry.get(HANDLE)) == CARD.resolve()
    inside = registry_with(tmp_path / "inside", "google/1.md", cards=".")  # a registry kept in its cards folder
    (tmp_path / "inside" / "google").mkdir()
    (tmp_path / "inside" / "google" / "1.md").write_text("# Module x\n")
    registry = Registry.load_file(inside)
    assert card_file_to_read(registry, registry.get(HANDLE)) == tmp_path / "inside" / "google" / "1.md"


# ------------------------------------------------------------------------ the site


def test_the_site_build_stops_at_a_card_out_of_its_folder_and_shows_no_secret(tmp_path):
    path = registry_with(tmp_path, "../secret.md")
    with pytest.raises(RegistryFormatError, match="leads to"):
        build_site(Registry.load_file(path), tmp_path / "site", jobs=1)
    assert not (tmp_path / "site").exists()
    assert written_anywhere(tmp_path, SECRET) == []


def test_the_site_command_says_which_entry_in_one_line(tmp_path):
    path = registry_with(tmp_path, "../../../../../../../../etc/passwd")
    done = hubfork_bounded("registry", "site", "--registry", str(path), "-o", str(tmp_path / "site"))
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr == (f"hubfork: error: {path}: the card of {HANDLE} (Module), card.path "
                           f"'../../../../../../../../etc/passwd', leads to /etc/passwd; expected a .md file in its "
                           f"cards folder {tmp_path / 'cards'} (or the shipped one)\n")
    assert not (tmp_path / "site").exists()


# ------------------------------------------------------------------------ add-source


def test_add_source_refuses_a_card_path_of_dev_zero(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("HUBFORK_HOME", str(home))
    monkeypatch.setenv("HUBFORK_REGISTRY", str(registry_with(tmp_path, "/dev/zero")))
    done = hubfork_bounded("registry", "add-source", HANDLE, "org/use")
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert done.stderr.startswith("hubfork: error: ") and done.stderr.count("\n") == 1
    assert "card.path '/dev/zero', leads to /dev/zero; expected a .md file" in done.stderr
    assert not home.exists() or not any(home.rglob("*.md"))


def test_add_source_refuses_a_fifo_card_unread(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("HUBFORK_HOME", str(home))
    path = registry_with(tmp_path, "cards/use.md")
    os.mkfifo(tmp_path / "cards" / "use.md")
    monkeypatch.setenv("HUBFORK_REGISTRY", str(path))
    done = hubfork_bounded("registry", "add-source", HANDLE, "org/use")
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert done.stderr == (f"hubfork: error: {tmp_path / 'cards' / 'use.md'}: cannot read the card: not a regular "
                           f"file but a FIFO (named pipe); it is the card of {HANDLE} in {path}\n")
    assert not home.exists() or not any(home.rglob("*.md"))


def test_add_source_refuses_a_card_larger_than_a_card_may_be(tmp_path, monkeypatch):
    monkeypatch.setenv("HUBFORK_HOME", str(tmp_path / "home"))
    path = registry_with(tmp_path, "cards/use.md")
    with (tmp_path / "cards" / "use.md").open("wb") as handle:
        handle.write(CARD.read_bytes())
        handle.truncate(MAX_CARD_BYTES + 1)
    with pytest.raises(RegistryError, match=r"cannot read the card: the file is 10,000,001 bytes; at most "
                                            r"10,000,000 bytes is read; it is the card of "):
        add_source(HANDLE, "org/use", base=Registry.load_file(path))
    assert not (tmp_path / "home").exists() or not any((tmp_path / "home").rglob("*.md"))


def test_add_source_keeps_a_card_of_its_cards_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("HUBFORK_HOME", str(tmp_path / "home"))
    path = registry_with(tmp_path, "cards/use.md")
    (tmp_path / "cards" / "use.md").write_bytes(CARD.read_bytes())
    added = add_source(HANDLE, "org/use", base=Registry.load_file(path))
    text = added.card.read_text(encoding="utf-8")
    assert "<!-- hub-repo: org/use -->" in text
    assert text.replace("<!-- hub-repo: org/use -->\n", "") == CARD.read_text(encoding="utf-8")
