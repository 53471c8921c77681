"""Compare the ops the installed TensorFlow, tf.data and TF Text register with the scanner's table
(`hubfork/scanning/ops.py`), and print that table's counts by category for docs/security.md.

Usage: python scripts/op_registry.py [--check]

Without options it prints the Markdown table docs/security.md holds ("Ops by category"). --check
imports TensorFlow and TF Text, and exits 1 naming every registered op that is in none of the
table's three parts (allowed, known risk, unvetted) and every listed name nothing registers: what
a TensorFlow upgrade leaves to vet. The scanner itself never imports TensorFlow; only this script
and its test do.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hubfork.scanning import ops  # noqa: E402 - after the checkout is on the path


def registered_ops() -> set[str]:
    """Every op registered once TensorFlow (its tf.data ops included) and TF Text are imported."""
    import tensorflow  # noqa: F401  (registers TensorFlow's ops, tf.data's among them)
    import tensorflow_text  # noqa: F401  (registers TF Text's)
    from tensorflow.core.framework import op_def_pb2
    from tensorflow.python.client import _pywrap_tf_session

    buffer = _pywrap_tf_session.TF_GetAllOpList()
    return {op.name for op in op_def_pb2.OpList.FromString(_pywrap_tf_session.TF_GetBuffer(buffer)).op}


def parts() -> list[tuple[str, str, frozenset[str]]]:
    """(part, category, ops) for every row of the table, in the table's order."""
    risks = {name: frozenset(op for op, found in ops.KNOWN_RISKS.items() if found == name)
             for name in ops.CATEGORIES if name != ops.UNKNOWN_OP}
    return ([("allowed", name, names) for name, names in ops.ALLOWED_FAMILIES.items()]
            + [("known risk", name, names) for name, names in risks.items()]
            + [("unvetted (`unknown-op`)", name, names) for name, names in ops.UNVETTED_GROUPS.items()])


def counts_table() -> str:
    """The Markdown table of op counts by category that docs/security.md prints."""
    rows = ["| part | category | ops |", "|---|---|---:|"]
    rows += [f"| {part} | {name} | {len(names):,} |" for part, name, names in parts()]
    total = sum(len(names) for _, _, names in parts())
    rows.append(f"| **all** | | **{total:,}** |")
    return "\n".join(rows) + "\n"


def differences(registered: set[str]) -> tuple[list[str], list[str]]:
    """(registered ops the table does not list, listed names nothing registers)."""
    listed = set().union(*(names for _, _, names in parts()))
    return sorted(registered - listed), sorted(listed - registered)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the counts table, or with --check compare the table with the registry.

    Raises:
        ImportError: with --check, when TensorFlow or TF Text is not installed.
    """
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare with the installed registry (imports TF)")
    if not parser.parse_args(argv).check:
        sys.stdout.write(counts_table())
        return 0
    unlisted, unregistered = differences(registered_ops())
    for name in unlisted:
        print(f"registered but not in hubfork/scanning/ops.py (vet it, or add it to UNVETTED_GROUPS): {name}")
    for name in unregistered:
        print(f"in hubfork/scanning/ops.py but not registered by this TensorFlow: {name}")
    return 1 if unlisted or unregistered else 0


if __name__ == "__main__":
    sys.exit(main())
