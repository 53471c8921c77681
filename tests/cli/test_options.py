"""hubfork/cli/options.py: every option several commands share has one declaration and one help text,
every whole-number option one type and one message, and served addresses come from hubfork.constants."""

from __future__ import annotations

import argparse
import re

import pytest

from hubfork.cli.main import build_parser, main
from hubfork.cli.options import positive_int, whole_number
from hubfork.constants import DEFAULT_HF_ENDPOINT, LOCAL_HUB_HOST, LOCAL_HUB_PORT, SITE_HOST, SITE_PORT
from tests.conftest import ROOT

#: Options with one meaning wherever they appear, and the commands that take each (at least these).
SHARED = {
    "--registry": {"search", "show", "list", "pull", "cache verify", "cards validate", "registry site",
                   "registry serve", "embed", "fill-mask", "similarity", "embed-corpus"},
    "--trust": {"pull", "hub add", "cards validate", "cards new", "inspect", "publish", "embed", "embed-corpus"},
    "--revision": {"pull", "cache verify", "embed", "embed-corpus"},
    "--offline": {"pull", "cache verify", "similarity", "embed-corpus"},
    "--cache-dir": {"pull", "cache verify", "fill-mask", "embed-corpus"},
    "--endpoint": {"pull", "cache verify", "registry add-source", "embed", "embed-corpus"},
    "--device": {"embed", "fill-mask", "similarity", "embed-corpus"},
    "--batch-size": {"embed", "fill-mask", "similarity", "embed-corpus"},
    "--normalize": {"embed", "embed-corpus"},
    "--no-run": {"cards validate", "publish"},
    "--tag": {"hub add", "publish"},
    "--message": {"hub add", "publish"},
    "--repo-id": {"hub add", "publish"},
}
#: The same name for another option: publish writes to the registry it names and pushes to the hub it names.
OTHER_MEANING = {("publish", "--registry"), ("publish", "--endpoint"),
                 # What the card being written states, not what embedding applies.
                 ("cards new", "--normalize")}


def every_option() -> dict[str, dict[str, argparse.Action]]:
    """option string -> {command: its action} over every command of the parser."""
    found: dict[str, dict[str, argparse.Action]] = {}

    def walk(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    if sub.prog.split()[-1] == name:  # an alias names the same parser again
                        walk(sub, (*path, name))
            for option in action.option_strings:
                found.setdefault(option, {})[" ".join(path)] = action

    walk(build_parser(), ())
    return found


def test_a_shared_option_has_one_help_text_everywhere():
    options = every_option()
    for option, commands in SHARED.items():
        takers = {command: action for command, action in options[option].items()
                  if (command, option) not in OTHER_MEANING}
        assert commands <= set(takers), (option, sorted(commands - set(takers)))
        helps = {action.help for action in takers.values()}
        assert len(helps) == 1, f"{option} has {len(helps)} help texts: {sorted(helps)}"
        assert len({(action.dest, action.metavar, type(action)) for action in takers.values()}) == 1, option


def test_every_json_option_says_what_it_prints_the_same_way():
    helps = {command: action.help for command, action in every_option()["--json"].items()}
    assert {"search", "pull", "hub add", "hub list", "hub embedded", "cache verify", "scan", "embed"} <= set(helps)
    assert all(re.fullmatch(r"print .+ as JSON", text) for text in helps.values()), helps


@pytest.mark.parametrize("text, number", [("1", 1), ("64", 64), (" 7 ", 7), ("0", None), ("-3", None),
                                          ("x", None), ("", None), ("2.5", None)])
def test_whole_number(text, number):
    assert whole_number(text) == number
    if number is None:
        with pytest.raises(argparse.ArgumentTypeError, match=f"expected a whole number of at least 1, not {text!r}"):
            positive_int(text)
    else:
        assert positive_int(text) == number


@pytest.mark.parametrize("argv, option", [
    (["search", "bert", "--limit", "0"], "--per-page/--limit"),
    (["search", "bert", "--page", "-1"], "--page"),
    (["fill-mask", "--model", "m", "--top-k", "0", "a [MASK]"], "--top-k"),
    (["embed", "--model", "m", "--batch-size", "x", "a"], "--batch-size"),
    (["similarity", "--model", "m", "--seq-length", "0", "a", "b"], "--seq-length"),
    (["embed-corpus", "in/*.txt", "-o", "out", "--model", "m", "--num-shards", "-2"], "--num-shards"),
])
def test_every_whole_number_option_refuses_alike(argv, option, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    value = argv[argv.index(option.split("/")[-1]) + 1]
    assert f"argument {option}: expected a whole number of at least 1, not {value!r}" in capsys.readouterr().err


def test_served_addresses_come_from_the_constants():
    from hubfork.hub import local_hub
    from hubfork.site import serve

    init = build_parser().parse_args(["hub", "init", "somewhere"])
    assert (init.host, init.port) == (LOCAL_HUB_HOST, LOCAL_HUB_PORT) == (local_hub.DEFAULT_HOST,
                                                                         local_hub.DEFAULT_PORT)
    assert (serve.HOST, serve.DEFAULT_PORT) == (SITE_HOST, SITE_PORT)
    options = every_option()
    assert f"(default: {SITE_PORT})" in options["--port"]["registry serve"].help
    assert f"(default: {LOCAL_HUB_PORT})" in options["--port"]["hub init"].help
    # No command module spells an address or port the constants hold.
    literals = [f"{path.name}: {value}" for path in sorted((ROOT / "hubfork" / "cli").glob("*.py"))
                for value in (LOCAL_HUB_HOST, str(LOCAL_HUB_PORT), str(SITE_PORT), DEFAULT_HF_ENDPOINT)
                if value in path.read_text(encoding="utf-8")]
    assert literals == []
