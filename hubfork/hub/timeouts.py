"""A timeout on every request hubfork makes huggingface_hub send.

huggingface_hub bounds its file downloads (``HF_HUB_DOWNLOAD_TIMEOUT``) and metadata
requests (``HF_HUB_ETAG_TIMEOUT``), but sends its API calls (``repo_info``, which
``snapshot_download`` makes first, ``list_repo_tree``, ``list_repo_files``) with
``timeout=None`` on a client that has none either: a hub that accepts the connection
and never answers hangs the call for good. Inside `bounded_requests`, a request hook
on huggingface_hub's shared client gives such requests ``HF_HUB_DOWNLOAD_TIMEOUT``
(read at call time) for every phase the request left unbounded; timeouts set by
huggingface_hub or the caller are kept. The hook acts only for the thread (context)
inside the block, so the user's own huggingface_hub calls are left as they were.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Iterator

from hubfork.hub import settings

# The seconds to give unbounded requests, in this context; None outside `bounded_requests`.
_SECONDS: ContextVar[float | None] = ContextVar("hubfork_request_timeout", default=None)
_PHASES = ("connect", "read", "write", "pool")


@contextmanager
def bounded_requests(seconds: float | None = None) -> Iterator[None]:
    """Within the block, requests huggingface_hub sends from this context without a timeout get
    `seconds` (default: ``$HF_HUB_DOWNLOAD_TIMEOUT``, else 10) per connect, read, write and pool wait."""
    _install()
    token = _SECONDS.set(settings.download_timeout() if seconds is None else seconds)
    try:
        yield
    finally:
        _SECONDS.reset(token)


def _install() -> None:
    # The shared client is made anew after a fork or a set_client_factory: check it each time.
    from huggingface_hub import get_session

    session = get_session()
    hooks = session.event_hooks
    if _bound_request not in hooks["request"]:
        session.event_hooks = {"request": [*hooks["request"], _bound_request], "response": hooks["response"]}


def _bound_request(request: Any) -> None:
    seconds = _SECONDS.get()
    if seconds is None:
        return
    given = request.extensions.get("timeout") or {}
    request.extensions["timeout"] = {phase: seconds if given.get(phase) is None else given[phase]
                                     for phase in _PHASES}


__all__ = ["bounded_requests"]
