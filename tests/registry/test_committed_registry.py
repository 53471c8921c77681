"""registry.yaml in the repository is exactly what cards/ builds to."""

from __future__ import annotations

import shutil

from hubfork import build_registry
from tests.conftest import ROOT


def test_committed_registry_is_up_to_date(tmp_path):
    shutil.copytree(ROOT / "cards", tmp_path / "cards")
    fresh = build_registry(tmp_path / "cards").path.read_text(encoding="utf-8")
    committed = (ROOT / "registry.yaml").read_text(encoding="utf-8")
    assert fresh == committed, "registry.yaml is stale: run `hubfork registry build`"
