"""``hubfork cards parse`` and ``hubfork cards validate``."""

from __future__ import annotations

import argparse
import sys


def register(commands: argparse._SubParsersAction) -> None:
    cards = commands.add_parser("cards", help="read and check model cards")
    sub = cards.add_subparsers(dest="cards_command", metavar="COMMAND", required=True)

    parse = sub.add_parser("parse", help="parse cards and print what they say",
                           description="Parse model cards (files, or folders searched for *.md).")
    parse.add_argument("paths", nargs="+", metavar="PATH")
    parse.add_argument("--json", action="store_true", help="print a JSON array, one object per card")
    parse.set_defaults(func=run_parse)

    validate = sub.add_parser("validate", help="check cards; exit 1 when any has errors",
                              description="Check model cards. Prints each problem as PATH:LINE: severity: message "
                              "and exits 0 when no card has errors, 1 otherwise.")
    validate.add_argument("paths", nargs="+", metavar="PATH")
    validate.add_argument("--strict", action="store_true", help="treat warnings as errors")
    validate.add_argument("-q", "--quiet", action="store_true", help="print errors only, not warnings")
    validate.set_defaults(func=run_validate)


def run_parse(args: argparse.Namespace) -> int:
    from hubfork.cards.parser import parse_cards
    from hubfork.cli.output import print_json, print_problems, print_table, text

    cards = parse_cards(args.paths)
    if not cards:
        print("hubfork: no cards found (looked for *.md)", file=sys.stderr)
        return 1
    print_problems((p for card in cards for p in card.problems), stream=sys.stderr)
    identified = [card for card in cards if card.handle is not None]
    if args.json:
        print_json([card.to_dict() for card in identified])
    else:
        print_table(
            None,
            ["Handle", "Kind", "Size", "Casing", "API", "MLM", "Preprocessor"],
            (
                [card.handle, card.kind, card.architecture.label if card.architecture else "", text(card.casing),
                 text(card.api), text(card.mlm), text(card.preprocessor)]
                for card in identified
            ),
        )
    return 1 if any(card.errors for card in cards) else 0


def run_validate(args: argparse.Namespace) -> int:
    from hubfork.cards.parser import parse_cards
    from hubfork.cli.output import print_problems

    cards = parse_cards(args.paths)
    if not cards:
        print("hubfork: no cards found (looked for *.md)", file=sys.stderr)
        return 1
    errors = [p for card in cards for p in card.errors]
    warnings = [p for card in cards for p in card.warnings]
    shown = [p for card in cards for p in card.problems if not (args.quiet and p.severity == "warning")]
    print_problems(shown)
    failed = errors or (args.strict and warnings)
    bad = sum(1 for card in cards if card.errors)
    print(f"{len(cards)} cards: {bad} with errors, {len(errors)} errors, {len(warnings)} warnings",
          file=sys.stderr)
    return 1 if failed else 0
