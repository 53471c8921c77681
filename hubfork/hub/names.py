"""Checks that keep model names inside their folders.

A repo id becomes a cache folder (``models--org--name``) and a URL path, a
revision becomes a file under ``refs/``; a name that could climb out of either
(``..``, an absolute path, a backslash) or that no hub would accept is refused
here, before anything touches the network or the disk.
"""

from __future__ import annotations

import re

from hubfork.constants import MAX_NAME_CHARS, MAX_REVISION_CHARS
from hubfork.errors import InvalidNameError
from hubfork.handles import is_repo_id, is_revision, is_tfhub_handle, split_url

_REPO_CHARS = re.compile(r"[A-Za-z0-9._-]")
_SCHEME = re.compile(r"^\s*[A-Za-z][A-Za-z0-9+.-]*://")


def check_text(name: str) -> str:
    """Refuse what no form of name may hold: nothing at all, control characters, more than
    `MAX_NAME_CHARS` characters, or a URL that does not parse."""
    if not isinstance(name, str):
        raise TypeError(f"a model name is a str, not {type(name).__name__}")
    if len(name) > MAX_NAME_CHARS:
        # The name shown is cut: the error message is one line, not the megabytes a caller passed.
        raise InvalidNameError(name[:80] + "...", f"the name is {len(name)} characters long; no path or URL "
                                                  f"is longer than {MAX_NAME_CHARS}")
    if not name.strip():
        raise InvalidNameError(name, "the name is empty")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in name):
        raise InvalidNameError(name, "control characters are not allowed in a name")
    if _SCHEME.match(name) and split_url(name.strip()) is None:
        raise InvalidNameError(name, "not a well-formed URL (an unclosed '[' or a port out of range)")
    return name.strip()


def has_escape(path: str) -> bool:
    """True when a '/'-separated path has a '..' part or a backslash (either could leave its folder)."""
    return "\\" in path or any(part == ".." for part in path.split("/"))


def check_repo_id(repo_id: str, name: str) -> str:
    """`repo_id` if it is a well-formed ``org/name``; else `InvalidNameError` saying what is wrong."""
    if repo_id.startswith("/") or re.match(r"^[A-Za-z]:[\\/]", repo_id):
        raise InvalidNameError(name, f"{repo_id!r} is an absolute path, not a repo id org/name")
    if has_escape(repo_id) or ".." in repo_id:
        raise InvalidNameError(name, f"'..' and backslashes are not allowed in a repo id ({repo_id!r})")
    if "--" in repo_id:
        raise InvalidNameError(name, f"'--' is not allowed in a repo id ({repo_id!r}): the cache uses it "
                                     "as a separator")
    if repo_id.count("/") != 1:
        raise InvalidNameError(name, f"a repo id is org/name with one '/', not {repo_id!r}")
    odd = sorted({c for c in repo_id.replace("/", "") if not _REPO_CHARS.fullmatch(c)})
    if odd:
        raise InvalidNameError(name, "characters " + " ".join(repr(c) for c in odd)
                               + f" are not allowed in a repo id ({repo_id!r}; letters, digits, '-', '_', '.')")
    if not is_repo_id(repo_id):
        raise InvalidNameError(name, f"{repo_id!r} is not a valid repo id: each part starts and ends with a "
                                     "letter or digit, has at most 96 characters, and it does not end in .git")
    return repo_id


def check_revision(revision: str, name: str) -> str:
    """`revision` if it is a safe git revision (branch, tag or commit sha)."""
    if not revision:
        raise InvalidNameError(name, "the revision after '@' is empty")
    if not is_revision(revision):
        raise InvalidNameError(name, f"{revision!r} is not an acceptable revision (git ref rules; no '..', "
                                     "no leading '/', '.' or '-', no spaces, invisible characters or ~^:?*[\\; "
                                     f"at most {MAX_REVISION_CHARS} bytes)")
    return revision


def check_handle(handle: str, name: str) -> str:
    """`handle` if it is a well-formed TF Hub handle ``publisher/name/version``."""
    if has_escape(handle):
        raise InvalidNameError(name, f"'..' and backslashes are not allowed in a handle ({handle!r})")
    if not is_tfhub_handle(handle):
        raise InvalidNameError(name, f"{handle!r} is not a TF Hub handle publisher/name/version "
                                     "(letters, digits, '-', '_', '.')")
    return handle


def split_revision(text: str) -> tuple[str, str | None]:
    """``org/name@rev`` -> (``org/name``, ``rev``); no '@' -> (text, None)."""
    base, at, revision = text.partition("@")
    return base, (revision if at else None)


__all__ = ["check_text", "has_escape", "check_repo_id", "check_revision", "check_handle", "split_revision"]
