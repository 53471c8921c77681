"""The lanes every test is put in (tests/fixtures/lanes.py): from fixtures, helpers, imports and folders."""

from __future__ import annotations

import pytest

from tests.fixtures import lanes
from tests.fixtures.lanes import TESTS, imports_tensorflow, top_level_imports, whole_lanes


def test_a_module_importing_tensorflow_at_its_top_is_tf_throughout(tmp_path):
    direct = TESTS / "test_keras3.py"  # `tf = _tf.tensorflow()` at its top
    assert imports_tensorflow(direct) and {"tf", "slow"} <= whole_lanes(direct)
    through = TESTS / "scanning" / "test_crafted.py"  # through tests/fixtures/crafted.py
    assert imports_tensorflow(through)
    inside = TESTS / "cli" / "test_browse.py"
    assert not imports_tensorflow(inside) and whole_lanes(inside) == set()


def test_folders_and_fixture_modules_give_their_lanes():
    assert whole_lanes(TESTS / "models") == {"tf", "slow"}
    assert "tests.fixtures.hostile_hub" in top_level_imports(TESTS / "hub" / "test_hostile_hub.py")
    assert whole_lanes(TESTS / "hub" / "test_hostile_hub.py") == {"emulator", "slow"}


def test_helpers_named_in_a_test_give_their_lanes():
    # A test module calling the helper it imported, nested in a function as a test's code is.
    module = compile("def test_it():\n    def inner():\n        return run_cli('list')\n    return inner()\n",
                     "test_it.py", "exec")
    assert "run_cli" in lanes.names_in(module)
    assert lanes.CALL_MARKS["run_cli"] == ("subprocess",)


@pytest.mark.parametrize("expression, skipped", [("not slow", True), ("not tf", True), ("slow", False),
                                                 ("emulator", False), ("tf and not emulator", False),
                                                 ("", False)])
def test_a_folder_is_left_unimported_only_when_none_of_its_tests_could_run(pytestconfig, monkeypatch, expression,
                                                                             skipped):
    """tests/models is tf and slow throughout, and a test there may be in other lanes too (an emulator's):
    the folder is skipped unimported only when no combination of lanes could select one of its tests."""
    monkeypatch.setattr(pytestconfig.option, "markexpr", expression)
    assert bool(lanes.pytest_ignore_collect(TESTS / "models", pytestconfig)) is skipped


def test_every_test_here_has_the_lanes_of_its_fixtures(request):
    assert not request.node.get_closest_marker("tf")
    assert request.node.get_closest_marker("slow") is None
