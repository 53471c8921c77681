"""An installed hubfork carries its cards (the tfhub.dev catalogue with its licence and notice among
them) and registry, and finds its default registry without a checkout.

The catalogue is 8.8 MB of text in 2,832 files: about 4.4 MB of the 5.1 MB wheel (0.7 MB without it).
It ships, because `show` names each entry's card file and the registry's site renders the cards."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet", "-w", str(out),
         str(ROOT)],
        check=True, capture_output=True, text=True, timeout=300,
    )
    (path,) = out.glob("hubfork-*.whl")
    return path


@pytest.mark.slow
def test_wheel_holds_the_registry_cards_and_vocabulary(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "hubfork/_data/registry.yaml" in names
    assert "hubfork/_data/cards/huggingface/Dimitre/bert_en_cased_L-12_H-768_A-12/README.md" in names
    catalogue = {name for name in names if name.startswith("hubfork/_data/cards/tfhub.dev/")}
    assert sum(name.endswith(".md") and "/assets/docs/" in name for name in catalogue) == 2819
    # Apache-2.0 section 4: a redistribution carries the licence and says what was changed.
    assert {f"hubfork/_data/cards/tfhub.dev/{n}" for n in ("LICENSE", "NOTICE", "COMMIT", "README.md")} <= catalogue
    assert "hubfork/cards/tags.json" in names
    packaged = zipfile.ZipFile(wheel).read("hubfork/_data/registry.yaml")
    assert packaged == (ROOT / "registry.yaml").read_bytes()


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """The wheel installed by pip into a folder of its own (the site-packages layout, no checkout)."""
    target = tmp_path_factory.mktemp("site")
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(target),
                    str(wheel)], check=True, capture_output=True, text=True, timeout=300)
    return target


def test_installed_package_finds_its_default_registry_outside_a_checkout(installed, tmp_path):
    where = subprocess.run([sys.executable, "-c", "import hubfork; print(hubfork.__file__)"],
                           env={"PYTHONPATH": str(installed)}, cwd=tmp_path, capture_output=True, text=True)
    assert where.stdout.startswith(str(installed))
    result = run_cli("show", "tensorflow/bert_en_uncased_preprocess/1", "--json", cwd=tmp_path,
                     pythonpath=[installed])
    assert result.returncode == 0, result.stderr
    entry = json.loads(result.stdout)
    assert entry["card"]["path"] == "cards/tfhub.dev/assets/docs/tensorflow/models/bert_en_uncased_preprocess/1.md"
    assert (installed / "hubfork" / "_data" / entry["card"]["path"]).is_file()
    listed = run_cli("list", "--json", cwd=tmp_path, pythonpath=[installed])
    assert len(json.loads(listed.stdout)) == 2824
