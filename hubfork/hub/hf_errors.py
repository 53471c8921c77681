"""huggingface_hub's failures as hubfork errors: one place that knows how its exceptions (and httpx's,
beneath them) say that a repo is missing, a hub is down or a file was cut short."""

from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator
from urllib.parse import quote, unquote, urlsplit

from hubfork.errors import (
    DownloadError,
    HubError,
    HubReplyError,
    HubUnreachableError,
    NotCachedError,
    RateLimitedError,
    RepoNotFoundError,
)
from hubfork.hub import settings
from hubfork.hub.resolved import ResolvedName


@contextmanager
def translate_errors(resolved: ResolvedName, hub: str, cache: Path, offline: str | None) -> Iterator[None]:
    """Turn huggingface_hub's failures into hubfork errors carrying the name, repo, revision, hub and, for a
    failure mid-download, the file; give every request a timeout (`hubfork.hub.timeouts`) and check every
    request to `hub` and every reply from it (`hubfork.hub.guard`)."""
    from huggingface_hub.errors import (
        HfHubHTTPError,
        LocalEntryNotFoundError,
        OfflineModeIsEnabled,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    from hubfork.hub.guard import HubReplyRefused, RateLimited, guarded
    from hubfork.hub.timeouts import bounded_requests

    where = dict(repo_id=resolved.repo_id or "", revision=resolved.revision)
    try:
        with bounded_requests(), guarded(hub):
            yield
    except RateLimited as exc:
        raise RateLimitedError(resolved.name, **where, endpoint=hub, detail=str(exc)) from None
    except HubReplyRefused as exc:
        raise HubReplyError(resolved.name, repo_id=where["repo_id"], endpoint=hub,
                            detail=f"its reply was refused: {exc}") from None
    except LocalEntryNotFoundError as exc:
        if offline is None and isinstance(exc.__cause__, OfflineModeIsEnabled):
            offline = "HF_HUB_OFFLINE was set when huggingface_hub was imported"
        if offline is not None:
            raise NotCachedError(resolved.name, **where, cache_dir=str(cache), why=offline) from exc
        cause = exc.__cause__
        if isinstance(cause, HfHubHTTPError):  # the hub answered, with an error huggingface_hub did not classify
            status = getattr(getattr(cause, "response", None), "status_code", None)
            if status in (401, 403, 404):
                raise RepoNotFoundError(resolved.name, **where, endpoint=hub, detail=f"HTTP {status}") from exc
            raise DownloadError(resolved.name, repo_id=where["repo_id"], endpoint=hub, detail=first_line(cause),
                                file=_failed_file(exc, where["repo_id"])) from exc
        raise _unreachable(resolved, hub, cause or exc) from exc
    except (RepositoryNotFoundError, RevisionNotFoundError) as exc:
        raise RepoNotFoundError(resolved.name, **where, endpoint=hub) from exc
    except HfHubHTTPError as exc:
        raise DownloadError(resolved.name, repo_id=where["repo_id"], endpoint=hub, detail=first_line(exc),
                            file=_failed_file(exc, where["repo_id"])) from exc
    except OfflineModeIsEnabled as exc:
        raise NotCachedError(resolved.name, **where, cache_dir=str(cache),
                             why=offline or "HF_HUB_OFFLINE was set when huggingface_hub was imported") from exc
    except Exception as exc:
        # Listing files (snapshot_download handles its own), and a file's download once huggingface_hub's
        # retries are spent, meet httpx's connection errors raw.
        # hf_hub_download(force_download=True) wraps a failed metadata request in a ValueError.
        cause = exc.__cause__ if isinstance(exc, ValueError) and exc.__cause__ is not None else exc
        refused = _refused_in(exc)
        if refused is not None:
            raise HubReplyError(resolved.name, repo_id=where["repo_id"], endpoint=hub,
                                detail=f"its reply was refused: {refused}") from None
        if any(_is_httpx(cause, name) for name in ("TooManyRedirects", "InvalidURL", "UnsupportedProtocol")):
            raise HubReplyError(resolved.name, repo_id=where["repo_id"], endpoint=hub,
                                detail=f"its reply was refused: {first_line(cause)}") from None
        if not isinstance(exc, HubError) and is_connection_error(cause):
            raise _unreachable(resolved, hub, cause) from exc
        if isinstance(exc, _UNREAD) and _raised_in_huggingface_hub(exc):
            # A reply the guard let through that huggingface_hub still cannot parse: the hub's fault.
            raise HubReplyError(resolved.name, repo_id=where["repo_id"], endpoint=hub,
                                detail=f"huggingface_hub could not read its reply ({first_line(exc)})") from exc
        if isinstance(cause, HfHubHTTPError):
            raise DownloadError(resolved.name, repo_id=where["repo_id"], endpoint=hub, detail=first_line(cause),
                                file=_failed_file(cause, where["repo_id"])) from exc
        if isinstance(exc, OSError) and str(exc).startswith("Consistency check failed"):
            # huggingface_hub got another number of bytes than announced; it kept none of them.
            raise DownloadError(resolved.name, repo_id=where["repo_id"], endpoint=hub, detail=first_line(exc),
                                file=_short_file(first_line(exc), resolved, cache)) from exc
        raise


# huggingface_hub's "Consistency check failed: ... has size N (URL)." shows the file's URL, only its last
# 40 characters after "(…)" when longer.
_URL_TAIL = re.compile(r"\((?:\(…\))?([^()]+)\)\.?$")


def _short_file(message: str, resolved: ResolvedName, cache: Path) -> str | None:
    """The file a consistency error is about: the listed file whose URL ends as the message's does."""
    from huggingface_hub import get_cached_repo_tree
    from huggingface_hub.errors import CachedRepoTreeNotFoundError

    match = _URL_TAIL.search(message)
    if match is None or resolved.repo_id is None:
        return None
    tail = match.group(1)
    try:
        listed = [entry.path for entry in get_cached_repo_tree(resolved.repo_id, revision=resolved.revision or "main",
                                                                 cache_dir=cache)]
    except CachedRepoTreeNotFoundError:  # no listing cached: the message's own text is all there is
        return None
    whole = [path for path in listed if tail.endswith("/" + quote(path))]  # the tail holds the whole name
    part = [path for path in listed if ("/" + quote(path)).endswith(tail)]  # the name is longer than the tail
    return max(whole, key=len) if whole else (part[0] if len(part) == 1 else None)


def _unreachable(resolved: ResolvedName, hub: str, cause: BaseException) -> HubUnreachableError:
    """The hub stopped answering: before any file, or mid-download (then the error names the file)."""
    file = _failed_file(cause, resolved.repo_id or "")
    detail = first_line(cause)
    if _is_timeout(cause):
        detail += f" (no answer within {settings.download_timeout():g} s; HF_HUB_DOWNLOAD_TIMEOUT sets it)"
    else:
        detail += " (is HF_ENDPOINT right, and the hub up?)"
    if file is not None:
        detail += ("; files fetched whole stay in the cache, the one cut short does not: run the pull again "
                   "once the hub answers")
    return HubUnreachableError(resolved.name, repo_id=resolved.repo_id or "", revision=resolved.revision,
                               endpoint=hub, detail=detail, file=file)


def _failed_file(exc: BaseException | None, repo_id: str) -> str | None:
    """The repo file whose request failed, from the request an httpx error (or its cause) carries: the
    path after ``/<repo_id>/resolve/<revision>/``."""
    marker = f"/{repo_id}/resolve/"
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        path = urlsplit(_request_url(exc)).path
        if marker in path:
            file = path.split(marker, 1)[1].partition("/")[2]
            if file:
                return unquote(file)
        exc = exc.__cause__ or exc.__context__
    return None


def _request_url(exc: BaseException) -> str:
    for holder in (exc, getattr(exc, "response", None)):
        try:
            return str(holder.request.url)  # type: ignore[union-attr]
        except (AttributeError, RuntimeError):  # httpx raises RuntimeError when no request is attached
            continue
    return ""


_UNREAD = (ValueError, TypeError, KeyError, AssertionError, AttributeError, IndexError)


def _raised_in_huggingface_hub(exc: BaseException) -> bool:
    """Whether `exc` came up through huggingface_hub's code (its parsing of a reply), not hubfork's own."""
    traceback = exc.__traceback__
    while traceback is not None:
        if "huggingface_hub" in traceback.tb_frame.f_code.co_filename.replace("\\", "/").split("/"):
            return True
        traceback = traceback.tb_next
    return False


def _refused_in(exc: BaseException) -> BaseException | None:
    """The guard's refusal behind `exc`, when huggingface_hub wrapped it (a failed metadata request)."""
    from hubfork.hub.guard import HubReplyRefused

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, HubReplyRefused):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def is_connection_error(exc: BaseException) -> bool:
    """True for a failure to reach a hub: Python's ConnectionError (huggingface_hub's
    OfflineModeIsEnabled too) or httpx's TransportError."""
    return isinstance(exc, ConnectionError) or _is_httpx(exc, "TransportError")


def _is_timeout(exc: BaseException) -> bool:
    return _is_httpx(exc, "TimeoutException")


def _is_httpx(exc: BaseException, name: str) -> bool:
    # httpx (or huggingface_hub's httpx2) without importing it: its classes are matched by name.
    return any(cls.__name__ == name and cls.__module__.startswith("httpx") for cls in type(exc).__mro__)


def first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"

__all__ = ["translate_errors", "is_connection_error", "first_line"]
