"""``hubfork embed-corpus``: embed a corpus of files on Apache Beam (`hubfork.beam.embed_corpus`).

Apache Beam and TensorFlow are imported inside the handler only, so ``--help``, usage errors
and every other command stay free of both.
"""

from __future__ import annotations

import argparse
import sys

from hubfork._progress import HELP_NOTE
from hubfork.cli.options import add_batch_size, add_model_options, add_normalize, add_pooling, positive_int

#: Malformed lines the command quotes on stderr; the errors file has them all.
SHOWN_ERRORS = 5


class _BeamArgsParser(argparse.ArgumentParser):
    """Everything after ``--`` goes to Beam as given. argparse alone cannot do this for a command whose
    positional comes before its options: the positional list is closed by the time ``--`` is seen."""

    def parse_known_args(self, args=None, namespace=None):
        args = list(sys.argv[1:] if args is None else args)
        beam_args: list[str] = []
        if "--" in args:
            cut = args.index("--")
            args, beam_args = args[:cut], args[cut + 1:]
        namespace, extras = super().parse_known_args(args, namespace)
        namespace.beam_args = beam_args
        return namespace, extras


def register(commands: argparse._SubParsersAction) -> None:
    corpus = commands.add_parser(
        "embed-corpus", help="embed a corpus of text or JSONL files on Apache Beam; Parquet or JSONL out",
        description="Embed every text of the files INPUT_GLOB matches (a text a line, id '<file>:<line>'; or, for "
        "files ending .jsonl, objects with 'id' and 'text') with a BERT encoder on Apache Beam's RunInference, "
        "into OUTPUT_DIR: embeddings-SSSSS-of-NNNNN.parquet (columns id, vector) or .jsonl ({id, vector}), and "
        "errors-00000-of-00001.jsonl, a line per malformed input line or repeated id (its file and line). Shard "
        "names are fixed, and a local OUTPUT_DIR is replaced whole when the job succeeds, so a rerun never "
        "duplicates output. Arguments after -- are Beam pipeline options (e.g. -- --direct_running_mode="
        "multi_processing --direct_num_workers=2). Beam batches up to four times --batch-size texts at a time. "
        "Needs pip install 'hubfork[beam]'; see docs/scale.md.", epilog=HELP_NOTE)
    corpus.__class__ = _BeamArgsParser
    corpus.add_argument("input_glob", metavar="INPUT_GLOB", help="the input files (a glob, local or gs://...)")
    corpus.add_argument("-o", "--output", required=True, metavar="OUTPUT_DIR",
                        help="where the vectors go (local, or a URL the runner writes to, e.g. gs://bucket/out)")
    add_model_options(corpus)
    add_pooling(corpus, fallback="pooled")
    add_normalize(corpus)
    corpus.add_argument("--format", choices=("parquet", "jsonl"), default="parquet",
                        help="the output files' format (default parquet)")
    corpus.add_argument("--num-shards", type=positive_int, default=1, metavar="N",
                        help="output files (default 1); fixed, so a rerun writes the same names")
    add_batch_size(corpus)
    corpus.add_argument("--runner", default="DirectRunner", metavar="RUNNER",
                        help="Beam runner: DirectRunner (default), DataflowRunner, FlinkRunner, SparkRunner...")
    corpus.set_defaults(func=run_embed_corpus, beam_args=[])


def run_embed_corpus(args: argparse.Namespace) -> int:
    from hubfork._progress import Progress

    with Progress("embed-corpus") as progress:
        progress.step("starting Apache Beam")
        embed_corpus, missing = _beam(args.runtime_logs)
        summary = _embed(embed_corpus, args, progress.step) if embed_corpus is not None else None
    if summary is None:  # said once the progress line is gone
        print(f"hubfork: error: embed-corpus needs {missing}: pip install 'hubfork[beam]'", file=sys.stderr)
        return 1
    _report(summary)
    return 0


def _beam(verbose: bool):
    """`embed_corpus` and None, or None and the missing package of the beam extra."""
    try:
        return _import_quietly(verbose), None
    except ModuleNotFoundError as exc:
        missing = exc.name.split(".")[0] if exc.name else None
        if missing not in ("apache_beam", "pyarrow"):
            raise
        return None, missing


def _embed(embed_corpus, args: argparse.Namespace, progress):
    load_options = dict(preprocessor=args.preprocessor, seq_length=args.seq_length, revision=args.revision,
                        device=args.device, cache_dir=args.cache_dir, local_files_only=args.offline,
                        endpoint=args.endpoint, registry=args.registry)
    return embed_corpus(
        args.input_glob, args.output, model=args.model, pooling=args.pooling, normalize=args.normalize,
        output_format=args.format, num_shards=args.num_shards, batch_size=args.batch_size, trust=args.trust,
        runner=args.runner, beam_args=args.beam_args,
        load_options={key: value for key, value in load_options.items() if value is not None}, progress=progress)


def _report(summary) -> None:
    from hubfork.cli.output import safe_text

    print(f"hubfork: {summary.vectors} vectors from {summary.lines} non-blank lines into {summary.output_dir} "
          f"({', '.join(summary.files)})", file=sys.stderr)
    problems = summary.malformed + summary.duplicates
    if problems:
        print(f"hubfork: {summary.malformed} malformed line(s) and {summary.duplicates} repeated id(s) skipped; "
              f"each is in {summary.errors_file} with its file and line", file=sys.stderr)
        for line in _first_errors(summary.errors_file):
            print(f"  {safe_text(line)}", file=sys.stderr)


def _import_quietly(verbose: bool):
    """`embed_corpus`, with what Apache Beam logs at import (warnings about Google Cloud clients it does not
    need here) kept off stderr unless -v."""
    import logging

    root = logging.getLogger()
    level = root.level
    if not verbose:
        root.setLevel(logging.ERROR)
    try:
        from hubfork.beam.pipeline import embed_corpus
    finally:
        root.setLevel(level)
    return embed_corpus


def _first_errors(path: str) -> list[str]:
    """``file:line: error`` for the first few reports of the errors file in (file, line) order (local output
    only; the runner writes them in no particular order)."""
    import heapq
    import json
    import os

    if not os.path.isfile(path):
        return []
    with open(path, encoding="utf-8") as handle:
        reports = heapq.nsmallest(SHOWN_ERRORS, (json.loads(line) for line in handle),
                                  key=lambda report: (report["file"], report["line"]))
    return [f"{report['file']}:{report['line']}: {report['error']}" for report in reports]
