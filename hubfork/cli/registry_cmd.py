"""``hubfork registry build``, ``add-source``, ``site`` and ``serve``."""

from __future__ import annotations

import argparse
import sys
import time

from hubfork._progress import HELP_NOTE
from hubfork.cli.options import add_endpoint, add_jobs, add_port, add_registry
from hubfork.constants import SITE_HOST, SITE_PORT


def register(commands: argparse._SubParsersAction) -> None:
    registry = commands.add_parser("registry", help="build the registry from cards, add your own sources, "
                                   "show it as a web catalogue")
    sub = registry.add_subparsers(dest="registry_command", metavar="COMMAND", required=True)
    build = sub.add_parser("build", help="write registry.yaml from a folder of cards",
                           description="Parse every card under CARDS_DIR and write the registry atomically; "
                           "nothing is written when a card has errors.",
                           epilog=f"The registry's fields and layout: docs/registry.md. {HELP_NOTE}")
    build.add_argument("cards_dir", nargs="?", default=None, metavar="CARDS_DIR",
                       help="folder of cards (default: cards/ beside the default registry)")
    build.add_argument("-o", "--output", metavar="FILE", help="registry file to write (default: registry.yaml "
                       "beside CARDS_DIR)")
    add_jobs(build, "parsing cards")
    build.add_argument("--skip-invalid", action="store_true",
                       help="leave cards with errors out (listing their errors) instead of writing nothing")
    build.add_argument("-v", "--verbose", action="store_true", help="list every warning")
    build.set_defaults(func=run_build)

    add = sub.add_parser("add-source", help="record your own source for a TF Hub model (tried first)",
                         description="Write a card for HANDLE giving REPO_ID[@REV] as its source into "
                         "$HUBFORK_HOME/cards (default ~/.cache/hubfork/cards) and rebuild $HUBFORK_HOME/registry.yaml "
                         "atomically. That registry is layered over the shipped one: search, show, pull and install() "
                         "see both, your entries winning. A handle the shipped registry knows keeps its card, with "
                         "your source.",
                         epilog="pull tries your source before tfhub.dev and the shipped registry's mirrors "
                         "(docs/registry.md).")
    add.add_argument("handle", metavar="HANDLE", help="publisher/name/version, a tfhub.dev URL, or a Kaggle URL "
                     "the shipped registry matches")
    add.add_argument("repo", metavar="REPO_ID[@REV]", help="the hub repo that holds the model, e.g. org/bert@v1")
    add_endpoint(add)
    add.set_defaults(func=run_add_source)

    site = sub.add_parser("site", help="write the registry as a static web catalogue",
                          description="Write a static site of the registry into DIR: a search page with facets, "
                          "a page per entry with its rendered card, no external assets; it opens from file:// "
                          "or `hubfork registry serve`. Written whole or not at all; DIR, when it exists, must be "
                          "empty or a site written before.",
                          epilog="The index searches as you type, with the search facets; each entry's page holds "
                          f"its rendered, sanitised card, its facts, usage lines and sources. See docs/site.md. "
                          f"{HELP_NOTE}")
    site.add_argument("-o", "--output", metavar="DIR", required=True, help="folder to write the site to")
    add_registry(site)
    add_jobs(site, "rendering pages")
    site.set_defaults(func=run_site)

    serve = sub.add_parser("serve", help=f"show the web catalogue on this machine ({SITE_HOST})",
                           description=f"Serve a site on {SITE_HOST} until Ctrl-C: the one in DIR (from "
                           "`hubfork registry site`), or, without --dir, one built from the registry into a "
                           "temporary folder removed at exit.")
    add_registry(serve)
    serve.add_argument("--dir", metavar="DIR", help="serve this built site instead of building one")
    add_port(serve, None, str(SITE_PORT), any_port=True)
    serve.set_defaults(func=run_serve)


def run_build(args: argparse.Namespace) -> int:
    from pathlib import Path

    from hubfork._progress import Progress
    from hubfork.cli.output import print_problems
    from hubfork.registry.build import build_registry
    from hubfork.registry.store import default_registry_path

    cards_dir = Path(args.cards_dir) if args.cards_dir else default_registry_path().parent / "cards"
    started = time.perf_counter()
    with Progress("registry build", unit="card") as progress:
        result = build_registry(cards_dir, args.output, jobs=args.jobs, skip_invalid=args.skip_invalid,
                                progress=progress.count)
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


def _registry(path: str | None):
    from hubfork.registry.registry import Registry

    return Registry.load(path)


def run_site(args: argparse.Namespace) -> int:
    from hubfork._progress import Progress
    from hubfork.site.build import build_site

    registry = _registry(args.registry)
    with Progress("registry site", unit="page") as progress:
        result = build_site(registry, args.output, jobs=args.jobs, progress=progress.count)
    for note in result.notes:
        print(f"hubfork: note: {note}", file=sys.stderr)
    print(f"wrote {result.path}: {result.pages} entry pages, {result.total_bytes / 1e6:.1f} MB "
          f"(index.js {result.index_bytes / 1e3:.0f} kB) in {result.seconds:.2f} s", file=sys.stderr)
    return 0


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def run_serve(args: argparse.Namespace) -> int:
    import signal
    import tempfile
    from pathlib import Path

    from hubfork.errors import RegistryError
    from hubfork.site.build import MARKER, build_site
    from hubfork.site.serve import make_server, url_of

    if args.dir and args.registry:
        raise RegistryError("give --dir (a built site) or --registry (build one), not both")
    # SIGTERM ends the server the way Ctrl-C does, so the temporary site is removed either way.
    signal.signal(signal.SIGTERM, _interrupt)
    with tempfile.TemporaryDirectory(prefix="hubfork-site-") as scratch:
        if args.dir:
            folder = Path(args.dir)
            if not (folder / MARKER).is_file():
                raise RegistryError(f"not a site written by `hubfork registry site` (no {MARKER})", path=str(folder))
        else:
            folder = Path(scratch) / "site"
            result = build_site(_registry(args.registry), folder)
            print(f"built {result.pages} entry pages in {result.seconds:.2f} s", file=sys.stderr)
        try:
            server = make_server(folder, SITE_PORT if args.port is None else args.port)
        except OSError as exc:
            raise RegistryError(f"cannot listen on {SITE_HOST}:{args.port or SITE_PORT}: {exc.strerror or exc}")
        print(f"serving {folder} at {url_of(server)} (Ctrl-C stops)", file=sys.stderr, flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
    return 0
