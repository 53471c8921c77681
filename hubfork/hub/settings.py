"""huggingface_hub's environment variables, read when a call is made.

huggingface_hub reads ``HF_ENDPOINT``, ``HF_HUB_CACHE``/``HF_HOME`` and
``HF_HUB_OFFLINE`` (and its timeouts) into constants once, at import. hubfork reads them again at
each call, with the same names, precedence and defaults, so that setting one
after import (a notebook cell, a test's monkeypatch) takes effect.
``HF_TOKEN`` needs nothing here: huggingface_hub already reads it per request.

A value that cannot be used is never left to fail deep inside huggingface_hub: a bad timeout falls back
to the default with one warning line, a cache folder that cannot be one is a `SettingError` naming its
variable (`hubfork._environment`).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from hubfork._environment import env_number, usable_folder, warn
from hubfork.constants import DEFAULT_HF_ENDPOINT, HF_DEFAULT_TIMEOUT, HF_MAX_TIMEOUT

DEFAULT_ENDPOINT = DEFAULT_HF_ENDPOINT
_TRUE = {"1", "ON", "YES", "TRUE"}
# What huggingface_hub takes as off without saying so; anything else but `_TRUE` is worth a warning.
_FALSE = {"", "0", "OFF", "NO", "FALSE"}


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
    ``$XDG_CACHE_HOME/huggingface/hub``, else ``~/.cache/huggingface/hub``.

    huggingface_hub keeps its token beside the cache (``$HF_TOKEN_PATH``, else ``$HF_HOME/token``) and
    reads it at every request; as every fetch asks for the cache first, those are checked here too.

    Raises:
        SettingError: the variable the cache comes from, ``HF_HOME`` or ``HF_TOKEN_PATH`` names what
            cannot be used (a file where a folder must be, a folder where the token file must be).
    """
    home = _hf_home()
    _check_token_path()
    if explicit is not None:
        return _expand(explicit)
    for name in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"):
        value = os.environ.get(name)
        if value:
            return usable_folder(name, _expand(value), value)
    return home / "hub"


def _expand(value: str | os.PathLike[str]) -> Path:
    return Path(os.path.expandvars(os.path.expanduser(str(value))))


def _hf_home() -> Path:
    value = os.environ.get("HF_HOME")
    if value:
        return usable_folder("HF_HOME", _expand(value), value)
    base = os.environ.get("XDG_CACHE_HOME")
    if base:
        return usable_folder("XDG_CACHE_HOME", _expand(base), base) / "huggingface"
    return Path(os.path.expanduser("~")) / ".cache" / "huggingface"


def _check_token_path() -> None:
    value = os.environ.get("HF_TOKEN_PATH")
    if not value:
        return
    path = _expand(value)
    usable_folder("HF_TOKEN_PATH", path.parent, value)
    if path.is_dir():
        from hubfork.errors import SettingError

        raise SettingError("HF_TOKEN_PATH", "must name the token's file, but it is a folder", value=value)


DEFAULT_TIMEOUT, MAX_TIMEOUT = HF_DEFAULT_TIMEOUT, HF_MAX_TIMEOUT
_TIMEOUTS = ("HF_HUB_DOWNLOAD_TIMEOUT", "HF_HUB_ETAG_TIMEOUT")


def _seconds(name: str) -> float:
    # Whole seconds: huggingface_hub reads these with int() (constants._as_int).
    return float(env_number(name, DEFAULT_TIMEOUT, maximum=MAX_TIMEOUT, integer=True))


def prepare_huggingface_hub() -> None:
    """Make huggingface_hub's import-time reading of the environment safe; ``import hubfork`` calls it,
    before anything imports huggingface_hub.

    huggingface_hub reads its timeouts once, at import, with int(): ``abc``, ``0.5`` or an empty value
    fail that import, and ``-5`` fails its first download. Each timeout that is set is written back as
    the seconds hubfork uses (the default, with one warning line, for a value it does not take), so that
    both libraries use the same value and nothing fails.
    """
    for name in _TIMEOUTS:
        if name in os.environ:
            os.environ[name] = f"{_seconds(name):.0f}"


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
        value = os.environ.get(name)
        if _is_true(value):
            return f"{name}={value}"
        if value is not None and value.strip().upper() not in _FALSE:
            warn(f"{name}={value!r} is neither 1, ON, YES, TRUE nor 0, OFF, NO, FALSE; taken as off, as "
                 "huggingface_hub takes it")
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


__all__ = ["tfhub_endpoint", "kaggle_endpoint", "env_number", "prepare_huggingface_hub",
           "DEFAULT_ENDPOINT", "DEFAULT_TIMEOUT", "MAX_TIMEOUT", "endpoint", "hub_cache", "offline_reason",
           "download_timeout", "etag_timeout"]
