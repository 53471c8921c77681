"""Generate a corpus of TF Hub-format model cards shaped like tfhub.dev's.

tfhub.dev's ~2,800 cards: a publisher page per publisher, mostly Module cards
(text and image models, several versions each), their Lite/Tfjs/Coral
variants, some placeholders and collections; bodies of a few KB with usage
code, overview prose and a changelog. The generator is deterministic for a seed.

Usage: python benchmarks/corpus.py OUT_DIR [N]
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

_WORDS = (
    "model encoder text image trained dataset embedding transformer vector feature layer representation "
    "input output token sequence pooled fine-tuning inference quality accuracy benchmark language network "
    "classification detection segmentation speech audio video mobile efficient large small base"
).split()
_TEXT_TASKS = ["text-embedding", "text-classification", "text-language-model", "text-preprocessing"]
_IMAGE_TASKS = ["image-classification", "image-feature-vector", "image-object-detection", "image-segmentation"]
_LANGUAGES = ["en", "de", "fr", "es", "zh", "ja", "ar", "hi", "ru", "pt"]
_DATASETS = ["wikipedia-and-bookscorpus", "imagenet-ilsvrc-2012-cls", "coco-2017", "common-crawl", "mnist"]
_ARCHS = ["transformer", "bert", "mobilenet-v2", "efficientnet", "resnet-v2-50", "dan"]


def _sentence(rng: random.Random, n: int = 14) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(n)).capitalize() + "."


def _paragraph(rng: random.Random, lines: int) -> str:
    return "\n".join(_sentence(rng, rng.randint(8, 14)) for _ in range(lines))


def _module(rng: random.Random, publisher: str, name: str, version: int, text_model: bool) -> str:
    task = rng.choice(_TEXT_TASKS if text_model else _IMAGE_TASKS)
    meta = [
        f"<!-- asset-path: {rng.choice(['legacy', 'internal'])} -->",
        f"<!-- task: {task} -->",
        f"<!-- fine-tunable: {rng.choice(['true', 'false'])} -->",
        f"<!-- format: {rng.choice(['saved_model_2', 'saved_model_2', 'hub'])} -->",
        f"<!-- network-architecture: {rng.choice(_ARCHS)} -->",
        f"<!-- dataset: {rng.choice(_DATASETS)} -->",
    ]
    for language in rng.sample(_LANGUAGES, rng.choice([0, 1, 1, 1, 2, 4])):
        meta.append(f"<!-- language: {language} -->")
    usage = (
        "```python\n"
        f'preprocessor = hub.KerasLayer("https://tfhub.dev/{publisher}/{name}_preprocess/{version}")\n'
        f'encoder = hub.KerasLayer("https://tfhub.dev/{publisher}/{name}/{version}", trainable=True)\n'
        'outputs = encoder(preprocessor(text_input))\npooled_output = outputs["pooled_output"]\n```\n'
        if text_model
        else f'```python\nm = hub.KerasLayer("https://tfhub.dev/{publisher}/{name}/{version}")\n```\n'
    )
    overview = "\n\n".join(_paragraph(rng, rng.randint(3, 8)) for _ in range(rng.randint(2, 7)))
    changelog = "\n".join(f"### Version {v}\n\n  * {_sentence(rng, 9)}\n" for v in range(version, 0, -1))
    return (
        f"# Module {publisher}/{name}/{version}\n{_sentence(rng, 10)}\n\n" + "\n".join(meta) + "\n\n"
        f"## Overview\n\n{overview}\n\n"
        "It uses L=12 hidden layers, a hidden size of H=768, and A=12 attention heads.\n\n"
        f"## Usage\n\n{_paragraph(rng, 3)}\n\n{usage}\n## Changelog\n\n{changelog}"
    )


def _variant(rng: random.Random, kind: str, publisher: str, name: str, version: int) -> str:
    return (
        f"# {kind} {publisher}/{name}/{version}/default/1\n{kind} deployment of {publisher}/{name}/{version}.\n\n"
        f"<!-- asset-path: legacy -->\n<!-- parent-model: {publisher}/{name}/{version} -->\n\n"
        f"## Description\n\n{_paragraph(rng, rng.randint(2, 6))}\n"
    )


def generate(root: str | Path, n: int = 2800, seed: int = 0) -> list[Path]:
    """Write about `n` cards under `root` (tfhub.dev's ``assets/docs`` layout); return their paths."""
    rng = random.Random(seed)
    root = Path(root)
    written: list[Path] = []

    def write(relative: str, text: str) -> None:
        if len(written) >= n:
            return
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)

    publisher_index = 0
    while len(written) < n:
        publisher = f"publisher-{publisher_index:03d}"
        publisher_index += 1
        write(f"{publisher}/{publisher}.md",
              f"# Publisher {publisher}\nPublisher {publisher_index}.\n\n[![Icon URL]](https://example.org/icon.png)\n\n"
              f"## About\n\n{_paragraph(rng, 4)}\n")
        for model_index in range(rng.randint(3, 25)):
            if len(written) >= n:
                break
            text_model = rng.random() < 0.4
            name = f"{'bert_en_uncased' if text_model else 'vision'}_{model_index}_L-12_H-768_A-12"
            roll = rng.random()
            if roll < 0.05:
                write(f"{publisher}/models/{name}/1.md",
                      f"# Placeholder {publisher}/{name}/1\nComing soon.\n\n<!-- task: {rng.choice(_TEXT_TASKS)} -->\n")
                continue
            if roll < 0.08:
                write(f"{publisher}/collections/{name}/1.md",
                      f"# Collection {publisher}/{name}/1\nA collection.\n\n"
                      f"<!-- task: {rng.choice(_TEXT_TASKS)} -->\n\n"
                      f"## Models\n\n* https://tfhub.dev/{publisher}/{name}/1\n")
                continue
            for version in range(1, rng.choice([1, 1, 2, 3, 4]) + 1):
                write(f"{publisher}/models/{name}/{version}.md", _module(rng, publisher, name, version, text_model))
                for kind, folder in (("Lite", "lite"), ("Tfjs", "tfjs"), ("Coral", "coral")):
                    if rng.random() < {"Lite": 0.15, "Tfjs": 0.1, "Coral": 0.02}[kind]:
                        write(f"{publisher}/models/{name}/{version}/default/{folder}/1.md",
                              _variant(rng, kind, publisher, name, version))
    return written


if __name__ == "__main__":
    out = Path(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 2800
    paths = generate(out, count)
    size = sum(p.stat().st_size for p in paths)
    print(f"wrote {len(paths)} cards ({size / len(paths) / 1024:.1f} KB on average) under {out}")
