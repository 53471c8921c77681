"""``hubfork search``, ``hubfork show`` and ``hubfork list``: browsing the registry.

These must answer at once: they import nothing heavier than the registry reader
and rich, and never TensorFlow.
"""

from __future__ import annotations

import argparse

from hubfork.constants import CARD_KINDS


def register(commands: argparse._SubParsersAction) -> None:
    search = commands.add_parser("search", help="search the registry",
                                 description="Search registry entries: every word of QUERY must match "
                                 "(name, handle, tags or description); filters narrow further.")
    search.add_argument("query", nargs="*", metavar="QUERY")
    search.add_argument("--language", metavar="L", help="language id or name (en, English)")
    search.add_argument("--task", metavar="T", help="task, e.g. text-embedding (a part matches)")
    search.add_argument("--format", metavar="F", help="format: hub, saved_model, saved_model_2, lite, tfjs, coral")
    search.add_argument("--publisher", metavar="P")
    search.add_argument("--arch", metavar="A", help="architecture: transformer, L-12_H-768_A-12, 12/768/12, ...")
    search.add_argument("--kind", metavar="K", type=_kind,
                        help=f"kind of card: {', '.join(CARD_KINDS[:-1])} or {CARD_KINDS[-1]} (any case)")
    search.add_argument("--limit", type=_positive, default=None, metavar="N", help="show at most N results (N >= 1)")
    _common(search)
    search.set_defaults(func=run_search)

    show = commands.add_parser("show", help="show one registry entry",
                               description="Show the registry entry of a handle, repo id or tfhub.dev URL "
                               "(a handle without version shows the newest version).")
    show.add_argument("handle", metavar="HANDLE")
    _common(show)
    show.set_defaults(func=run_show)

    listing = commands.add_parser("list", help="list every registry entry")
    _common(listing)
    listing.set_defaults(func=run_list)


def _kind(value: str) -> str:
    """A kind of card in any case, as the registry spells it."""
    for kind in CARD_KINDS:
        if kind.lower() == value.lower():
            return kind
    raise argparse.ArgumentTypeError(f"unknown kind {value!r}; expected one of {', '.join(CARD_KINDS)}")


def _positive(value: str) -> int:
    """A whole number of at least 1 (``--limit -3`` would silently drop the last three results)."""
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not {value!r}")
    return number


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--registry", metavar="FILE", help="registry file (default: $HUBFORK_REGISTRY, else your "
                        "$HUBFORK_HOME/registry.yaml over the registry shipped with hubfork)")
    parser.add_argument("--json", action="store_true", help="print JSON")


def _load(args: argparse.Namespace):
    from hubfork.registry.registry import Registry

    return Registry.load(args.registry)


def run_search(args: argparse.Namespace) -> int:
    registry = _load(args)
    found = registry.search(" ".join(args.query), language=args.language, task=args.task, format=args.format,
                            publisher=args.publisher, arch=args.arch, kind=args.kind)
    if args.limit is not None:
        found = found[: args.limit]
    _print_entries(found, args.json, f"{len(found)} of {len(registry)} entries")
    return 0 if found else 1


def run_list(args: argparse.Namespace) -> int:
    registry = _load(args)
    _print_entries(list(registry), args.json, f"{len(registry)} entries in {registry.where}")
    return 0


def run_show(args: argparse.Namespace) -> int:
    from hubfork.cli.output import print_fields, print_json, text

    registry = _load(args)
    entry = registry.get(args.handle)
    if args.json:
        print_json({**entry.to_dict(), "registry": text(registry.origin(entry).path)})
        return 0
    arch = entry.architecture
    fields = [
        ("Kind", entry.kind),
        ("Description", entry.description),
        ("Publisher", text(entry.publisher)),
        ("Version", text(entry.version)),
        ("Format", text(entry.format)),
        ("Tasks", text(entry.tasks)),
        ("Languages", text(entry.languages)),
        ("Size", f"{arch.label} ({arch.layers} layers, hidden size {arch.hidden_size}, {arch.heads} heads)"
         if arch else ""),
        ("Casing", text(entry.casing)),
        ("API", text(entry.api)),
        ("MLM", text(entry.mlm)),
        ("Fine-tunable", text(entry.fine_tunable)),
        ("Preprocessor", text(entry.preprocessor)),
        ("Parent model", text(entry.parent_model)),
        ("Sources", ", ".join(s.repo_id + (f"@{s.revision}" if s.revision else "")
                              + (f" on {s.endpoint}" if s.endpoint else "") for s in entry.sources)),
        ("Card", f"{registry.card_file(entry)} (sha256 {entry.card_sha256[:12]}…)"),
        ("Registry", text(registry.origin(entry).path)),
    ]
    fields += [(f"  {key}", text(value)) for key, value in entry.metadata.items()]
    print_fields(entry.handle, [(k, v) for k, v in fields if v or k.startswith("  ")])
    return 0


def _print_entries(entries: list, as_json: bool, title: str) -> None:
    from hubfork.cli.output import print_json, print_table, text

    if as_json:
        print_json([entry.to_dict() for entry in entries])
        return
    print_table(
        title,
        ["Handle", "Kind", "Task", "Size", "API", "Description"],
        (
            [e.handle, e.kind, text(e.tasks), e.architecture.label if e.architecture else "", text(e.api),
             e.description]
            for e in entries
        ),
    )
