"""Pull benchmark: hubfork's hub client against bare huggingface_hub and tensorflow_hub.

Writes a random-weights BERT encoder of about 100 MB (TF2 v3 SavedModel, by
hubfork's own writer), commits it to a local hub, serves it with olah on a free
loopback port, and measures in one run:

  1. fetching the repo with `hubfork.hub.snapshot_download` vs bare
     `huggingface_hub.snapshot_download` (a fresh cache for every run, the order
     alternating between runs, one unmeasured warm-up of each);
  2. a cached `hubfork.pull_from_hub` (online: it still asks the hub which
     commit `main` is; and with `local_files_only=True`) vs a bare
     `hub.KerasLayer(local_path)` of the same cached folder.

  python benchmarks/pull_bench.py [--runs 5] [--layers 6] [--hidden 512] [--vocab 10000]

Targets from issue #4: pull >= 80% of bare speed; a cached pull adds < 10% to a
bare KerasLayer load. Nothing here is pass/fail; the figures and ratios are printed.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

REPO = "bench/bert-100mb"


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def write_model(work: Path, layers: int, hidden: int, vocab_size: int) -> Path:
    from hubfork.models.config import BertConfig
    from hubfork.models.convert import write_encoder
    from hubfork.models.weights import random_weights

    vocab = work / "vocab.txt"
    special = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    vocab.write_text("\n".join(special + [f"tok{i}" for i in range(vocab_size - len(special))]) + "\n")
    config = BertConfig(vocab_size=vocab_size, hidden_size=hidden, num_hidden_layers=layers,
                        num_attention_heads=max(1, hidden // 64))
    return write_encoder(work / "model", config, random_weights(config, seed=0), "v3", vocab_file=vocab,
                         do_lower_case=True)


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def alternate(runs: int, contenders: dict[str, Callable[[], object]],
              setup: Callable[[str], None] | None = None) -> dict[str, list[float]]:
    """Time each contender `runs` times, rotating which goes first; `setup(name)` runs untimed before each."""
    names = list(contenders)
    times: dict[str, list[float]] = {name: [] for name in names}
    for run in range(runs):
        shift = run % len(names)
        order = names[shift:] + names[:shift] if run % 2 == 0 else (names[shift:] + names[:shift])[::-1]
        for name in order:
            if setup:
                setup(name)
            # The previous contender's garbage (TF objects live in cycles) is not this one's cost.
            gc.collect()
            times[name].append(timed(contenders[name]))
    return times


def describe(times: list[float]) -> str:
    runs = ", ".join(f"{t:.3f}" for t in times)
    return f"median {statistics.median(times):6.3f} s  best {min(times):6.3f} s  ({runs})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="measured downloads of each contender (default 5)")
    parser.add_argument("--load-runs", type=int, default=9, help="measured loads of each contender (default 9)")
    parser.add_argument("--layers", type=int, default=6)
    parser.add_argument("--hidden", type=int, default=512)
    parser.add_argument("--vocab", type=int, default=10000)
    parser.add_argument("--work", type=Path, help="work folder (default: a temporary one, removed at the end)")
    args = parser.parse_args()

    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    work = Path(args.work or tempfile.mkdtemp(prefix="hubfork-pull-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    os.environ["HF_HOME"] = str(work / "hf-home")  # never the user's token or cache
    try:
        return run(args, work)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


def run(args: argparse.Namespace, work: Path) -> int:
    import huggingface_hub
    from huggingface_hub.utils import disable_progress_bars

    from hubfork.hub import LocalHub, fetch, snapshot_download
    from hubfork.loading.pull import pull_from_hub
    from hubfork.models import _tf

    disable_progress_bars()  # the same for both sides; bars on a terminal would dominate small timings
    started = time.perf_counter()
    model = write_model(work, args.layers, args.hidden, args.vocab)
    size = folder_size(model)
    print(f"model: v3 encoder L={args.layers} H={args.hidden} vocab={args.vocab}, {size / 1e6:.1f} MB "
          f"({len(list(model.rglob('*')))} entries), written in {time.perf_counter() - started:.1f} s")
    hub = LocalHub(work / "hub").init()
    started = time.perf_counter()
    made = hub.add(model, REPO, tag="v1")
    print(f"local hub: {REPO} commit {made.commit[:12]} added in {time.perf_counter() - started:.1f} s")

    with hub.serve(port=0) as endpoint:
        print(f"olah serving at {endpoint}\n")
        caches = work / "caches"
        counter = iter(range(10**6))
        current: dict[str, Path] = {}

        def fresh_cache(name: str) -> None:
            shutil.rmtree(caches, ignore_errors=True)
            current[name] = caches / f"{name}-{next(counter)}"

        contenders = {
            "hubfork": lambda: snapshot_download(REPO, cache_dir=current["hubfork"], endpoint=endpoint),
            "bare": lambda: huggingface_hub.snapshot_download(REPO, cache_dir=current["bare"], endpoint=endpoint),
        }
        alternate(1, contenders, fresh_cache)  # warm-up: imports, olah's first reads, the page cache
        times = alternate(args.runs, contenders, fresh_cache)
        hubfork_s, bare_s = statistics.median(times["hubfork"]), statistics.median(times["bare"])
        print(f"1. download {size / 1e6:.0f} MB, fresh cache each run ({args.runs} runs, alternating order)")
        print(f"   huggingface_hub.snapshot_download  {describe(times['bare'])}")
        print(f"   hubfork.hub.snapshot_download      {describe(times['hubfork'])}")
        print(f"   hubfork speed = {bare_s / hubfork_s:.1%} of bare (median; target >= 80%), "
              f"{size / 1e6 / hubfork_s:.0f} MB/s vs {size / 1e6 / bare_s:.0f} MB/s\n")

        cache = work / "load-cache"
        local_path = snapshot_download(REPO, cache_dir=cache, endpoint=endpoint)
        hub_module = _tf.tensorflow_hub()
        contenders = {
            "bare": lambda: hub_module.KerasLayer(local_path),
            "pull": lambda: pull_from_hub(REPO, cache_dir=cache, endpoint=endpoint),
            "pull-offline": lambda: pull_from_hub(REPO, cache_dir=cache, endpoint=endpoint, local_files_only=True),
        }
        alternate(1, contenders)  # warm-up: TensorFlow's first load pays one-off costs
        times = alternate(args.load_runs, contenders)
        # The hub side of a cached pull alone (resolve, ask the hub for main's commit, find the snapshot):
        # what pull_from_hub adds to the load, without the load's own noise.
        fetch_times = alternate(args.load_runs * 4, {
            "online": lambda: fetch(REPO, cache_dir=cache, endpoint=endpoint),
            "offline": lambda: fetch(REPO, cache_dir=cache, endpoint=endpoint, local_files_only=True),
        })
        bare_s = statistics.median(times["bare"])
        print(f"2. load from the cache ({args.load_runs} runs, rotating order)")
        print(f"   hub.KerasLayer(local_path)                    {describe(times['bare'])}")
        for name, label in (("pull", "pull_from_hub (online, cached)         "),
                            ("pull-offline", "pull_from_hub (local_files_only=True)  ")):
            pull_s = statistics.median(times[name])
            print(f"   {label}        {describe(times[name])}")
            print(f"      adds {(pull_s - bare_s) / bare_s:+.1%} to a bare load ({(pull_s - bare_s) * 1000:+.0f} ms; "
                  "target < 10%)")
        for name in ("online", "offline"):
            hub_side = statistics.median(fetch_times[name])
            print(f"   hub side of a cached pull alone ({name}): median {hub_side * 1000:.1f} ms = "
                  f"{hub_side / bare_s:.1%} of a bare load")
    return 0


if __name__ == "__main__":
    sys.exit(main())
