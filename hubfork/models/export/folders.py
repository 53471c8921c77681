"""Writing a model folder so that it exists whole or not at all."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Mapping

from hubfork import _files
from hubfork.errors import ModelError


@contextmanager
def staged_folder(out_dir: str | os.PathLike[str], *, overwrite: bool = False) -> Iterator[Path]:
    """Yield an empty staging folder beside `out_dir`; on success it becomes `out_dir`.

    SavedModel writers create many files; writing them into a staging folder and
    renaming it at the end means an interrupted or failed write leaves nothing
    behind at `out_dir`. An existing non-empty `out_dir` is refused unless
    `overwrite`.
    """
    target = Path(out_dir)
    if target.exists() and not target.is_dir():
        raise ModelError(f"{target} exists and is not a folder")
    if target.is_dir() and any(target.iterdir()) and not overwrite:
        raise ModelError(f"{target} already exists and is not empty (choose another folder or allow overwriting)")
    with _files.staged_folder(target) as staging:
        yield staging


def write_files(folder: Path, files: Mapping[str, bytes]) -> None:
    """Write `files` (folder-relative names, their bytes) into `folder`, making the folders on the way."""
    for name, data in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
