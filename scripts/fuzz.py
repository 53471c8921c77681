"""A fuzzing campaign of hubfork's readers of untrusted text, for as many minutes as asked.

    .venv/bin/python scripts/fuzz.py --minutes 10 [--seed S] [--out fuzz-failures] [--targets card-parser,resolver]

Runs the properties of tests/fixtures/fuzzing.py (the suite's fuzz tests run the same ones, with
a few examples each) on mutations of real cards, of the shipped registry and of real names, with
Hypothesis, the time split evenly between the targets. Each target runs in rounds of Hypothesis
runs, each round seeded from ``--seed`` and its number, until its time is up; a failing round
shrinks its input to a minimal one, saved in ``--out`` (the input's repr and raw bytes, and the
traceback), and the campaign goes on. Prints, per target, the inputs tried and the distinct
failures found (by exception type and where it was raised). Exit status 1 when any failure was found.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

#: Examples per Hypothesis run: a round is short, so the time limit is kept closely.
ROUND_EXAMPLES = 2000


@dataclass
class Tally:
    """What one target's campaign did."""

    inputs: int = 0
    rounds: int = 0
    failures: dict[str, Path] = field(default_factory=dict)  # where it failed -> the reproducer saved


class _TimeUp(Exception):
    """Raised inside a run once the target's time is up, to end the run without a failure."""


def _signature(exc: BaseException) -> str:
    """A failure's identity: its exception type and the innermost frame of hubfork's that raised it."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/hubfork/" in f.filename.replace("\\", "/")]
    where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "?"
    return f"{type(exc).__name__} at {where}"


def _save(out: Path, target: str, value: object, exc: BaseException) -> Path:
    raw = value if isinstance(value, bytes) else str(value).encode("utf-8", "surrogatepass")
    digest = hashlib.sha256(raw).hexdigest()[:12]
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{target}-{digest}.input").write_bytes(raw)
    report = out / f"{target}-{digest}.txt"
    report.write_text(f"target: {target}\ninput (repr): {value!r}\n\n"
                      + "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)), encoding="utf-8")
    return report


def run_target(target, seconds: float, seed: int, out: Path) -> Tally:
    """Fuzz one target for `seconds`."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as seeded

    tally = Tally()
    deadline = time.monotonic() + seconds
    strategy = target.strategy()
    while time.monotonic() < deadline:
        last_failure: list[tuple[object, BaseException]] = []
        searching = [True]

        def check(value: object) -> None:
            if searching[0] and time.monotonic() >= deadline:
                raise _TimeUp
            tally.inputs += 1
            try:
                target.check(value)
            except Exception as exc:  # anything the property lets escape is a failure
                searching[0] = False  # shrinking: let it finish even past the deadline
                last_failure.append((value, exc))
                raise

        run = settings(max_examples=ROUND_EXAMPLES, deadline=None, database=None, derandomize=False,
                       phases=[Phase.generate, Phase.shrink], print_blob=False,
                       suppress_health_check=list(HealthCheck))(given(strategy)(check))
        run = seeded(seed * 1_000_003 + tally.rounds)(run)
        tally.rounds += 1
        try:
            run()
        except _TimeUp:
            break
        except Exception:
            if last_failure:
                value, exc = last_failure[-1]  # Hypothesis replays the minimal example last
                where = _signature(exc)
                if where not in tally.failures:
                    value, exc = _reduce(target.check, value, exc)
                    tally.failures[where] = _save(out, target.name, value, exc)
    return tally


def _reduce(check, value, exc: BaseException) -> tuple[object, BaseException]:
    """`value` with as many of its lines, then characters, removed as keep it failing the same way
    (Hypothesis shrinks the choices that made an input; a mutated 9 KB registry stays 9 KB)."""
    where = _signature(exc)
    if not isinstance(value, (str, bytes)):
        return value, exc  # a structured input (a hub's lies) is as small as Hypothesis shrank it

    def fails(candidate: object) -> BaseException | None:
        try:
            check(candidate)
        except Exception as error:  # noqa: BLE001 - any escape is the failure being reduced
            return error if _signature(error) == where else None
        return None

    for unit in ("lines", "chars"):
        # value[i:i + 1] and value[:0].join work alike for str and bytes
        parts = value.splitlines(keepends=True) if unit == "lines" else [value[i:i + 1] for i in range(len(value))]
        if unit == "chars" and len(parts) > 2000:
            break  # character by character is for short inputs only
        size = max(1, len(parts) // 2)
        while size >= 1:
            start = 0
            while start < len(parts):
                candidate = parts[:start] + parts[start + size:]
                error = fails(value[:0].join(candidate))
                if error is not None:
                    parts, exc = candidate, error
                else:
                    start += size
            size //= 2
        value = value[:0].join(parts)
    return value, exc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, required=True, help="how long the whole campaign runs")
    parser.add_argument("--seed", type=int, default=0, help="seed of the first round of each target (default 0)")
    parser.add_argument("--out", type=Path, default=ROOT / "fuzz-failures",
                        help="where minimal failing inputs are saved (default: fuzz-failures/)")
    parser.add_argument("--targets", help="comma-separated targets (default: all)")
    args = parser.parse_args(argv)

    from tests.fixtures.fuzzing import TARGETS, isolated_cache

    targets = [t for t in TARGETS if not args.targets or t.name in args.targets.split(",")]
    if not targets:
        parser.error(f"no such target; targets: {', '.join(t.name for t in TARGETS)}")
    cache = isolated_cache()
    os.environ.setdefault("HUBFORK_HOME", cache.name)
    share = args.minutes * 60 / len(targets)
    print(f"fuzzing {len(targets)} targets for {args.minutes:g} minutes ({share:.0f} s each), seed {args.seed}",
          flush=True)
    total_inputs = total_failures = 0
    for target in targets:
        started = time.monotonic()
        tally = run_target(target, share, args.seed, args.out)
        elapsed = time.monotonic() - started
        total_inputs += tally.inputs
        total_failures += len(tally.failures)
        print(f"{target.name:16} {tally.inputs:>9,} inputs in {elapsed:5.0f} s ({tally.rounds} rounds), "
              f"{len(tally.failures)} failures", flush=True)
        for where, report in sorted(tally.failures.items()):
            print(f"    {where}: {report}", flush=True)
    print(f"total            {total_inputs:>9,} inputs, {total_failures} failures")
    cache.cleanup()
    return 1 if total_failures else 0


if __name__ == "__main__":
    sys.exit(main())
