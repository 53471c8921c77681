"""Kaggle Models through kagglehub: a handle ``owner/model/framework/variation[/version]`` is fetched with
``kagglehub.model_download`` itself, so kagglehub's cache, credentials and endpoint are the ones its users
already have, read by kagglehub and never overridden here:

- ``KAGGLEHUB_CACHE``: the cache folder (``models/owner/model/framework/variation/<version>``); hubfork's own
  cache (`FetchOptions.cache`) is not used for Kaggle models.
- ``KAGGLE_API_TOKEN``, or ``KAGGLE_USERNAME`` and ``KAGGLE_KEY``, or ``kaggle.json`` in ``KAGGLE_CONFIG_DIR``
  (default ``~/.kaggle``): the credentials, needed for private and gated models.
- The API endpoint. kagglehub 1.x asks kagglesdk, which picks one of a fixed table with
  ``KAGGLE_API_ENVIRONMENT`` (unset or ``PROD``: https://api.kaggle.com; ``TEST``: http://localhost:7777;
  ``LOCALHOST``, ``STAGING``, ``ADMIN``, ``QA``) and takes no URL: ``KAGGLE_API_ENDPOINT``, which older kagglehub
  releases read, is ignored by 1.x (hubfork warns when it is set). The only clean way to send kagglehub 1.x's
  requests elsewhere is an HTTP(S) proxy: kagglesdk's session honours ``HTTPS_PROXY``/``HTTP_PROXY``.
  Rewriting kagglesdk's private endpoint table from here would change every other user of kagglesdk in the
  process, so hubfork does not; `api_endpoint` is the one place that says which endpoint is in use.

Offline, the model is taken from kagglehub's cache (the newest cached version for a handle without one),
which kagglehub itself cannot do. Online, a Kaggle that cannot be reached falls back to the cache the same
way, as huggingface_hub falls back to its cache. File patterns (`FetchOptions.allow_patterns`) are not
applied: kagglehub fetches a model version whole.
"""

from __future__ import annotations

import logging
import os
import sys
import tarfile
import warnings
import zipfile
from contextlib import contextmanager, redirect_stdout
from pathlib import Path
from typing import Iterator

from hubfork.constants import KAGGLE_SOURCE_ENDPOINT
from hubfork.errors import (
    AccessDeniedError,
    DownloadError,
    HubError,
    HubUnreachableError,
    NotCachedError,
    RateLimitedError,
    RepoNotFoundError,
)
from hubfork.hub.backends.base import Backend, FetchOptions
from hubfork.hub.resolved import ResolvedName
from hubfork.hub.snapshot import Snapshot

#: What kagglesdk (kagglehub 1.x) picks its endpoint with, and the URL older kagglehub releases read.
ENV_API_ENVIRONMENT = "KAGGLE_API_ENVIRONMENT"
ENV_API_ENDPOINT = "KAGGLE_API_ENDPOINT"

_CREDENTIALS_HINT = ("give kagglehub credentials: KAGGLE_USERNAME and KAGGLE_KEY, KAGGLE_API_TOKEN, or kaggle.json in "
                     "~/.kaggle (or $KAGGLE_CONFIG_DIR)")


class KaggleBackend(Backend):
    """A Kaggle Models handle, fetched with ``kagglehub.model_download`` (offline: from kagglehub's cache)."""

    id = "kaggle"

    def serves(self, place: ResolvedName) -> bool:
        return place.kind == "kaggle"

    def fetch(self, place: ResolvedName, options: FetchOptions) -> Snapshot:
        """Fetch the Kaggle handle of `place` into kagglehub's cache, or find it there.

        Raises:
            NotCachedError: offline, and no version of the handle (the one it names, if it names one) is cached.
            RepoNotFoundError: Kaggle has no such model, variation or version (HTTP 404).
            AccessDeniedError: Kaggle refused access (HTTP 401/403: a gated or private model); says what to do.
            HubUnreachableError: Kaggle could not be reached and nothing is cached.
            DownloadError: Kaggle answered with another error, or sent files kagglehub refused.
        """
        handle = _handle(place)
        endpoint = api_endpoint()
        if options.offline is not None:
            return _snapshot(place, handle, endpoint, _require_cached(place, handle, options.offline))
        try:
            with _translate_errors(place, handle, endpoint):
                path = _download(handle)
        except HubUnreachableError as exc:
            cached = cached_path(handle)
            if cached is None:
                raise
            print(f"hubfork: Kaggle could not be reached ({exc.__cause__ or exc}); using the cached {cached}",
                  file=sys.stderr, flush=True)
            path = cached
        return _snapshot(place, handle, endpoint, path)

    def describe(self, place: ResolvedName) -> str:
        return f"{place.where} through kagglehub ({api_endpoint()})"


def api_endpoint() -> str:
    """The Kaggle API endpoint kagglehub calls, as kagglehub itself picks it (see the module's docs).

    Raises:
        HubError: ``KAGGLE_API_ENVIRONMENT`` names no environment kagglesdk knows.
    """
    from kagglehub import config

    legacy = getattr(config, "get_kaggle_api_endpoint", None)
    if legacy is not None:  # a kagglehub from before kagglesdk reads KAGGLE_API_ENDPOINT itself
        return str(legacy()).rstrip("/")
    from kagglesdk.kaggle_env import get_endpoint, get_env

    try:
        endpoint = get_endpoint(get_env()).rstrip("/")
    except Exception as exc:  # kagglesdk raises a bare Exception for an unknown environment
        raise HubError(f"{ENV_API_ENVIRONMENT}: {exc}") from exc
    ignored = os.environ.get(ENV_API_ENDPOINT, "").strip().rstrip("/")
    if ignored and ignored != endpoint:
        # Said, not refused: the download still goes where kagglehub sends it, but the user expected otherwise.
        warnings.warn(f"{ENV_API_ENDPOINT}={ignored} is ignored by kagglehub 1.x, which calls {endpoint} "
                      f"({ENV_API_ENVIRONMENT} picks it; an HTTPS_PROXY can route it elsewhere)", UserWarning,
                      stacklevel=3)
    return endpoint


def cached_path(handle: str) -> str | None:
    """The folder of `handle` in kagglehub's cache, complete (kagglehub's marker written), else None; for a handle
    without version, the newest version cached."""
    from kagglehub.cache import Cache
    from kagglehub.handle import parse_model_handle

    parsed = parse_model_handle(handle)
    cache = Cache()
    if parsed.is_versioned():
        return cache.load_from_cache(parsed)
    # kagglehub's layout: .../variation/<version>/ beside .../variation/<version>.complete
    variation = Path(cache.get_path(parsed.with_version(1))).parent
    versions = sorted((int(p.name) for p in _children(variation) if p.name.isdigit()), reverse=True)
    for version in versions:
        found = cache.load_from_cache(parsed.with_version(version))
        if found is not None:
            return found
    return None


def _children(folder: Path) -> list[Path]:
    try:
        return [p for p in folder.iterdir() if p.is_dir()]
    except OSError:  # nothing of this variation cached yet
        return []


def _handle(place: ResolvedName) -> str:
    if not place.kaggle:
        raise HubError(f"{place.name!r}: no Kaggle handle to fetch ({place.where})")
    return place.kaggle


def _download(handle: str) -> str:
    import kagglehub

    return kagglehub.model_download(handle)


def _require_cached(place: ResolvedName, handle: str, offline: str) -> str:
    try:
        found = cached_path(handle)
    except ValueError as exc:  # a handle kagglehub cannot parse
        raise HubError(f"{place.name!r}: {exc}") from exc
    if found is None:
        from kagglehub.config import get_cache_folder

        raise NotCachedError(place.name, repo_id=handle, revision=None, cache_dir=get_cache_folder(),
                             why=f"{offline}; it comes from Kaggle Models, through kagglehub, whose cache is "
                                 "$KAGGLEHUB_CACHE")
    return found


def _snapshot(place: ResolvedName, handle: str, endpoint: str, path: str) -> Snapshot:
    return Snapshot(str(path), place.name, place.form, "kaggle", repo_id=handle, revision=None, endpoint=endpoint,
                    handle=place.handle, source=KAGGLE_SOURCE_ENDPOINT)


@contextmanager
def notices_to_stderr() -> Iterator[None]:
    """kagglehub's and kagglesdk's notices on stderr while in the block: hubfork's stdout carries its results
    (``--json``), and kagglehub logs to stdout (a handler it made on import) and kagglesdk prints there."""
    import kagglehub  # noqa: F401 - configures the "kagglehub" logger

    moved = [h for h in logging.getLogger("kagglehub").handlers
             if type(h) is logging.StreamHandler and h.stream in (sys.stdout, sys.__stdout__)]
    before = [h.setStream(sys.stderr) for h in moved]
    try:
        with redirect_stdout(sys.stderr):
            yield
    finally:
        for handler, stream in zip(moved, before):
            handler.setStream(stream)


@contextmanager
def _translate_errors(place: ResolvedName, handle: str, endpoint: str) -> Iterator[None]:
    """kagglehub's, kagglesdk's and requests' failures as hubfork errors naming the handle and endpoint."""
    import requests
    from kagglehub.exceptions import BackendError, DataCorruptionError

    where = dict(repo_id=handle, revision=None, endpoint=endpoint)
    try:
        with notices_to_stderr():
            yield
    except requests.HTTPError as exc:  # kagglehub's KaggleApiHTTPError too
        status = exc.response.status_code if exc.response is not None else None
        if status == 404:
            raise RepoNotFoundError(place.name, **where,
                                    detail="Kaggle Models has no such model, variation or version") from exc
        if status in (401, 403):
            raise AccessDeniedError(place.name, **where, detail=access_hint(handle, status)) from exc
        if status == 429:
            raise RateLimitedError(place.name, **where) from exc
        raise DownloadError(place.name, repo_id=handle, endpoint=endpoint, detail=_first_line(exc)) from exc
    except (requests.ConnectionError, requests.Timeout, ConnectionError) as exc:
        raise HubUnreachableError(place.name, **where, detail=_first_line(exc)) from exc
    except (DataCorruptionError, BackendError, tarfile.TarError, zipfile.BadZipFile, ValueError) as exc:
        # ValueError: a handle, archive or kaggle.json kagglehub refuses (it says which).
        raise DownloadError(place.name, repo_id=handle, endpoint=endpoint, detail=_first_line(exc)) from exc


def access_hint(handle: str, status: int | None) -> str:
    """What to do when Kaggle refuses a model: its terms, the credentials (saying when none were found)."""
    from kagglehub.config import get_kaggle_credentials
    from kagglehub.handle import parse_model_handle

    try:
        page = parse_model_handle(handle).to_url()
    except ValueError:
        page = "its Kaggle page"
    hint = (f"HTTP {status}: a gated or private model; accept the model's terms on its Kaggle page ({page}) with "
            f"your Kaggle account, and {_CREDENTIALS_HINT}")
    try:
        found = get_kaggle_credentials() is not None
    except ValueError:  # an unreadable kaggle.json: kagglehub's own message says so on the next call
        found = False
    return hint + ("" if found else " (kagglehub found none)")


def _first_line(exc: BaseException) -> str:
    text = [line for line in str(exc).strip().splitlines() if line.strip()]
    return f"{type(exc).__name__}: {text[0] if text else ''}"


__all__ = ["KaggleBackend", "api_endpoint", "cached_path", "access_hint", "notices_to_stderr", "ENV_API_ENVIRONMENT",
           "ENV_API_ENDPOINT"]
