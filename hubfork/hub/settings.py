"""huggingface_hub's environment variables, read when a call is made.

huggingface_hub reads ``HF_ENDPOINT``, ``HF_HUB_CACHE``/``HF_HOME`` and
``HF_HUB_OFFLINE`` (and its timeouts) into constants once, at import. hubfork reads them again at
each call, with the same names, precedence and defaults, so that setting one
after import (a notebook cell, a test's monkeypatch) takes effect.
``HF_TOKEN`` needs nothing here: huggingface_hub already reads it per request.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

DEFAULT_ENDPOINT = "https://huggingface.co"
_TRUE = {"1", "ON", "YES", "TRUE"}


def _is_true(value: str | None) -> bool:
    # huggingface_hub.constants._is_true, without importing huggingface_hub.
    return value is not None and value.upper() in _TRUE


def endpoint(explicit: str | None = None) -> str:
    """The hub to talk to: `explicit`, else ``$HF_ENDPOINT``, else huggingface.co."""
    value = explicit or os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT
    return value.rstrip("/")


def hub_cache(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The model cache: `explicit`, else ``$HF_HUB_CACHE`` (or the legacy
    ``$HUGGINGFACE_HUB_CACHE``), else ``$HF_HOME/hub``, else
    ``$XDG_CACHE_HOME/huggingface/hub``, else ``~/.cache/huggingface/hub``."""
    if explicit is not None:
        return Path(os.path.expandvars(os.path.expanduser(str(explicit))))
    home = os.environ.get("HF_HOME") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "huggingface")
    value = os.environ.get("HF_HUB_CACHE") or os.environ.get("HUGGINGFACE_HUB_CACHE") or os.path.join(home, "hub")
    return Path(os.path.expandvars(os.path.expanduser(value)))


#: huggingface_hub's default for both timeouts, in seconds (``constants.DEFAULT_DOWNLOAD_TIMEOUT``).
DEFAULT_TIMEOUT = 10.0


def _seconds(name: str) -> float:
    # huggingface_hub's own parsing (constants._as_int) keeps only positive integers; so does this,
    # and anything else falls back to the default, as there.
    value = os.environ.get(name, "").strip()
    return float(value) if value.isdigit() and int(value) > 0 else DEFAULT_TIMEOUT


def download_timeout() -> float:
    """Seconds to wait for a hub's answer (``$HF_HUB_DOWNLOAD_TIMEOUT``, default 10): hubfork gives it to
    every request huggingface_hub would otherwise send without a timeout (`hubfork.hub.timeouts`)."""
    return _seconds("HF_HUB_DOWNLOAD_TIMEOUT")


def etag_timeout() -> float:
    """Seconds to wait for a file's metadata (``$HF_HUB_ETAG_TIMEOUT``, default 10)."""
    return _seconds("HF_HUB_ETAG_TIMEOUT")


def offline_reason(local_files_only: bool = False) -> str | None:
    """Why nothing may be fetched (``HF_HUB_OFFLINE``, ``local_files_only``), or None when online."""
    if local_files_only:
        return "local_files_only=True"
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        if _is_true(os.environ.get(name)):
            return f"{name}={os.environ[name]}"
    # Set when huggingface_hub was imported and unset since: its session still refuses every request.
    constants = sys.modules.get("huggingface_hub.constants")
    if constants is not None and getattr(constants, "HF_HUB_OFFLINE", False):
        return "HF_HUB_OFFLINE was set when huggingface_hub was imported"
    return None


def tfhub_endpoint() -> str:
    """The base URL of tfhub.dev handles and URLs: ``$HUBFORK_TFHUB_ENDPOINT``, else https://tfhub.dev.

    Raises:
        InvalidNameError: the variable is set to something other than an http(s) URL.
    """
    from hubfork.constants import DEFAULT_TFHUB_ENDPOINT, ENV_TFHUB_ENDPOINT

    return _base_url(ENV_TFHUB_ENDPOINT, DEFAULT_TFHUB_ENDPOINT)


def kaggle_endpoint() -> str:
    """The base URL of Kaggle model page URLs: ``$HUBFORK_KAGGLE_ENDPOINT``, else https://www.kaggle.com.

    Raises:
        InvalidNameError: the variable is set to something other than an http(s) URL.
    """
    from hubfork.constants import DEFAULT_KAGGLE_ENDPOINT, ENV_KAGGLE_ENDPOINT

    return _base_url(ENV_KAGGLE_ENDPOINT, DEFAULT_KAGGLE_ENDPOINT)


def _base_url(variable: str, default: str) -> str:
    from urllib.parse import urlsplit

    value = os.environ.get(variable, "").strip()
    if not value:
        return default
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        from hubfork.errors import InvalidNameError

        raise InvalidNameError(value, f"{variable} must be an http(s) base URL such as {default}")
    return value.rstrip("/")


__all__ = ["tfhub_endpoint", "kaggle_endpoint",
           "DEFAULT_ENDPOINT", "DEFAULT_TIMEOUT", "endpoint", "hub_cache", "offline_reason", "download_timeout",
           "etag_timeout"]
