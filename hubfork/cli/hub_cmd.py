"""``hubfork hub init|add|list|serve|embedded``: a Hugging Face-compatible hub in a
folder (git repos served by olah), for air-gapped machines and tests, and the
embedded hub holding hubfork's own models."""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path


def register(commands: argparse._SubParsersAction) -> None:
    hub = commands.add_parser(
        "hub", help="run a local hub: git repos served by olah",
        description="A local Hugging Face-compatible hub: `init` a folder, `add` model folders to it as git "
        "repos, `serve` it with olah and point HF_ENDPOINT at it.")
    actions = hub.add_subparsers(dest="hub_command", metavar="ACTION", required=True)

    init = actions.add_parser("init", help="create a hub folder (mirrors/, cache/, olah.toml)")
    init.add_argument("dir", metavar="DIR")
    init.add_argument("--host", default="127.0.0.1", help="host name or IP address to serve on (default 127.0.0.1)")
    init.add_argument("--port", type=int, default=18090, help="TCP port to serve on, 1-65535 (default 18090)")
    init.set_defaults(func=run_init)

    add = actions.add_parser("add", help="commit a model folder as a repo of the hub",
                             description="Commit MODEL_DIR's files as the next commit of repo REPO_ID on branch "
                             "main (one commit per add; the commit holds exactly MODEL_DIR's files; files main "
                             "already holds make no new commit).")
    add.add_argument("dir", metavar="DIR")
    add.add_argument("model_dir", metavar="MODEL_DIR")
    add.add_argument("--repo-id", required=True, metavar="ORG/NAME")
    add.add_argument("--tag", metavar="TAG", help="tag the commit (e.g. v1, the revision TF Hub version 1 maps to)")
    add.add_argument("--message", "-m", metavar="TEXT", help="commit message")
    add.add_argument("--trust", action="store_true",
                     help="add it even if the scan finds ops that read or write files, use the network or run code")
    add.add_argument("--json", action="store_true")
    add.set_defaults(func=run_add)

    listing = actions.add_parser("list", help="list the hub's repos and their tags")
    listing.add_argument("dir", metavar="DIR")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(func=run_list)

    serve = actions.add_parser("serve", help="serve the hub with olah until Ctrl-C",
                               description="Start olah (offline mirror mode) on DIR, wait until it answers, print "
                               "the HF_ENDPOINT to export, and serve until Ctrl-C.")
    serve.add_argument("dir", metavar="DIR")
    serve.add_argument("--host", default=None, help="host name or IP address (default: olah.toml's)")
    serve.add_argument("--port", type=int, default=None, help="TCP port, 1-65535 (default: olah.toml's; 0: a free one)")
    serve.add_argument("--timeout", type=float, default=60.0, metavar="S", help="seconds to wait for olah to answer")
    serve.set_defaults(func=run_serve)

    embedded = actions.add_parser(
        "embedded", help="build hubfork's embedded hub if needed; print its folder and repos",
        description="The embedded hub holds the models hubfork converts itself (all-MiniLM-L6-v2 and its "
        "preprocessor), in $HUBFORK_LOCAL_HUB or <hubfork cache>/local-hub. Build it if it lacks any (a "
        "conversion with TensorFlow, about 15 s), then print its folder and its repos; serve it with "
        "`hubfork hub serve DIR`.")
    embedded.add_argument("--json", action="store_true")
    embedded.set_defaults(func=run_embedded)


def run_init(args: argparse.Namespace) -> int:
    from hubfork.hub.local_hub import LocalHub

    hub = LocalHub(args.dir).init(host=args.host, port=args.port)
    print(hub.root)
    print(f"hubfork: local hub ready in {hub.root}; add models with `hubfork hub add {args.dir} MODEL_DIR "
          f"--repo-id org/name`, serve it with `hubfork hub serve {args.dir}`", file=sys.stderr)
    return 0


def run_add(args: argparse.Namespace) -> int:
    from hubfork.hub.local_hub import LocalHub
    from hubfork.scanning.scanner import SAVED_MODEL, check_model

    # A hub serves what it holds to whoever asks: an unsafe model is refused before it is committed.
    if not args.trust and (Path(args.model_dir) / SAVED_MODEL).is_file():
        check_model(args.model_dir, name=args.model_dir)

    made = LocalHub(args.dir).add(args.model_dir, args.repo_id, tag=args.tag, message=args.message)
    if args.json:
        from hubfork.cli.output import print_json

        print_json({"repo_id": made.repo_id, "commit": made.commit, "tag": made.tag, "path": str(made.path),
                    "files": made.files, "changed": made.changed})
    else:
        print(f"{made.repo_id} {made.commit}" + (f" ({made.tag})" if made.tag else "") + f": {made.files} files"
              + ("" if made.changed else " (unchanged: the repo already held them)"))
    return 0


def run_list(args: argparse.Namespace) -> int:
    from hubfork.hub.local_hub import LocalHub

    hub = LocalHub(args.dir)
    repos = {repo: hub.tags(repo) for repo in hub.repos()}
    if args.json:
        from hubfork.cli.output import print_json

        print_json([{"repo_id": repo, "tags": tags} for repo, tags in repos.items()])
    else:
        for repo, tags in repos.items():
            print(repo + (f"  [{', '.join(tags)}]" if tags else ""))
    return 0


def run_embedded(args: argparse.Namespace) -> int:
    from hubfork.hub.embedded import ensure_embedded_hub

    # TensorFlow is imported only if a repo is missing and has to be converted.
    hub = ensure_embedded_hub(progress=lambda message: print(f"hubfork: {message}", file=sys.stderr, flush=True))
    repos = {repo: hub.tags(repo) for repo in hub.repos()}
    if args.json:
        from hubfork.cli.output import print_json

        print_json({"path": str(hub.root), "repos": [{"repo_id": repo, "tags": tags} for repo, tags in repos.items()]})
    else:
        print(hub.root)
        for repo, tags in repos.items():
            print(repo + (f"  [{', '.join(tags)}]" if tags else ""))
    return 0


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def run_serve(args: argparse.Namespace) -> int:
    from hubfork.hub.local_hub import LocalHub

    hub = LocalHub(args.dir)
    print(f"hubfork: starting olah on {hub.root} ...", file=sys.stderr, flush=True)
    server = hub.start(host=args.host, port=args.port, timeout=args.timeout)
    # `kill PID` should stop olah too, not orphan it: treat SIGTERM as Ctrl-C.
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        print(f"hubfork: local hub ready at {server.endpoint} (olah pid {server.pid}, log {server.log}); "
              "Ctrl-C stops it. In another shell:", file=sys.stderr, flush=True)
        print(f"export HF_ENDPOINT={server.endpoint}", flush=True)
        status = server.wait()
        print(f"hubfork: olah exited with status {status} (see {server.log})", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("hubfork: stopping the local hub", file=sys.stderr, flush=True)
        server.stop()
        print("hubfork: stopped", file=sys.stderr, flush=True)
        return 0
    finally:
        server.stop()
        signal.signal(signal.SIGTERM, previous)
