"""``hubfork registry build`` and ``hubfork registry add-source``."""

from __future__ import annotations

import argparse
import sys
import time


def register(commands: argparse._SubParsersAction) -> None:
    registry = commands.add_parser("registry", help="build the registry index from cards")
    sub = registry.add_subparsers(dest="registry_command", metavar="COMMAND", required=True)
    build = sub.add_parser("build", help="write registry.yaml from a folder of cards",
                           description="Parse every card under CARDS_DIR and write the registry atomically; "
                           "nothing is written when a card has errors.")
    build.add_argument("cards_dir", nargs="?", default=None, metavar="CARDS_DIR",
                       help="folder of cards (default: cards/ beside the default registry)")
    build.add_argument("-o", "--output", metavar="FILE", help="registry file to write (default: registry.yaml "
                       "beside CARDS_DIR)")
    build.add_argument("-j", "--jobs", type=int, default=None, help="worker processes for parsing")
    build.add_argument("--skip-invalid", action="store_true",
                       help="leave cards with errors out (listing their errors) instead of writing nothing")
    build.add_argument("-v", "--verbose", action="store_true", help="list every warning")
    build.set_defaults(func=run_build)

    add = sub.add_parser("add-source", help="record where a TF Hub model now lives, in your own registry",
                         description="Write a card for HANDLE giving REPO_ID[@REV] as its source into "
                         "$HUBFORK_HOME/cards (default ~/.cache/hubfork/cards) and rebuild $HUBFORK_HOME/registry.yaml "
                         "atomically. That registry is layered over the shipped one: search, show, pull and install() "
                         "see both, your entries winning. A handle the shipped registry knows keeps its card, with "
                         "your source.")
    add.add_argument("handle", metavar="HANDLE", help="publisher/name/version, a tfhub.dev URL, or a Kaggle URL "
                     "the shipped registry matches")
    add.add_argument("repo", metavar="REPO_ID[@REV]", help="the hub repo that holds the model, e.g. org/bert@v1")
    add.add_argument("--endpoint", metavar="URL", help="the hub that holds it (default: $HF_ENDPOINT at fetch time)")
    add.set_defaults(func=run_add_source)


def run_build(args: argparse.Namespace) -> int:
    from pathlib import Path

    from hubfork.cli.output import print_problems
    from hubfork.registry.build import build_registry
    from hubfork.registry.store import default_registry_path

    cards_dir = Path(args.cards_dir) if args.cards_dir else default_registry_path().parent / "cards"
    started = time.perf_counter()
    result = build_registry(cards_dir, args.output, jobs=args.jobs, skip_invalid=args.skip_invalid)
    elapsed = time.perf_counter() - started
    print_problems(result.skipped, stream=sys.stderr)
    if args.verbose:
        print_problems(result.warnings, stream=sys.stderr)
    note = "" if args.verbose or not result.warnings else " (-v lists them)"
    skipped = len({p.path for p in result.skipped})
    left_out = f"; {skipped} cards with errors left out" if skipped else ""
    print(f"wrote {result.path}: {len(result.registry)} entries from {cards_dir} in {elapsed:.2f} s; "
          f"{len(result.warnings)} warnings{note}{left_out}", file=sys.stderr)
    return 0


def run_add_source(args: argparse.Namespace) -> int:
    from hubfork.cli.output import safe_text
    from hubfork.registry.user import add_source

    added = add_source(args.handle, args.repo, endpoint=args.endpoint)
    verb = "replaces the shipped entry" if added.replaces is not None else "new entry"
    print(safe_text(f"{added.handle} -> {args.repo.strip()} ({verb}); wrote {added.card} and {added.registry.path} "
                    f"({len(added.registry)} entries)"), file=sys.stderr)
    return 0
