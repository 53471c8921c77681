"""``hubfork inspect MODEL_DIR``: what a SavedModel folder is, read from the model itself
(`hubfork.models.inspection.inspect_model`). Imports TensorFlow only in its handler."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from hubfork.cli.options import add_json, add_trust

if TYPE_CHECKING:  # pragma: no cover
    from hubfork.models.inspection import ModelFacts


def register(commands: argparse._SubParsersAction) -> None:
    inspect = commands.add_parser(
        "inspect", help="say what a SavedModel folder is: role, generation, size, vocab, signatures",
        description="Scan the SavedModel folder MODEL_DIR, load it and report what it is: an encoder (its "
        "generation, API, architecture, vocab and casing, masked-LM head) or a text preprocessor (its "
        "seq_length, vocab and casing), with its parameters, files, the scanner's verdict and its signatures. "
        "A model the scanner has findings for is not loaded unless --trust.")
    inspect.add_argument("model_dir", metavar="MODEL_DIR", help="SavedModel folder")
    add_json(inspect, "every fact")
    add_trust(inspect)
    inspect.set_defaults(func=run_inspect)


def run_inspect(args: argparse.Namespace) -> int:
    from hubfork.cli.output import print_json
    from hubfork.models.inspection import inspect_model

    facts = inspect_model(args.model_dir, trust=args.trust)
    if args.json:
        print_json(facts.to_dict())
    else:
        _print_facts(facts)
    return 0


def _print_facts(facts: "ModelFacts") -> None:
    from hubfork.cli.output import print_fields, print_table, safe_text

    print_fields(safe_text(facts.path), [(key, safe_text(value)) for key, value in _fields(facts) if value != ""])
    for finding in facts.findings:
        print(f"  - {safe_text(finding)}")
    # One row per tensor: a signature's keys on one line would not fit a terminal.
    rows = [(safe_text(signature.name), direction, safe_text(tensor.name), tensor.dtype, _shape(tensor.shape))
            for signature in facts.signatures
            for direction, tensors in (("in", signature.inputs), ("out", signature.outputs)) for tensor in tensors]
    if rows:
        print_table("signatures", ("signature", "", "tensor", "dtype", "shape"), rows)


def _fields(facts: "ModelFacts") -> list[tuple[str, str]]:
    from hubfork.cli.output import text

    architecture = facts.architecture
    sizes = ", ".join(f"{label} {value}" for label, value in (
        ("intermediate", facts.intermediate_size), ("positions", facts.max_positions)) if value is not None)
    return [
        ("role", facts.role),
        ("generation", text(facts.generation)),
        ("API", text(facts.api)),
        ("architecture", (architecture.label if architecture else "") + (f" ({sizes})" if sizes else "")),
        ("vocab", " ".join(filter(None, (f"{facts.vocab_size} tokens" if facts.vocab_size is not None else "",
                                         f"sha256 {facts.vocab_sha256}" if facts.vocab_sha256 else "")))),
        ("casing", text(facts.casing)),
        ("MLM", text(facts.mlm) if facts.role == "encoder" else ""),
        ("fine-tunable", text(facts.fine_tunable) if facts.role == "encoder" else ""),
        ("seq_length", text(facts.seq_length)),
        ("parameters", f"{facts.parameters:,} ({facts.trainable_parameters:,} trainable)"),
        ("size", f"{_bytes(facts.size_bytes)} in {facts.files} files"),
        ("scan", "clean" if facts.scan_clean else f"{len(facts.findings)} finding(s)"),
        ("op types", str(len(facts.ops))),
    ]


def _shape(dims: "tuple[int | None, ...] | None") -> str:
    return "?" if dims is None else "[" + ", ".join("?" if d is None else str(d) for d in dims) + "]"


def _bytes(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    scaled, unit = float(size), "B"
    for unit in ("KB", "MB", "GB"):
        scaled /= 1024
        if scaled < 1024:
            break
    return f"{scaled:.1f} {unit}"
