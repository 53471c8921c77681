"""`put_card`: one card into a folder of cards and its registry rebuilt, under the registry's lock."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from hubfork.cards.parser import parse_card
from hubfork.errors import CardError
from hubfork.registry.registry import Registry
from hubfork.registry.update import card_path_for, put_card
from tests.conftest import ROOT

CARD = """\
# Module acme/model-{n}/1
Model number {n}.

<!-- asset-path: legacy -->
<!-- fine-tunable: true -->
<!-- format: saved_model_2 -->
<!-- task: text-embedding -->
<!-- hub-repo: acme/model-{n}@v1 -->
"""


def test_a_card_is_put_where_tfhub_dev_kept_it_and_the_registry_rebuilt(tmp_path):
    card_file, built = put_card(CARD.format(n=1), tmp_path / "cards", tmp_path / "registry.yaml")
    assert card_file == tmp_path / "cards" / "acme" / "models" / "model-1" / "1.md"
    assert [e.handle for e in Registry.load_file(tmp_path / "registry.yaml")] == ["acme/model-1/1"]
    assert built.registry.get("acme/model-1/1").sources[0].repo_id == "acme/model-1"
    again, _ = put_card(CARD.format(n=1).replace("@v1", "@v2"), tmp_path / "cards", tmp_path / "registry.yaml")
    assert again == card_file and Registry.load_file(tmp_path / "registry.yaml").get("acme/model-1/1") \
        .sources[0].revision == "v2"


def test_a_hugging_face_card_goes_under_huggingface():
    card = parse_card("README.md", "---\nrepo_id: org/name\nlicense: mit\n---\n# org/name\n\nText.\n")
    assert card_path_for(card) == Path("huggingface", "org", "name", "README.md")


def test_a_card_with_errors_writes_nothing(tmp_path):
    with pytest.raises(CardError, match="new-card.md:1: error"):
        put_card("# Module acme/x\nno version\n", tmp_path / "cards", tmp_path / "registry.yaml")
    assert not (tmp_path / "cards").exists() and not (tmp_path / "registry.yaml").exists()


def test_a_failed_rebuild_puts_the_card_back(tmp_path):
    cards, registry = tmp_path / "cards", tmp_path / "registry.yaml"
    first, _ = put_card(CARD.format(n=1), cards, registry)
    before = registry.read_bytes()
    broken = cards / "acme" / "models" / "broken" / "1.md"
    broken.parent.mkdir(parents=True)
    broken.write_text("# Module acme/broken\n", encoding="utf-8")  # someone else's bad card
    with pytest.raises(CardError, match="broken"):
        put_card(CARD.format(n=1).replace("@v1", "@v2"), cards, registry)
    with pytest.raises(CardError):
        put_card(CARD.format(n=2), cards, registry)
    assert first.read_text(encoding="utf-8") == CARD.format(n=1)  # the replaced card is back
    assert not (cards / "acme" / "models" / "model-2").exists()  # the new card is gone, folders too
    assert registry.read_bytes() == before


WRITER = textwrap.dedent("""
    import sys, time
    from hubfork.registry import build, store
    from hubfork.registry.update import put_card
    n, cards, registry = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    real_write = store.write

    def slow_write(path, document):
        # The first writer is the slowest to write its registry: without the lock, it would write
        # last a registry built before the others' cards existed.
        time.sleep((6 - n) * 0.4)
        return real_write(path, document)

    build.store.write = slow_write
    put_card({card!r}.format(n=n), cards, registry)
""")


@pytest.mark.slow
def test_writers_at_once_all_end_up_in_the_registry(tmp_path):
    cards, registry = tmp_path / "cards", tmp_path / "registry.yaml"
    put_card(CARD.format(n=100), cards, registry)
    script = WRITER.format(card=CARD)
    writers = []
    for n in range(6):
        writers.append(subprocess.Popen([sys.executable, "-c", script, str(n), str(cards), str(registry)], cwd=ROOT))
        time.sleep(0.3)
    assert [w.wait(timeout=120) for w in writers] == [0] * 6
    handles = {e.handle for e in Registry.load_file(registry)}
    assert handles == {f"acme/model-{n}/1" for n in (*range(6), 100)}
