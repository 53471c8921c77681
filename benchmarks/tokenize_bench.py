"""Tokenizer and preprocessor benchmark: hubfork's TensorFlow tokenizer and the
preprocessor SavedModel it writes, on a batch of real English sentences.

On all-MiniLM-L6-v2's vocab (uncased) and on the cased vocab the tests make from it
(`tests.models.test_tokenizer.write_cased_vocab`), with N real sentences from
`benchmarks/sentences.py` in one batch, it times:

  tokenizer      make_tokenizer(vocab, lower_case).tokenize(batch)   (ragged word pieces)
  preprocessor   hub.load(write_preprocessor(...))(batch)            (ids, mask, type ids; seq_length 128)
  hugging-face   tokenizers' encode_batch on the same pipeline        (for reference)

Each is run once to warm up (tracing, first allocations), then timed over --runs
warm passes; printed: best and median seconds and sentences/s. The figure the
tests once asserted, 1,000 sentences well under a second on a warm tokenizer and
preprocessor, is printed for reference. Figures only; nothing here passes or fails.

  python benchmarks/tokenize_bench.py [--count 1000] [--runs 5] [--casing uncased|cased|both]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))

REFERENCE_SECONDS_PER_1000 = 1.0  # the budget the tests used to assert, for reference only


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    """Wall times of `runs` warm calls (after one untimed call)."""
    fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def contenders(casing: str, work: Path) -> dict[str, Callable[[list[str]], Callable[[], object]]]:
    """name -> (sentences -> a call that processes them as one batch)."""
    from hubfork.models import _tf
    from hubfork.models.export.preprocessor import write_preprocessor
    from hubfork.models.tokenizer import make_tokenizer
    from tests.fixtures.models import minilm_folder
    from tests.models.test_tokenizer import hf_cased, hf_uncased, write_cased_vocab

    tf = _tf.tensorflow()
    hub = _tf.tensorflow_hub()
    lower_case = casing == "uncased"
    if lower_case:
        vocab, hf = minilm_folder() / "vocab.txt", hf_uncased()
    else:
        vocab = write_cased_vocab(work / "cased-vocab.txt")
        hf = hf_cased(vocab)
    tokenizer = make_tokenizer(vocab, lower_case)
    preprocessor = hub.load(str(write_preprocessor(work / f"preprocess-{casing}", vocab, lower_case=lower_case)))

    def ours(sentences: list[str]) -> Callable[[], object]:
        batch = tf.constant(sentences)
        return lambda: tokenizer.tokenize(batch)

    def preprocess(sentences: list[str]) -> Callable[[], object]:
        batch = tf.constant(sentences)
        return lambda: preprocessor(batch)

    def theirs(sentences: list[str]) -> Callable[[], object]:
        return lambda: hf.encode_batch(sentences, add_special_tokens=False)

    return {"tokenizer": ours, "preprocessor": preprocess, "hugging-face": theirs}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000, help="sentences in the batch (default 1000)")
    parser.add_argument("--runs", type=int, default=5, help="timed warm passes per contender (default 5)")
    parser.add_argument("--casing", choices=("uncased", "cased", "both"), default="both")
    args = parser.parse_args()

    from sentences import collect_sentences  # benchmarks/sentences.py

    sentences = collect_sentences(args.count)
    if len(sentences) < args.count:  # repeat to the asked size, as the old test did with fewer lines
        sentences = (sentences * (args.count // max(len(sentences), 1) + 1))[:args.count]
    print(f"{len(sentences)} real sentences, one batch; {args.runs} warm runs each (best / median)")
    casings = ("uncased", "cased") if args.casing == "both" else (args.casing,)
    with tempfile.TemporaryDirectory(prefix="hubfork-tokenize-bench-") as folder:
        for casing in casings:
            for name, make in contenders(casing, Path(folder)).items():
                times = timed(make(sentences), args.runs)
                best, median = min(times), statistics.median(times)
                print(f"  {casing:8} {name:13} {best:7.3f} s / {median:7.3f} s   "
                      f"{len(sentences) / best:9.0f} sentences/s")
    print(f"reference: {REFERENCE_SECONDS_PER_1000:.1f} s per 1,000 sentences (tokenizer and preprocessor, warm)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
