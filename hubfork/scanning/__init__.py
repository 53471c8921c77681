"""The model scanner: what a SavedModel's graphs would do, read from its protobufs before
anything loads or runs it (see docs/security.md).

- ``scan(path) -> ScanReport`` (`hubfork.scanning.scanner`): findings, each an op with its
  category, the function that holds it and the path of calls from an entry point;
- ``check_model(path, *, name, trust)``: the gate every load path passes; verdicts are cached
  by the sha256 of ``saved_model.pb``; raises `UnsafeModelError` for a model with findings;
- the allowlist and the categories (`hubfork.scanning.ops`), the walk (`hubfork.scanning.graph`)
  and how it reached each function (`hubfork.scanning.calls`), the protobuf messages read without
  TensorFlow (`hubfork.scanning.protos`).

Needs the `protobuf` package, never TensorFlow.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hubfork._lazy import attach

_EXPORTS = {
    "scan": "hubfork.scanning.scanner",
    "check_model": "hubfork.scanning.scanner",
    "ScanReport": "hubfork.scanning.report",
    "Finding": "hubfork.scanning.report",
}

__all__ = sorted(_EXPORTS)

__getattr__, __dir__ = attach("hubfork.scanning", globals(), _EXPORTS)

if TYPE_CHECKING:  # pragma: no cover
    from hubfork.scanning.report import Finding, ScanReport
    from hubfork.scanning.scanner import check_model, scan
