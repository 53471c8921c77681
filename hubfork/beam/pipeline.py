"""`embed_corpus`: a Beam pipeline from text or JSONL files to vectors in Parquet or JSONL.

    files -> lines -> records ---------> one record per id -> RunInference -> embeddings-SSSSS-of-NNNNN.*
                          \\-> malformed          \\-> duplicates ----------> errors-00000-of-00001.jsonl

A malformed line (not UTF-8, not JSON, no or a wrongly typed id or text) or a repeated id goes to the
errors file with its file and line, and the job goes on with the rest. Ids are unique in the output:
of a repeated id the first occurrence in (file, line) order is embedded. Each file is read by one
worker (split a corpus into many files to read it in parallel); the grouping by id spreads the
texts over every worker before the model sees them.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Sequence

import apache_beam as beam
from apache_beam.io.filesystem import CompressedFile, CompressionTypes
from apache_beam.io.filesystems import FileSystems
from apache_beam.metrics import Metrics
from apache_beam.metrics.metric import MetricsFilter
from apache_beam.ml.inference.base import KeyedModelHandler, PredictionResult, RunInference
from apache_beam.options.pipeline_options import PipelineOptions

from hubfork._reading import open_regular_file, regular_file_status
from hubfork.beam.handler import TextEmbeddingModelHandler
from hubfork.beam.outputs import (
    EMBEDDINGS,
    ERRORS,
    FORMATS,
    SHARD_TEMPLATE,
    is_remote,
    output_folder,
    resolve_output,
    shard_prefix,
)
from hubfork.beam.records import Malformed, Record, first_of, jsonl_row, parquet_row, parquet_schema, read_lines
from hubfork.errors import CorpusError

if TYPE_CHECKING:  # pragma: no cover
    from hubfork._progress import StepReport

NAMESPACE = "hubfork"
MALFORMED = "malformed"
COUNTERS = ("lines", "malformed", "duplicates", "vectors")
WILDCARD = re.compile(r"[*?\[]")


@dataclass
class CorpusSummary:
    """What a run of `embed_corpus` did: counts from the pipeline's metrics, and the files it wrote."""

    output_dir: str
    vectors: int
    malformed: int
    duplicates: int
    lines: int
    files: list[str] = field(default_factory=list)

    @property
    def errors_file(self) -> str:
        return f"{self.output_dir.rstrip('/')}/{ERRORS}-00000-of-00001.jsonl"


def embed_corpus(input_glob: str, output_dir: str, *, model: str, pooling: str | None = None,
                 normalize: bool | None = None, output_format: str = "parquet", num_shards: int = 1,
                 batch_size: int = 64, trust: bool = False, runner: str = "DirectRunner",
                 beam_args: Sequence[str] = (), load_options: dict[str, Any] | None = None,
                 progress: "StepReport | None" = None) -> CorpusSummary:
    """Embed every text of the files `input_glob` matches into `output_dir` with the encoder `model`.

    Files ending ``.jsonl`` hold ``{"id": ..., "text": ...}`` a line; others a text a line, with the
    id ``<file>:<line>`` (file relative to the glob's folder). The output is `num_shards` files
    ``embeddings-SSSSS-of-NNNNN.parquet`` (columns ``id``: string, ``vector``: list<float32>) or
    ``.jsonl`` (``{"id", "vector"}``), and ``errors-00000-of-00001.jsonl`` (``{"file", "line",
    "error", "content"}`` per malformed line or repeated id). `runner` and `beam_args` are Beam's
    pipeline options (``--direct_running_mode=multi_processing``, ``--project``...). A local
    `output_dir` is replaced whole when the run succeeds (see `hubfork.beam.outputs`). `progress` is
    called with the name of each step (files, model, pipeline) as it starts.

    Raises:
        CorpusError: nothing matches `input_glob`, or a local file it matches is not a regular file (a FIFO
            would block the reader, a device never end); `output_dir` is a link to nothing or holds files
            this did not write; or a worker failed with a hubfork error (its model or preprocessor could
            not be loaded there), named in the message.
        HubError: the encoder's name cannot be resolved or fetched here (checked before the pipeline starts).
        UnsafeModelError: the encoder's scan found ops that read or write files, use the network or run code.
        ValueError: an unknown `output_format`, or `num_shards` below 1.
    """
    if output_format not in FORMATS:
        raise ValueError(f"unknown format {output_format!r}; expected one of {', '.join(FORMATS)}")
    if num_shards < 1:
        raise ValueError(f"num_shards must be at least 1, not {num_shards}")
    say = progress or (lambda step: None)
    say("matching the input files")
    files = matched_files(input_glob)
    output_dir = resolve_output(output_dir)
    name = os.fspath(model)
    if not is_remote(name) and os.path.exists(name):
        name = os.path.abspath(name)  # worker processes need not share the launcher's working directory
    handler = TextEmbeddingModelHandler(name, pooling=pooling, normalize=normalize, trust=trust,
                                        max_batch_size=max(batch_size, 1) * 4, encoder_batch_size=batch_size,
                                        **(load_options or {}))
    say("fetching and scanning the model")
    preflight(name, trust=trust, load_options=load_options or {})
    options = PipelineOptions([f"--runner={runner}", *beam_args])
    with output_folder(output_dir) as folder:
        pipeline = beam.Pipeline(options=options)
        build(pipeline, files, handler, folder, output_format=output_format, num_shards=num_shards)
        say(f"embedding {len(files)} file(s) on {runner}")
        try:
            result = pipeline.run()
            result.wait_until_finish()
        except Exception as exc:
            # A worker's hubfork error reaches here as the runner's own exception with the original's name
            # and message in its text: say that, not the runner's traceback.
            if "hubfork.errors." not in str(exc):
                raise
            raise CorpusError(f"the pipeline failed on a worker: {exc}") from exc
        counts = _counters(result)
    written = sorted(m.path for m in FileSystems.match([f"{output_dir.rstrip('/')}/*"])[0].metadata_list)
    return CorpusSummary(output_dir, files=[os.path.basename(p) for p in written], **counts)


def preflight(name: str, *, trust: bool, load_options: dict[str, Any]) -> None:
    """Resolve, fetch and scan the encoder `name` here, before any worker starts: a wrong name or an unsafe
    model fails in seconds, with hubfork's own message, not after the runner has set up its workers (who
    then find it in the cache, on this machine). The preprocessor is scanned on the workers, where it is
    paired.

    Raises:
        HubError: the name cannot be resolved or fetched.
        UnsafeModelError: the scan found ops that read or write files, use the network or run code.
    """
    from hubfork.hub.download import fetch
    from hubfork.scanning.scanner import check_model

    hub_options = {key: load_options[key] for key in ("revision", "cache_dir", "local_files_only", "token",
                                                       "endpoint", "registry") if key in load_options}
    snapshot = fetch(name, **hub_options)
    check_model(snapshot.path, name=name, trust=trust)


def build(pipeline: beam.Pipeline, files: Sequence[tuple[str, str]], handler: TextEmbeddingModelHandler,
          folder: str, *, output_format: str, num_shards: int) -> None:
    """Add the corpus pipeline to `pipeline`: read `files` ((name, path) pairs), embed, write into `folder`."""
    parsed = (pipeline
              | "Files" >> beam.Create(list(files))
              | "Read" >> beam.ParDo(_ReadFile()).with_outputs(MALFORMED, main="records"))
    unique = (parsed.records
              | "ById" >> beam.Map(lambda record: (record.id, record))
              | "Group" >> beam.GroupByKey()
              | "FirstOfEach" >> beam.ParDo(_FirstOfEach()).with_outputs(MALFORMED, main="records"))
    vectors = (unique.records
               | "Texts" >> beam.Map(lambda record: (record.id, record.text))
               | "Embed" >> RunInference(KeyedModelHandler(handler))
               | "Count" >> beam.ParDo(_Count("vectors")))
    prefix = shard_prefix(folder, EMBEDDINGS)
    if output_format == "parquet":
        _ = (vectors
             | "Rows" >> beam.MapTuple(_parquet_row)
             | "WriteParquet" >> beam.io.WriteToParquet(prefix, parquet_schema(), num_shards=num_shards,
                                                        shard_name_template=SHARD_TEMPLATE,
                                                        file_name_suffix=".parquet"))
    else:
        _ = (vectors
             | "Lines" >> beam.MapTuple(_jsonl_row)
             | "WriteJsonl" >> beam.io.WriteToText(prefix, file_name_suffix=".jsonl", num_shards=num_shards,
                                                   shard_name_template=SHARD_TEMPLATE))
    _ = ((parsed[MALFORMED], unique[MALFORMED])
         | "Errors" >> beam.Flatten()
         | "ErrorLines" >> beam.Map(Malformed.to_json)
         | "WriteErrors" >> beam.io.WriteToText(shard_prefix(folder, ERRORS), file_name_suffix=".jsonl",
                                                num_shards=1, shard_name_template=SHARD_TEMPLATE))


def matched_files(input_glob: str) -> list[tuple[str, str]]:
    """(name, path) of each file `input_glob` matches, sorted; a name is the path relative to the
    glob's folder (the part before its first wildcard), which is what ids and error reports show.

    Raises:
        CorpusError: no file matches, or a local one is not a regular file (only ``stat`` looks at it).
    """
    try:
        found = FileSystems.match([input_glob])[0].metadata_list
    except Exception as exc:  # Beam wraps every filesystem's failure in its own BeamIOError
        raise CorpusError(f"{input_glob}: cannot list the input files: {exc}") from None
    paths = sorted({m.path for m in found if not m.path.endswith("/")})
    if not paths:
        raise CorpusError(f"{input_glob}: no file matches")
    wildcard = WILDCARD.search(input_glob)
    fixed = input_glob[:wildcard.start()] if wildcard else input_glob
    base = fixed[:fixed.rfind("/") + 1] if "/" in fixed else ""
    if is_remote(input_glob):
        return [(p[len(base):] if p.startswith(base) else p, p) for p in paths]
    for path in paths:
        try:
            regular_file_status(path)
        except OSError as exc:
            raise CorpusError(f"{path}: cannot read this input file: {exc.strerror or exc}") from None
    root = os.path.abspath(base or ".")
    return [(os.path.relpath(os.path.abspath(p), root).replace(os.sep, "/"), os.path.abspath(p)) for p in paths]


class _ReadFile(beam.DoFn):
    """(name, path) -> the file's records; malformed lines, and a file that cannot be read (line 0), to the
    MALFORMED output."""

    def __init__(self):
        self.lines = Metrics.counter(NAMESPACE, "lines")
        self.malformed = Metrics.counter(NAMESPACE, "malformed")

    def process(self, item: tuple[str, str]) -> Iterator[Any]:
        name, path = item
        try:
            handle = _open(path)
        except OSError as exc:
            self.malformed.inc()
            yield beam.pvalue.TaggedOutput(MALFORMED, Malformed(name, 0, f"not read: {exc.strerror or exc}"))
            return
        with handle:
            for found in read_lines(name, iter(handle.readline, b"")):
                self.lines.inc()
                if isinstance(found, Record):
                    yield found
                else:
                    self.malformed.inc()
                    yield beam.pvalue.TaggedOutput(MALFORMED, found)


def _open(path: str) -> Any:
    """The input file at `path`, open for reading (decompressed by its extension, as Beam's own open does).
    A local one is opened only as a regular file, and without blocking: it may have become a FIFO since
    `matched_files` looked at it."""
    if is_remote(path):
        return FileSystems.open(path)
    handle = open_regular_file(path)
    compression = CompressionTypes.detect_compression_type(path)
    return handle if compression == CompressionTypes.UNCOMPRESSED else CompressedFile(handle, compression)


class _FirstOfEach(beam.DoFn):
    """(id, records) -> the record kept; the other records of a repeated id to the MALFORMED output."""

    def __init__(self):
        self.duplicates = Metrics.counter(NAMESPACE, "duplicates")

    def process(self, item: tuple[str, Iterable[Record]]) -> Iterator[Any]:
        identifier, records = item
        kept, repeats = first_of(identifier, records)
        yield kept
        for repeat in repeats:
            self.duplicates.inc()
            yield beam.pvalue.TaggedOutput(MALFORMED, repeat)


class _Count(beam.DoFn):
    def __init__(self, name: str):
        self.counter = Metrics.counter(NAMESPACE, name)

    def process(self, item: Any) -> Iterator[Any]:
        self.counter.inc()
        yield item


def _parquet_row(identifier: str, result: PredictionResult) -> dict[str, Any]:
    return parquet_row(identifier, result.inference)


def _jsonl_row(identifier: str, result: PredictionResult) -> str:
    return jsonl_row(identifier, result.inference)


def _counters(result: Any) -> dict[str, int]:
    found = dict.fromkeys(COUNTERS, 0)
    for counter in result.metrics().query(MetricsFilter().with_namespace(NAMESPACE))["counters"]:
        if counter.key.metric.name in found:
            found[counter.key.metric.name] += counter.committed if counter.committed is not None else counter.attempted
    return found
