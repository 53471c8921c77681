"""Registry benchmark: building, reading, searching and showing the registry, against the issue's targets.

Measures the shipped catalogue by default: `hubfork registry build cards` (written to a temporary
file; the repository's registry.yaml is never touched), a cold `hubfork search bert` and a cold
`hubfork show google/universal-sentence-encoder/4` (each a new process with an empty
HUBFORK_CACHE and HUBFORK_HOME, reading the shipped registry.yaml), the same search warm (cache and
home kept between runs), the writer's share of the build, and the registry's memory once loaded
(tracemalloc and RSS). ``--corpus DIR`` reads another folder of cards, ``--generate N`` makes a
tfhub.dev-shaped one (benchmarks/corpus.py); the registry measured is then the one built from it.

  python benchmarks/registry_bench.py [--runs 7] [--corpus DIR | --generate N]

Nothing here is pass/fail: it prints the median and best of N runs beside each target
(issue 14: build <= 1.5 s, cold search <= 0.25 s, show <= 0.25 s) and their ratio.
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
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

TARGETS = {"build": 1.5, "search": 0.25, "show": 0.25}
SHOWN = "google/universal-sentence-encoder/4"


def command_times(args: list[str], runs: int, env: dict[str, str], fresh: Path | None = None) -> list[float]:
    """Wall times of `runs` new processes running `args`; with `fresh`, each in its own empty cache and home."""
    times = []
    for run in range(runs):
        run_env = dict(env)
        if fresh is not None:
            for name in ("HUBFORK_CACHE", "HUBFORK_HOME"):
                folder = Path(tempfile.mkdtemp(prefix=name.lower(), dir=fresh))
                run_env[name] = str(folder)
        start = time.perf_counter()
        subprocess.run(args, env=run_env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return times


def best_of(fn, runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def loaded_memory(path: Path) -> tuple[int, int, int]:
    """(bytes traced by tracemalloc while loading, RSS growth, RSS after) of `Registry.load_file(path)`,
    measured in a new process so that nothing else is counted."""
    code = (
        "import json, resource, sys, tracemalloc\n"
        "from hubfork.registry.registry import Registry\n"
        "def rss():\n"
        "    return int(open('/proc/self/statm').read().split()[1]) * resource.getpagesize()\n"
        "before = rss()\n"
        "tracemalloc.start()\n"
        "registry = Registry.load_file(sys.argv[1])\n"
        "registry.versions_of(registry.entries[0]); registry.search('bert')\n"
        "traced = tracemalloc.get_traced_memory()[0]\n"
        "tracemalloc.stop()\n"
        "print(json.dumps([traced, rss() - before, rss()]))\n"
    )
    # RSS grows less without tracemalloc's own bookkeeping: measure it in a run of its own.
    rss_code = code.replace("tracemalloc.start()", "").replace("tracemalloc.get_traced_memory()[0]", "0") \
        .replace("tracemalloc.stop()", "")
    traced = json.loads(subprocess.run([sys.executable, "-c", code, str(path)], check=True, capture_output=True,
                                       text=True, cwd=ROOT).stdout)[0]
    _, grown, after = json.loads(subprocess.run([sys.executable, "-c", rss_code, str(path)], check=True,
                                                capture_output=True, text=True, cwd=ROOT).stdout)
    return traced, grown, after


def line(label: str, times: list[float], target: float | None = None) -> str:
    median, best = statistics.median(times), min(times)
    text = f"  {label:56s} median {median:6.3f} s   best {best:6.3f} s"
    if target is not None:
        text += f"   target <= {target:.2f} s   median/target {median / target:4.2f}"
    return text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs of each timing (default 7)")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--corpus", type=Path, help="a folder of cards to build and measure instead of cards/")
    source.add_argument("--generate", type=int, metavar="N", help="generate N tfhub.dev-shaped cards and measure them")
    args = parser.parse_args()

    from hubfork.registry import store

    runs = args.runs
    hubfork = [sys.executable, "-m", "hubfork"]
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        env = dict(os.environ)
        env.pop("HUBFORK_REGISTRY", None)
        warm = {"HUBFORK_CACHE": str(scratch / "warm-cache"), "HUBFORK_HOME": str(scratch / "warm-home")}
        if args.generate:
            import corpus  # benchmarks/corpus.py

            cards = scratch / "cards"
            corpus.generate(cards, args.generate)
        else:
            cards = args.corpus or ROOT / "cards"
        built = scratch / "registry.yaml"
        (scratch / "fresh").mkdir()
        build = command_times(hubfork + ["registry", "build", str(cards), "-o", str(built)], max(3, runs // 2),
                              env, fresh=scratch / "fresh")
        measured = built if (args.generate or args.corpus) else ROOT / "registry.yaml"
        registry_args = ["--registry", str(measured)]
        document = store.read(measured)
        write = best_of(lambda: store.render(document), runs)
        read = best_of(lambda: store.read(measured), runs)
        cold_search = command_times(hubfork + ["search", "bert"] + registry_args, runs, env, fresh=scratch / "fresh")
        handles = [entry["handle"] for entry in document["entries"]]
        shown = SHOWN if SHOWN in handles else handles[len(handles) // 2]
        cold_show = command_times(hubfork + ["show", shown] + registry_args, runs, env, fresh=scratch / "fresh")
        cold_json = command_times(hubfork + ["search", "bert", "--json"] + registry_args, runs, env,
                                  fresh=scratch / "fresh")
        warm_env = dict(env, **warm)
        command_times(hubfork + ["search", "bert"] + registry_args, 1, warm_env)
        warm_search = command_times(hubfork + ["search", "bert"] + registry_args, runs, warm_env)
        baseline = command_times([sys.executable, "-c", "pass"], runs, env)
        imports = command_times([sys.executable, "-c", "import hubfork.cli.main, hubfork.registry.registry"],
                                runs, env)
        traced, grown, rss = loaded_memory(measured)

        size = measured.stat().st_size
        print(f"registry: {measured} ({len(document['entries'])} entries, {size / 1e6:.2f} MB); "
              f"cards: {cards}")
        print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}, Python {sys.version.split()[0]}; "
              f"{runs} runs each (build: {len(build)})")
        print()
        print("new process each time, empty HUBFORK_CACHE and HUBFORK_HOME unless said:")
        print(line("hubfork registry build (to a temp file)", build, TARGETS["build"]))
        print(line("hubfork search bert (cold)", cold_search, TARGETS["search"]))
        print(line(f"hubfork show {shown} (cold)", cold_show, TARGETS["show"]))
        print(line("hubfork search bert --json (cold)", cold_json))
        print(line("hubfork search bert (warm: cache and home kept)", warm_search))
        print(line("python -c pass", baseline))
        print(line("import hubfork.cli.main + registry modules", imports))
        print()
        print("in this process (best of runs):")
        print(f"  write: yaml_writer.dump + trailer          {write:6.3f} s   ({size / write / 1e6:.0f} MB/s)")
        print(f"  read:  store.read (checks included)        {read:6.3f} s")
        print(f"  memory once loaded: {traced / 1e6:.1f} MB traced (tracemalloc), RSS +{grown / 1e6:.1f} MB "
              f"(RSS {rss / 1e6:.0f} MB)")
        print()
        figures = {
            "entries": len(document["entries"]), "build_s": statistics.median(build),
            "cold_search_s": statistics.median(cold_search), "cold_show_s": statistics.median(cold_show),
            "warm_search_s": statistics.median(warm_search), "write_s": write, "read_s": read,
            "traced_mb": traced / 1e6, "rss_growth_mb": grown / 1e6,
        }
        print(json.dumps({key: round(value, 3) for key, value in figures.items()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
