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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
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
    if not args.runtime_logs:
        from hubfork.models._tf import keep_quiet

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
