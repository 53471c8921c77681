"""The typed pieces a parsed model card is made of: what is wrong with it, the size it states, its
sections, code blocks and changelog, and where its model can be fetched. They import nothing of
hubfork's, so that the modules that read cards (`hubfork.cards.facts`, `hubfork.cards.body`) and the
card itself (`hubfork.cards.records`) can all use them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a card, at a line (1-based) of a file."""

    path: str
    line: int
    message: str
    severity: Severity = "error"
    #: A short stable name for the kind of problem, e.g. ``first-line``.
    code: str = ""

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.severity}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class Architecture:
    """Transformer size as a card states it: L layers, H hidden size, A heads."""

    layers: int | None = None
    hidden_size: int | None = None
    heads: int | None = None

    @property
    def label(self) -> str:
        """``L-12_H-768_A-12``, the way BERT model names spell it."""
        parts = []
        for letter, value in (("L", self.layers), ("H", self.hidden_size), ("A", self.heads)):
            if value is not None:
                parts.append(f"{letter}-{value}")
        return "_".join(parts)

    @property
    def described(self) -> str:
        """``L-12_H-768_A-12 (12 layers, hidden size 768, 12 heads)``, the parts stated; empty when none is."""
        said = [f"{self.layers} layers" if self.layers is not None else "",
                f"hidden size {self.hidden_size}" if self.hidden_size is not None else "",
                f"{self.heads} heads" if self.heads is not None else ""]
        return f"{self.label} ({', '.join(s for s in said if s)})" if self.label else ""

    def to_dict(self) -> dict[str, int | None]:
        return {"layers": self.layers, "hidden_size": self.hidden_size, "heads": self.heads}


@dataclass(frozen=True, slots=True)
class Section:
    """A heading of the card body and the lines it spans (1-based, inclusive)."""

    title: str
    level: int
    line: int
    end_line: int

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "level": self.level, "line": self.line, "end_line": self.end_line}


@dataclass(frozen=True, slots=True)
class CodeBlock:
    """A fenced or indented code block: its language (may be empty), first line, text."""

    language: str
    line: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"language": self.language, "line": self.line, "text": self.text}


@dataclass(frozen=True, slots=True)
class ChangelogEntry:
    """One ``Version N`` entry of a card's changelog."""

    version: int
    line: int
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"version": self.version, "line": self.line, "notes": list(self.notes)}


@dataclass(frozen=True, slots=True)
class Source:
    """Where a model can be fetched: a hub repo id, a revision, and a hub endpoint
    when it is not the default one."""

    repo_id: str
    revision: str | None = None
    endpoint: str | None = None

    def to_dict(self) -> dict[str, str]:
        out = {"repo_id": self.repo_id}
        if self.revision is not None:
            out["revision"] = self.revision
        if self.endpoint is not None:
            out["endpoint"] = self.endpoint
        return out
