"""Card size benchmark: how parsing one card scales with its size, for the shapes that were
quadratic (issue 13: a 50 MB card with its bulk in a changelog hung `cards validate`).

  python benchmarks/card_size_bench.py [--sizes 1 2 4 8] [--runs 3]

Prints seconds per card and per MB for each shape and size; linear parsing keeps the per-MB
figure flat as the size doubles. Nothing here is pass/fail. Shapes are cut to the card limits
(`MAX_CARD_BYTES`, `MAX_CARD_LINES`), so the largest sizes of line-heavy shapes stop growing.
"""

from __future__ import annotations

import argparse
import time

from hubfork.cards.parser import MAX_CARD_BYTES, MAX_CARD_LINES, parse_card

HEAD = (
    "# Module acme/bert_en_uncased_L-2_H-128_A-2/1\nA small BERT.\n\n<!-- asset-path: legacy -->\n"
    "<!-- task: text-embedding -->\n<!-- fine-tunable: true -->\n<!-- format: saved_model_2 -->\n\n"
    "## Overview\n\nAn encoder.\n\n"
)
#: name -> (text before the repeated line, the repeated line).
SHAPES = {
    "changelog entry (long note)": ("## Changelog\n\n### Version 1\n\n* First.\n",
                                    "continued line of notes that goes on and on " * 4 + "\n"),
    "changelog bullets": ("## Changelog\n\n", "* Version 1: a note on the change\n"),
    "headings": ("", "## heading\n"),
    "prose": ("", "Plain prose about the model and its use, a sentence after another one. " * 3 + "\n"),
    "distinct model names": ("", 'hub.load("https://tfhub.dev/acme/model_{i}/1")\n'),
}


def card(shape: str, megabytes: float) -> str:
    before, line = SHAPES[shape]
    lines, size, i = [], len(HEAD) + len(before), 0
    limit = min(megabytes * 1_000_000, MAX_CARD_BYTES - 1000)
    while size < limit and len(lines) < MAX_CARD_LINES - 100:
        text = line.replace("{i}", str(i))
        lines.append(text)
        size += len(text)
        i += 1
    return HEAD + before + "".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=float, nargs="+", default=[1, 2, 4, 8], help="card sizes in MB")
    parser.add_argument("--runs", type=int, default=3, help="best of this many parses")
    args = parser.parse_args()
    print(f"{'shape':30s} {'MB':>6s} {'lines':>8s} {'seconds':>8s} {'s/MB':>6s}")
    for shape in SHAPES:
        for megabytes in args.sizes:
            text = card(shape, megabytes)
            best = float("inf")
            for _ in range(args.runs):
                start = time.perf_counter()
                parsed = parse_card("bench.md", text)
                best = min(best, time.perf_counter() - start)
            assert parsed.ok, parsed.problems[:3]
            size = len(text) / 1e6
            print(f"{shape:30s} {size:6.2f} {text.count(chr(10)):8d} {best:8.2f} {best / size:6.2f}", flush=True)


if __name__ == "__main__":
    main()
