"""``hubfork search``, ``hubfork show`` and ``hubfork list``: browsing the registry.

These must answer at once: they import nothing heavier than the registry reader
and rich, and never TensorFlow.
"""

from __future__ import annotations

import argparse
import sys

from hubfork.cli.options import add_json, add_registry, positive_int
from hubfork.constants import CARD_KINDS, SEARCH_PER_PAGE, TFHUB_DELETED_DATE
from hubfork.registry import availability


def register(commands: argparse._SubParsersAction) -> None:
    search = commands.add_parser("search", help="search the registry",
                                 description="Search registry entries: every word of QUERY must match "
                                 "(name, handle, tags or description); filters narrow further. Name and handle "
                                 "matches come first; each model is one result, shown by its newest version; "
                                 "results come a page at a time.", epilog=_SEARCH_NOTES)
    search.add_argument("query", nargs="*", metavar="QUERY",
                        help="words that must all match (name, handle, tags or description)")
    _add_facets(search)
    search.add_argument("--has-source", metavar="yes|no", nargs="?", const=True, type=_yes_no,
                        help="only models some source serves (yes, the default: tfhub.dev, served by Kaggle Models, "
                        "or a mirror) or none does (no: deleted models, collections, publishers, placeholders)")
    search.add_argument("--page", type=positive_int, default=1, metavar="N",
                        help="show page N of the results (default 1)")
    search.add_argument("--per-page", "--limit", dest="per_page", type=positive_int, default=None, metavar="N",
                        help=f"results a page (default {SEARCH_PER_PAGE}); --limit is the same")
    _common(search, "the page ({query, filters, total, page, per_page, pages, results: [entry with versions: "
                    "[{handle, version}, ...] newest first and versions_hint, ...]})")
    search.set_defaults(func=run_search)

    show = commands.add_parser("show", help="show one registry entry",
                               description="Show the registry entry of a handle, repo id or tfhub.dev URL "
                               "(a handle without version shows the newest version), with its other versions, "
                               "variants, collections and preprocessor; for a Collection, its models.",
                               epilog=_SHOW_NOTES)
    show.add_argument("handle", metavar="HANDLE", help="a handle, repo id or tfhub.dev URL")
    show.add_argument("--kind", metavar="K", type=_kind,
                      help="which card of a handle several share (e.g. Lite for a model's TF Lite variant)")
    _common(show, "the entry, with its versions, variants, collections, preprocessor_known and models")
    show.set_defaults(func=run_show)

    listing = commands.add_parser("list", help="list every registry entry",
                                  description="List every registry entry, titled with the registry file.",
                                  epilog="--json gives each entry's registry fields with sources_available (where "
                                  "its model can be fetched, as show lists them), source (one word: tfhub.dev, "
                                  "mirror, deleted or none, the table's Source column) and has_source; sources stays "
                                  "the card's hub repos. search --json results and show --json carry the same three "
                                  "keys.")
    _common(listing, "a list of every entry")
    listing.set_defaults(func=run_list)


_SEARCH_NOTES = (
    "Facets are case-insensitive: --language takes an id or a name (English), --task embedding matches "
    "text-embedding, --architecture (or --arch) matches transformer, L-12_H-768_A-12, 12/768/12 or a part; "
    "--fine-tunable and --has-source alone mean yes (--fine-tunable no: cards that say not fine-tunable; a card "
    "that says neither matches neither). Ranking: the name or handle matching first (equal to a word or a whole "
    "word of the name, then a part), then tags, then descriptions; within a score an official publisher's model "
    "first, a model before its Lite/Tfjs/Coral variants, then the models most collections list and most other "
    "cards link to. Each model's versions are one result, shown as its newest (\"v4 · 3 older\" beside its "
    "kind); pages count results. A page is titled e.g. \"results 1-20 of 177 for 'bert' (page 1 of 9; --page 2 "
    "for more)\"; deleted models are marked (deleted) beside their kind. The Source column says in one word "
    "where each model can be fetched: tfhub.dev, mirror, deleted or none (--has-source keeps tfhub.dev and "
    "mirror). At any width the handles are shown whole; the other columns are cut or left out, Description "
    "first. In --json, filters are the facets given and results that page's entries as list --json writes "
    "them, each adding versions (its model's matching versions, newest first) and versions_hint. Exit 1 when "
    "nothing matches or --page is past the last page (an error saying how many pages there are); exit 2 for a bad "
    "value (N < 1, an unknown kind, not yes/no).")
_SHOW_NOTES = (
    "HANDLE may be a repo id, a tfhub.dev or hub URL, or a handle without version: the newest version of the "
    "model, even where a Collection has that handle (--kind picks one of the cards sharing a handle, e.g. --kind "
    "lite or --kind collection). Also shown: the registry file the entry came from, the model's other versions "
    "(newest first, the one shown marked), its variants (Lite, Tfjs, Coral, Placeholder cards of the same "
    "handle), the collections listing it, whether the registry knows its preprocessor, its sources (tfhub.dev, "
    "served by Kaggle Models, first, then its mirrors; or why there is none), a status line saying whether a "
    f"mirror serves a model tfhub.dev deleted (\"deleted {TFHUB_DELETED_DATE}: tfhub.dev removed it; ...\"), and "
    "for a Collection a table of its models (each member's newest entry, or \"(not in the registry)\"). --json "
    "adds versions ([{handle, version, shown}]), variants ([{handle, kind}]), collections (handles), "
    "preprocessor_known and models ([{member, handle, kind, description}], nulls for an unknown member) to the "
    "entry's fields. Then the lines to copy: \"Use it\" (hubfork pull, and the loaders) when a source serves "
    "the model, else \"Add a source\" with the hubfork registry add-source line that records one; nothing for "
    "a Collection, Publisher or Placeholder.")


def _add_facets(parser: argparse.ArgumentParser) -> None:
    """An option for each search facet of the table of facts (`hubfork.cards.schema.FACETS`)."""
    from hubfork.cards.schema import FACETS

    for fact in FACETS:
        facet = fact.facet
        assert facet is not None
        if facet.match == "flag":
            parser.add_argument(*facet.option_strings, dest=facet.option, metavar=facet.metavar, nargs="?",
                                const=True, type=_yes_no, help=facet.help)
        else:
            parser.add_argument(*facet.option_strings, dest=facet.option, metavar=facet.metavar,
                                type=_one_of(facet.option, facet.choices) if facet.choices else None, help=facet.help)


def _one_of(what: str, choices: tuple[str, ...]):
    """An argparse type taking one of `choices` in any case, as they are spelled."""
    def choose(value: str) -> str:
        for choice in choices:
            if choice.lower() == value.lower():
                return choice
        raise argparse.ArgumentTypeError(f"unknown {what} {value!r}; expected one of {', '.join(choices)}")

    return choose


#: A kind of card in any case, as the registry spells it.
_kind = _one_of("kind", CARD_KINDS)


def _yes_no(value: str) -> bool:
    answer = {"yes": True, "y": True, "true": True, "no": False, "n": False, "false": False}.get(value.lower())
    if answer is None:
        raise argparse.ArgumentTypeError(f"expected yes or no, not {value!r}")
    return answer


def _common(parser: argparse.ArgumentParser, json_shape: str) -> None:
    add_registry(parser)
    add_json(parser, json_shape)


def _load(args: argparse.Namespace):
    from hubfork.registry.registry import Registry

    return Registry.load(args.registry)


def run_search(args: argparse.Namespace) -> int:
    from hubfork.registry.search import page

    registry = _load(args)
    from hubfork.cards.schema import FACETS

    options = [fact.facet.option for fact in FACETS if fact.facet is not None] + ["has_source"]
    filters = {option: getattr(args, option) for option in options}
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
                    "results": [{**_entry_json(entry), "versions_hint": found.versions_hint(entry),
                                 "versions": [{"handle": e.handle, "version": e.version}
                                              for e in found.versions_of(entry)]}
                                for entry in shown.entries]})
    elif found:
        _print_entries(shown.entries, _search_title(query, asked, shown, len(registry)), kind_note=found.versions_hint)
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
    fetched, for people ("sources_available", e.g. tfhub.dev first, then mirrors), in one word ("source": the
    search table's Source column) and as a flag."""
    return {**entry.to_dict(), "sources_available": availability.source_labels(entry),
            "source": availability.source_word(entry), "has_source": availability.has_source(entry)}


def _print_show(registry, entry, versions, variants, collections, members, known_preprocessor) -> None:
    from hubfork.cards.schema import SHOW, label, shown
    from hubfork.cli.output import print_fields, print_snippets, print_table, text
    from hubfork.site.usage import use_lines

    preprocessor = entry.preprocessor
    if preprocessor:
        preprocessor += " (in the registry)" if known_preprocessor else " (not in the registry)"
    fields = shown(entry, SHOW, {"status": availability.status_text(entry), "preprocessor": preprocessor or ""}) + [
        ("Versions", ", ".join(f"{e.version} (shown)" if e is entry else str(e.version) for e in versions)
         if len(versions) > 1 else ""),
        ("Variants", ", ".join(f"{e.kind} (--kind {e.kind.lower()})" for e in variants)),
        ("Collections", ", ".join(e.handle for e in collections)),
        ("Sources", ", ".join(availability.source_labels(entry)) or availability.no_source_text(entry)),
        ("Card", f"{registry.card_file(entry)} (sha256 {entry.card_sha256[:12]}…)"),
        ("Registry", text(registry.origin(entry).path)),
    ]
    fields += [(f"  {key}", text(value)) for key, value in entry.metadata.items()]
    print_fields(entry.handle, [(k, v) for k, v in fields if v or k.startswith("  ")])
    # The lines the entry's web page offers to copy: to fetch and load the model, or to add a source for it.
    heading, use = use_lines(entry)
    if use:
        print_snippets(heading, [(snippet.title, snippet.code) for snippet in use])
    if members:
        print_table(f"{len(members)} models in {entry.handle}", [label("handle"), label("kind"), label("description")],
                    ([found.handle, found.kind, found.description] if found else [member, "", "(not in the registry)"]
                     for member, found in members))


#: The columns of a table of entries: facts of the card schema, and "source", where the model can be fetched
#: (`availability.source_word`).
_COLUMNS = ("handle", "kind", "source", "tasks", "architecture", "api", "description")
#: The columns that give up room, in this order, when the terminal is narrow: the handle never does, the source last.
_CUT_FIRST = ("description", "architecture", "api", "tasks", "kind")


def _print_entries(entries: list, title: str, kind_note=None) -> None:
    """A table of `entries` (`_COLUMNS`); `kind_note(entry)`, when given, is added to each Kind cell (e.g. a
    model's other versions: "v4 · 3 older")."""
    from hubfork.cards.schema import BY_NAME, label
    from hubfork.cli.output import print_table

    def heading(name: str) -> str:
        return label(name) if name in BY_NAME else name.capitalize()

    def value(name: str, entry) -> str:
        if name == "source":
            return availability.source_word(entry)
        shown = BY_NAME[name].cell(entry)
        if name != "kind":
            return shown
        notes = [kind_note(entry) if kind_note else "", "(deleted)" if availability.is_deleted(entry) else ""]
        return " ".join([shown, *(note for note in notes if note)])

    print_table(title, [heading(name) for name in _COLUMNS], ([value(name, e) for name in _COLUMNS] for e in entries),
                cut_first=[heading(name) for name in _CUT_FIRST])
