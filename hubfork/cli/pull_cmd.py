"""``hubfork pull NAME``: fetch a model by any name into the cache, scan it, and print where it is.

Imports the hub client and the scanner only when run, and never TensorFlow (it
fetches and reads protobufs; it does not load).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from hubfork.cli.options import add_hub_options, add_json
from hubfork.constants import SOURCE_GROUPS, SOURCE_IDS


def register(commands: argparse._SubParsersAction) -> None:
    pull = commands.add_parser(
        "pull", help="fetch a model by any name into the cache; print its folder",
        description="Fetch a model into the Hugging Face cache and print its local folder. NAME may be a repo id "
        "(org/repo[@revision]), hf://org/repo[@revision], a hub URL (huggingface.co or a mirror), a tfhub.dev "
        "URL or publisher/name/version handle (tfhub.dev, served by Kaggle Models, then the registry's mirrors), "
        "a Kaggle model URL, a kagglehub handle owner/model/framework/variation[/version], an archive URL, a local "
        "folder, a file:// URL or a .tar.gz archive. Progress, and a note for each cached file found corrupt and "
        "fetched again, go to stderr. Honours HUBFORK_SOURCES, HUBFORK_TFHUB_ENDPOINT, HUBFORK_KAGGLE_ENDPOINT, "
        "kagglehub's variables, HF_ENDPOINT, HF_HUB_CACHE, HF_HOME, HF_HUB_OFFLINE, HF_TOKEN and "
        "HF_HUB_DOWNLOAD_TIMEOUT.",
        epilog="A SavedModel is scanned before its folder is printed, and one whose graph reads or writes files, "
        "uses the network, runs code or holds unknown ops is refused (docs/security.md). Cached files' sizes are "
        "always checked, their hashes with --verify; a corrupt one is fetched again (docs/hub.md, \"Faults and "
        "verification\"). The sources and their order: docs/hub.md, \"Sources\".")
    pull.add_argument("name", metavar="NAME", help="the model, named in any of the forms above")
    add_hub_options(pull)
    pull.add_argument("--include", action="append", metavar="GLOB", help="fetch only files matching (repeatable)")
    pull.add_argument("--exclude", action="append", metavar="GLOB", help="skip files matching (repeatable)")
    pull.add_argument("--source", metavar="IDS",
                      help=f"the sources it may come from, as $HUBFORK_SOURCES: ids ({', '.join(SOURCE_IDS)}) or "
                      f"groups ({', '.join(SOURCE_GROUPS)}), comma-separated; -id excludes one")
    pull.add_argument("--verify", action="store_true",
                      help="check every cached file's hash against the listing the snapshot was made from, and "
                      "that listing against the hub's now (sizes are always checked); fetch corrupt files again, "
                      "fail when the hub's listing disagrees")
    add_json(pull, "path, source, repo_id or url, revision, commit, the archive's sha256 and the files repaired")
    pull.set_defaults(func=run_pull)


def run_pull(args: argparse.Namespace) -> int:
    from hubfork.hub.download import fetch
    from hubfork.scanning.scanner import SAVED_MODEL

    snapshot = fetch(args.name, revision=args.revision, cache_dir=args.cache_dir, local_files_only=args.offline,
                     allow_patterns=args.include, ignore_patterns=args.exclude, endpoint=args.endpoint,
                     registry=args.registry, verify=args.verify, sources=args.source)
    if not args.trust and (Path(snapshot.path) / SAVED_MODEL).is_file():
        from hubfork.scanning.scanner import check_model

        check_model(snapshot.path, name=args.name)  # in the cache, but reported before anyone loads it
    if args.json:
        from hubfork.cli.output import print_json

        print_json(snapshot.to_dict())
    else:
        print(snapshot.path)
    return 0
