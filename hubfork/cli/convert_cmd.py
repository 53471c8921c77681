"""``hubfork convert``: a Hugging Face BERT checkpoint (or random weights) to TF
Hub-format SavedModels."""

from __future__ import annotations

import argparse
import sys

from hubfork._progress import HELP_NOTE
from hubfork.cli.options import add_json
from hubfork.constants import DEFAULT_SEQ_LENGTH, GENERATIONS


def register(commands: argparse._SubParsersAction) -> None:
    convert = commands.add_parser(
        "convert", help="write TF Hub-format SavedModels from a BERT checkpoint or random weights",
        description="Convert a Hugging Face BERT checkpoint folder (config.json, model.safetensors, vocab.txt) "
        "into a TF Hub-format encoder of the chosen generation, and optionally its preprocessor; or write one "
        "with random weights of a given size.",
        epilog=f"{HELP_NOTE} The generations, and what each writes: docs/models.md.")
    source = convert.add_mutually_exclusive_group(required=True)
    source.add_argument("--checkpoint", metavar="DIR", help="Hugging Face BERT folder")
    source.add_argument("--random", metavar="SIZES", help="random weights, e.g. layers=2,hidden=32,heads=2")
    convert.add_argument("--out", required=True, metavar="DIR", help="encoder SavedModel folder to write")
    convert.add_argument("--generation", required=True, choices=GENERATIONS,
                         help="the encoder's SavedModel generation, oldest first")
    convert.add_argument("--preprocessor-out", metavar="DIR", help="also write the preprocessor SavedModel here")
    convert.add_argument("--seq-length", type=int, default=DEFAULT_SEQ_LENGTH, metavar="N",
                         help=f"preprocessor output length (default {DEFAULT_SEQ_LENGTH})")
    convert.add_argument("--vocab", metavar="FILE", help="vocab file (with --random)")
    convert.add_argument("--cased", action="store_true", help="cased preprocessing (with --random)")
    convert.add_argument("--seed", type=int, default=0, help="seed of the random weights")
    add_json(convert, "what was written")
    convert.set_defaults(func=run_convert)


def run_convert(args: argparse.Namespace) -> int:
    from hubfork._progress import Progress
    from hubfork.models.convert import convert

    with Progress("convert") as progress:
        result = convert(
            args.out, args.generation, checkpoint=args.checkpoint, random_spec=args.random, vocab_file=args.vocab,
            cased=args.cased, seed=args.seed, preprocessor_out=args.preprocessor_out, seq_length=args.seq_length,
            progress=progress.step)
    for note in result.notes:
        print(f"hubfork: note: {note}", file=sys.stderr)
    summary = {
        "encoder": str(result.encoder_dir), "generation": result.generation, "size": result.config.label,
        "vocab_size": result.config.vocab_size, "do_lower_case": result.do_lower_case,
        "preprocessor": str(result.preprocessor_dir) if result.preprocessor_dir else None,
        "seconds": round(result.seconds, 2),
    }
    if args.json:
        from hubfork.cli.output import print_json

        print_json(summary)
    else:
        # What was written, where a log keeps it: the progress display above is gone by now.
        written = summary["encoder"] + (f" and {summary['preprocessor']}" if result.preprocessor_dir else "")
        print(f"done: {written} in {result.seconds:.1f} s", file=sys.stderr)
    return 0
