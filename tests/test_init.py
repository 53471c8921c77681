"""The public API: every lazily exported name resolves to what its table says, the
static imports for type checkers list the same names, hubfork re-exports every
error, and its entry points document what they raise."""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest

import hubfork
from hubfork import errors

PACKAGE = Path(hubfork.__file__).parent
# Every package whose __init__ serves names lazily (`hubfork._lazy.attach`).
LAZY_PACKAGES = sorted(
    ".".join(("hubfork", *path.parent.relative_to(PACKAGE).parts))
    for path in PACKAGE.rglob("__init__.py") if "attach(" in path.read_text(encoding="utf-8"))
# Entry points: they take what a user types and must say what they raise.
ENTRY_POINTS = ("load_text_model", "pull_from_hub", "snapshot_download", "fetch", "verify_cache", "resolve", "convert",
                "build_registry", "load_registry", "parse_card", "parse_cards", "scan", "inspect_model",
                "push_to_hub", "write_card")


def test_the_lazy_packages_are_found():
    assert {"hubfork", "hubfork.hub", "hubfork.loading"} <= set(LAZY_PACKAGES)


@pytest.mark.parametrize("package", LAZY_PACKAGES)
def test_every_lazy_export_resolves_to_its_module(package):
    module = importlib.import_module(package)
    assert module._EXPORTS, package
    for name, source in module._EXPORTS.items():
        value = getattr(module, name)
        assert value is getattr(importlib.import_module(source), name), f"{package}.{name}"
        assert getattr(value, "__module__", source) == source, f"{package}.{name} is defined in {value.__module__}"
        assert name in module.__all__ and name in dir(module)
    assert set(module.__all__) <= set(module._EXPORTS) | {n for n in vars(module) if not n.startswith("_")}
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        getattr(module, "no_such_name")


def _static_imports(package: str) -> dict[str, str]:
    """name -> module of the imports under ``if TYPE_CHECKING:`` (a star import of hubfork.errors
    stands for its ``__all__``)."""
    path = PACKAGE.joinpath(*package.split(".")[1:], "__init__.py")
    found: dict[str, str] = {}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for statement in node.body:
                assert isinstance(statement, ast.ImportFrom), ast.dump(statement)
                for alias in statement.names:
                    names = importlib.import_module(statement.module).__all__ if alias.name == "*" else [alias.name]
                    found.update(dict.fromkeys(names, statement.module))
    return found


@pytest.mark.parametrize("package", LAZY_PACKAGES)
def test_type_checkers_see_the_same_exports(package):
    exports = importlib.import_module(package)._EXPORTS
    static = _static_imports(package)
    # Every export is visible to type checkers, imported from where it is defined...
    assert {name: source for name, source in static.items() if name in exports} == exports
    # ...and nothing else is, but errors a star import of hubfork.errors brings along.
    assert set(static) - set(exports) <= set(errors.__all__)


def test_hubfork_reexports_every_error():
    for name in errors.__all__:
        assert name in hubfork.__all__
        assert getattr(hubfork, name) is getattr(errors, name)


def test_the_hub_reexports_every_hub_error():
    import hubfork.hub

    hub_errors = {name for name in errors.__all__ if issubclass(getattr(errors, name), errors.HubError)}
    assert hub_errors <= set(hubfork.hub.__all__)


@pytest.mark.parametrize("name", ENTRY_POINTS)
def test_entry_points_are_typed_and_say_what_they_raise(name):
    function = getattr(hubfork, name)
    doc = inspect.getdoc(function) or ""
    assert doc and "Raises:" in doc, f"hubfork.{name} has no Raises: section"
    assert "return" in function.__annotations__, f"hubfork.{name} has no return type"


def test_every_public_name_is_documented():
    undocumented = [name for name in hubfork.__all__
                    if (inspect.isfunction(getattr(hubfork, name)) or inspect.isclass(getattr(hubfork, name)))
                    and not inspect.getdoc(getattr(hubfork, name))]
    assert undocumented == []
