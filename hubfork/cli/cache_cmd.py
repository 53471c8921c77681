"""``hubfork cache verify [NAME]``: check cached models file by file, and repair the one named.

Exit status: 0 when every file checked is whole, 1 when a corrupt file remains
(offline, or without a NAME, nothing is fetched). Imports the hub client only when
run, never TensorFlow.
"""

from __future__ import annotations

import argparse
import sys

from hubfork.cli.options import add_hub_options, add_json

EXIT_WHOLE, EXIT_CORRUPT = 0, 1


def register(commands: argparse._SubParsersAction) -> None:
    cache = commands.add_parser("cache", help="check the Hugging Face cache's models",
                                description="The models in the Hugging Face cache ($HF_HUB_CACHE).")
    actions = cache.add_subparsers(dest="cache_command", metavar="ACTION", required=True)
    verify = actions.add_parser(
        "verify", help="check cached files' sizes and hashes; fetch corrupt ones of NAME again",
        description="Check cached models file by file: each a regular file (a FIFO or a device in a file's place is "
        "reported, never opened) of the size and hash (sha256 for LFS files, the git blob id for the others) that "
        "the listing the snapshot was made from gives (kept in the cache). With NAME (any name `hubfork pull` "
        "takes): its cached snapshot, and that listing against the hub's listing of the commit now (a hub whose "
        "listing changed fails the check), corrupt files fetched again (a note on stderr each); offline, against "
        "what the cache recorded, without repair. Without NAME: every snapshot of every model repo in the cache, "
        "against what the cache recorded; nothing is fetched, since a cached repo does not say which hub it came "
        "from (name it to repair it). Exit 1 when a corrupt file remains or the hub's listing disagrees.")
    verify.add_argument("name", metavar="NAME", nargs="?", help="the model to check (default: every cached model)")
    add_hub_options(verify, trust=False)
    add_json(verify, "a list of checks, one per snapshot")
    verify.set_defaults(func=run_verify)


def run_verify(args: argparse.Namespace) -> int:
    from hubfork.hub.verify import verify_cache

    if args.name is None and args.revision is not None:
        _usage("--revision needs a NAME")
    checks = verify_cache(args.name, revision=args.revision, cache_dir=args.cache_dir,
                          local_files_only=args.offline, endpoint=args.endpoint, registry=args.registry)
    if args.json:
        from hubfork.cli.output import print_json

        print_json([check.to_dict() for check in checks])
    else:
        _print(checks)
    corrupt = [check for check in checks if not check.ok]
    if corrupt:
        hint = f"hubfork cache verify {args.name}" if args.name else "hubfork cache verify NAME"
        print(f"hubfork: {len(corrupt)} snapshot(s) hold corrupt files: run `{hint}` online "
              f"(or `hubfork pull {args.name or 'NAME'} --verify`) to repair", file=sys.stderr)
        return EXIT_CORRUPT
    return EXIT_WHOLE


def _print(checks: list) -> None:
    from hubfork.cli.output import safe_text

    if not checks:
        print("no model in the cache")
    for check in checks:
        what = "sizes and hashes" if check.hashed else "sizes"
        status = "ok" if check.ok else f"{len(check.problems)} corrupt"
        line = (f"{check.repo_id}@{check.commit[:12]}: {status} "
                f"({check.checked} files, {what} against the {check.against})")
        if check.unchecked:
            line += f"; {len(check.unchecked)} without metadata to check against"
        if check.repaired:
            line += f"; fetched again: {', '.join(check.repaired)}"
        print(safe_text(line))
        for problem in check.problems:
            print(safe_text(f"  {problem}"))


def _usage(message: str) -> None:
    print(f"hubfork cache verify: error: {message}", file=sys.stderr)
    raise SystemExit(2)
