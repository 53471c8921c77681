"""``hubfork hub init|add|list|serve|embedded``: a Hugging Face-compatible hub in a
folder (git repos served by olah), for air-gapped machines and tests, and the
embedded hub holding hubfork's own models."""

from __future__ import annotations

import argparse
import signal
import sys

from hubfork.cli.options import add_host, add_json, add_message, add_port, add_repo_id, add_tag, add_trust
from hubfork.constants import LOCAL_HUB_HOST, LOCAL_HUB_PORT


def register(commands: argparse._SubParsersAction) -> None:
    hub = commands.add_parser(
        "hub", help="run a local hub: git repos served by olah",
        description="A local Hugging Face-compatible hub: `init` a folder, `add` model folders to it as git "
        "repos, `serve` it with olah and point HF_ENDPOINT at it.")
    actions = hub.add_subparsers(dest="hub_command", metavar="ACTION", required=True)

    init = actions.add_parser("init", help="create a hub folder (mirrors/, cache/, olah.toml)")
    _hub_dir(init)
    add_host(init, LOCAL_HUB_HOST)
    add_port(init, LOCAL_HUB_PORT)
    init.set_defaults(func=run_init)

    add = actions.add_parser("add", help="commit a model folder as a repo of the hub",
                             description="Commit MODEL_DIR's files as the next commit of repo REPO_ID on branch "
                             "main (one commit per add; the commit holds exactly MODEL_DIR's files; files main "
                             "already holds make no new commit).")
    _hub_dir(add)
    add.add_argument("model_dir", metavar="MODEL_DIR", help="the model folder to commit")
    add_repo_id(add, required=True)
    add_tag(add)
    add_message(add)
    add_trust(add)
    add_json(add, "the commit ({repo_id, commit, tag, path, files, changed})")
    add.set_defaults(func=run_add)

    listing = actions.add_parser("list", help="list the hub's repos and their tags")
    _hub_dir(listing)
    add_json(listing, "a list of {repo_id, tags}")
    listing.set_defaults(func=run_list)

    serve = actions.add_parser("serve", help="serve the hub with olah until Ctrl-C",
                               description="Start olah (offline mirror mode) on DIR, wait until it answers, print "
                               "the HF_ENDPOINT to export, and serve until Ctrl-C.")
    _hub_dir(serve)
    add_host(serve, None, "olah.toml's")
    add_port(serve, None, "olah.toml's", any_port=True)
    serve.add_argument("--timeout", type=float, default=60.0, metavar="S", help="seconds to wait for olah to answer")
    serve.set_defaults(func=run_serve)

    embedded = actions.add_parser(
        "embedded", help="build hubfork's embedded hub if needed; print its folder and repos",
        description="The embedded hub holds the models hubfork converts itself (all-MiniLM-L6-v2 and its "
        "preprocessor), in $HUBFORK_LOCAL_HUB or <hubfork cache>/local-hub. Build it if it lacks any (a "
        "conversion with TensorFlow, about 15 s), then print its folder and its repos; serve it with "
        "`hubfork hub serve DIR`.")
    add_json(embedded, "{path, repos: [{repo_id, tags}]}")
    embedded.set_defaults(func=run_embedded)


def _hub_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dir", metavar="DIR", help="the hub's folder")


def run_init(args: argparse.Namespace) -> int:
    from hubfork.hub.local_hub import LocalHub

    hub = LocalHub(args.dir).init(host=args.host, port=args.port)
    print(hub.root)
    print(f"hubfork: local hub ready in {hub.root}; add models with `hubfork hub add {args.dir} MODEL_DIR "
          f"--repo-id org/name`, serve it with `hubfork hub serve {args.dir}`", file=sys.stderr)
    return 0


def run_add(args: argparse.Namespace) -> int:
    from hubfork.hub.local_hub import LocalHub

    made = LocalHub(args.dir).add(args.model_dir, args.repo_id, tag=args.tag, message=args.message,
                                  trust=args.trust)
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
