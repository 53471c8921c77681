"""Model names found inside a card's text: links in prose, handles in code."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable

from hubfork.handles import hub_url_to_repo, is_repo_id, is_tfhub_handle, tfhub_url_to_handle

_URL = re.compile(r"https?://[^\s<>()\[\]\"'`]+")
# A string passed as the model to the calls people use to load one.
_CALL_ARG = re.compile(
    r"\b(?:KerasLayer|load|Module|load_module|resolve|pull_from_hub|snapshot_download|hf_hub_download"
    r"|load_text_model)\(\s*(?:(?:handle|repo_id|name|model)\s*=\s*)?[rbuf]?[\"']([^\"'\n]+)[\"']"
)
_REPO_ID_KWARG = re.compile(r"\brepo_id\s*=\s*[\"']([^\"'\n]+)[\"']")


def urls_in(text: str) -> list[str]:
    """Every http(s) URL in `text`, without trailing punctuation, in order."""
    if "http" not in text:
        return []
    return [u.rstrip(".,;:!?*_") for u in _URL.findall(text)]


# Cards link the same pages over and over (a registry build reads ~19,000 URLs, ~3,600 distinct).
@lru_cache(maxsize=8192)
def name_from_url(url: str) -> str | None:
    """The model a URL names: a TF Hub handle for tfhub.dev, a repo id for a hub
    or mirror host, None for anything else."""
    handle = tfhub_url_to_handle(url)
    if handle is not None:
        return handle
    ref = hub_url_to_repo(url)
    return ref.repo_id if ref else None


def names_in_code(code: str) -> list[str]:
    """Model names a piece of code loads: handles and repo ids, in order, once each."""
    names: list[str | None] = []
    if "(" in code:
        names += (_normalise(match.group(1)) for match in _CALL_ARG.finditer(code))
    if "repo_id" in code:
        names += (_normalise(match.group(1)) for match in _REPO_ID_KWARG.finditer(code))
    names += (name_from_url(url) for url in urls_in(code))
    return _once_each(names)


def names_in_links(text: str) -> list[str]:
    """Model names the links of some prose point at, in order, once each."""
    return _once_each(name_from_url(url) for url in urls_in(text))


def _normalise(value: str) -> str | None:
    value = value.strip()
    if value.startswith(("http://", "https://")):
        return name_from_url(value)
    if value.startswith("hf://"):
        value = value[len("hf://") :]
    value = value.split("@", 1)[0]
    if is_tfhub_handle(value) or is_repo_id(value):
        return value
    return None


def _once_each(names: Iterable[str | None]) -> list[str]:
    # dict keeps first-seen order; a list's `in` would make a card naming many models quadratic.
    return list(dict.fromkeys(name for name in names if name))
