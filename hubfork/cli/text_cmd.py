"""``hubfork embed|fill-mask|similarity``: run a BERT text model on texts.

The model is loaded with `hubfork.load_text_model` (any name `hubfork.resolve`
accepts). TensorFlow and NumPy are imported inside the handlers only, so
``--help`` and usage errors stay fast and TensorFlow-free.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, Iterator

from hubfork.cli.options import add_batch_size, add_json, add_model_options, add_normalize, add_pooling, positive_int

#: How many of an embedding's leading values the table shows.
SHOWN_VALUES = 4
#: Texts longer than this are cut in tables (never in JSON).
SHOWN_CHARS = 60


def register(commands: argparse._SubParsersAction) -> None:
    embed = commands.add_parser(
        "embed", help="embed texts with a BERT encoder; a table or JSON of vectors",
        description="Embed each TEXT (or, when none is given, each non-blank line of stdin) with a BERT encoder "
        "loaded by hubfork.load_text_model. Prints a table (index, text, dimension, first values, norm), or "
        "with --json a JSON list of {\"text\", \"embedding\"} with the full vectors. A progress bar goes to "
        "stderr on long inputs when it is a terminal.")
    add_model_options(embed)
    add_pooling(embed, fallback="pooled")
    add_normalize(embed)
    add_batch_size(embed)
    add_json(embed, "a list of {text, embedding}")
    _texts_argument(embed)
    embed.set_defaults(func=run_embed)

    fill = commands.add_parser(
        "fill-mask", help="predict the tokens behind each [MASK] of texts",
        description="For each [MASK] in each TEXT (or non-blank stdin line), print the top-k tokens of the "
        "model's masked-LM head with their probabilities. The model needs a masked-LM head (a v4 encoder's "
        ".mlm), and every text a [MASK].")
    add_model_options(fill)
    fill.add_argument("--top-k", type=positive_int, default=5, metavar="K", help="predictions per mask (default 5)")
    add_batch_size(fill)
    add_json(fill, "a list of {text, masks: [{mask, predictions: [{token, token_id, score}]}]}")
    _texts_argument(fill)
    fill.set_defaults(func=run_fill_mask)

    similarity = commands.add_parser(
        "similarity", help="the cosine similarity matrix of texts",
        description="Embed two or more TEXTs (or non-blank stdin lines) and print their cosine similarity "
        "matrix; rows and columns are labelled [i], with the texts listed below.")
    add_model_options(similarity)
    add_pooling(similarity, fallback="mean")
    add_batch_size(similarity)
    add_json(similarity, "{texts, pooling, matrix}")
    _texts_argument(similarity)
    similarity.set_defaults(func=run_similarity)


# ------------------------------------------------------------------ arguments


def _texts_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("texts", nargs="*", metavar="TEXT",
                        help="texts; none: read stdin, one text per line, blank lines skipped")


def read_texts(args: argparse.Namespace, stdin=None) -> list[str]:
    """The TEXT arguments, else stdin's lines (line ends stripped; blank lines skipped,
    so output indices count texts, not input lines).

    Raises:
        TextInputError: a stdin line that is not UTF-8 (naming ``<stdin>``, the line and the byte).
    """
    if args.texts:
        return list(args.texts)
    stdin = stdin or sys.stdin
    if stdin.isatty():
        print("hubfork: reading texts from stdin, one per line (end with Ctrl-D)", file=sys.stderr)
    lines = _decoded_lines(stdin.buffer) if hasattr(stdin, "buffer") else stdin
    return [line.rstrip("\r\n") for line in lines if line.strip()]


def _decoded_lines(raw) -> Iterator[str]:
    """The lines of the binary stream `raw` as UTF-8 (a leading byte-order mark dropped), decoded one
    by one so that a bad byte is reported with its line, not as a traceback of the whole read."""
    from hubfork.errors import TextInputError

    for number, line in enumerate(raw, 1):
        try:
            yield line.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            raise TextInputError(f"<stdin>: line {number}: not UTF-8 text (byte 0x{line[exc.start]:02x} at "
                                 f"column {exc.start + 1}); give texts as UTF-8") from None


def _usage_error(message: str) -> int:
    print(f"hubfork: error: {message}", file=sys.stderr)
    return 2


def load_model(args: argparse.Namespace) -> Any:
    """The model the options name, through `hubfork.load_text_model` (imports TensorFlow)."""
    from hubfork.loading.text import load_text_model

    model = load_text_model(
        args.model, preprocessor=args.preprocessor, seq_length=args.seq_length, revision=args.revision,
        device=args.device, cache_dir=args.cache_dir, local_files_only=args.offline, endpoint=args.endpoint,
        registry=args.registry, trust=args.trust)
    for note in model.notes:
        _say(note)
    return model


def _say(note: str | None) -> None:
    if note:
        print(f"hubfork: note: {note}", file=sys.stderr)


def _cut(text: str, width: int = SHOWN_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 1] + "…"


# ------------------------------------------------------------------- handlers


def run_embed(args: argparse.Namespace) -> int:
    texts = read_texts(args)
    if not texts:
        return _usage_error("no texts to embed (give TEXT arguments or lines on stdin)")
    import numpy as np

    model = load_model(args)
    _say(model.defaults_note(pooling_given=args.pooling is not None, normalize_given=args.normalize is not None))
    pooling = model.pooling if args.pooling is None else args.pooling
    normalize = model.normalize if args.normalize is None else args.normalize
    vectors = np.asarray(model.embed(texts, pooling=pooling, normalize=normalize,
                                     batch_size=args.batch_size, progress=None))
    from hubfork.cli.output import print_json, print_table

    if args.json:
        # float32 -> Python float is exact, so the JSON reads back to the same vectors.
        print_json([{"text": text, "embedding": vector.tolist()} for text, vector in zip(texts, vectors)])
        return 0
    norms = np.linalg.norm(vectors, axis=1)
    rows = [(str(i), _cut(text), str(vector.shape[0]),
             " ".join(f"{v:+.4f}" for v in vector[:SHOWN_VALUES]) + (" …" if vector.shape[0] > SHOWN_VALUES else ""),
             f"{norm:.4f}")
            for i, (text, vector, norm) in enumerate(zip(texts, vectors, norms))]
    print_table(f"{len(texts)} {'embedding' if len(texts) == 1 else 'embeddings'} ({pooling} pooling"
                f"{', normalised' if normalize else ''})",
                ("#", "text", "dim", f"first {SHOWN_VALUES} values", "norm"), rows)
    return 0


def run_fill_mask(args: argparse.Namespace) -> int:
    texts = read_texts(args)
    if not texts:
        return _usage_error("no texts (give TEXT arguments with [MASK] in them, or lines on stdin)")
    model = load_model(args)
    results = model.fill_mask(texts, top_k=args.top_k, batch_size=args.batch_size)
    from hubfork.cli.output import print_json, print_table

    if args.json:
        print_json([{"text": text, "masks": [
            {"mask": m, "predictions": [{"token": p.token, "token_id": int(p.token_id), "score": float(p.score)}
                                        for p in predictions]}
            for m, predictions in enumerate(masks)]} for text, masks in zip(texts, results)])
        return 0
    for i, (text, masks) in enumerate(zip(texts, results)):
        rows = [(str(m), str(rank), p.token, f"{p.score:.4f}")
                for m, predictions in enumerate(masks) for rank, p in enumerate(predictions, 1)]
        print_table(f"[{i}] {_cut(text, 100)}", ("mask", "rank", "token", "score"), rows)
    return 0


def run_similarity(args: argparse.Namespace) -> int:
    texts = read_texts(args)
    if len(texts) < 2:
        return _usage_error(f"similarity needs at least two texts, got {len(texts)}")
    import numpy as np

    model = load_model(args)
    _say(model.defaults_note(pooling_given=args.pooling is not None, normalize_given=True))  # cosines: unit vectors
    # Unit vectors' self-similarity can land a few float32 ulps off 1; cosines live in [-1, 1].
    pooling = model.similarity_pooling if args.pooling is None else args.pooling
    matrix = np.clip(model.similarity(texts, pooling=pooling, batch_size=args.batch_size), -1.0, 1.0)
    from hubfork.cli.output import console, print_json, print_table

    if args.json:
        print_json({"texts": texts, "pooling": pooling, "matrix": matrix.tolist()})
        return 0
    labels = [f"[{i}]" for i in range(len(texts))]
    rows = [(label, *(f"{v:.3f}" for v in row)) for label, row in zip(labels, matrix)]
    print_table(f"cosine ({pooling})", ("", *labels), rows)
    out = console()
    for label, text in zip(labels, texts):
        out.print(f"{label} {_cut(text, 160)}", markup=False)
    return 0

