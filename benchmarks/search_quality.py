"""How often `hubfork search` puts the model a user means near the top, on the shipped catalogue.

Each query of `QUERIES` is something a user would type, with the models (`model_key`: handle without
version, lower-cased) they would be glad to get; a query counts as found at rank k when one of them is
the k-th *model* of the results (a model's versions and rows grouped, as `hubfork search` groups them).
Prints hits@1/3/5/10 and the mean reciprocal rank (MRR), for today's ranking and, side by side, for
the ranking before the catalogue's own signals were added (`OLD_MATCHES` / `OLD_ORDER`, a copy of
that table: text points only, then model, version, kind, handle; no grouping).

The queries and their answers were written before the ranking was tuned and are kept fixed: changing
them to suit a ranking would make the figures say nothing. Add queries only with a note of the date.

    .venv/bin/python benchmarks/search_quality.py [--registry PATH] [--show]

Raises:
    SystemExit: a query's expected model is not in the registry (the list went stale).
"""

from __future__ import annotations

import argparse
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hubfork.registry import ranking  # noqa: E402
from hubfork.registry.registry import Registry  # noqa: E402
from hubfork.registry.search import model_key  # noqa: E402

#: (query, the models a user typing it means, any of them a hit). Written before tuning; kept fixed.
QUERIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("bert", ("tensorflow/bert_en_uncased_l-12_h-768_a-12",)),
    ("bert cased", ("tensorflow/bert_en_cased_l-12_h-768_a-12",)),
    ("bert uncased", ("tensorflow/bert_en_uncased_l-12_h-768_a-12",)),
    ("bert multilingual", ("tensorflow/bert_multi_cased_l-12_h-768_a-12",)),
    ("bert preprocess", ("tensorflow/bert_en_uncased_preprocess",)),
    ("universal sentence encoder", ("google/universal-sentence-encoder",)),
    ("universal sentence encoder multilingual", ("google/universal-sentence-encoder-multilingual",)),
    ("use multilingual", ("google/universal-sentence-encoder-multilingual",)),
    ("albert", ("tensorflow/albert_en_base",)),
    ("electra", ("google/electra_base", "google/electra_small")),
    ("mobilenet v2", ("google/imagenet/mobilenet_v2_100_224/classification",
                      "google/imagenet/mobilenet_v2_100_224/feature_vector",
                      "google/tf2-preview/mobilenet_v2/classification",
                      "google/tf2-preview/mobilenet_v2/feature_vector")),
    ("efficientnet", ("tensorflow/efficientnet/b0/classification", "tensorflow/efficientnet/b0/feature-vector",
                      "google/efficientnet/b0/classification", "google/efficientnet/b0/feature-vector")),
    ("resnet 50", ("google/imagenet/resnet_v2_50/classification", "google/imagenet/resnet_v2_50/feature_vector",
                   "google/imagenet/resnet_v1_50/classification", "google/imagenet/resnet_v1_50/feature_vector")),
    ("inception v3", ("google/imagenet/inception_v3/classification", "google/imagenet/inception_v3/feature_vector",
                      "google/tf2-preview/inception_v3/classification",
                      "google/tf2-preview/inception_v3/feature_vector")),
    ("movenet", ("google/movenet/singlepose/lightning", "google/movenet/singlepose/thunder",
                 "google/movenet/multipose/lightning")),
    ("yamnet", ("google/yamnet",)),
    ("ssd mobilenet", ("tensorflow/ssd_mobilenet_v2", "tensorflow/ssd_mobilenet_v1",
                       "google/openimages_v4/ssd/mobilenet_v2")),
    ("faster rcnn", ("tensorflow/faster_rcnn/resnet50_v1_640x640", "tensorflow/faster_rcnn/resnet50_v1_1024x1024",
                     "google/faster_rcnn/openimages_v4/inception_resnet_v2",
                     "tensorflow/faster_rcnn/inception_resnet_v2_640x640")),
    ("elmo", ("google/elmo",)),
    ("nnlm", ("google/nnlm-en-dim128", "google/nnlm-en-dim50", "google/nnlm-en-dim128-with-normalization",
              "google/nnlm-en-dim50-with-normalization")),
    ("small bert", ("tensorflow/small_bert/bert_en_uncased_l-4_h-512_a-8",
                    "tensorflow/small_bert/bert_en_uncased_l-2_h-128_a-2",
                    "tensorflow/small_bert/bert_en_uncased_l-4_h-256_a-4")),
    ("talking heads", ("tensorflow/talkheads_ggelu_bert_en_base", "tensorflow/talkheads_ggelu_bert_en_large")),
    ("lambert", ("tensorflow/lambert_en_uncased_l-24_h-1024_a-16",)),
    ("muril", ("google/muril",)),
    ("labse", ("google/labse",)),
    ("sentence t5", ("google/sentence-t5/st5-base",)),
    ("wav2vec", ("vasudevgupta7/wav2vec2",)),
    ("spice", ("google/spice",)),
    ("bit", ("google/bit/m-r50x1", "google/bit/s-r50x1")),
    ("vit", ("sayakpaul/vit_b16_classification", "sayakpaul/vit_b16_fe")),
    ("trill", ("google/nonsemantic-speech-benchmark/trill",)),
    ("esrgan", ("captain-pool/esrgan-tf2",)),
    ("biggan", ("deepmind/biggan-deep-256", "deepmind/biggan-256", "deepmind/biggan-128")),
    ("style transfer", ("google/magenta/arbitrary-image-stylization-v1-256",)),
    ("vggish", ("google/vggish",)),
    ("movinet", ("tensorflow/movinet/a0/base/kinetics-600/classification",
                 "tensorflow/movinet/a2/base/kinetics-600/classification")),
)

#: The ranking before the catalogue's signals, kept to measure the change against.
OLD_MATCHES = (
    ranking.Match("equals", ("name", "handle", "model"), 16),
    ranking.Match("word", ("name",), 8),
    ranking.Match("contains", ("name", "handle"), 4),
    ranking.Match("contains", ("tags",), 2),
    ranking.Match("contains", ("description",), 1),
)
OLD_ORDER = (
    ("score", ranking.DESCENDING),
    ("model", ranking.ASCENDING),
    ("version", ranking.DESCENDING),
    ("kind", ranking.ASCENDING),
    ("handle", ranking.ASCENDING),
)
KS = (1, 3, 5, 10)


@contextmanager
def old_table() -> Iterator[None]:
    """The ranking table as it was, for the time of the block."""
    saved = ranking.MATCHES, ranking.ORDER
    ranking.MATCHES, ranking.ORDER = OLD_MATCHES, OLD_ORDER
    try:
        yield
    finally:
        ranking.MATCHES, ranking.ORDER = saved


def models(registry: Registry, query: str) -> list[str]:
    """The models `query` finds, best first, each once (at the place of its best row)."""
    return list(dict.fromkeys(model_key(entry.handle) for entry in registry.search(query)))


def rank(found: list[str], wanted: tuple[str, ...]) -> int | None:
    """The 1-based place of the first wanted model, or None."""
    return next((i for i, key in enumerate(found, 1) if key in wanted), None)


def figures(ranks: list[int | None]) -> dict[str, float]:
    out = {f"hits@{k}": sum(1 for r in ranks if r is not None and r <= k) / len(ranks) for k in KS}
    out["MRR"] = sum(1 / r for r in ranks if r is not None) / len(ranks)
    return out


def check(registry: Registry) -> None:
    known = {model_key(entry.handle) for entry in registry}
    missing = [key for _, wanted in QUERIES for key in wanted if key not in known]
    if missing:
        raise SystemExit(f"the registry has none of: {', '.join(missing)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--registry", help="a registry file (default: the shipped one)")
    parser.add_argument("--show", action="store_true", help="print each query's rank, old and new")
    args = parser.parse_args(argv)
    registry = Registry.load_file(args.registry) if args.registry else Registry.load()
    check(registry)
    new = [rank(models(registry, query), wanted) for query, wanted in QUERIES]
    with old_table():
        old = [rank(models(registry, query), wanted) for query, wanted in QUERIES]
    if args.show:
        for (query, _), o, n in zip(QUERIES, old, new):
            print(f"{query:42} old {o if o else '-':>4}  new {n if n else '-':>4}")
    print(f"{len(QUERIES)} queries on {len(registry)} entries")
    print(f"{'':8}" + "".join(f"{name:>9}" for name in figures(new)))
    for label, ranks in (("old", old), ("new", new)):
        print(f"{label:8}" + "".join(f"{value:9.3f}" for value in figures(ranks).values()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
