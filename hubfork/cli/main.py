"""The ``hubfork`` command: argument parsing and dispatch.

Each command module registers its own subcommands and imports what it needs
inside its handler, so that browsing the registry starts fast.
"""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from hubfork.cli import (
    browse,
    cache_cmd,
    cards_cmd,
    convert_cmd,
    corpus_cmd,
    hub_cmd,
    inspect_cmd,
    publish_cmd,
    pull_cmd,
    registry_cmd,
    scan_cmd,
    text_cmd,
)


class _Commands(argparse._SubParsersAction):
    """Subcommands whose help and errors name the command as typed: argparse builds a command's `prog`
    (and its own subcommands') from its first name, so ``hubfork card new --help`` would say
    ``usage: hubfork cards new``."""

    def __call__(self, parser, namespace, values, option_string=None):
        chosen = self._name_parser_map.get(values[0]) if values else None
        if chosen is not None:
            _rename(chosen, chosen.prog, f"{self._prog_prefix} {values[0]}")
        super().__call__(parser, namespace, values, option_string)


def _rename(parser: argparse.ArgumentParser, old: str, new: str) -> None:
    """Replace the leading `old` of the progs of `parser` and of every subcommand below it with `new`."""
    parser.prog = new + parser.prog[len(old):] if parser.prog.startswith(old) else parser.prog
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            action._prog_prefix = new + action._prog_prefix[len(old):]
            for child in dict.fromkeys(action._name_parser_map.values()):
                _rename(child, old, new)


class _Parser(argparse.ArgumentParser):
    # Every parser of the command line, subcommands' too (argparse makes them of the parent's class),
    # takes its subcommands with `_Commands`.
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.register("action", "parsers", _Commands)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="hubfork",
        description="TF Hub-style models from tfhub.dev, Kaggle Models, Hugging Face-style hubs and local hubs: "
        "a registry to search, one cache, a scan before anything runs, one loader.",
    )
    parser.add_argument("--version", action=_VersionAction, nargs=0, help="print hubfork's version and exit")
    # Its own dest: `registry build -v` has a `verbose` of its own, and a subcommand's defaults
    # overwrite the main parser's values of the same name.
    parser.add_argument("-v", "--verbose", dest="runtime_logs", action="store_true",
                        help="let TensorFlow's own start-up and INFO/WARNING logging through to stderr")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in (browse, cards_cmd, registry_cmd, convert_cmd, pull_cmd, cache_cmd, hub_cmd, scan_cmd, inspect_cmd,
                   publish_cmd, text_cmd, corpus_cmd):
        module.register(commands)
    return parser


class _VersionAction(argparse.Action):
    # Reading package metadata costs milliseconds every run; only do it when asked.
    def __call__(self, parser, namespace, values, option_string=None):
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("hubfork")
        except PackageNotFoundError:
            number = "unknown"
        parser.exit(message=f"hubfork {number}\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status (0 ok, 1 failure, 2 usage error)."""
    from hubfork.errors import HubforkError

    _replace_unprintable()
    args = build_parser().parse_args(argv)
    from hubfork.models._tf import keep_quiet, let_speak

    if args.runtime_logs:
        let_speak()
    else:
        keep_quiet()
    try:
        return args.func(args)
    except HubforkError as exc:
        from hubfork.cli.output import safe_text

        print(f"hubfork: error: {safe_text(str(exc))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("hubfork: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `hubfork list | head`); that is not an error.
        sys.stderr.close()
        return 0


def _replace_unprintable() -> None:
    # A terminal or PYTHONIOENCODING that cannot show some text (a card's "…" in ASCII) gets it as
    # \u2026-style escapes instead of a UnicodeEncodeError halfway through the output.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
