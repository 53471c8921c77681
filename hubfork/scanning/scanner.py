"""`scan`: what a SavedModel's graphs would do, read from its protobufs without loading or
running it; `check_model`: the same, cached, as the gate every load path passes."""

from __future__ import annotations

import dataclasses
import errno
import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

from hubfork._reading import read_regular_file
from hubfork.constants import SAVED_MODEL, cache_dir
from hubfork.errors import UnreadableModelError, UnsafeModelError
from hubfork.scanning.report import ScanReport

KERAS_METADATA = "keras_metadata.pb"
VARIABLES = "variables"
_SHARD = re.compile(r"variables\.data-(\d{5})-of-(\d{5})")
#: Bump when the allowlist or the walk changes: cached verdicts of another version are not reused.
SCANNER_VERSION = 4
#: The most of saved_model.pb or keras_metadata.pb read: protobuf parses no message of 2 GiB or more.
MAX_PROTO_BYTES = 2**31 - 1
_CACHE_FOLDER = "scans"


def scan(path: str | os.PathLike[str]) -> ScanReport:
    """Scan the SavedModel folder at `path` (every meta graph, node and library function
    reachable from its signatures and saved objects, and its Keras metadata).

    A graph with findings is reported even when the weights it restores are missing: the report
    says so (`ScanReport.missing_weights`), and the findings are what make the model unsafe.

    Raises:
        UnreadableModelError: `path` holds no ``saved_model.pb``, or one larger than
            `MAX_PROTO_BYTES` or that does not parse as a SavedModel (truncated, not a protobuf,
            no meta graph), or a graph without findings whose Keras metadata is nested too deep to
            read or whose weights are missing from ``variables/``.
    """
    folder = Path(path)
    data = _read(folder)
    report, model = _scan_graph(folder, data, hashlib.sha256(data).hexdigest())
    return _with_weights(report, _missing_weights(folder, data, model))


def check_model(path: str | os.PathLike[str], *, name: str | None = None, trust: bool = False) -> ScanReport | None:
    """The gate before a model is loaded: scan `path` (or reuse the verdict cached for the same
    ``saved_model.pb``) and refuse a model with findings. With `trust`, nothing is scanned.

    Raises:
        UnsafeModelError: the model has findings (`name` is how the user named it), whether or not
            its weights are there.
        UnreadableModelError: as `scan`: a graph that cannot be read, or one without findings whose
            weights are missing (it could not be loaded).
    """
    if trust:
        return None
    folder = Path(path)
    data = _read(folder)
    digest = hashlib.sha256(data).hexdigest()
    key = _cache_key(folder, digest)
    report, model = _cached(folder, digest, key), None
    if report is None:
        report, model = _scan_graph(folder, data, digest)
        _remember(report, key)
    # A verdict is about the graph, so it is cached without the weights: they are checked each time.
    report = _with_weights(report, _missing_weights(folder, data, model))
    if not report.clean:
        raise UnsafeModelError(name if name is not None else str(folder), path=str(folder), report=report)
    return report


def _read(folder: Path) -> bytes:
    file = folder / SAVED_MODEL
    if not folder.is_dir():
        raise UnreadableModelError(str(folder), "not a folder; a SavedModel is a folder holding saved_model.pb")
    if not file.is_file():
        raise UnreadableModelError(str(folder), f"no {SAVED_MODEL}: not a SavedModel folder")
    try:
        return read_regular_file(file, MAX_PROTO_BYTES)
    except OSError as exc:
        reason = f"cannot read {SAVED_MODEL}: {exc.strerror or exc}"
        if exc.errno == errno.EFBIG:
            reason += f" (protobuf parses no message of {(MAX_PROTO_BYTES + 1) >> 30} GiB or more)"
        raise UnreadableModelError(str(folder), reason) from None


def _scan_graph(folder: Path, data: bytes, digest: str) -> tuple[ScanReport, Any]:
    """The verdict on the graph alone (saved_model.pb and keras_metadata.pb), and the parsed SavedModel."""
    from google.protobuf.message import DecodeError

    from hubfork.scanning.graph import MetadataTooDeepError, keras_findings, scan_saved_model
    from hubfork.scanning.protos import parse

    try:
        model = parse("SavedModel", data)
    except (DecodeError, RecursionError) as exc:
        raise UnreadableModelError(str(folder), f"{SAVED_MODEL} is not a SavedModel protobuf "
                                   f"(truncated or corrupt: {exc})") from None
    if not model.meta_graphs:
        raise UnreadableModelError(str(folder), f"{SAVED_MODEL} holds no meta graph: not a SavedModel")
    walked = scan_saved_model(model)
    findings, notes = list(walked.findings), []
    keras_file = folder / KERAS_METADATA
    if keras_file.is_file():
        try:
            metadata = parse("KerasMetadata", read_regular_file(keras_file, MAX_PROTO_BYTES))
        except (DecodeError, RecursionError, OSError) as exc:
            notes.append(f"{KERAS_METADATA} could not be read ({exc}); Keras loaders would refuse it too")
        else:
            try:
                keras, keras_notes = keras_findings(metadata)
            except MetadataTooDeepError as exc:
                # Findings come first: the graph's are reason enough to refuse, whatever the metadata hides.
                if not findings:
                    raise UnreadableModelError(str(folder), f"{KERAS_METADATA}: {exc}") from None
                keras, keras_notes = [], [f"{KERAS_METADATA}: {exc}; Keras loaders would refuse it too"]
            findings += keras
            notes += keras_notes
    report = ScanReport(str(folder), digest, tuple(findings), tuple(notes), dict(sorted(walked.ops.items())),
                        len(model.meta_graphs), walked.functions, walked.nodes)
    return report, model


def _with_weights(report: ScanReport, missing: str | None) -> ScanReport:
    """`report` noting that the weights are `missing`. The findings come first: a graph with findings
    is unsafe whatever the weights; one without findings whose weights are missing cannot be loaded,
    and that is all there is to say about it, so it raises `UnreadableModelError`."""
    if missing is None:
        return report
    if report.clean:
        raise UnreadableModelError(report.path, f"{missing} (its graph holds no findings)")
    return dataclasses.replace(report, missing_weights=missing)


def _missing_weights(folder: Path, data: bytes, model: Any = None) -> str | None:
    """Why the weights a SavedModel restores are not all there, or None when they are: a
    ``variables/variables.index`` without its data shards, or none at all for a graph that restores
    variables (TensorFlow would fail mid-load with an error about its own internals)."""
    index = folder / VARIABLES / "variables.index"
    if index.is_file():
        shards = [m for p in index.parent.iterdir() if (m := _SHARD.fullmatch(p.name))]
        if not shards:
            return (f"{VARIABLES}/variables.index has no {VARIABLES}/variables.data-NNNNN-of-NNNNN beside it: "
                    "the model's weights are missing")
        expected = {f"variables.data-{i:05d}-of-{total}" for total in {m.group(2) for m in shards}
                    for i in range(int(total))}
        missing = sorted(expected - {m.group(0) for m in shards})
        if missing:
            return (f"{VARIABLES}/{missing[0]} is missing: the model's weights are incomplete "
                    f"({len(missing)} of {len(expected)} shards missing)")
        return None
    if model is None:
        from hubfork.scanning.protos import parse

        model = parse("SavedModel", data)  # parsed before, when its verdict was cached
    if any(graph.saver_def.restore_op_name for graph in model.meta_graphs):
        return (f"{VARIABLES}/variables.index is missing: {SAVED_MODEL} restores the model's weights from "
                f"{VARIABLES}/ (expected {VARIABLES}/variables.index and {VARIABLES}/variables.data-00000-of-00001)")
    return None


def _cache_key(folder: Path, digest: str) -> str:
    """The verdict's key: the scanner's version and the sha256 of saved_model.pb, and of
    keras_metadata.pb where there is one (it is scanned too)."""
    key = f"v{SCANNER_VERSION}-{digest}"
    keras_file = folder / KERAS_METADATA
    if keras_file.is_file():
        try:
            key += "-keras-" + hashlib.sha256(read_regular_file(keras_file, MAX_PROTO_BYTES)).hexdigest()[:16]
        except OSError:
            key += "-keras-unreadable"
    return key


def _cache_file(key: str) -> Path:
    return cache_dir() / _CACHE_FOLDER / f"{key}.json"


def _cached(folder: Path, digest: str, key: str) -> ScanReport | None:
    try:
        data = json.loads(_cache_file(key).read_text(encoding="utf-8"))
        report = ScanReport.from_dict(data)
    except (OSError, ValueError, KeyError, TypeError):
        return None  # no verdict yet, or one that cannot be trusted: scan again
    if report.sha256 != digest:
        return None
    # The verdict belongs to the graph, not the folder: the same file elsewhere is the same model.
    return ScanReport(str(folder), digest, report.findings, report.notes, report.ops, report.meta_graphs,
                      report.functions, report.nodes, cached=True)


def _remember(report: ScanReport, key: str) -> None:
    from hubfork._files import atomic_write_text

    try:
        atomic_write_text(_cache_file(key), json.dumps(report.to_dict(), sort_keys=True))
    except OSError:
        pass  # a cache that cannot be written only costs a scan next time


__all__ = ["scan", "check_model", "SCANNER_VERSION", "MAX_PROTO_BYTES"]
