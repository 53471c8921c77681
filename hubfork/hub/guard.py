"""Every request huggingface_hub sends for hubfork, and every reply, checked in one place.

huggingface_hub 2.4 trusts a hub: it makes cache paths of the commit shas, ETags and listed paths a hub
replies (`hubfork.hub.reply_checks` says which), reads listings and error bodies whole, follows pagination
links to any host with the user's token, waits as long as ``Retry-After`` asks and checks a file's size
only once its body has ended. Inside `guarded(endpoint)`, hooks on huggingface_hub's shared HTTP client
(installed once, acting only on requests to that hub and the URLs it redirected to) make every fetch
pass these checks before huggingface_hub sees a reply:

- a commit sha, ETag, size, listed path or revision info of the wrong shape is refused
  (`HubReplyRefused`), so nothing is written;
- a pagination link to another host, or back to a page already read, is refused, and listings stop at
  `LISTING_MAX_ENTRIES` entries and `REPLY_MAX_BYTES` a page;
- a file's body stops the moment it passes its announced size (plus `BODY_MARGIN_BYTES`); a file whose
  size nothing announced, or whose body came compressed though it was asked for as is, is refused;
- every reply must keep ``HUBFORK_MIN_DOWNLOAD_RATE`` bytes/s (`_Pace`) and every pull end within
  ``HUBFORK_PULL_DEADLINE``, on top of the per-read timeout (`hubfork.hub.timeouts`);
- a ``Retry-After`` longer than ``HUBFORK_RETRY_AFTER_MAX`` seconds ends the fetch (`RateLimited`);
- ``Authorization`` goes to the hub's own origin only, and Xet transfers are declined (their headers
  dropped), so every byte of a file comes over HTTP through these checks and no token reaches a refresh
  route the hub names.

The state is process-wide, not per thread: snapshot_download fetches files on worker threads that do not
inherit a context. Requests to other hosts, the user's own calls, pass untouched.
"""

from __future__ import annotations

import json
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any, Iterator
from urllib.parse import unquote, urlsplit

from hubfork._environment import env_number
from hubfork.constants import (
    BODY_MARGIN_BYTES,
    DOWNLOAD_MIN_BYTES_PER_SECOND,
    ENV_MIN_DOWNLOAD_RATE,
    ENV_PULL_DEADLINE,
    ENV_RETRY_AFTER_MAX,
    LISTING_MAX_ENTRIES,
    PULL_DEADLINE_SECONDS,
    REPLY_MAX_BYTES,
    RETRY_AFTER_MAX_SECONDS,
)
from hubfork.hub import reply_checks, settings

#: An error reply's body is read up to this many bytes (huggingface_hub shows its message).
ERROR_BODY_MAX_BYTES = 1 << 20
#: A reply's deadline is at least this many read timeouts (``HF_HUB_DOWNLOAD_TIMEOUT``).
DEADLINE_READ_TIMEOUTS = 3

_COMMIT_HEADER = "x-repo-commit"
_ETAG_HEADERS = ("x-linked-etag", "etag")
_SIZE_HEADERS = ("x-linked-size", "content-length")


class HubReplyRefused(Exception):
    """A reply (or a request it led to) hubfork will not act on; `str` says which field of which URL."""


class RateLimited(HubReplyRefused):
    """The hub asked to wait longer than hubfork waits (`retry_after_max`)."""


def retry_after_max() -> float:
    """Longest ``Retry-After`` hubfork waits for, in seconds (``$HUBFORK_RETRY_AFTER_MAX``, default 30)."""
    return env_number(ENV_RETRY_AFTER_MAX, RETRY_AFTER_MAX_SECONDS)


def pull_deadline() -> float:
    """Seconds one fetch may take in all (``$HUBFORK_PULL_DEADLINE``, default 12 h)."""
    return env_number(ENV_PULL_DEADLINE, PULL_DEADLINE_SECONDS)


def _origin(url: Any) -> tuple[str, str, int | None]:
    parts = urlsplit(str(url))
    try:
        port = parts.port
    except ValueError:
        port = -1
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), port if port is not None else default


def same_origin(one: str, other: str) -> bool:
    """Whether two URLs have one scheme, host and port (default ports filled in)."""
    return _origin(one) == _origin(other)


def token_for(hub: str, token: str | bool | None) -> str | bool | None:
    """The token to send to `hub`: the caller's own, else huggingface_hub's (``HF_TOKEN``, the saved login)
    only when `hub` is ``HF_ENDPOINT``'s origin, the hub that token was made for. A card, a registry or an
    ``--endpoint`` naming another hub gets none: naming a hub must not be enough to be sent the token."""
    if token is not None:
        return token
    return None if same_origin(hub, settings.endpoint()) else False


@dataclass
class _Watch:
    """One hub under guard: its pulls, their deadline, and the listing pages read."""

    origin: tuple[str, str, int | None]
    prefix: str
    deadline: float
    pulls: int = 0
    pages: set[str] = field(default_factory=set)
    entries: int = 0
    #: (repo id, path) -> the size its listing gave: a file's cap when its HEAD announced none.
    sizes: dict[tuple[str, str], int] = field(default_factory=dict)


@dataclass(frozen=True)
class _Followed:
    """A URL a guarded hub redirected to: guarded as the hub's own reply of that `kind`, its body of
    `size` bytes when the hub announced it."""

    watch: _Watch
    kind: str
    size: int | None


_LOCK = threading.Lock()
_WATCHES: dict[tuple[str, str, int | None], _Watch] = {}
_FOLLOWED: dict[str, _Followed] = {}
_SIZES: dict[str, int] = {}  # a resolve URL -> the size its HEAD announced


@contextmanager
def guarded(endpoint: str | None) -> Iterator[None]:
    """Check every request to `endpoint` (an http(s) URL; anything else is left alone) and every reply,
    for the block's duration (see the module's doc). Raises `HubReplyRefused` from inside huggingface_hub."""
    if not endpoint or not endpoint.startswith(("http://", "https://")):
        yield
        return
    _install()
    origin = _origin(endpoint)
    deadline = time.monotonic() + pull_deadline()
    with _LOCK:
        watch = _WATCHES.get(origin) or _WATCHES.setdefault(
            origin, _Watch(origin, urlsplit(endpoint).path.rstrip("/"), deadline))
        watch.deadline = max(watch.deadline, deadline) if watch.pulls else deadline
        watch.pulls += 1
    try:
        yield
    finally:
        with _LOCK:
            watch.pulls -= 1
            if watch.pulls == 0:
                del _WATCHES[origin]
                watch.pages.clear()
                watch.sizes.clear()
                for url in [url for url, followed in _FOLLOWED.items() if followed.watch is watch]:
                    del _FOLLOWED[url]
                if not _WATCHES:
                    _SIZES.clear()


def _install() -> None:
    from huggingface_hub import get_session

    session = get_session()
    hooks = session.event_hooks
    if _on_request not in hooks["request"] or _on_response not in hooks["response"]:
        session.event_hooks = {"request": [*hooks["request"], _on_request],
                               "response": [*hooks["response"], _on_response]}


def _lookup(url: str) -> tuple[_Watch | None, _Followed | None]:
    with _LOCK:
        followed = _FOLLOWED.get(url)
        if followed is not None:
            return followed.watch, followed
        return _WATCHES.get(_origin(url)), None


def _on_request(request: Any) -> None:
    url = str(request.url)
    watch, _ = _lookup(url)
    if watch is None:
        return
    if time.monotonic() > watch.deadline:
        raise HubReplyRefused(f"the fetch took longer than {pull_deadline():g} s in all ({ENV_PULL_DEADLINE})")
    if _origin(url) != watch.origin:
        # The user's token is for their hub: not for the CDN or any host the hub sends us to.
        request.headers.pop("authorization", None)


def _on_response(response: Any) -> None:
    url = str(response.request.url)
    watch, followed = _lookup(url)
    if watch is None:
        return
    try:
        _check(response, url, watch, followed)
    except BaseException:
        response.close()
        raise


def _check(response: Any, url: str, watch: _Watch, followed: _Followed | None) -> None:
    kind = followed.kind if followed is not None else _kind_of(urlsplit(url).path)
    _drop_xet(response)
    if response.status_code == 429:
        _refuse_long_wait(response, url)
    _check_headers(response, url, resolve=followed is None and kind == "file")
    if response.is_redirect:
        _follow(response, url, watch, kind)
        return
    if response.request.method == "HEAD":
        if kind == "file" and (size := _announced(response)) is not None:
            with _LOCK:
                _SIZES[url] = size
        return
    if response.status_code >= 400:
        _read_bounded(response, url, ERROR_BODY_MAX_BYTES, watch)
        return
    if kind != "file":
        _check_api_reply(response, url, _read_bounded(response, url, REPLY_MAX_BYTES, watch), watch, kind)
        return
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        raise HubReplyRefused(f"{url}: the file came compressed ({encoding}), though it was asked for as is")
    size = _expected_size(response, url, followed)
    if size is None:
        raise HubReplyRefused(f"{url}: the file's size was announced nowhere (no Content-Length or X-Linked-Size, "
                              "no listing entry), so its body could not be bounded")
    _cap_stream(response, url, size, watch)


_KINDS = {"tree": "tree", "paths-info": "tree", "revision": "info"}


def _kind_of(path: str) -> str:
    """What a hub's URL path serves: "info" (a model's or revision's info), "tree" (a listing page),
    "api" (another API reply) or "file" (a file's body, ``resolve/``, or anything else)."""
    start = path.find("/api/models/")
    if start < 0:
        return "file"
    parts = path[start + len("/api/models/"):].split("/")
    # A repo id is "org/name" or, for old repos, one name: a kind comes after the one or the other.
    if len(parts) >= 4 and parts[2] in _KINDS:
        return _KINDS[parts[2]]
    if len(parts) >= 3 and parts[1] in _KINDS:
        return _KINDS[parts[1]]
    return "info" if len(parts) <= 2 else "api"


def _drop_xet(response: Any) -> None:
    for name in [name for name in response.headers if name.lower().startswith("x-xet-")]:
        del response.headers[name]
    if "xet-auth" in response.headers.get("link", ""):
        del response.headers["link"]


def _refuse_long_wait(response: Any, url: str) -> None:
    limit = retry_after_max()
    seconds = _retry_after(response.headers.get("retry-after"))
    asked = f"{seconds:g} s" if seconds is not None else "no readable wait"
    if seconds is None or seconds > limit:
        raise RateLimited(f"{url}: HTTP 429 asking to wait {asked}; hubfork waits at most {limit:g} s "
                          f"({ENV_RETRY_AFTER_MAX})")


def _retry_after(value: str | None) -> float | None:
    if value is None:
        return 0.0  # huggingface_hub then backs off by itself, a few seconds
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _check_headers(response: Any, url: str, *, resolve: bool) -> None:
    headers = response.headers
    commit = headers.get(_COMMIT_HEADER)
    if commit is not None and (problem := reply_checks.commit_problem(commit)):
        raise HubReplyRefused(f"{url}: header X-Repo-Commit {problem}")
    if not resolve:
        return
    for name in _ETAG_HEADERS:
        value = headers.get(name)
        if value is not None and (problem := reply_checks.etag_problem(value)):
            raise HubReplyRefused(f"{url}: header {_title(name)} {problem}")
    for name in _SIZE_HEADERS:
        value = headers.get(name)
        if value is not None and (problem := reply_checks.size_problem(value)):
            raise HubReplyRefused(f"{url}: header {_title(name)} {problem}")


def _title(name: str) -> str:
    return "-".join(part.capitalize() for part in name.split("-")).replace("Etag", "ETag")


def _follow(response: Any, url: str, watch: _Watch, kind: str) -> None:
    location = response.headers.get("location", "")
    target = response.url.join(location) if location else None
    scheme = target.scheme if target is not None else ""
    if target is None or scheme not in ("http", "https") or target.userinfo or not 0 < (target.port or 80) < 65536:
        raise HubReplyRefused(f"{url}: a redirect to {location[:80]!r}, not an http(s) URL")
    if urlsplit(url).scheme == "https" and scheme != "https":
        raise HubReplyRefused(f"{url}: a redirect from https down to {str(target)[:80]!r}")
    size = _announced(response)
    if size is None:
        size = _known_size(url, watch)
    with _LOCK:
        _FOLLOWED[str(target)] = _Followed(watch, kind, size)
        if size is not None:
            _SIZES[str(target)] = size


def _announced(response: Any) -> int | None:
    for name in _SIZE_HEADERS if not response.is_redirect else _SIZE_HEADERS[:1]:
        value = response.headers.get(name)
        if value is not None:
            return int(value)
    return None


def _expected_size(response: Any, url: str, followed: _Followed | None) -> int | None:
    known = followed.size if followed is not None else _known_size(url, None)
    length = response.headers.get("content-length")
    if length is not None and length.strip().isdigit():
        return int(length) if known is None else min(int(length), known)
    return known


def _known_size(url: str, watch: _Watch | None) -> int | None:
    """The size a HEAD of `url` announced, else the size the listing gave the file `url` resolves."""
    with _LOCK:
        if url in _SIZES:
            return _SIZES[url]
        if watch is None:
            watch = _WATCHES.get(_origin(url))
        if watch is None:
            return None
        path = urlsplit(url).path
        repo, marker, rest = path.partition("/resolve/")
        if not marker or "/" not in rest:
            return None
        repo = repo[len(watch.prefix):] if repo.startswith(watch.prefix) else repo
        return watch.sizes.get((unquote(repo.strip("/")), unquote(rest.split("/", 1)[1])))


def _read_bounded(response: Any, url: str, limit: int, watch: _Watch) -> bytes:
    """Read the reply's body here, at most `limit` bytes and no slower than its deadline allows, so that
    huggingface_hub gets it whole from memory (``response.read()`` returns what was read)."""
    pace = _Pace(url, None, watch)
    chunks, seen = [], 0
    for chunk in response.iter_bytes():
        seen += len(chunk)
        if seen > limit:
            raise HubReplyRefused(f"{url}: the reply is longer than {limit:,} bytes")
        pace.check(seen)
        chunks.append(chunk)
    body = b"".join(chunks)
    response._content = body  # what Response.read() keeps: huggingface_hub reads this, not the stream again
    return body


class _Pace:
    """A reply's deadline: its bytes (announced, else so far) at the least rate, never less than
    `DEADLINE_READ_TIMEOUTS` read timeouts; and the pull's own deadline."""

    def __init__(self, url: str, size: int | None, watch: _Watch):
        self.url, self.size, self.watch = url, size, watch
        self.start = time.monotonic()
        self.rate = env_number(ENV_MIN_DOWNLOAD_RATE, DOWNLOAD_MIN_BYTES_PER_SECOND)
        self.floor = DEADLINE_READ_TIMEOUTS * settings.download_timeout()

    def check(self, seen: int) -> None:
        now = time.monotonic()
        if now - self.start > max(self.floor, max(seen, self.size or 0) / self.rate):
            raise HubReplyRefused(f"{self.url}: the reply came slower than {self.rate:,.0f} bytes/s "
                                  f"({ENV_MIN_DOWNLOAD_RATE}): {seen:,} bytes in {now - self.start:.0f} s")
        if now > self.watch.deadline:
            raise HubReplyRefused(f"{self.url}: the fetch took longer than {pull_deadline():g} s in all "
                                  f"({ENV_PULL_DEADLINE})")


def _check_api_reply(response: Any, url: str, body: bytes, watch: _Watch, kind: str) -> None:
    try:
        reply = json.loads(body)
    except (ValueError, RecursionError):
        raise HubReplyRefused(f"{url}: the reply is not JSON") from None
    problem = None
    if kind == "tree":
        problem = reply_checks.tree_page_problem(reply)
        if problem is None:
            _check_pages(response, url, watch, reply)
    elif kind == "info":
        problem = reply_checks.revision_info_problem(reply)
        if problem is None:
            response._content = json.dumps(_what_is_used(reply, url)).encode()
    if problem is not None:
        raise HubReplyRefused(f"{url}: the reply's {problem}")


def _what_is_used(info: dict[str, Any], url: str) -> dict[str, Any]:
    """The fields of a revision's info a fetch uses, checked; the rest (dates, card data, counts, each
    parsed by huggingface_hub in its own way) is dropped before huggingface_hub reads any of it."""
    kept: dict[str, Any] = {"id": info["id"] if isinstance(info.get("id"), str) else _repo_of_info(url),
                            "sha": info["sha"]}
    if info.get("siblings") is not None:
        kept["siblings"] = [{"rfilename": sibling["rfilename"]} for sibling in info["siblings"]]
    return kept


def _repo_of_info(url: str) -> str:
    path = urlsplit(url).path
    parts = path[path.find("/api/models/") + len("/api/models/"):].split("/")
    return unquote("/".join(parts[:1] if len(parts) >= 2 and parts[1] == "revision" else parts[:2]))


def _check_pages(response: Any, url: str, watch: _Watch, entries: list[dict[str, Any]]) -> None:
    if any("xetHash" in entry for entry in entries):
        # Without the Xet hash huggingface_hub fetches the file over HTTP, through these checks.
        stripped = [{key: value for key, value in entry.items() if key != "xetHash"} for entry in entries]
        response._content = json.dumps(stripped).encode()
    next_url = response.links.get("next", {}).get("url")
    repo = _repo_of_listing(urlsplit(url).path)
    with _LOCK:
        watch.entries += len(entries)
        watch.pages.add(url)
        if watch.entries > LISTING_MAX_ENTRIES:
            raise HubReplyRefused(f"{url}: the listing has more than {LISTING_MAX_ENTRIES:,} entries")
        for entry in entries:
            if entry["type"] == "file":
                watch.sizes[(repo, entry["path"])] = (entry.get("lfs") or entry)["size"]
        if next_url is None:
            return
        target = str(response.url.join(next_url))
        if _origin(target) != watch.origin:
            raise HubReplyRefused(f"{url}: its next page is on another host ({target[:80]!r})")
        if target in watch.pages:
            raise HubReplyRefused(f"{url}: its next page ({target[:80]!r}) was already read: a loop")


def _repo_of_listing(path: str) -> str:
    parts = path[path.find("/api/models/") + len("/api/models/"):].split("/")
    two = len(parts) >= 4 and parts[2] in _KINDS
    return unquote("/".join(parts[:2] if two else parts[:1]))


def _cap_stream(response: Any, url: str, size: int, watch: _Watch) -> None:
    import httpx2

    class CappedStream(httpx2.SyncByteStream):
        """The file's body as it arrives, refused the moment it passes its size (plus the margin) or
        comes too slowly."""

        def __init__(self, inner: Any):
            self._inner = inner

        def __iter__(self) -> Iterator[bytes]:
            limit = size + BODY_MARGIN_BYTES
            pace, seen = _Pace(url, size, watch), 0
            for chunk in self._inner:
                seen += len(chunk)
                if seen > limit:
                    raise HubReplyRefused(f"{url}: the body goes on past its announced size ({size:,} bytes)")
                pace.check(seen)
                yield chunk

        def close(self) -> None:
            self._inner.close()

    response.stream = CappedStream(response.stream)


def watched_hubs() -> list[str]:
    """The hubs under guard now, as ``scheme://host:port`` (for tests and debugging)."""
    with _LOCK:
        return [f"{scheme}://{host}:{port}" for scheme, host, port in _WATCHES]

__all__ = ["guarded", "same_origin", "token_for", "HubReplyRefused", "RateLimited", "retry_after_max", "pull_deadline",
           "watched_hubs", "ERROR_BODY_MAX_BYTES"]
