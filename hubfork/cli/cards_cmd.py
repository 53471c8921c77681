"""``hubfork cards parse``, ``hubfork cards validate`` and ``hubfork card new`` (``card`` is ``cards``)."""

from __future__ import annotations

import argparse
import sys

from hubfork._progress import HELP_NOTE
from hubfork.cli.options import add_json, add_no_run, add_registry, add_stated_embedding, add_trust


def register(commands: argparse._SubParsersAction) -> None:
    cards = commands.add_parser("cards", aliases=["card"], help="read, check and write model cards")
    sub = cards.add_subparsers(dest="cards_command", metavar="COMMAND", required=True)

    parse = sub.add_parser("parse", help="parse cards and print what they say",
                           description="Parse model cards (files, or folders searched for *.md).",
                           epilog="A card's JSON object holds handle, kind, family, publisher, name, version, "
                           "description, metadata, architecture, casing, preprocessor, api, mlm, fine_tunable, "
                           "languages, tasks, format, parent_model, icon_url, sources, source (the card file), "
                           "sections, code_blocks, code_handles, changelog and problems. Problems go to stderr; "
                           "exit 1 when any card has errors.")
    _card_paths(parse)
    add_json(parse, "an array of cards, one object each")
    parse.set_defaults(func=run_parse)

    validate = sub.add_parser("validate", help="check cards; exit 1 when any has errors",
                              description="Check model cards. Prints each problem as PATH:LINE: severity: message "
                              "and exits 0 when no card has errors, 1 otherwise.",
                              epilog="With --model, the card's facts are checked against the SavedModel, its "
                              "companion preprocessor (looked up in --registry) and one batch run through it "
                              f"(docs/publishing.md); with --trust, scan findings are warnings. {HELP_NOTE}")
    _card_paths(validate)
    validate.add_argument("--strict", action="store_true", help="treat warnings as errors")
    validate.add_argument("-q", "--quiet", action="store_true", help="print errors only, not warnings")
    validate.add_argument("--model", metavar="MODEL_DIR",
                          help="also check that the card (one PATH) says what this SavedModel is: its size, casing, "
                          "API, .mlm, format and companion preprocessor; then run one batch through it")
    add_no_run(validate)
    add_trust(validate)
    add_registry(validate)
    validate.set_defaults(func=run_validate)

    new = sub.add_parser("new", help="write a card for a SavedModel, from the model itself",
                         description="Write a model card for the SavedModel in MODEL_DIR: every fact it states "
                         "(size, casing, API, .mlm, inputs and outputs) is read from the model. Prints the card, "
                         "or writes it with -o. With --card, your card is kept and completed; a fact it states that "
                         "the model contradicts is an error and nothing is written.",
                         epilog="The card's keys and what each says: docs/publishing.md.")
    new.add_argument("model", metavar="MODEL_DIR", help="the SavedModel folder")
    new.add_argument("--handle", required=True, metavar="PUBLISHER/NAME/VERSION", help="the handle it is published as")
    add_card_options(new)
    new.add_argument("--hub-repo", metavar="ORG/NAME[@REVISION]", help="where the model can be fetched")
    new.add_argument("--hub-endpoint", metavar="URL", help="the hub holding --hub-repo, when not the default")
    new.add_argument("--base-model", metavar="REPO_ID", help="Hugging Face base_model")
    add_stated_embedding(new)
    new.add_argument("--card", metavar="FILE", help="your own card, to keep and complete")
    new.add_argument("-o", "--output", metavar="FILE", help="write the card here instead of printing it")
    new.add_argument("--force", action="store_true", help="with -o: replace an existing file")
    add_trust(new)
    new.set_defaults(func=run_new)


def _card_paths(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="card files, or folders searched for *.md")


def add_card_options(parser: argparse.ArgumentParser) -> None:
    """The options of a card written from a model, shared by ``card new`` and ``publish``."""
    parser.add_argument("--format", dest="card_format", choices=("tfhub", "huggingface"), default=None,
                        help="tfhub.dev markdown or a Hugging Face README (default: --card's format, else tfhub)")
    parser.add_argument("--preprocessor", metavar="HANDLE", help="the encoder's companion preprocessor")
    parser.add_argument("--license", metavar="ID", help="license id, e.g. apache-2.0")
    parser.add_argument("--language", metavar="CODE", help="language code(s), e.g. en or en,de")
    parser.add_argument("--description", metavar="TEXT", help="the one-line description")


def run_parse(args: argparse.Namespace) -> int:
    from hubfork.cards.parser import parse_cards
    from hubfork.cards.schema import BY_NAME
    from hubfork.cli.output import print_json, print_problems, print_table

    cards = parse_cards(args.paths)
    if not cards:
        print("hubfork: no cards found (looked for *.md)", file=sys.stderr)
        return 1
    print_problems((p for card in cards for p in card.problems), stream=sys.stderr)
    identified = [card for card in cards if card.handle is not None]
    if args.json:
        print_json([card.to_dict() for card in identified])
    else:
        columns = [BY_NAME[name] for name in ("handle", "kind", "architecture", "casing", "api", "mlm", "preprocessor")]
        print_table(None, [fact.label for fact in columns],
                    ([fact.cell(card) for fact in columns] for card in identified))
    return 1 if any(card.errors for card in cards) else 0


def run_validate(args: argparse.Namespace) -> int:
    from hubfork.cards.parser import parse_cards
    from hubfork.cli.output import print_problems

    if args.model is not None:
        return _validate_against_model(args)
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
    hidden = " (not listed: without --quiet, each is)" if args.quiet and warnings else ""
    print(f"{len(cards)} cards: {bad} with errors, {len(errors)} errors, {len(warnings)} warnings{hidden}",
          file=sys.stderr)
    return 1 if failed else 0


def _validate_against_model(args: argparse.Namespace) -> int:
    from hubfork._progress import Progress
    from hubfork.cli.output import print_problems
    from hubfork.publishing.model_checks import check_card_against_model

    if len(args.paths) != 1:
        print(f"hubfork: error: --model checks one card against the model; {len(args.paths)} given", file=sys.stderr)
        return 2
    # Inspecting and running the model imports TensorFlow; only here.
    with Progress("cards validate") as progress:
        problems = check_card_against_model(args.paths[0], args.model, registry=args.registry, run=args.run,
                                            trust=args.trust, progress=progress.step)
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity == "warning"]
    print_problems(p for p in problems if not (args.quiet and p.severity == "warning"))
    print(f"{args.paths[0]} against {args.model}: {len(errors)} errors, {len(warnings)} warnings", file=sys.stderr)
    return 1 if errors or (args.strict and warnings) else 0


def run_new(args: argparse.Namespace) -> int:
    from pathlib import Path

    from hubfork._files import atomic_write_text
    from hubfork.cli.output import print_problems
    from hubfork.handles import is_tfhub_handle
    from hubfork.publishing.card_writer import check_values

    if not is_tfhub_handle(args.handle):
        print(f"hubfork: error: --handle {args.handle!r} is not a TF Hub handle PUBLISHER/NAME/VERSION "
              "(e.g. my-org/bert_en_uncased_L-2_H-128_A-2/1)", file=sys.stderr)
        return 2
    # Before the model is inspected (seconds, with TensorFlow): a value no card can hold fails at once.
    check_values(preprocessor=args.preprocessor, license=args.license, language=args.language,
                 hub_repo=args.hub_repo, hub_endpoint=args.hub_endpoint, description=args.description,
                 base_model=args.base_model)
    if args.output and Path(args.output).exists() and not args.force:
        print(f"hubfork: error: {args.output} exists; pass --force to replace it", file=sys.stderr)
        return 1
    existing = _read_card(args.card) if args.card else None
    if args.card and existing is None:
        return 1
    draft = _draft(args, existing)
    print_problems(draft.conflicts, stream=sys.stderr)
    if not draft.ok:
        print(f"hubfork: error: the card contradicts the model in {args.model}; nothing written", file=sys.stderr)
        return 1
    if args.output:
        atomic_write_text(args.output, draft.text)
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(draft.text)
    return 0


def _read_card(path: str) -> str | None:
    from hubfork.cards.parser import read_card_file
    from hubfork.cli.output import print_problems

    _, text, problem = read_card_file(path)
    if problem is not None:
        print_problems([problem], stream=sys.stderr)
        return None
    return text


def _draft(args: argparse.Namespace, existing: str | None):
    # Inspecting the model imports TensorFlow; writing the card from its facts does not.
    from hubfork.models.inspection import inspect_model
    from hubfork.publishing.card_writer import write_card

    facts = inspect_model(args.model, trust=args.trust)
    return write_card(facts, args.handle, format=args.card_format, preprocessor=args.preprocessor, license=args.license,
                      language=args.language, hub_repo=args.hub_repo, hub_endpoint=args.hub_endpoint,
                      description=args.description, base_model=args.base_model, pooling=args.pooling,
                      normalize=args.normalize, existing=existing, path=args.card or "<card>")
