"""Reading the files of a model folder someone else made: only regular files, only inside the folder,
never more than a limit.

A model folder comes from a hub, an archive or a git repo: its ``assets/vocab.txt`` may be a FIFO
(a read blocks forever), a link to ``/dev/zero`` (a read never ends) or a link to a secret; and a
graph may name any path as its vocab. So a file is read only when its real path (links followed)
is inside the folder, or, for a snapshot of a Hugging Face cache, among its repo's ``blobs`` (where
that cache's snapshot files link to); and only as `hubfork._reading.read_regular_file` reads.

TensorFlow reads ``assets/`` by itself when it loads a model (a preprocessor's vocab table), so
`check_assets` looks at every file there (``stat`` only, never an open) before any load.

TensorFlow-free, like `hubfork.models.vocab`.
"""

from __future__ import annotations

import os
from pathlib import Path

from hubfork._reading import read_regular_file, regular_file_status
from hubfork.errors import ModelFormatError

#: The largest text file of a model read (a vocab, a JSON config): 50 MB, where BERT's largest
#: vocabs are about 1 MB and a 250,000-token ``tokenizer.json`` about 20 MB.
MAX_TEXT_FILE_BYTES = 50_000_000
#: The largest file ``assets/`` may hold for TensorFlow to read at load (its vocab tables): 1 GB.
MAX_ASSET_BYTES = 1_000_000_000
# huggingface_hub's cache: <repo>/snapshots/<commit>/<file> links to <repo>/blobs/<hash>.
_SNAPSHOTS, _BLOBS = "snapshots", "blobs"


def inside_model(folder: str | os.PathLike[str], path: str | os.PathLike[str]) -> Path:
    """The real path of `path` (links followed), if it is a file of the model folder `folder`.

    Raises:
        ModelFormatError: it leads outside the folder (and outside a Hugging Face cache snapshot's blobs).
    """
    real = Path(os.path.realpath(path))
    if not any(real.is_relative_to(root) for root in _roots(folder)):
        raise ModelFormatError(f"{path}: leads to {real}, outside the model folder {folder}; a model's files "
                               "must be inside its folder")
    return real


def read_model_file(folder: str | os.PathLike[str], path: str | os.PathLike[str], what: str,
                    limit: int = MAX_TEXT_FILE_BYTES) -> bytes:
    """The bytes of `path`, a file of the model folder `folder`: inside it, a regular file, at most `limit`
    bytes. `what` names the file in messages (``the vocab file``).

    Raises:
        ModelFormatError: it is outside the folder, not a regular file, larger than `limit`, or unreadable.
    """
    real = inside_model(folder, path)
    try:
        return read_regular_file(real, limit)
    except OSError as exc:
        raise ModelFormatError(f"{path}: cannot read {what}: {exc.strerror or exc}") from None


def check_assets(folder: str | os.PathLike[str]) -> None:
    """Refuse a model folder whose ``assets/`` holds anything TensorFlow must not read at load: a link
    out of the folder, something that is not a regular file or a folder, a file over `MAX_ASSET_BYTES`.
    Nothing is opened.

    Raises:
        ModelFormatError: the first such entry, and what it is.
    """
    assets = Path(folder) / "assets"
    pending = [assets] if os.path.lexists(assets) else []
    seen: set[Path] = set()
    while pending:
        entry = pending.pop()
        real = inside_model(folder, entry)
        if real.is_dir():
            if real not in seen:  # a link to a folder above it would loop
                seen.add(real)
                pending.extend(sorted(entry.iterdir(), reverse=True))
            continue
        try:
            regular_file_status(entry, MAX_ASSET_BYTES)
        except OSError as exc:
            raise ModelFormatError(f"{entry}: TensorFlow would read this asset when it loads the model: "
                                   f"{exc.strerror or exc}") from None


def _roots(folder: str | os.PathLike[str]) -> list[Path]:
    real = Path(os.path.realpath(folder))
    roots = [real]
    for above in real.parents:
        if above.name == _SNAPSHOTS:
            roots.append(above.parent / _BLOBS)
            break
    return roots


__all__ = ["MAX_TEXT_FILE_BYTES", "MAX_ASSET_BYTES", "inside_model", "read_model_file", "check_assets"]
