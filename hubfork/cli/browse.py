"""``hubfork search``, ``hubfork show`` and ``hubfork list``: browsing the registry.

These must answer at once: they import nothing heavier than the registry reader
and rich, and never TensorFlow.
"""

from __future__ import annotations

import argparse
import sys

from hubfork.constants import CARD_KINDS, SEARCH_PER_PAGE
from hubfork.registry import availability


def register(commands: argparse._SubParsersAction) -> None:
    search = commands.add_parser("search", help="search the registry",
                                 description="Search registry entries: every word of QUERY must match "
                                 "(name, handle, tags or description); filters narrow further. Name and handle "
                                 "matches come first, each model's versions newest first; results come a page "
                                 "at a time.")
    search.add_argument("query", nargs="*", metavar="QUERY")
    search.add_argument("--language", metavar="L", help="language id or name (en, English)")
    search.add_argument("--task", metavar="T", help="task, e.g. text-embedding (a part matches)")
    search.add_argument("--format", metavar="F", help="format: hub, saved_model, saved_model_2, lite, tfjs, coral")
    search.add_argument("--publisher", metavar="P")
    search.add_argument("--architecture", "--arch", dest="arch", metavar="A",
                        help="architecture: transformer, L-12_H-768_A-12, 12/768/12, ... (a part matches)")
    search.add_argument("--kind", metavar="K", type=_kind,
                        help=f"kind of card: {', '.join(CARD_KINDS[:-1])} or {CARD_KINDS[-1]} (any case)")
    search.add_argument("--fine-tunable", metavar="yes|no", nargs="?", const=True, type=_yes_no,
                        help="only models that can (yes, the default) or cannot (no) be fine-tuned")
    search.add_argument("--has-source", metavar="yes|no", nargs="?", const=True, type=_yes_no,
                        help="only models some source serves (yes, the default: tfhub.dev, served by Kaggle Models, "
                        "or a mirror) or none does (no: deleted models, collections, publishers, placeholders)")
    search.add_argument("--page", type=_positive, default=1, metavar="N", help="show page N of the results (default 1)")
    search.add_argument("--per-page", "--limit", dest="per_page", type=_positive, default=None, metavar="N",
                        help=f"results a page (default {SEARCH_PER_PAGE}); --limit is the same")
    _common(search)
    search.set_defaults(func=run_search)

    show = commands.add_parser("show", help="show one registry entry",
                               description="Show the registry entry of a handle, repo id or tfhub.dev URL "
                               "(a handle without version shows the newest version), with its other versions, "
                               "variants, collections and preprocessor; for a Collection, its models.")
    show.add_argument("handle", metavar="HANDLE")
    show.add_argument("--kind", metavar="K", type=_kind,
                      help="which card of a handle several share (e.g. Lite for a model's TF Lite variant)")
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


def _yes_no(value: str) -> bool:
    answer = {"yes": True, "y": True, "true": True, "no": False, "n": False, "false": False}.get(value.lower())
    if answer is None:
        raise argparse.ArgumentTypeError(f"expected yes or no, not {value!r}")
    return answer


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
    from hubfork.registry.search import page

    registry = _load(args)
    filters = {"language": args.language, "task": args.task, "format": args.format, "publisher": args.publisher,
               "arch": args.arch, "kind": args.kind, "fine_tunable": args.fine_tunable,
               "has_source": args.has_source}
    query = " ".join(args.query)
    found = registry.search(query, **filters)
    try:
        shown = page(found, args.page, args.per_page or SEARCH_PER_PAGE)
    except ValueError as exc:
        print(f"hubfork: error: {exc}", file=sys.stderr)
        return 1
    asked = {key: value for key, value in filters.items() if value is not None}
    if args.json:
        from hubfork.cli.output import print_json

        print_json({"query": query, "filters": asked, "total": shown.total, "page": shown.number,
                    "per_page": shown.size, "pages": shown.pages,
                    "results": [_entry_json(entry) for entry in shown.entries]})
    elif found:
        _print_entries(shown.entries, _search_title(query, asked, shown, len(registry)))
    else:
        from hubfork.cli.output import safe_text

        print(safe_text(_search_title(query, asked, shown, len(registry))))
    return 0 if found else 1


def _search_title(query: str, filters: dict, shown, size: int) -> str:
    """E.g. "results 1-20 of 312 for 'bert' (page 1 of 16; --page 2 for more)"."""
    what = " ".join(([f"for {query!r}"] if query else [])
                    + [f"--{key.replace('_', '-')} {_option(value)}" for key, value in filters.items()])
    if not shown.total:
        return f"0 results {what} among {size} entries".replace("  ", " ")
    title = f"results {shown.first}-{shown.last} of {shown.total} {what}".rstrip()
    if shown.pages > 1:
        more = f"; --page {shown.number + 1} for more" if shown.number < shown.pages else ""
        title += f" (page {shown.number} of {shown.pages}{more})"
    return title


def _option(value) -> str:
    return ("yes" if value else "no") if isinstance(value, bool) else str(value)


def run_list(args: argparse.Namespace) -> int:
    registry = _load(args)
    if args.json:
        from hubfork.cli.output import print_json

        print_json([_entry_json(entry) for entry in registry])
    else:
        _print_entries(list(registry), f"{len(registry)} entries in {registry.where}")
    return 0


def run_show(args: argparse.Namespace) -> int:
    registry = _load(args)
    entry = registry.get(args.handle) if args.kind is None else registry.find(args.handle, args.kind)
    if entry is None:
        from hubfork.errors import EntryNotFoundError

        raise EntryNotFoundError(f"{args.handle} ({args.kind})", path=registry.where)
    versions = registry.versions_of(entry)
    variants = registry.variants_of(entry)
    collections = registry.collections_of(entry)
    members = registry.members_of(entry) if entry.kind == "Collection" else []
    known_preprocessor = registry.find(entry.preprocessor) is not None if entry.preprocessor else None
    if args.json:
        from hubfork.cli.output import print_json, text

        print_json({
            **_entry_json(entry),
            "registry": text(registry.origin(entry).path),
            "versions": [{"handle": e.handle, "version": e.version, "shown": e is entry} for e in versions],
            "variants": [{"handle": e.handle, "kind": e.kind} for e in variants],
            "collections": [e.handle for e in collections],
            "preprocessor_known": known_preprocessor,
            "models": [{"member": member, "handle": found.handle if found else None,
                        "kind": found.kind if found else None, "description": found.description if found else None}
                       for member, found in members],
        })
        return 0
    _print_show(registry, entry, versions, variants, collections, members, known_preprocessor)
    return 0


def _entry_json(entry) -> dict:
    """An entry as JSON: its registry form ("sources" are its card's hub repos) and where its model can be
    fetched, for people ("sources_available", e.g. tfhub.dev first, then mirrors) and as a flag."""
    return {**entry.to_dict(), "sources_available": availability.source_labels(entry),
            "has_source": availability.has_source(entry)}


def _print_show(registry, entry, versions, variants, collections, members, known_preprocessor) -> None:
    from hubfork.cli.output import print_fields, print_table, text

    arch = entry.architecture
    preprocessor = entry.preprocessor
    if preprocessor:
        preprocessor += " (in the registry)" if known_preprocessor else " (not in the registry)"
    fields = [
        ("Kind", entry.kind),
        ("Status", availability.status_text(entry)),
        ("Description", entry.description),
        ("Publisher", text(entry.publisher)),
        ("Version", text(entry.version)),
        ("Versions", ", ".join(f"{e.version} (shown)" if e is entry else str(e.version) for e in versions)
         if len(versions) > 1 else ""),
        ("Variants", ", ".join(f"{e.kind} (--kind {e.kind.lower()})" for e in variants)),
        ("Collections", ", ".join(e.handle for e in collections)),
        ("Format", text(entry.format)),
        ("Tasks", text(entry.tasks)),
        ("Languages", text(entry.languages)),
        ("Size", arch.described if arch else ""),
        ("Casing", text(entry.casing)),
        ("API", text(entry.api)),
        ("MLM", text(entry.mlm)),
        ("Fine-tunable", text(entry.fine_tunable)),
        ("Preprocessor", text(preprocessor)),
        ("Parent model", text(entry.parent_model)),
        ("Sources", ", ".join(availability.source_labels(entry)) or availability.no_source_text(entry)),
        ("Card", f"{registry.card_file(entry)} (sha256 {entry.card_sha256[:12]}…)"),
        ("Registry", text(registry.origin(entry).path)),
    ]
    fields += [(f"  {key}", text(value)) for key, value in entry.metadata.items()]
    print_fields(entry.handle, [(k, v) for k, v in fields if v or k.startswith("  ")])
    if members:
        print_table(f"{len(members)} models in {entry.handle}", ["Handle", "Kind", "Description"],
                    ([found.handle, found.kind, found.description] if found else [member, "", "(not in the registry)"]
                     for member, found in members))


def _print_entries(entries: list, title: str) -> None:
    from hubfork.cli.output import print_table, text

    print_table(
        title,
        ["Handle", "Kind", "Task", "Size", "API", "Description"],
        (
            [e.handle, e.kind + (" (deleted)" if availability.is_deleted(e) else ""), text(e.tasks),
             e.architecture.label if e.architecture else "", text(e.api), e.description]
            for e in entries
        ),
    )
