"""How the walk reached a function: `Call`, one record per function, pointing at the call
that reached it first.

A record holds its caller, not its whole path, so that a chain of calls however deep costs
one record per function; the path is put together only for a finding. A finding's path
names the first `HEAD` functions from its entry point and the last `TAIL` down to the
finding, and counts the calls between: a path spelled out in full for each finding would
be quadratic in the depth of a hostile chain of calls.
"""

from __future__ import annotations

from dataclasses import dataclass

HEAD = 32
TAIL = 32


@dataclass(frozen=True, slots=True)
class Call:
    """A function reached by the walk. `entry` is the entry point and what leads from it to the
    first function; `depth` counts the functions from that one to this one, both included;
    `head` holds the first `HEAD` of them (shared with the callers once it is full)."""

    name: str
    caller: Call | None
    entry: tuple[str, ...]
    depth: int
    head: tuple[str, ...]

    @classmethod
    def first(cls, name: str, entry: tuple[str, ...]) -> Call:
        return cls(name, None, entry, 1, (name,))

    def callee(self, name: str) -> Call:
        head = self.head if self.depth >= HEAD else (*self.head, name)
        return Call(name, self, self.entry, self.depth + 1, head)

    def path(self) -> tuple[str, ...]:
        """The entry point, then the functions down to this one (those deep in a long chain counted, not named)."""
        tail: list[str] = []
        call = self
        while call.depth > HEAD and len(tail) < TAIL:
            tail.append(call.name)
            call = call.caller
        tail.reverse()
        if call.depth <= HEAD:
            return (*self.entry, *call.head, *tail)
        return (*self.entry, *self.head, f"({call.depth - HEAD:,} more calls)", *tail)


__all__ = ["Call", "HEAD", "TAIL"]
