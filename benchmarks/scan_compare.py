"""Scanner comparison: `hubfork scan` against modelscan and TensorFlow's `saved_model_cli scan`, on
the same SavedModels: hubfork's own clean models, the legitimate models of the tests and the crafted
malicious ones.

The models, built in a temporary folder:

  ours       an encoder of every generation (tf1-hub, v1, v2, v3, v4 with .mlm) with random weights
             (layers=2, hidden=32, heads=2) and a preprocessor, written by `hubfork.models.convert`;
             with --with-minilm also all-MiniLM-L6-v2 and its preprocessor from the embedded hub
  legitimate every model of `tests/fixtures/legitimate.py` (`build_all`): each made the way real models
             are made (Keras 3 export, tf_keras, TF Text tokenizers, tf.signal/image/audio, a training
             signature, a TF1 SavedModelBuilder with a vocab asset...); a model whose library is not
             installed (jax2tf without jax) is listed as skipped, with the reason
  crafted    every model of `tests/fixtures/crafted.py` (`build_all`) and the path escapes of
             `tests/fixtures/crafted_paths.py`: each reads, lists or writes a
             file, from wherever in the SavedModel it can be put

--sets picks some of them (default: all three).

Every scanner runs on every model twice:

  cli         its command, one process per model, as a user or a CI job runs it: the verdict comes from
              here; the time includes starting Python and importing what the scanner imports
  in-process  its scanning function in one warm process, imports done first: the time of the scan itself
              (hubfork.scan; modelscan's ModelScan; the function saved_model_cli's scan command calls)

Printed: for each scanner, malicious models detected and missed (called clean), clean models flagged
(false alarms, on hubfork's own models and on the legitimate set apart), errors, and median seconds per
model; then each scanner's verdict on each legitimate model side by side, then each model's verdicts. Figures only;
nothing here passes or fails. A scanner that is not installed is reported as such.

The peers. saved_model_cli comes with TensorFlow (the project's .venv has it). modelscan pins its own
dependencies, so it gets a venv of its own, with the TensorFlow it needs to read SavedModels (without
it, modelscan prints "No issues found!" beside a dependency error for every .pb file):

  python3 -m venv .bench-venvs/modelscan
  .bench-venvs/modelscan/bin/pip install "modelscan[tensorflow]==0.8.8" "tensorflow==2.21.0"

Run from the repository root:

  .venv/bin/python benchmarks/scan_compare.py [--with-minilm] [--json] [--work DIR]
      [--modelscan PATH] [--saved-model-cli PATH] [--sets ours,legitimate,crafted]
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SCANNERS = ("hubfork", "modelscan", "saved_model_cli")
RANDOM_SPEC = "layers=2,hidden=32,heads=2"
WORDS = ["the", "a", "cat", "dog", "sat", "on", "mat", "hello", "world", "un", "##aff", "##able", ".", ",", "!"]
TIMEOUT_S = 600
# TensorFlow's C++ start-up chatter is not what any scanner says.
QUIET = {"TF_CPP_MIN_LOG_LEVEL": "3"}

FLAGGED, CLEAN, ERROR = "flagged", "clean", "error"
#: The groups of models, in the order they are built and listed.
SETS = ("ours", "legitimate", "crafted")


# ------------------------------------------------------------------ the models (built in a child process)


def build_models(work: Path, with_minilm: bool, sets: tuple[str, ...]) -> dict:
    """Write the models of `sets` under `work`: ``{"models": one record each, "skipped": {name: reason}}``."""
    models, skipped = [], {}
    if "ours" in sets:
        models += build_ours(work, with_minilm)
    if "legitimate" in sets:
        from tests.fixtures.legitimate import SKIPPED
        from tests.fixtures.legitimate import build_all as build_legitimate

        folder = work / "legitimate"
        models += [clean_record(name, folder / relative, "legitimate")
                   for name, relative in build_legitimate(folder).items()]
        skipped.update(SKIPPED)
    if "crafted" in sets:
        from tests.fixtures.crafted import build_all as build_crafted
        from tests.fixtures.crafted_paths import build as build_paths

        models += [{"name": crafted.name, "path": str(crafted.path), "malicious": True, "op": crafted.op,
                    "category": crafted.category, "set": "crafted"} for crafted in build_crafted(work / "crafted")]
        # The path escapes (computed table paths, custom saveables, debug URLs); their clean counterparts
        # count as legitimate.
        for name, record in build_paths(work / "paths").items():
            if record["op"]:
                models.append({"name": name, "path": record["path"], "malicious": True, "op": record["op"],
                               "category": record["category"], "set": "crafted"})
            else:
                models.append(clean_record(name, Path(record["path"]), "legitimate"))
    return {"models": models, "skipped": skipped}


def build_ours(work: Path, with_minilm: bool) -> list[dict]:
    """hubfork's own clean models: an encoder of every generation, the preprocessor, MiniLM if asked."""
    from hubfork.constants import GENERATIONS
    from hubfork.models.convert import convert

    ours = work / "ours"
    ours.mkdir(parents=True, exist_ok=True)
    vocab = ours / "vocab.txt"
    vocab.write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS]) + "\n", encoding="utf-8")
    models = []
    for generation in GENERATIONS:
        # One preprocessor is enough: every generation's would be the same SavedModel.
        extra = {"preprocessor_out": ours / "preprocess"} if generation == GENERATIONS[-1] else {}
        convert(ours / generation, generation, random_spec=RANDOM_SPEC, vocab_file=vocab, **extra)
        models.append(clean_record(f"{generation} encoder", ours / generation))
    models.append(clean_record("preprocessor", ours / "preprocess"))
    if with_minilm:
        from hubfork.hub.embedded import EMBEDDED_REPOS, ensure_embedded_hub

        hub = ensure_embedded_hub()
        for repo in EMBEDDED_REPOS:
            models.append(clean_record(repo.repo_id, hub.repo_path(repo.repo_id)))
    return models


def clean_record(name: str, path: Path, group: str = "ours") -> dict:
    return {"name": name, "path": str(path), "malicious": False, "op": "", "category": "", "set": group}


# ------------------------------------------------------------------ verdicts


def verdict(kind: str, ops=(), detail: str = "") -> dict:
    return {"verdict": kind, "ops": sorted(set(ops)), "detail": detail}


def hubfork_ops(report) -> list[str]:
    """The ops of every finding in `hubfork scan --json` output, whatever nests them."""
    ops: list[str] = []
    if isinstance(report, dict):
        for key, value in report.items():
            if key == "findings" and isinstance(value, list):
                ops += [finding["op"] for finding in value if isinstance(finding, dict) and finding.get("op")]
            else:
                ops += hubfork_ops(value)
    elif isinstance(report, list):
        for value in report:
            ops += hubfork_ops(value)
    return ops


def parse_hubfork_cli(code: int, stdout: str, stderr: str) -> dict:
    """Exit 0 clean, 1 findings, 2 unreadable."""
    ops = []
    with contextlib.suppress(ValueError):
        ops = hubfork_ops(json.loads(stdout))
    if code == 0:
        return verdict(CLEAN)
    if code == 1:
        return verdict(FLAGGED, ops)
    return verdict(ERROR, detail=last_line(stderr or stdout) or f"exit {code}")


def parse_modelscan_report(report: dict) -> dict:
    """Issues make a finding even beside errors (its exit code puts errors first); a folder where
    modelscan read no file is an error, not a clean bill (it exits 3 then)."""
    issues = report.get("issues") or []
    if issues:
        return verdict(FLAGGED, [issue.get("operator") or issue.get("description", "?") for issue in issues])
    errors = report.get("errors") or []
    if errors:
        first = errors[0]
        return verdict(ERROR, detail=str(first.get("description") or first) if isinstance(first, dict) else str(first))
    if not report.get("summary", {}).get("scanned", {}).get("total_scanned"):
        return verdict(ERROR, detail="no file scanned")
    return verdict(CLEAN)


def parse_saved_model_cli(code: int, stdout: str, stderr: str) -> dict:
    """It prints one line per meta graph (`... contains the following denylisted ops: {...}` or `... does
    not contain ...`) and exits 0 either way."""
    flagged, lines = [], 0
    for line in stdout.splitlines():
        if "contains the following denylisted ops:" in line:
            lines += 1
            with contextlib.suppress(ValueError, SyntaxError):
                flagged += list(ast.literal_eval(line.split("denylisted ops:", 1)[1].strip()))
        elif "does not contain the default denylisted ops" in line:
            lines += 1
    if code != 0 or not lines:
        return verdict(ERROR, detail=last_line(stderr or stdout) or f"exit {code}")
    return verdict(FLAGGED, flagged) if flagged else verdict(CLEAN)


def last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:200] if lines else ""


# ------------------------------------------------------------------ one scanner in one warm process


def worker(scanner: str, work: Path) -> dict:
    """Scan every model with `scanner`'s own function, imports first; return versions, verdicts, times.
    Runs in the scanner's environment (modelscan's venv for modelscan), so it imports nothing of ours
    but hubfork's scan."""
    models = json.loads((work / "models.json").read_text(encoding="utf-8"))
    started = time.perf_counter()
    scan, versions = in_process_scanner(scanner)
    import_s = time.perf_counter() - started
    results = []
    for model in models:
        started = time.perf_counter()
        try:
            result = scan(model["path"])
        except Exception as error:  # a crash on one model is that scanner's verdict on it
            result = verdict(ERROR, detail=f"{type(error).__name__}: {error}"[:200])
        result["seconds"] = time.perf_counter() - started
        results.append(result)
    cached = []
    if scanner == "hubfork":
        # The load paths call check_model, which keeps each verdict under saved_model.pb's hash: time
        # the second call on each model, the one a model loaded again pays.
        from hubfork.errors import HubforkError
        from hubfork.scanning import check_model

        for model in models:
            for _ in range(2):
                started = time.perf_counter()
                with contextlib.suppress(HubforkError):
                    check_model(model["path"])
            cached.append(time.perf_counter() - started)
    return {"versions": versions, "import_s": import_s, "results": results, "cached_s": cached}


def in_process_scanner(scanner: str):
    if scanner == "hubfork":
        import hubfork
        import hubfork.scanning.graph  # noqa: F401  (imported on the first scan otherwise)
        import hubfork.scanning.protos  # noqa: F401
        from hubfork.errors import UnreadableModelError

        def scan(path: str) -> dict:
            try:
                report = hubfork.scan(path)
            except UnreadableModelError as error:
                return verdict(ERROR, detail=str(error)[:200])
            return verdict(CLEAN) if report.clean else verdict(FLAGGED, [f.op for f in report.findings])

        return scan, {"hubfork": hubfork_version()}

    if scanner == "modelscan":
        import copy

        import modelscan
        import tensorflow as tf
        from modelscan.modelscan import ModelScan
        from modelscan.settings import DEFAULT_SETTINGS

        def scan(path: str) -> dict:
            scanner = ModelScan(settings=copy.deepcopy(DEFAULT_SETTINGS))
            scanner.scan(path)
            return parse_modelscan_report(scanner._generate_results())

        return scan, {"modelscan": modelscan.__version__, "tensorflow": tf.__version__}

    import tensorflow as tf
    from tensorflow.python.tools import saved_model_cli, saved_model_utils

    def scan(path: str) -> dict:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            for meta_graph in saved_model_utils.read_saved_model(path).meta_graphs:
                saved_model_cli.scan_meta_graph_def(meta_graph, saved_model_cli._OP_DENYLIST)
        return parse_saved_model_cli(0, out.getvalue(), "")

    return scan, {"tensorflow": tf.__version__}


def hubfork_version() -> str:
    from importlib import metadata

    with contextlib.suppress(metadata.PackageNotFoundError):
        return metadata.version("hubfork")
    return "unknown"


# ------------------------------------------------------------------ the driver


def find_tools(args: argparse.Namespace) -> dict[str, dict | None]:
    """Each scanner's command and the Python its in-process worker runs on; None where not installed."""
    bin_dir = Path(sys.executable).parent
    # A path given that leads nowhere means the same as nothing installed: reported, not a crash.
    modelscan = (first_existing(args.modelscan) if args.modelscan else
                 first_existing(ROOT / ".bench-venvs" / "modelscan" / "bin" / "modelscan", shutil.which("modelscan")))
    saved_model_cli = (first_existing(args.saved_model_cli) if args.saved_model_cli else
                       first_existing(bin_dir / "saved_model_cli", shutil.which("saved_model_cli")))
    has_scanner = (ROOT / "hubfork" / "scanning" / "scanner.py").is_file()
    tools: dict[str, dict | None] = {"hubfork": {"command": [sys.executable, "-m", "hubfork", "scan"],
                                                 "python": sys.executable} if has_scanner else None}
    tools["modelscan"] = ({"command": [str(modelscan), "scan", "-l", "ERROR", "-r", "json"],
                           "python": str(Path(modelscan).parent / "python")} if modelscan else None)
    tools["saved_model_cli"] = ({"command": [str(saved_model_cli), "scan"], "python": sys.executable}
                                if saved_model_cli else None)
    return tools


#: Where `find_tools` looks for a scanner by default, for the line that says it is not installed.
LOOKED_IN = {"modelscan": "looked for .bench-venvs/modelscan/bin/modelscan and modelscan on PATH; this "
                          "script's docstring says how to install it",
             "saved_model_cli": "looked beside this Python and on PATH",
             "hubfork": "no hubfork/scanning/scanner.py in this checkout"}


def first_existing(*candidates) -> Path | None:
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def run_cli(scanner: str, tool: dict, path: str, work: Path, env: dict) -> dict:
    """One command on one model: its verdict and wall time."""
    if scanner == "hubfork":
        command = [*tool["command"], path, "--json"]
    elif scanner == "modelscan":
        report = work / "modelscan-report.json"
        report.unlink(missing_ok=True)
        command = [*tool["command"], "-p", path, "-o", str(report)]
    else:
        command = [*tool["command"], "--dir", path]
    started = time.perf_counter()
    try:
        # modelscan reads ./modelscan-settings.toml when there is one: run where there is none.
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S, env=env, cwd=work,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return {**verdict(ERROR, detail=f"timed out after {TIMEOUT_S} s"), "seconds": TIMEOUT_S}
    except OSError as error:
        return {**verdict(ERROR, detail=f"cannot run {command[0]}: {error}"), "seconds": 0.0}
    seconds = time.perf_counter() - started
    if scanner == "hubfork":
        result = parse_hubfork_cli(done.returncode, done.stdout, done.stderr)
    elif scanner == "modelscan":
        try:
            result = parse_modelscan_report(json.loads(report.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            result = verdict(ERROR, detail=last_line(done.stderr or done.stdout) or f"exit {done.returncode}")
    else:
        result = parse_saved_model_cli(done.returncode, done.stdout, done.stderr)
    return {**result, "seconds": seconds, "exit": done.returncode}


def run_child(python: str, mode: list[str], out: Path, work: Path, env: dict) -> dict:
    """This script in another Python (`--build` or `--worker NAME`); returns the JSON it wrote to `out`."""
    out.unlink(missing_ok=True)
    done = subprocess.run([python, str(Path(__file__).resolve()), *mode, "--work", str(work)], env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
    if done.returncode != 0 or not out.is_file():
        tail = "\n".join(done.stderr.strip().splitlines()[-15:])
        raise RuntimeError(f"{' '.join(mode)} failed (exit {done.returncode}):\n{tail}")
    return json.loads(out.read_text(encoding="utf-8"))


def drive(args: argparse.Namespace, work: Path) -> dict:
    # hubfork's load paths keep verdicts by saved_model.pb's hash: each run starts from an empty cache of
    # its own, so no time here is a cache hit unless it says so.
    base = {**os.environ, **QUIET}
    started = time.perf_counter()
    built = run_child(sys.executable, ["--build", "--sets", ",".join(args.sets)]
                      + (["--with-minilm"] if args.with_minilm else []), work / "build.json", work, base)
    models = built["models"]
    (work / "models.json").write_text(json.dumps(models), encoding="utf-8")
    malicious = sum(model["malicious"] for model in models)
    print(f"models: {len(models) - malicious} clean, {malicious} malicious, built in "
          f"{time.perf_counter() - started:.0f} s", file=sys.stderr)

    tools = find_tools(args)
    scanners: dict[str, dict] = {}
    for scanner in SCANNERS:
        tool = tools[scanner]
        if tool is None:
            scanners[scanner] = {"installed": False, "looked_in": LOOKED_IN.get(scanner, "")}
            print(f"{scanner}: not installed ({LOOKED_IN.get(scanner, '')})", file=sys.stderr)
            continue
        env = {**base, "HUBFORK_CACHE": str(work / f"cache-{scanner}-cli")}
        started = time.perf_counter()
        cli = [run_cli(scanner, tool, model["path"], work, env) for model in models]
        env["HUBFORK_CACHE"] = str(work / f"cache-{scanner}-in-process")
        try:
            warm = run_child(tool["python"], ["--worker", scanner], work / f"worker-{scanner}.json", work, env)
        except RuntimeError as error:
            warm = {"versions": {}, "import_s": None, "results": [], "cached_s": [], "failed": str(error)}
        scanners[scanner] = {"installed": True, "cli": cli, **warm}
        print(f"{scanner}: scanned {len(models)} models twice in {time.perf_counter() - started:.0f} s",
              file=sys.stderr)
    return {"date": time.strftime("%Y-%m-%d"), "cores": os.cpu_count(), "models": models,
            "skipped": built["skipped"], "scanners": scanners}


# ------------------------------------------------------------------ the tables


def summarise(results: dict) -> dict[str, dict]:
    models = results["models"]
    summary = {}
    for scanner, run in results["scanners"].items():
        if not run["installed"]:
            summary[scanner] = {"installed": False, "looked_in": run.get("looked_in", "")}
            continue
        counts = {"detected": 0, "named_op": 0, "missed": 0, "false_alarms": 0, "false_alarms_ours": 0,
                  "false_alarms_legitimate": 0, "errors": 0, "errors_legitimate": 0}
        for model, cli in zip(models, run["cli"]):
            if cli["verdict"] == ERROR:
                counts["errors"] += 1
                counts["errors_legitimate"] += model.get("set") == "legitimate"
            elif model["malicious"]:
                counts["detected" if cli["verdict"] == FLAGGED else "missed"] += 1
                counts["named_op"] += cli["verdict"] == FLAGGED and model["op"] in cli["ops"]
            elif cli["verdict"] == FLAGGED:
                counts["false_alarms"] += 1
                counts[f"false_alarms_{model.get('set', 'ours')}"] += 1
        warm = [r["seconds"] for r in run.get("results", [])]
        disagree = [model["name"] for model, cli, w in zip(models, run["cli"], run.get("results", []))
                    if cli["verdict"] != w["verdict"]]
        summary[scanner] = {
            "installed": True, "versions": run.get("versions", {}), **counts,
            "cli_s": statistics.median(r["seconds"] for r in run["cli"]),
            "in_process_ms": 1000 * statistics.median(warm) if warm else None,
            "import_s": run.get("import_s"),
            "cached_ms": 1000 * statistics.median(run["cached_s"]) if run.get("cached_s") else None,
            "cli_and_in_process_disagree": disagree, "worker_failed": run.get("failed"),
        }
    return summary


def cell(model: dict, result: dict) -> str:
    if result["verdict"] == ERROR:
        return f"error: {result['detail'][:60]}"
    if result["verdict"] == CLEAN:
        return "clean — MISSED" if model["malicious"] else "clean"
    ops = ", ".join(result["ops"]) or "?"
    if len(ops) > 48:
        ops = ops[:45] + "..."
    return f"{ops} — FALSE ALARM" if not model["malicious"] else ops


def table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table, its columns padded to line up in a terminal too."""
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]

    def line(row):
        return "| " + " | ".join(str(value).ljust(width) for value, width in zip(row, widths)) + " |"

    return "\n".join([line(header), "|" + "|".join("-" * (width + 2) for width in widths) + "|",
                      *(line(row) for row in rows)])


def report(results: dict, summary: dict[str, dict]) -> None:
    models = results["models"]
    malicious = sum(model["malicious"] for model in models)
    versions = {}
    for run in summary.values():
        versions.update(run.get("versions", {}))
    named = ", ".join(f"{name} {version}" for name, version in sorted(versions.items()))
    ours = sum(model.get("set", "ours") == "ours" for model in models)
    legitimate = sum(model.get("set") == "legitimate" for model in models)
    print(f"\n{results['date']}, {results['cores']} cores; {named}")
    print(f"{malicious} malicious models (tests/fixtures/crafted.py, crafted_paths.py), {legitimate} legitimate "
          f"ones (tests/fixtures/legitimate.py, crafted_paths.py), {ours} clean ones (hubfork's own)\n")
    rows = []
    for scanner, s in summary.items():
        if not s["installed"]:
            rows.append([scanner, "not installed", "", "", "", "", "", "", ""])
            continue
        in_process = f"{s['in_process_ms']:.1f}" if s["in_process_ms"] is not None else "worker failed"
        rows.append([scanner, f"{s['detected']}/{malicious}", f"{s['named_op']}/{malicious}", str(s["missed"]),
                     f"{s['false_alarms_legitimate']}/{legitimate}", f"{s['false_alarms_ours']}/{ours}",
                     str(s["errors"]), f"{s['cli_s']:.2f}", in_process])
    print(table(["scanner", "detected", "named the op", "missed", "false alarms (legitimate)",
                 "false alarms (ours)", "errors", "cli s/model", "in-process ms/model"], rows))
    for scanner, s in summary.items():
        if not s["installed"]:
            print(f"{scanner}: not installed ({s['looked_in']})")
    notes = []
    for scanner, s in summary.items():
        if not s["installed"]:
            continue
        if s["cached_ms"] is not None:
            notes.append(f"{scanner}: check_model (the load paths' gate) on a model whose verdict is cached: "
                         f"{s['cached_ms']:.2f} ms/model")
        if s["import_s"] is not None:
            notes.append(f"{scanner}: imports before the first in-process scan {s['import_s']:.1f} s")
        if s["cli_and_in_process_disagree"]:
            notes.append(f"{scanner}: command and in-process function disagree on "
                         f"{', '.join(s['cli_and_in_process_disagree'])}")
        if s["worker_failed"]:
            notes.append(f"{scanner}: in-process run failed: {s['worker_failed']}")
    if notes:
        print("\n" + "\n".join(notes))

    installed = [scanner for scanner, s in summary.items() if s["installed"]]
    legitimate_table(results, installed)
    rows = [[model["name"], model["op"] or "(clean)",
             *(cell(model, results["scanners"][scanner]["cli"][i]) for scanner in installed)]
            for i, model in enumerate(models)]
    print("\nverdict of each command (the ops it reported)\n")
    print(table(["model", "expected op", *installed], rows))


def legitimate_table(results: dict, installed: list[str]) -> None:
    """Each scanner's verdict on each legitimate model, side by side, and the models not built here."""
    models = results["models"]
    indexes = [i for i, model in enumerate(models) if model.get("set") == "legitimate"]
    if not indexes and not results.get("skipped"):
        return
    rows = [[models[i]["name"], *(cell(models[i], results["scanners"][scanner]["cli"][i]) for scanner in installed)]
            for i in indexes]
    rows += [[name, *(["skipped"] * len(installed))] for name in results.get("skipped", {})]
    print("\nthe legitimate set: each command's verdict (a flagged model is a false alarm)\n")
    print(table(["legitimate model", *installed], rows))
    for name, reason in results.get("skipped", {}).items():
        print(f"{name}: skipped, {reason}")


def sets_argument(value: str) -> tuple[str, ...]:
    chosen = tuple(name.strip() for name in value.split(",") if name.strip())
    unknown = [name for name in chosen if name not in SETS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"expected a comma-separated list of {', '.join(SETS)}, "
                                         f"got {value!r}")
    return chosen


def main() -> int:
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("--with-minilm", action="store_true",
                        help="also scan all-MiniLM-L6-v2 and its preprocessor from the embedded hub (built if needed)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON after the tables")
    parser.add_argument("--work", type=Path, help="work folder (default: a temporary one, removed at the end)")
    parser.add_argument("--modelscan", type=Path, help="the modelscan command (default: "
                        ".bench-venvs/modelscan/bin/modelscan, else modelscan on PATH)")
    parser.add_argument("--saved-model-cli", type=Path, help="the saved_model_cli command (default: the one beside "
                        "this Python, else on PATH)")
    parser.add_argument("--sets", type=sets_argument, default=SETS,
                        help=f"which models to build and scan, comma-separated (default: {','.join(SETS)})")
    parser.add_argument("--build", action="store_true", help=argparse.SUPPRESS)  # the child sides
    parser.add_argument("--worker", choices=SCANNERS, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.build:
        (args.work / "build.json").write_text(json.dumps(build_models(args.work, args.with_minilm, args.sets)))
        return 0
    if args.worker:
        (args.work / f"worker-{args.worker}.json").write_text(json.dumps(worker(args.worker, args.work)))
        return 0

    work = Path(args.work or tempfile.mkdtemp(prefix="hubfork-scan-compare-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        results = drive(args, work.absolute())
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    summary = summarise(results)
    report(results, summary)
    if args.json:
        print(json.dumps({**results, "summary": summary}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
