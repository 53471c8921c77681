"""Regex file filters (the earlier TF Hub fork's ``allow_regex``/``ignore_regex``)
translated into huggingface_hub's glob patterns.

huggingface_hub filters files with ``fnmatch`` globs. A regex has no glob
equivalent in general, so hubfork lists the repo's files (from the hub, or from
the cached snapshot when offline), keeps those the regexes select, and passes
that exact list as ``allow_patterns``, each name glob-escaped so that ``[``,
``*`` and ``?`` in file names match only themselves.

Semantics: a file is kept when ``re.search`` finds any `allow_regex` in its
path (relative to the repo root, '/'-separated) and none of the
`ignore_regex`; anchor with ``^...$`` for whole-path matches. Glob patterns
given as well apply first.
"""

from __future__ import annotations

import glob
import os
import re
from pathlib import Path
from typing import Iterable, Sequence, Union

from hubfork.constants import EMBEDDED_ENDPOINT
from hubfork.errors import InvalidNameError, NoMatchingFilesError, NotCachedError, RepoNotFoundError
from hubfork.hub import settings
from hubfork.hub.local_hub import hub_from_url
from hubfork.hub.resolved import ResolvedName

Regexes = Union[str, Sequence[str], None]
Patterns = Union[str, Sequence[str], None]


def compile_all(regexes: Regexes, name: str, what: str) -> list[re.Pattern[str]]:
    """The regexes as compiled patterns; a bad one is an `InvalidNameError` naming it."""
    if regexes is None:
        return []
    items = [regexes] if isinstance(regexes, str) else list(regexes)
    compiled = []
    for item in items:
        try:
            compiled.append(re.compile(item))
        except re.error as exc:
            raise InvalidNameError(name, f"{what} {item!r} is not a valid regular expression: {exc}") from exc
    return compiled


def select_files(files: Iterable[str], *, allow_regex: Regexes = None, ignore_regex: Regexes = None,
                 allow_patterns: Patterns = None, ignore_patterns: Patterns = None, name: str = "") -> list[str]:
    """The files passing the glob patterns (as huggingface_hub applies them), then the regexes."""
    from huggingface_hub.utils import filter_repo_objects

    allow = compile_all(allow_regex, name, "allow_regex")
    ignore = compile_all(ignore_regex, name, "ignore_regex")
    kept = filter_repo_objects(list(files), allow_patterns=allow_patterns, ignore_patterns=ignore_patterns)
    return sorted(
        path for path in kept
        if (not allow or any(r.search(path) for r in allow)) and not any(r.search(path) for r in ignore)
    )


def as_exact_patterns(files: Iterable[str]) -> list[str]:
    """Glob patterns matching exactly these file names."""
    return [glob.escape(path) for path in files]


def repo_files(resolved: ResolvedName, *, cache_dir: str | os.PathLike[str] | None = None,
               local_files_only: bool = False, token: str | bool | None = None,
               endpoint: str | None = None) -> list[str]:
    """Every file of a repo at its revision: asked of the hub, or read from the cached
    snapshot when offline."""
    assert resolved.repo_id is not None
    offline = settings.offline_reason(local_files_only)
    if offline is None and resolved.endpoint == EMBEDDED_ENDPOINT:
        from hubfork.hub.embedded import repo_files as embedded_repo_files

        return embedded_repo_files(resolved.name, resolved.repo_id, resolved.revision)  # "embedded" is not a URL
    local = hub_from_url(resolved.endpoint or endpoint) if offline is None else None
    if local is not None:  # a hub in a folder: its git repos answer without serving it
        files = local.files(resolved.repo_id, resolved.revision) if local.initialised else None
        if files is None:
            raise RepoNotFoundError(resolved.name, repo_id=resolved.repo_id, revision=resolved.revision,
                                    endpoint=local.url, detail=f"the local hub in {local.root} has no such repo "
                                                               "or revision")
        return files
    if offline is None:
        from huggingface_hub import HfApi

        from hubfork.hub.guard import token_for
        from hubfork.hub.hf_errors import translate_errors

        hub = settings.endpoint(resolved.endpoint or endpoint)
        with translate_errors(resolved, hub, settings.hub_cache(cache_dir), offline):
            return HfApi(endpoint=hub, token=token_for(hub, token)).list_repo_files(resolved.repo_id,
                                                                                   revision=resolved.revision)
    folder = cached_snapshot(resolved.repo_id, resolved.revision, settings.hub_cache(cache_dir))
    if folder is None:
        raise NotCachedError(resolved.name, repo_id=resolved.repo_id, revision=resolved.revision,
                             cache_dir=str(settings.hub_cache(cache_dir)), why=offline)
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def cached_snapshot(repo_id: str, revision: str | None, cache: Path) -> Path | None:
    """The cached snapshot folder of `repo_id` at `revision` (a branch, tag or commit), if any."""
    from huggingface_hub.file_download import REGEX_COMMIT_HASH, repo_folder_name

    from hubfork._reading import read_regular_file

    storage = cache / repo_folder_name(repo_id=repo_id, repo_type="model")
    revision = revision or "main"
    commit = revision
    if not REGEX_COMMIT_HASH.fullmatch(revision):
        try:  # a ref is a commit sha in a small file; anything else in its place names no snapshot
            commit = read_regular_file(storage / "refs" / revision, 1024).decode("ascii", "replace").strip()
        except OSError:
            return None
        if not REGEX_COMMIT_HASH.fullmatch(commit):
            return None
    folder = storage / "snapshots" / commit
    return folder if folder.is_dir() else None


def regex_allow_patterns(resolved: ResolvedName, *, allow_regex: Regexes, ignore_regex: Regexes,
                         allow_patterns: Patterns = None, ignore_patterns: Patterns = None,
                         **where) -> list[str]:
    """The exact `allow_patterns` that fetch what the regexes (and patterns) select."""
    files = repo_files(resolved, **where)
    selected = select_files(files, allow_regex=allow_regex, ignore_regex=ignore_regex,
                            allow_patterns=allow_patterns, ignore_patterns=ignore_patterns, name=resolved.name)
    if not selected:
        filters = ", ".join(f"{key}={value!r}" for key, value in (
            ("allow_regex", allow_regex), ("ignore_regex", ignore_regex), ("allow_patterns", allow_patterns),
            ("ignore_patterns", ignore_patterns)) if value is not None)
        raise NoMatchingFilesError(resolved.name, repo_id=resolved.repo_id or "", filters=filters)
    return as_exact_patterns(selected)


__all__ = ["select_files", "as_exact_patterns", "repo_files", "cached_snapshot", "regex_allow_patterns",
           "compile_all"]
