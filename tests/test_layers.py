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
              "hubfork.cli", "hubfork.beam", "hubfork.site", "hubfork.scanning"),
    "registry": ("hubfork.hub", "hubfork.models", "hubfork.loading", "hubfork.publishing", "hubfork.cli",
                 "hubfork.beam", "hubfork.site", "hubfork.scanning"),
    "hub": ("hubfork.models", "hubfork.loading", "hubfork.publishing", "hubfork.cli", "hubfork.beam",
            "hubfork.site"),
    "models": ("hubfork.hub", "hubfork.loading", "hubfork.publishing", "hubfork.cli", "hubfork.beam",
               "hubfork.site"),
    "loading": ("hubfork.publishing", "hubfork.cli", "hubfork.beam", "hubfork.site"),
    # Beam's RunInference over load_text_model, above loading; nothing below it imports it (Apache Beam takes
    # a second to import and comes with the beam extra only).
    "beam": ("hubfork.publishing", "hubfork.cli", "hubfork.site"),
    # Publishing uses every layer below the command line: cards from models, pushes to hubs.
    "publishing": ("hubfork.cli", "hubfork.beam", "hubfork.site"),
    # The web catalogue renders cards and the registry: no hub, no TensorFlow, nothing that loads a model.
    "site": ("hubfork.hub", "hubfork.models", "hubfork.loading", "hubfork.publishing", "hubfork.cli",
             "hubfork.scanning", "hubfork.beam"),
    # The scanner reads protobufs only: no TensorFlow, no names, nothing it is meant to guard.
    "scanning": ("hubfork.cards", "hubfork.registry", "hubfork.hub", "hubfork.models", "hubfork.loading",
                 "hubfork.publishing", "hubfork.cli", "hubfork.beam", "hubfork.site"),
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


# ------------------------------------------------------------------------------------------ cycles


def module_files() -> dict[str, Path]:
    """Every hubfork module, by dotted name."""
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def import_graph() -> dict[str, set[str]]:
    """Module -> the hubfork modules it imports anywhere (top level, in a function, under
    ``TYPE_CHECKING``). ``from package import name`` is an edge to the submodule when ``name`` is one,
    else to the package's ``__init__``: that is the module whose code the import runs for that name."""
    files = module_files()
    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        found = imported_modules(path)
        names = {name for _, name in found}
        edges = set()
        for name in names:
            if name not in files:
                continue
            children = {other for other in names if other.startswith(name + ".") and other in files}
            # ``from hubfork.hub import download`` lists both; the package stands for itself only when
            # something other than a submodule is taken from it.
            if children and not _takes_a_name_from(path, name, files):
                continue
            if name != module:
                edges.add(name)
        graph[module] = edges
    return graph


def _takes_a_name_from(path: Path, package: str, files: dict[str, Path]) -> bool:
    """Whether the file imports ``package`` itself, or a name from it that is not a submodule."""
    module = module_name(path)
    is_package = path.name == "__init__.py"
    parts = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import) and any(alias.name == package for alias in node.names):
            return True
        if isinstance(node, ast.ImportFrom):
            base = (".".join(parts[: len(parts) - node.level + 1] + ([node.module] if node.module else []))
                    if node.level else node.module or "")
            if base == package and any(f"{base}.{alias.name}" not in files for alias in node.names):
                return True
    return False


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted; and a module
    importing itself."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(start: str) -> None:
        # Iterative, so a deep chain of imports cannot reach Python's recursion limit.
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def test_no_import_cycle_at_any_depth():
    """No module reaches itself through imports, counting imports inside functions and under
    ``TYPE_CHECKING`` (the package root's lazy exports are listed there, so a module taking a name
    from ``hubfork`` itself would close a loop through it)."""
    graph = import_graph()
    found = cycles(graph)
    assert not found, "import cycles (each a set of modules that reach each other):\n" + "\n".join(
        " <-> ".join(component) for component in found)


def test_the_cycle_finder_finds_cycles_of_any_length():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
    chain = {f"m{i}": {f"m{i + 1}"} for i in range(5000)}
    chain["m5000"] = {"m0"}
    assert len(cycles(chain)[0]) == 5001


def test_the_graph_sees_a_name_taken_from_a_package_root():
    """``from hubfork import __version__`` is an edge to the root; ``from hubfork import errors`` is an
    edge to the submodule only."""
    graph = import_graph()
    assert "hubfork" not in graph["hubfork.hub.download"]
    assert "hubfork.errors" in graph["hubfork.hub.download"]
    # The root's lazy exports are edges (under TYPE_CHECKING), so the root reaches the loaders.
    assert "hubfork.loading.text" in graph["hubfork"]


#: The one import named by a string and made at run time: the embedded hub (``hubfork.hub``) builds its
#: models with a converter that needs TensorFlow, which lives above it in ``hubfork.loading``; the
#: table names the builder so that the hub layer never imports upwards (see docs/index.md, "Layers").
RUN_TIME_EDGES = {("hubfork.hub.embedded", "hubfork.loading.embedded")}


def test_the_only_import_by_name_is_the_embedded_hubs_builder():
    from hubfork.hub.embedded import EMBEDDED_REPOS

    named = {("hubfork.hub.embedded", repo.build.split(":")[0]) for repo in EMBEDDED_REPOS}
    assert named == RUN_TIME_EDGES
    # Nothing else in hubfork imports by a computed name.
    callers = sorted(str(path.relative_to(ROOT)) for path in PACKAGE.rglob("*.py")
                     if "import_module(" in path.read_text(encoding="utf-8"))
    assert callers == ["hubfork/_lazy.py", "hubfork/hub/embedded.py"]


def test_docs_index_states_the_rules_this_test_enforces():
    """docs/index.md's table of the layers is this file's `FORBIDDEN`, row for row."""
    import re

    text = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\s*\| `(\w+)` \| ([a-z, ]+) \|$", text, flags=re.M))
    assert {layer: set(banned.split(", ")) for layer, banned in rows.items()} == {
        layer: {name.removeprefix("hubfork.") for name in banned} for layer, banned in FORBIDDEN.items()}
