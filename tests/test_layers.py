"""Dependencies run one way: cards <- registry <- hub; models alone; loading above hub
and models; publishing and beam above loading; the site above registry alone; cli on top.

`hubfork.hub` (names and downloads, no TensorFlow) and `hubfork.models`
(TensorFlow on local folders) never import each other; what takes a name and
hands back a model lives in `hubfork.loading`, above both. Every module is read
with `ast`, not imported, so that an import anywhere counts: at the top, inside a
function, under ``TYPE_CHECKING``, relative or absolute.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGE = ROOT / "hubfork"

#: Layer -> the hubfork packages its modules may not import.
FORBIDDEN = {
    "cards": ("hubfork.registry", "hubfork.hub", "hubfork.models", "hubfork.loading", "hubfork.publishing",
              "hubfork.cli", "hubfork.beam"),
    "registry": ("hubfork.hub", "hubfork.models", "hubfork.loading", "hubfork.publishing", "hubfork.cli",
                 "hubfork.beam"),
    "hub": ("hubfork.models", "hubfork.loading", "hubfork.publishing", "hubfork.cli", "hubfork.beam"),
    "models": ("hubfork.hub", "hubfork.loading", "hubfork.publishing", "hubfork.cli", "hubfork.beam"),
    "loading": ("hubfork.publishing", "hubfork.cli", "hubfork.beam"),
    # Beam's RunInference over load_text_model, above loading; nothing below it imports it (Apache Beam takes
    # a second to import and comes with the beam extra only).
    "beam": ("hubfork.publishing", "hubfork.cli"),
    # Publishing uses every layer below the command line: cards from models, pushes to hubs.
    "publishing": ("hubfork.cli", "hubfork.beam"),
    # The web catalogue renders cards and the registry: no hub, no TensorFlow, nothing that loads a model.
    "site": ("hubfork.hub", "hubfork.models", "hubfork.loading", "hubfork.publishing", "hubfork.cli",
             "hubfork.scanning", "hubfork.beam"),
    # The scanner reads protobufs only: no TensorFlow, no names, nothing it is meant to guard.
    "scanning": ("hubfork.cards", "hubfork.registry", "hubfork.hub", "hubfork.models", "hubfork.loading",
                 "hubfork.publishing", "hubfork.cli", "hubfork.beam"),
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, module) for every import in the file at `path` (see `imports_in`)."""
    return imports_in(path.read_text(encoding="utf-8"), module_name(path), is_package=path.name == "__init__.py")


def imports_in(source: str, module: str, *, is_package: bool = False) -> list[tuple[int, str]]:
    """(line, module) for every import in `source`, wherever it is, in line order; ``from x import y``
    gives both ``x`` and ``x.y`` (y may be a submodule), relative imports made absolute."""
    package = module.split(".") if is_package else module.split(".")[:-1]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            found.append((node.lineno, base))
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names if alias.name != "*"]
    return sorted(found, key=lambda item: item[0])


def is_within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def offences(layer: str) -> list[str]:
    """``path:line: the import (the package it reaches)`` for each forbidden import in the layer's modules."""
    found = []
    for path in sorted((PACKAGE / layer).rglob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        reported = set()
        for line, module in imported_modules(path):
            banned = [p for p in FORBIDDEN[layer] if is_within(module, p)]
            if banned and line not in reported:
                reported.add(line)
                found.append(f"{path.relative_to(ROOT)}:{line}: {lines[line - 1].strip()}  "
                             f"({module}: hubfork.{layer} may not import {banned[0]})")
    return found


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_no_layer_imports_one_it_may_not(layer):
    assert (PACKAGE / layer).is_dir()
    found = offences(layer)
    assert not found, f"hubfork.{layer} imports what it may not:\n" + "\n".join(found)


def test_every_package_has_a_rule():
    """A new package under hubfork/ gets a place in the layers before it gets code."""
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert packages == set(FORBIDDEN) | {"cli"}


def test_the_reader_sees_every_kind_of_import():
    """What the rule relies on: top-level, in a function, under TYPE_CHECKING, ``from`` and relative."""
    source = (
        "from typing import TYPE_CHECKING\n"
        "import hubfork.models.convert\n"
        "if TYPE_CHECKING:\n"
        "    from hubfork.loading import text\n"
        "def f():\n"
        "    from ..models import _tf\n"
        "    from . import download\n"
        "    from hubfork import cli\n"
    )
    found = [(line, name) for line, name in imports_in(source, "hubfork.hub.example") if name.startswith("hubfork")]
    assert found == [
        (2, "hubfork.models.convert"),
        (4, "hubfork.loading"), (4, "hubfork.loading.text"),
        (6, "hubfork.models"), (6, "hubfork.models._tf"),
        (7, "hubfork.hub"), (7, "hubfork.hub.download"),
        (8, "hubfork"), (8, "hubfork.cli"),
    ]
    assert imports_in("from . import download\n", "hubfork.hub", is_package=True) == [
        (1, "hubfork.hub"), (1, "hubfork.hub.download")]
