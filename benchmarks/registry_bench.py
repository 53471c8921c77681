"""Registry benchmark: build, load, search, and the cold start of `hubfork search`.

Generates a tfhub.dev-shaped corpus (or reads one with --corpus, e.g. a checkout
of tfhub.dev's assets/docs) and prints figures measured side by side in one run:

  python benchmarks/registry_bench.py [--cards 3000] [--corpus DIR] [--runs 7]

Nothing here is pass/fail; the targets from issue #2 are printed for reference
(build < 2 s for ~2,800 cards, cold `hubfork search bert` < 0.35 s).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402  (benchmarks/corpus.py)


def timed(fn, runs: int = 1) -> tuple[float, object]:
    """Best wall time of `runs` calls, and the last result."""
    best, result = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def command_times(args: list[str], runs: int, env: dict[str, str]) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(args, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=3000, help="cards to generate (default 3000)")
    parser.add_argument("--corpus", type=Path, help="read this folder of cards instead of generating")
    parser.add_argument("--runs", type=int, default=7, help="runs of each subprocess timing (median reported)")
    args = parser.parse_args()

    import yaml

    from hubfork.registry import store, yaml_writer
    from hubfork.registry.build import build_registry
    from hubfork.registry.registry import Registry

    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        env = dict(os.environ, HUBFORK_CACHE=str(scratch / "cache"))
        os.environ["HUBFORK_CACHE"] = env["HUBFORK_CACHE"]
        if args.corpus:
            cards_dir = args.corpus
        else:
            cards_dir = scratch / "docs"
            corpus.generate(cards_dir, args.cards)
        files = list(cards_dir.rglob("*.md"))
        size = sum(f.stat().st_size for f in files)
        print(f"corpus: {len(files)} cards, {size / len(files) / 1024:.1f} KB on average, in {cards_dir}")
        print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
        print()

        out = scratch / "registry.yaml"
        serial, _ = timed(lambda: build_registry(cards_dir, out, jobs=1))
        parallel, result = timed(lambda: build_registry(cards_dir, out))
        cli = command_times([sys.executable, "-m", "hubfork", "registry", "build", str(cards_dir), "-o", str(out)],
                            3, env)
        document = store.read(out)
        ours, _ = timed(lambda: yaml_writer.dump(document, store.HEADER), 3)
        pyyaml, _ = timed(lambda: yaml.dump(document, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper),
                                            sort_keys=False, allow_unicode=True, width=1 << 20), 1)
        text = out.read_text(encoding="utf-8")
        parse, _ = timed(lambda: yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)), 1)
        cached, _ = timed(lambda: store.read(out), 5)

        print(f"registry: {len(result.registry)} entries, {len(text) / 1e6:.2f} MB of YAML")
        print(f"  build, 1 process             {serial:7.3f} s")
        print(f"  build, {os.cpu_count()} processes           {parallel:7.3f} s   ({serial / parallel:.2f}x)")
        print(f"  `hubfork registry build`     {statistics.median(cli):7.3f} s   (median of 3; target < 2 s)")
        print(f"  write: hubfork YAML writer   {ours:7.3f} s")
        print(f"  write: yaml.dump (C dumper)  {pyyaml:7.3f} s   ({pyyaml / ours:.1f}x slower)")
        print(f"  read:  yaml.load (C loader)  {parse:7.3f} s")
        print(f"  read:  hubfork cached read   {cached:7.3f} s   ({parse / cached:.0f}x faster)")
        print()

        registry = Registry.load(out)
        queries = [("bert", {}), ("bert", {"language": "en", "task": "embedding"}), ("image classification", {}),
                   ("", {"arch": "L-12_H-768_A-12"}), ("no-such-model", {})]
        print("search, in process (best of 20):")
        for query, filters in queries:
            seconds, found = timed(lambda: registry.search(query, **filters), 20)
            label = " ".join([repr(query)] + [f"--{k} {v}" for k, v in filters.items()])
            print(f"  {label:45s} {seconds * 1000:7.2f} ms  {len(found):5d} results")
        print()

        baseline = command_times([sys.executable, "-c", "pass"], args.runs, env)
        imports = command_times([sys.executable, "-c", "import hubfork.cli.main"], args.runs, env)
        cold_json = command_times([sys.executable, "-m", "hubfork", "search", "bert", "--registry", str(out),
                                   "--limit", "20", "--json"], args.runs, env)
        cold_table = command_times([sys.executable, "-m", "hubfork", "search", "bert", "--registry", str(out),
                                    "--limit", "20"], args.runs, env)
        uncached_env = dict(env, HUBFORK_CACHE=str(scratch / "empty-cache"))
        uncached = command_times([sys.executable, "-m", "hubfork", "search", "bert", "--registry", str(out),
                                  "--limit", "20", "--json"], 1, uncached_env)
        print(f"cold start, new process each time (median of {args.runs}):")
        print(f"  python -c pass                        {statistics.median(baseline):6.3f} s")
        print(f"  import hubfork.cli.main               {statistics.median(imports):6.3f} s")
        print(f"  hubfork search bert --json            {statistics.median(cold_json):6.3f} s   (target < 0.35 s)")
        print(f"  hubfork search bert (rich table)      {statistics.median(cold_table):6.3f} s")
        print(f"  hubfork search bert, registry not yet cached {uncached[0]:6.3f} s   (first read of a new file)")
        print()
        print(json.dumps({
            "cards": len(files), "build_serial_s": round(serial, 3), "build_parallel_s": round(parallel, 3),
            "build_cli_s": round(statistics.median(cli), 3),
            "cold_search_json_s": round(statistics.median(cold_json), 3),
            "cold_search_table_s": round(statistics.median(cold_table), 3),
        }))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
