"""scripts/gen_docs.py: docs/cli.md's command reference is what the parser says and docs/environment.md
what hubfork.constants.ENVIRONMENT says; each test that fails here names the command that fixes it."""

from __future__ import annotations

import argparse
import ast
import re
import subprocess
import sys

import pytest

from hubfork import constants
from hubfork.cli.main import build_parser
from tests.conftest import ROOT
from tests.fixtures.scripts import load_script

SCRIPT = ROOT / "scripts" / "gen_docs.py"
#: Shaped like environment variables, but not read from the environment: a JavaScript global of the
#: site, and the names of two patterns.
NOT_VARIABLES = {"HUBFORK_INDEX", "TFHUB_FOLDER", "TFHUB_HANDLE"}
VARIABLE_SHAPED = re.compile(r"(HUBFORK|HF|HUGGINGFACE|KAGGLE|TFHUB|TF|XDG|TRANSFORMERS)_[A-Z0-9_]+|COLUMNS")


@pytest.fixture(scope="module")
def gen_docs():
    return load_script(SCRIPT)


@pytest.mark.parametrize("page", ["cli.md", "environment.md"])
def test_the_page_is_what_the_script_writes(gen_docs, page):
    path = ROOT / "docs" / page
    expected = gen_docs.pages()[path]
    assert path.read_text(encoding="utf-8") == expected, (
        f"docs/{page} is out of date: run `{gen_docs.COMMAND}` and commit the result")


def test_the_reference_has_every_command_and_every_option(gen_docs):
    reference = gen_docs.command_reference(build_parser())
    sections = dict(re.findall(r"^### `([^`]+)`\n(.*?)(?=^### |\Z)", reference, re.M | re.S))
    for command, aliases, _ in gen_docs.commands(build_parser()):
        section = sections[command.prog]
        for action in command._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            for option in action.option_strings:
                assert f"`{option}" in section or f", {option}" in section, (command.prog, option)
            if action.help and not isinstance(action, argparse._SubParsersAction):
                shown = gen_docs._formatter(command)._expand_help(action)
                assert gen_docs.prose(shown) in section, (command.prog, shown)
        if command.description:
            assert gen_docs.prose(command.description) in section
        if command.epilog:
            assert gen_docs.prose(command.epilog) in section
    # What the hand-written page lacked.
    assert "hubfork hub embedded" in sections
    for option in ("--include", "--exclude", "--source", "--verify", "--cache-dir", "--endpoint", "--registry"):
        assert re.search(f"`{option}[ `]", sections["hubfork pull"]), option
    assert "`--trust`" in sections["hubfork hub add"] and "`--json`" in sections["hubfork hub add"]
    assert "Also `hubfork card`." in sections["hubfork cards"]


def test_the_reference_shows_text_as_written(gen_docs):
    assert gen_docs.prose("searched for *.md; id '<file>:<line>'; yes|no") == (
        "searched for \\*.md; id '&lt;file>:&lt;line>'; yes\\|no")
    assert gen_docs.prose("run `hubfork hub serve <DIR>`, *then*") == "run `hubfork hub serve <DIR>`, \\*then\\*"
    assert gen_docs.code("--fine-tunable [yes|no]") == "`--fine-tunable [yes\\|no]`"
    assert gen_docs.anchor("hubfork registry add-source") == "hubfork-registry-add-source"


def test_the_prose_around_the_markers_is_kept(gen_docs):
    begin, end = gen_docs.BEGIN, gen_docs.END
    page = f"# Title\n\nIntro.\n\n{begin}\n\nold\n{end}\n\n## After\n\nKept.\n"
    assert gen_docs.splice(page, "new\n", "Title") == (
        f"# Title\n\nIntro.\n\n{begin}\n\nnew\n\n{end}\n\n## After\n\nKept.\n")
    assert gen_docs.splice("# Title\n\nIntro.\n", "new\n", "Title") == (
        f"# Title\n\nIntro.\n\n{begin}\n\nnew\n\n{end}\n")
    assert gen_docs.splice(None, "new\n", "Title") == f"# Title\n\n{begin}\n\nnew\n\n{end}\n"


def test_check_names_each_stale_page_and_writing_fixes_it(gen_docs, tmp_path, monkeypatch, capsys):
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ("cli.md", "environment.md"):
        (docs / name).write_text((ROOT / "docs" / name).read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(gen_docs, "ROOT", tmp_path)
    monkeypatch.setattr(gen_docs, "CLI_PAGE", docs / "cli.md")
    monkeypatch.setattr(gen_docs, "ENVIRONMENT_PAGE", docs / "environment.md")
    assert gen_docs.main(["--check"]) == 0
    (docs / "environment.md").write_text("# Environment variables\n\nHand-written.\n", encoding="utf-8")
    capsys.readouterr()
    assert gen_docs.main(["--check"]) == 1
    assert capsys.readouterr().err == "docs/environment.md is out of date: run `python scripts/gen_docs.py`\n"
    assert gen_docs.main([]) == 0
    written = (docs / "environment.md").read_text(encoding="utf-8")
    assert written.startswith("# Environment variables\n\nHand-written.\n\n" + gen_docs.BEGIN)
    assert gen_docs.main(["--check"]) == 0


def test_the_script_imports_no_tensorflow(tripwire):
    result = subprocess.run([sys.executable, str(SCRIPT), "--check"], cwd=ROOT, capture_output=True, text=True,
                            env={"PYTHONPATH": str(tripwire), "PATH": ""}, timeout=120)
    assert "TRIPWIRE" not in result.stderr
    assert result.returncode == 0, result.stderr


# ------------------------------------------------------------------ the environment


def test_every_variable_constant_is_in_the_table():
    names = [variable.name for variable in constants.ENVIRONMENT]
    assert len(names) == len(set(names))
    declared = {value for key, value in vars(constants).items() if key.startswith("ENV_")}
    assert declared <= set(names), sorted(declared - set(names))
    assert all(variable.meaning and variable.default for variable in constants.ENVIRONMENT)


def test_every_variable_hubfork_reads_is_in_the_table():
    documented = {variable.name for variable in constants.ENVIRONMENT}
    read: dict[str, str] = {}
    for path in sorted((ROOT / "hubfork").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and VARIABLE_SHAPED.fullmatch(node.value):
                read.setdefault(node.value, str(path.relative_to(ROOT)))
    missing = {name: where for name, where in read.items() if name not in documented | NOT_VARIABLES}
    assert not missing, f"add these to hubfork.constants.ENVIRONMENT and run `python scripts/gen_docs.py`: {missing}"


def test_the_environment_page_gives_defaults_from_the_constants(gen_docs):
    page = gen_docs.environment_reference(constants.ENVIRONMENT)
    own, others = page.split("## Read from the tools hubfork works with")
    assert "### `HUBFORK_ARCHIVE_MAX_BYTES`" in own and f"- Default: {constants.ARCHIVE_MAX_BYTES} (64 GiB)" in own
    assert "### `HF_ENDPOINT`" in others and f"- Default: {constants.DEFAULT_HF_ENDPOINT}" in others
    assert f"a whole number from 1 to {constants.HF_MAX_TIMEOUT}" in others
    assert all(name.startswith("HUBFORK_") for name in re.findall(r"^### `([^`]+)`", own, re.M))
