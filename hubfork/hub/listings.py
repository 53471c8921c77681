"""What a hub listed for a commit: each file's size and hash (sha256 for LFS files, else the git
blob id), as the listing the snapshot was made from kept it, or as the hub lists it now.

huggingface_hub (2.x) keeps the listing it downloads a snapshot from at
``trees/<commit>.json`` in the repo's cache folder, ``{"format_version": 1, "files": {path:
{"size", "blob_id", "lfs_sha256"?, ...}}}``. It is read here as any file someone else wrote
(`hubfork._reading`): a FIFO or a device put in its place must not hang the check. Both
listings come from a hub, so every entry must have a byte count and a hash of the right form;
one that does not makes the listing `MalformedListing`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hubfork._reading import read_regular_file

if TYPE_CHECKING:  # pragma: no cover
    from huggingface_hub import HfApi

#: How many hex digits each hash has.
DIGEST_LENGTHS = {"sha256": 64, "git-sha1": 40}
_HEX = re.compile(r"[0-9a-f]+")
_FORMAT_VERSION = 1
# A listing of a million files is about 200 MB; no model repo comes near.
_MAX_LISTING_BYTES = 256_000_000


class MalformedListing(Exception):
    """A listing that cannot be checked against: unreadable, or an entry without a size or hash of the
    right form. The message says which entry and field."""


@dataclass(frozen=True)
class Listed:
    """One file as a listing gives it."""

    size: int
    #: "sha256" (an LFS file's content) or "git-sha1" (the git blob id).
    algorithm: str
    digest: str

    def __str__(self) -> str:
        return f"size {self.size}, {self.algorithm} {self.digest}"


def cached_listing(repo_id: str, commit: str, cache: Path) -> dict[str, Listed] | None:
    """The listing the snapshot of `repo_id` at `commit` was made from; None when the cache kept none
    (a huggingface_hub before 2.x, or a format it does not write yet).

    Raises:
        MalformedListing: the kept listing is not a regular file, or not a listing.
    """
    from huggingface_hub.file_download import repo_folder_name

    path = cache / repo_folder_name(repo_id=repo_id, repo_type="model") / "trees" / f"{commit}.json"
    try:
        data = json.loads(read_regular_file(path, _MAX_LISTING_BYTES))
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise MalformedListing(f"{path}: {exc.strerror or exc}") from exc
    except ValueError as exc:  # not JSON, or not UTF-8
        raise MalformedListing(f"{path}: not JSON ({exc})") from exc
    if not isinstance(data, dict) or data.get("format_version") != _FORMAT_VERSION:
        return None
    files = data.get("files")
    if not isinstance(files, dict):
        raise MalformedListing(f"{path}: no \"files\" object")
    try:
        return {name: listing_entry(name, info.get("size"), info.get("blob_id"), info.get("lfs_sha256"))
                for name, info in files.items()}
    except AttributeError as exc:  # an entry that is not an object
        raise MalformedListing(f"{path}: an entry is not an object") from exc
    except MalformedListing as exc:
        raise MalformedListing(f"{path}: {exc}") from exc


def hub_listing(api: "HfApi", repo_id: str, commit: str) -> dict[str, Listed]:
    """Every file the hub behind `api` lists for `repo_id` at `commit`: a request, whose errors propagate
    (the hub's reply is checked as it arrives: `hubfork.hub.guard`, within `translate_errors`).

    Raises:
        MalformedListing: an entry without a path, size or hash of the right form.
    """
    from huggingface_hub.hf_api import RepoFile

    entries = [entry for entry in api.list_repo_tree(repo_id, recursive=True, revision=commit)
               if isinstance(entry, RepoFile)]
    return {entry.path: listing_entry(entry.path, entry.size, entry.blob_id, entry.lfs.sha256 if entry.lfs else None)
            for entry in entries}


def listing_entry(path: Any, size: Any, blob_id: Any, lfs_sha256: Any) -> Listed:
    """One entry, checked: a path, a byte count, and the hash its content is checked with."""
    if not isinstance(path, str) or not path or not path.isprintable():
        raise MalformedListing(f"an entry's path is {_shown(path)}")
    if type(size) is not int or size < 0:
        raise MalformedListing(f"{_shown(path)}: size {_shown(size)} is no byte count")
    algorithm, digest = ("sha256", lfs_sha256) if lfs_sha256 is not None else ("git-sha1", blob_id)
    if not (isinstance(digest, str) and is_digest(digest.lower(), algorithm)):
        raise MalformedListing(f"{_shown(path)}: {algorithm} {_shown(digest)} is not {DIGEST_LENGTHS[algorithm]} "
                               "hex digits")
    return Listed(size, algorithm, digest.lower())


def is_digest(value: str, algorithm: str) -> bool:
    """Whether `value` is an `algorithm` hash (``sha256``, ``git-sha1``) in lowercase hex."""
    return len(value) == DIGEST_LENGTHS[algorithm] and _HEX.fullmatch(value) is not None


def _shown(value: Any) -> str:
    # A hub's value in a message: quoted, escaped, and never a page long.
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


__all__ = ["DIGEST_LENGTHS", "Listed", "MalformedListing", "cached_listing", "hub_listing", "is_digest",
           "listing_entry"]
