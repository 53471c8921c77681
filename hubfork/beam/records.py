"""What `hubfork embed-corpus` reads and writes, without Beam: input lines to records or to reports
of malformed lines, duplicate ids resolved, vectors to output rows.

Kept free of Apache Beam so the rules can be read and tested alone; `hubfork.beam.pipeline`
applies them inside the pipeline.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Sequence

#: Input files with this suffix hold one JSON object a line (``id`` and ``text``); any other file holds
#: one text a line.
JSONL_SUFFIX = ".jsonl"
#: How much of a malformed line its report quotes.
QUOTED_CHARS = 200


@dataclass(frozen=True)
class Record:
    """One text to embed, with where it came from (`file` as ids name it, 1-based `line`)."""

    id: str
    text: str
    file: str
    line: int


@dataclass(frozen=True)
class Malformed:
    """A line that gives no text to embed, or a duplicate id; written to the errors output."""

    file: str
    line: int
    error: str
    content: str = ""

    def to_json(self) -> str:
        return json.dumps({"file": self.file, "line": self.line, "error": self.error, "content": self.content},
                          ensure_ascii=False)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.error}"


def line_id(file: str, line: int) -> str:
    """The id of line `line` of a plain text file: stable as long as the file's name and lines are."""
    return f"{file}:{line}"


def read_lines(file: str, lines: Iterable[bytes]) -> Iterator[Record | Malformed]:
    """Records (and reports of malformed lines) from the raw lines of the input file named `file`.

    A file ending ``.jsonl`` holds an object a line with a string ``id`` (an integer is taken as its
    decimal string) and a non-blank string ``text``; other files hold a text a line, whose id is
    ``<file>:<line>``. Blank lines are skipped in both, so a trailing newline or a spacer costs nothing.
    """
    jsonl = file.endswith(JSONL_SUFFIX)
    for number, raw in enumerate(lines, 1):
        try:
            line = raw.decode("utf-8-sig" if number == 1 else "utf-8").rstrip("\r\n")
        except UnicodeDecodeError as exc:
            yield Malformed(file, number, f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at column {exc.start + 1})",
                            _quote(raw.decode("utf-8", "replace").rstrip("\r\n")))
            continue
        if not line.strip():
            continue
        yield _json_record(file, number, line) if jsonl else Record(line_id(file, number), line, file, number)


def _json_record(file: str, number: int, line: str) -> Record | Malformed:
    try:
        value = json.loads(line)
    except ValueError as exc:
        return Malformed(file, number, f"not JSON: {exc}", _quote(line))
    except RecursionError:  # [[[[...]]]] deeper than Python's stack: a bad line, not the end of the job
        return Malformed(file, number, "JSON nested too deep to read", _quote(line))
    if not isinstance(value, dict):
        return Malformed(file, number, f"expected a JSON object with id and text, not {_kind(value)}", _quote(line))
    for key in ("id", "text"):
        if key not in value:
            return Malformed(file, number, f"no {key!r} field", _quote(line))
    identifier, text = value["id"], value["text"]
    if isinstance(identifier, int) and not isinstance(identifier, bool):
        identifier = str(identifier)
    if not isinstance(identifier, str) or not identifier:
        return Malformed(file, number, f"'id' must be a non-empty string or an integer, not {_kind(identifier)}",
                         _quote(line))
    if not isinstance(text, str):
        return Malformed(file, number, f"'text' must be a string, not {_kind(text)}", _quote(line))
    if not text.strip():
        return Malformed(file, number, "'text' is blank", _quote(line))
    return Record(identifier, text, file, number)


def first_of(identifier: str, records: Iterable[Record]) -> tuple[Record, list[Malformed]]:
    """The record kept for an id given more than once, and a report for each other one.

    The kept one is the first in (file, line) order, whatever order the records arrive in, so reruns
    and any runner keep the same.
    """
    ordered = sorted(records, key=lambda r: (r.file, r.line))
    kept = ordered[0]
    return kept, [Malformed(r.file, r.line, f"duplicate id {identifier!r} (kept {kept.file}:{kept.line})",
                            _quote(r.text)) for r in ordered[1:]]


def parquet_row(identifier: str, vector: Sequence[float]) -> dict[str, Any]:
    """A row of the Parquet output (see `parquet_schema`)."""
    return {"id": identifier, "vector": [float(v) for v in vector]}


def jsonl_row(identifier: str, vector: Sequence[float]) -> str:
    """A line of the JSONL output; float32 values written as Python floats read back exactly."""
    return json.dumps({"id": identifier, "vector": [float(v) for v in vector]}, ensure_ascii=False)


def parquet_schema():
    """The Parquet output's columns: ``id`` (string) and ``vector`` (list of float32)."""
    import pyarrow as pa

    return pa.schema([("id", pa.string()), ("vector", pa.list_(pa.float32()))])


def _quote(text: str) -> str:
    return text if len(text) <= QUOTED_CHARS else text[:QUOTED_CHARS - 1] + "…"


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null",
            int: "a number", float: "a number"}.get(type(value), type(value).__name__)
