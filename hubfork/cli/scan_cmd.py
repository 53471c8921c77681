"""``hubfork scan PATH...``: what SavedModels' graphs would do, read without loading them.

Exit status: 0 when every model is clean, 1 when any has findings (also when its
weights are missing: the graph is what is dangerous, and the report notes the
weights), 2 when any cannot be judged (not a SavedModel, a truncated protobuf, or a
graph without findings whose weights are missing, which no loader could load).
Imports the scanner only, never TensorFlow.
"""

from __future__ import annotations

import argparse
import sys

from hubfork.cli.options import add_json

EXIT_CLEAN, EXIT_FINDINGS, EXIT_UNREADABLE = 0, 1, 2


def register(commands: argparse._SubParsersAction) -> None:
    scan = commands.add_parser(
        "scan", help="scan SavedModel folders for ops that read or write files, use the network or run code",
        description="Read each PATH's saved_model.pb (and keras_metadata.pb) as protobufs, without loading or "
        "running the model, and report every op a model's computation does not need: its category, the function "
        "or graph that holds it and the calls that reach it. Exit 0 when all are clean, 1 when any has findings, "
        "2 when any cannot be read.")
    scan.add_argument("paths", nargs="+", metavar="PATH", help="SavedModel folder")
    add_json(scan, "a list of full reports (or errors)")
    scan.set_defaults(func=run_scan)


def run_scan(args: argparse.Namespace) -> int:
    from hubfork.cli.output import print_json, safe_text
    from hubfork.errors import UnreadableModelError
    from hubfork.scanning.scanner import scan

    status, documents = EXIT_CLEAN, []
    for path in args.paths:
        try:
            report = scan(path)
        except UnreadableModelError as exc:
            status = EXIT_UNREADABLE
            documents.append({"path": path, "error": exc.reason})
            if not args.json:
                print(f"{safe_text(path)}: unreadable: {safe_text(exc.reason)}", file=sys.stderr)
            continue
        if not report.clean and status == EXIT_CLEAN:
            status = EXIT_FINDINGS
        documents.append(report.to_dict())
        if not args.json:
            print(safe_text(str(report)))
    if args.json:
        print_json(documents)
    return status
