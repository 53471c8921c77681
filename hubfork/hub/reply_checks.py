"""What a Hugging Face-style hub may say: the shapes of the values huggingface_hub turns into cache paths.

huggingface_hub 2.4 builds its cache's paths from a hub's reply: ``snapshots/<sha>``, ``trees/<sha>.json``
and ``refs/<revision>`` from the revision's ``sha`` or a file's ``X-Repo-Commit``; ``blobs/<etag>`` from
``X-Linked-Etag``/``ETag``; ``snapshots/<sha>/<path>`` and ``.no_exist/<sha>/<path>`` from the listing's
paths. It checks none of them (docs/security.md). Each function here returns None for a value a real hub
sends, else what is wrong with it, as words that complete "<field> ... " in one line.
"""

from __future__ import annotations

import re
from typing import Any

from hubfork._characters import first_hidden, is_hidden

_COMMIT = re.compile(r"[0-9a-f]{40}")
# A git blob id (sha1, a non-LFS file) or a sha256 (an LFS file's content).
_ETAG = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_DIGITS = re.compile(r"[0-9]{1,20}")
#: A listed path longer than this is refused (Linux's PATH_MAX).
MAX_PATH_CHARS = 4096
_ENTRY_TYPES = ("file", "directory")


def commit_problem(value: object) -> str | None:
    """A commit sha: 40 lowercase hex characters."""
    if isinstance(value, str) and _COMMIT.fullmatch(value):
        return None
    return f"is {_shown(value)}, not a commit sha (40 hex characters)"


def etag_problem(value: str) -> str | None:
    """A file's ETag as huggingface_hub normalises it (``W/`` and quotes dropped): a git blob id or a sha256."""
    normalised = value.lstrip("W/").strip('"')
    if _ETAG.fullmatch(normalised):
        return None
    return f"is {_shown(value)}, not a git blob id or sha256 (40 or 64 hex characters)"


def size_problem(value: object) -> str | None:
    """A size in bytes: a non-negative integer (a header's digits, or a JSON integer)."""
    if isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
        return None
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**63:
        return None
    return f"is {_shown(value)}, not a size in bytes"


def path_problem(value: object) -> str | None:
    """A file's path in a repo: relative, ``/``-separated, no empty, ``.`` or ``..`` part, no backslash,
    no control or invisible format character."""
    if not isinstance(value, str) or not value:
        return f"is {_shown(value)}, not a path"
    if len(value) > MAX_PATH_CHARS:
        return f"is {len(value)} characters long, more than {MAX_PATH_CHARS}"
    if first_hidden(value) is not None:
        return f"is {_shown(value)}, which holds a control or invisible character"
    if value.startswith("/") or "\\" in value or re.match(r"[A-Za-z]:", value):
        return f"is {_shown(value)}, not a relative path inside the repo"
    if any(part in ("", ".", "..") for part in value.split("/")):
        return f"is {_shown(value)}, which has an empty, '.' or '..' part"
    return None


def revision_info_problem(reply: object) -> str | None:
    """A model's (or a revision's) info: an object whose ``sha`` is a commit and whose ``siblings``, if
    any, are objects with a path ``rfilename``."""
    if not isinstance(reply, dict):
        return f"is {_kind(reply)}, not a JSON object"
    if "sha" not in reply:
        return "field 'sha' is missing"
    if problem := commit_problem(reply["sha"]):
        return f"field 'sha' {problem}"
    siblings = reply.get("siblings")
    if siblings is None:
        return None
    if not isinstance(siblings, list):
        return f"field 'siblings' is {_kind(siblings)}, not a list"
    for index, sibling in enumerate(siblings):
        if not isinstance(sibling, dict):
            return f"field 'siblings[{index}]' is {_kind(sibling)}, not an object"
        if problem := path_problem(sibling.get("rfilename")):
            return f"field 'siblings[{index}].rfilename' {problem}"
    return None


def tree_page_problem(reply: object) -> str | None:
    """A page of a tree listing (or a paths-info reply): a list of file and folder entries, each with a
    path; a file's ``oid`` a git blob id, its ``size`` a size, its ``lfs`` (if any) a sha256 and a size."""
    if not isinstance(reply, list):
        return f"is {_kind(reply)}, not a JSON list"
    for index, entry in enumerate(reply):
        if problem := _entry_problem(entry):
            return f"entry {index} {problem}"
    return None


def _entry_problem(entry: object) -> str | None:
    if not isinstance(entry, dict):
        return f"is {_kind(entry)}, not an object"
    if entry.get("type") not in _ENTRY_TYPES:
        return f"has type {_shown(entry.get('type'))}, not 'file' or 'directory'"
    if problem := path_problem(entry.get("path")):
        return f"field 'path' {problem}"
    if entry["type"] == "directory":
        return None
    oid = entry.get("oid")
    if not (isinstance(oid, str) and _COMMIT.fullmatch(oid)):
        return f"({entry['path']}) field 'oid' is {_shown(oid)}, not a git blob id (40 hex characters)"
    if problem := size_problem(entry.get("size")):
        return f"({entry['path']}) field 'size' {problem}"
    lfs = entry.get("lfs")
    if lfs is None:
        return None
    if not isinstance(lfs, dict):
        return f"({entry['path']}) field 'lfs' is {_kind(lfs)}, not an object"
    if not (isinstance(lfs.get("oid"), str) and _SHA256.fullmatch(lfs["oid"])):
        return f"({entry['path']}) field 'lfs.oid' is {_shown(lfs.get('oid'))}, not a sha256 (64 hex characters)"
    if problem := size_problem(lfs.get("size")):
        return f"({entry['path']}) field 'lfs.size' {problem}"
    return None


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean",
            type(None): "null"}.get(type(value), "a number" if isinstance(value, (int, float)) else "a value")


def _shown(value: object) -> str:
    # A lying hub chooses these values: shown escaped (control and invisible characters as \x.., \u....)
    # and cut short, so one line stays one line.
    if not isinstance(value, str):
        return _kind(value) if value is None or isinstance(value, (dict, list, bool)) else repr(value)[:60]
    escaped = "".join(char if not is_hidden(char) else
                      (f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}") for char in value)
    return "'" + escaped[:60] + ("..." if len(escaped) > 60 else "") + "'"


__all__ = ["commit_problem", "etag_problem", "size_problem", "path_problem", "revision_info_problem",
           "tree_page_problem", "MAX_PATH_CHARS"]
