"""Where `hubfork embed-corpus` writes: fixed shard names, and a local output folder replaced whole.

Every file has a name fixed by the run's options (``embeddings-00000-of-00004.parquet``,
``errors-00000-of-00001.jsonl``), never one a runner picks, so a rerun writes the same files. A
local OUTPUT_DIR is built in a staging folder beside it and swapped in when the pipeline succeeds
(`hubfork._files.staged_folder`): a failed or interrupted run leaves the previous output whole, and
a rerun replaces it rather than adding to it. An OUTPUT_DIR that is a link is followed before the job
starts (`resolve_output`): the staging and the swap happen beside the folder it leads to. On a remote
filesystem (``gs://``, ``s3://``...) the runner writes in place; Beam writes each shard to a temporary
name and renames it, so a rerun with the same shard count overwrites the same files.
"""

from __future__ import annotations

import os
import re
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from hubfork.errors import CorpusError

FORMATS = ("parquet", "jsonl")
EMBEDDINGS = "embeddings"
ERRORS = "errors"
#: Beam's shard template: -SSSSS-of-NNNNN, both numbers fixed by num_shards.
SHARD_TEMPLATE = "-SSSSS-of-NNNNN"
#: What this command writes into OUTPUT_DIR; anything else there means the folder is someone else's.
OWN_FILE = re.compile(rf"^(?:{EMBEDDINGS}-\d{{5}}-of-\d{{5}}\.(?:parquet|jsonl)|{ERRORS}-\d{{5}}-of-\d{{5}}\.jsonl)$")


def is_remote(path: str) -> bool:
    """Whether `path` is a URL of a filesystem Beam reaches (gs://, s3://, hdfs://...), not a local path."""
    return "://" in path


def resolve_output(path: str) -> str:
    """The output folder `path` names, with its links followed, once, before the job starts: a link
    is followed explicitly (its folder gets the output, staged beside it; the link stays), never
    replaced by the folder the job stages. A remote `path` is returned as given.

    Raises:
        CorpusError: `path` is a link to nothing (where it leads is not a folder anyone made).
    """
    if is_remote(path):
        return path
    if os.path.islink(path) and not os.path.exists(path):
        raise CorpusError(f"{path}: the output is a link to {os.readlink(path)}, which does not exist; create that "
                          "folder, or give another output folder")
    return os.path.realpath(path)


@contextmanager
def output_folder(path: str) -> Iterator[str]:
    """Yield the folder the pipeline writes into for the output `path` (as `resolve_output` gave it): a
    staging folder that becomes `path` when the block succeeds (local), or `path` itself (remote).

    Raises:
        CorpusError: a local `path` that is a file, or a folder holding files this command did not write.
    """
    if is_remote(path):
        yield path.rstrip("/")
        return
    from hubfork._files import staged_folder

    target = Path(path)
    if target.exists() and not target.is_dir():
        raise CorpusError(f"{path}: the output must be a folder, and this is a file")
    foreign = sorted(p.name for p in target.iterdir() if not OWN_FILE.match(p.name)) if target.is_dir() else []
    if foreign:
        raise CorpusError(f"{path}: holds files embed-corpus did not write ({', '.join(foreign[:3])}"
                          f"{', ...' if len(foreign) > 3 else ''}); it replaces its output folder whole, so give "
                          "an empty or new folder, or one an earlier embed-corpus run wrote")
    with staged_folder(target) as staging:
        yield str(staging)


def shard_prefix(folder: str, kind: str) -> str:
    """Beam's file_path_prefix for the `kind` (embeddings or errors) files in `folder`."""
    return f"{folder}/{kind}"
