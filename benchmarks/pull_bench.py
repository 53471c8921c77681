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

  3. (the tfhub.dev route) a TF Hub-format archive of `--tfhub-mb` MB (random, incompressible variables)
     served by the loopback emulator of tfhub.dev -> Kaggle -> storage (tests/fixtures/tfhub_emulator.py),
     fetched by hubfork's `CompressedHttpBackend` vs tensorflow_hub's own
     ``hub.resolve("http://127.0.0.1:PORT/...")`` (a fresh TFHUB_CACHE_DIR), each in a process of its own:
     seconds, MB/s, peak RSS and CPU seconds (all threads; what contention from other processes inflates
     least) of each, and the ratio.

  python benchmarks/pull_bench.py [--route hf|tfhub|all] [--runs 5] [--layers 6] [--hidden 512] [--vocab 10000]
                                  [--tfhub-mb 400] [--tfhub-runs 3]

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
    parser.add_argument("--route", choices=("hf", "tfhub", "all"), default="all",
                        help="hf: sections 1-2 (olah); tfhub: section 3 (the tfhub.dev emulator); all: both")
    parser.add_argument("--tfhub-mb", type=float, default=400, help="archive size of the tfhub.dev route (MB)")
    parser.add_argument("--tfhub-runs", type=int, default=3, help="measured downloads of each tfhub contender")
    args = parser.parse_args()

    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    work = Path(args.work or tempfile.mkdtemp(prefix="hubfork-pull-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    os.environ["HF_HOME"] = str(work / "hf-home")  # never the user's token or cache
    try:
        if args.route in ("hf", "all"):
            run(args, work)
        if args.route in ("tfhub", "all"):
            run_tfhub(args, work)
        return 0
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


# ------------------------------------------------------------------------------ tfhub.dev route

HANDLE = "bench/archive/1"

#: Run in a process of its own: fetch the emulator's URL with hubfork or tensorflow_hub, print JSON.
TFHUB_CHILD = r"""
import json, os, resource, sys, time
from pathlib import Path
who, url, cache = sys.argv[1:4]
if who == "hubfork":
    from hubfork.hub.backends.base import FetchOptions
    from hubfork.hub.backends.tfhub import CompressedHttpBackend
    from hubfork.hub.resolved import ResolvedName
    import httpx, huggingface_hub.utils  # imported before the clock starts, as tensorflow_hub is
    place = ResolvedName(name=url, form="tfhub-url", kind="compressed", url=url, handle="bench/archive/1")
    fetch = lambda: CompressedHttpBackend().fetch(place, FetchOptions(cache=Path(cache))).path
else:
    os.environ["TFHUB_CACHE_DIR"] = cache
    import tensorflow_hub as hub
    fetch = lambda: hub.resolve(url)
def peak_kb():
    # VmHWM is this process's own peak; ru_maxrss on Linux keeps the peak of the parent it was forked from
    # (here the benchmark, holding the archive it serves).
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
before = peak_kb()
started, cpu_started = time.perf_counter(), time.process_time()
path = fetch()
seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
size = sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())
print(json.dumps({"seconds": seconds, "cpu_seconds": cpu, "rss_before_kb": before,
                  "rss_peak_kb": peak_kb(), "unpacked": size}))
"""


def write_archive(path: Path, megabytes: float) -> int:
    """A TF Hub-format tar.gz (members ``./...``) whose variables are `megabytes` MB of random bytes; its size.
    Compression level 1: random bytes do not compress at any level, and level 9 would only take longer."""
    import io
    import tarfile

    size = int(megabytes * 1e6)
    with tarfile.open(path, "w:gz", compresslevel=1) as tar:
        folder = tarfile.TarInfo("./variables")  # tensorflow_hub creates no folder an archive does not list
        folder.type, folder.mode = tarfile.DIRTYPE, 0o755
        tar.addfile(folder)
        for name, data_size in (("./saved_model.pb", 4096), ("./variables/variables.index", 1024),
                                ("./variables/variables.data-00000-of-00001", size)):
            info = tarfile.TarInfo(name)
            info.size = data_size
            tar.addfile(info, _RandomReader(data_size) if data_size > 1 << 20 else io.BytesIO(os.urandom(data_size)))
    return path.stat().st_size


class _RandomReader:
    """`size` random bytes, read in pieces (never all in memory)."""

    def __init__(self, size: int):
        self.left = size

    def read(self, n: int = -1) -> bytes:
        n = self.left if n < 0 else min(n, self.left)
        self.left -= n
        return os.urandom(n)


def run_tfhub(args: argparse.Namespace, work: Path) -> None:
    import json
    import subprocess

    from tests.fixtures.tfhub_emulator import TfhubEmulator

    started = time.perf_counter()
    archive = work / "tfhub-archive.tar.gz"
    archive_bytes = write_archive(archive, args.tfhub_mb)
    print(f"3. tfhub.dev route: archive of {archive_bytes / 1e6:.1f} MB written in "
          f"{time.perf_counter() - started:.1f} s")
    with TfhubEmulator() as emulator:
        emulator.add_model(HANDLE, archive=archive.read_bytes())
        url = emulator.url(HANDLE)
        env = {**os.environ, "HF_HUB_DISABLE_PROGRESS_BARS": "1", "PYTHONPATH": str(HERE.parent),
               "TF_CPP_MIN_LOG_LEVEL": "3"}
        caches = work / "tfhub-caches"
        results: dict[str, list[dict]] = {"hubfork": [], "tensorflow_hub": []}

        def one(who: str) -> dict:
            shutil.rmtree(caches, ignore_errors=True)
            done = subprocess.run([sys.executable, "-c", TFHUB_CHILD, who, url, str(caches / who)], env=env,
                                  capture_output=True, text=True, timeout=3600)
            if done.returncode != 0:
                raise SystemExit(f"{who} failed:\n{done.stderr[-3000:]}")
            return json.loads(done.stdout.strip().splitlines()[-1])

        for name in results:  # warm-up: the page cache, the first imports
            one(name)
        for run_index in range(args.tfhub_runs):
            order = list(results) if run_index % 2 == 0 else list(results)[::-1]
            for name in order:
                results[name].append(one(name))
        print(f"   {args.tfhub_runs} runs each, alternating order, each in a fresh process and cache; "
              f"archive GETs: {emulator.archive_gets(HANDLE)}")
    medians = {}
    for name, runs in results.items():
        seconds = statistics.median(r["seconds"] for r in runs)
        peak = max(r["rss_peak_kb"] for r in runs) / 1024
        base = statistics.median(r["rss_before_kb"] for r in runs) / 1024
        medians[name] = seconds
        cpu = statistics.median(r["cpu_seconds"] for r in runs)
        each = ", ".join(f"{r['seconds']:.2f}" for r in runs)
        print(f"   {name:15s} median {seconds:6.2f} s  {archive_bytes / 1e6 / seconds:6.0f} MB/s  peak RSS "
              f"{peak:6.0f} MB (after imports {base:5.0f} MB; fetch adds {peak - base:5.0f} MB)  "
              f"CPU {cpu:5.2f} s  ({each})")
    print(f"   hubfork speed = {medians['tensorflow_hub'] / medians['hubfork']:.2f}x tensorflow_hub's (median)")


if __name__ == "__main__":
    sys.exit(main())
