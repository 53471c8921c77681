"""What a scan found: `Finding` (one op that should not run) and `ScanReport` (one model)."""

from __future__ import annotations

import html
from dataclasses import asdict, dataclass, field
from typing import Any

from hubfork.scanning.ops import CATEGORIES, MEANING


@dataclass(frozen=True)
class Finding:
    """One op a model would run that the scanner does not allow.

    `where` is the function that holds it (``graph`` for a node of a meta graph's own
    graph), `node` the node's name, `path` the chain from an entry point (a signature,
    an object's function, an init op) down to `where` (in a chain longer than
    `hubfork.scanning.calls` spells out, the calls in its middle are counted, not named).
    """

    op: str
    category: str
    where: str
    node: str
    path: tuple[str, ...]
    detail: str = ""

    def __str__(self) -> str:
        text = f"{self.op} ({self.category}: {MEANING[self.category]}) in {self.where}, node {self.node!r}"
        text += f"; reached by {' -> '.join(self.path)}" if self.path else ""
        return text + (f"; {self.detail}" if self.detail else "")


@dataclass(frozen=True)
class ScanReport:
    """What scanning one SavedModel folder found. `clean` when it has no findings.

    `ops` counts every op type the model's graphs and functions hold; `notes` say what
    the scan saw that is not a finding (e.g. Keras custom objects, whose code is not in
    the file and so cannot run from it). `missing_weights` says which of the weights the
    graph restores are missing, for a graph with findings (its findings are reported all
    the same; a graph without findings whose weights are missing is unreadable instead).
    """

    path: str
    sha256: str
    findings: tuple[Finding, ...] = ()
    notes: tuple[str, ...] = ()
    ops: dict[str, int] = field(default_factory=dict)
    meta_graphs: int = 0
    functions: int = 0
    nodes: int = 0
    cached: bool = False
    missing_weights: str = ""

    @property
    def clean(self) -> bool:
        return not self.findings

    def summary(self) -> str:
        """One line: clean, or how many findings of which categories."""
        if self.clean:
            return (f"{self.path}: clean ({len(self.ops)} op types in {self.meta_graphs} meta graph(s), "
                    f"{self.functions} functions)")
        counts = {c: sum(1 for f in self.findings if f.category == c) for c in CATEGORIES}
        shown = ", ".join(f"{n} {c}" for c, n in counts.items() if n)
        weights = "; its weights are missing too" if self.missing_weights else ""
        return f"{self.path}: {len(self.findings)} finding(s): {shown}{weights}"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["clean"] = self.clean
        data["findings"] = [{**asdict(f), "path": list(f.path)} for f in self.findings]
        data["notes"] = list(self.notes)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ScanReport":
        findings = tuple(Finding(**{**f, "path": tuple(f["path"])}) for f in data["findings"])
        fields = {k: data[k] for k in ("path", "sha256", "meta_graphs", "functions", "nodes")}
        return cls(**fields, findings=findings, notes=tuple(data["notes"]), ops=dict(data["ops"]),
                   missing_weights=data.get("missing_weights", ""))

    def __str__(self) -> str:
        weights = [f"  note: {self.missing_weights}; it cannot be loaded as it is, and its graph was scanned all "
                   "the same"] if self.missing_weights else []
        return "\n".join([self.summary(), *(f"  - {f}" for f in self.findings), *(f"  note: {n}" for n in self.notes),
                          *weights])

    def _repr_html_(self) -> str:
        from hubfork._html import table

        if self.clean:
            return f"<p>{html.escape(self.summary())}</p>"
        return table(("op", "category", "where", "reached by"),
                     ((f.op, f.category, f.where, " → ".join(f.path)) for f in self.findings), caption=self.summary())


__all__ = ["Finding", "ScanReport"]
