"""TF Hub-format compressed archives over HTTP: tfhub.dev handles and URLs (served by Kaggle Models since
2023-11), Kaggle model page URLs and any ``?tf-hub-format=compressed`` URL.

They are fetched the way tensorflow_hub 0.16.1 fetches them (compressed_module_resolver.py: the format
query appended to the URL, redirects followed across hosts, the tar.gz streamed and unpacked), with what
tensorflow_hub does not do:

- redirects are followed here, not by the HTTP client: https only (plain http only from a loopback URL to
  a loopback host, for emulators and tests), never ``file://`` or another scheme, at most
  `MAX_REDIRECTS`, no loops; no credentials are sent, and no cookie one host set reaches another;
- the body is hashed, counted against its Content-Length and the archive limit, and unpacked while it
  streams with the member checks of `hubfork.hub.archives`, into a staging folder renamed into place only
  when everything passed; a file lock per archive makes concurrent processes wait for one download;
- HTTP statuses become hubfork's errors: 404, 401/403, 429 (waited for when Retry-After is short), others.

A model already in tensorflow_hub's own cache (``$TFHUB_CACHE_DIR``) is used where it is. TensorFlow is
never imported here.
"""

from __future__ import annotations

import email.utils
import hashlib
import io
import ipaddress
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from hubfork._files import atomic_write_text, staged_folder
from hubfork._version import __version__
from hubfork.constants import (
    ENV_ARCHIVE_MAX_BYTES,
    ENV_KAGGLE_ENDPOINT,
    ENV_TFHUB_ENDPOINT,
    MAX_REDIRECTS,
    RATE_LIMIT_RETRIES,
    RETRY_AFTER_MAX_SECONDS,
)
from hubfork.errors import (
    AccessDeniedError,
    ArchiveError,
    DownloadError,
    HubError,
    HubUnreachableError,
    NotCachedError,
    RateLimitedError,
    RepoNotFoundError,
)
from hubfork.hub import settings
from hubfork.hub.archives import archive_limits, extract_stream, model_root
from hubfork.hub.backends.base import Backend, FetchOptions
from hubfork.hub.resolved import ResolvedName
from hubfork.hub.snapshot import Snapshot

if TYPE_CHECKING:  # pragma: no cover
    import httpx

#: Where archives fetched over HTTP are unpacked, inside the hub cache.
TFHUB_FOLDER = Path(".hubfork") / "tfhub"
#: The query tensorflow_hub (and tfhub.dev before it) adds for each variant's download.
FORMAT_QUERIES: dict[str | None, tuple[str, str]] = {
    None: ("tf-hub-format", "compressed"),
    "lite": ("lite-format", "tflite"),
    "coral": ("lite-format", "tflite"),
    "tfjs": ("tfjs-format", "compressed"),
}
#: The file a Lite or Coral model (one .tflite file, no archive) is saved as.
TFLITE_FILE = "model.tflite"
_CHUNK = 1 << 20
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


class CompressedHttpBackend(Backend):
    """A TF Hub-format archive over HTTP (`ResolvedName.url`), unpacked once into
    ``<cache>/.hubfork/tfhub/<sha1 of the request URL>``."""

    id = "tfhub"

    def serves(self, place: ResolvedName) -> bool:
        return place.kind == "compressed"

    def fetch(self, place: ResolvedName, options: FetchOptions) -> Snapshot:
        """The model folder of `place`: from hubfork's cache, else from tensorflow_hub's cache, else
        downloaded (unless offline) and unpacked into hubfork's cache.

        Raises:
            NotCachedError: offline and in neither cache.
            RepoNotFoundError: the source answered 404 (`AccessDeniedError`: 401 or 403).
            RateLimitedError: the source answered 429 and asked for a longer wait than hubfork makes.
            HubUnreachableError: the source could not be reached, or the connection broke mid-download.
            DownloadError: a refused redirect (scheme, host, loop, too many), another HTTP error, or a
                body shorter or longer than promised.
            ArchiveError: the archive is unreadable, unsafe or over the limits; nothing was unpacked.
        """
        assert place.url is not None
        url = request_url(place)
        cached = cached_snapshot(place, options.cache, url)
        if cached is not None:
            return cached
        theirs = tfhub_cache_folder(place)
        if theirs is not None:
            return _snapshot(place, theirs, {})
        if options.offline is not None:
            raise NotCachedError(place.name, repo_id=place.handle or place.url, revision=None,
                                 cache_dir=str(options.cache),
                                 why=f"{options.offline}; it would be fetched from {source_name(place.url)} at {url}")
        return _download(place, options.cache, url)

    def describe(self, place: ResolvedName) -> str:
        return f"{place.url} ({source_name(place.url or '')})"


# ----------------------------------------------------------------------------- names


def request_url(place: ResolvedName) -> str:
    """`place.url` with its variant's format query (`FORMAT_QUERIES`), the URL's own query kept."""
    assert place.url is not None
    key, value = FORMAT_QUERIES.get(place.variant, FORMAT_QUERIES[None])
    parts = urlsplit(place.url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if (key, value) in pairs:
        return place.url
    if any(k == key for k, _ in pairs):  # another value of the same key (tf-hub-format=uncompressed): replaced
        query = urlencode([(k, value if k == key else v) for k, v in pairs])
    else:  # appended as is, so the rest of the query stays byte for byte what the name said
        query = f"{parts.query}&{key}={value}" if parts.query else f"{key}={value}"
    return urlunsplit(parts._replace(query=query))


def cache_key(url: str) -> str:
    """The folder name of `url`'s archive: a digest of the request URL (it needs to be short and stable,
    not secret)."""
    return hashlib.sha1(url.encode("utf-8")).hexdigest()


def base_endpoint(url: str) -> str:
    """The configured tfhub.dev or Kaggle base URL `url` is on, else its own scheme and host."""
    for base in (settings.tfhub_endpoint(), settings.kaggle_endpoint()):
        if url == base or url.startswith(base + "/"):
            return base
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _on_kaggle(url: str) -> bool:
    base = settings.kaggle_endpoint()
    return url.startswith(base + "/") or urlsplit(url).path.startswith("/models/")


def source_name(url: str) -> str:
    """Who serves `url`, for messages."""
    if _on_kaggle(url):
        return "Kaggle Models"
    base = settings.tfhub_endpoint()
    if url.startswith(base + "/"):
        return "tfhub.dev (served by Kaggle Models)"
    return urlsplit(url).netloc or url


# ----------------------------------------------------------------------------- caches


def cached_snapshot(place: ResolvedName, cache: Path, url: str) -> Snapshot | None:
    """`place` from hubfork's cache, or None. The folder only ever appears by a rename of a complete
    staging folder, so its presence is the proof it is whole."""
    root = cache / TFHUB_FOLDER
    key = cache_key(url)
    folder = root / key
    if not folder.is_dir():
        return None
    try:
        record = json.loads((root / f"{key}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        record = {}  # the record is for people and Snapshot fields; the folder stands without it
    return _snapshot(place, folder, record if isinstance(record, dict) else {})


def tfhub_cache_dir() -> Path:
    """tensorflow_hub's cache: ``$TFHUB_CACHE_DIR``, else ``<temp>/tfhub_modules`` (resolver.tfhub_cache_dir
    with use_temp=True, as its compressed resolver calls it)."""
    return Path(os.environ.get("TFHUB_CACHE_DIR") or os.path.join(tempfile.gettempdir(), "tfhub_modules"))


def tfhub_cache_folder(place: ResolvedName) -> Path | None:
    """The folder tensorflow_hub downloaded `place` into, when it finished (it writes
    ``<folder>.descriptor.txt`` after renaming the folder into place), or None."""
    if place.variant is not None:  # tensorflow_hub caches SavedModels only; Lite and TF.js it never fetched
        return None
    root = tfhub_cache_dir()
    handles = [place.name, f"https://tfhub.dev/{place.handle}" if place.handle else None, place.url]
    for handle in dict.fromkeys(h for h in handles if h):
        folder = root / hashlib.sha1(handle.encode("utf8")).hexdigest()
        if folder.is_dir() and Path(f"{folder}.descriptor.txt").is_file():
            return folder
    return None


def _snapshot(place: ResolvedName, folder: Path, record: dict) -> Snapshot:
    return Snapshot(str(model_root(folder)), place.name, place.form, "compressed", handle=place.handle,
                    endpoint=base_endpoint(place.url or ""), source="tfhub", url=record.get("url"),
                    archive_bytes=record.get("archive_bytes"), archive_sha256=record.get("archive_sha256"),
                    etag=record.get("etag"))


def _download(place: ResolvedName, cache: Path, url: str) -> Snapshot:
    """Download and unpack `url` into the cache under a lock: a second process waits for the first and
    then finds its folder."""
    from huggingface_hub.utils import WeakFileLock

    root = cache / TFHUB_FOLDER
    key = cache_key(url)
    root.mkdir(parents=True, exist_ok=True)
    with WeakFileLock(root / f"{key}.lock"):
        done = cached_snapshot(place, cache, url)
        if done is not None:
            return done
        _remove_stale(root, key)
        with staged_folder(root / key) as staging:
            record = _Transfer(place, url).into(staging)
            # Written before the rename: a record without its folder is overwritten by the next fetch,
            # while a folder is only ever renamed in with its record beside it.
            atomic_write_text(root / f"{key}.json", json.dumps(record, indent=2) + "\n")
    snapshot = cached_snapshot(place, cache, url)
    assert snapshot is not None
    return snapshot


def _remove_stale(root: Path, key: str) -> None:
    """Staging folders and temporary files of `key` left by a process killed mid-download. Called with the
    key's lock held, so no live process is writing them."""
    for path in root.glob(f".{key}.*"):
        if path.is_dir() and path.name.endswith((".partial", ".old")):
            shutil.rmtree(path, ignore_errors=True)
        elif path.is_file() and path.name.endswith(".tmp"):
            path.unlink(missing_ok=True)


# --------------------------------------------------------------------------- transfer


@dataclass
class _Transfer:
    """One download of `url` for `place`: the requests, the redirects, the body."""

    place: ResolvedName
    url: str

    @property
    def repo(self) -> str:
        return self.place.handle or self.place.url or self.url

    @property
    def endpoint(self) -> str:
        return base_endpoint(self.place.url or self.url)

    def into(self, staging: Path) -> dict:
        """Fetch the body into `staging` (unpacked, or saved as `TFLITE_FILE`); the record of it."""
        import httpx

        timeout = httpx.Timeout(settings.download_timeout())
        headers = {"User-Agent": _user_agent(), "Accept-Encoding": "identity"}
        with httpx.Client(timeout=timeout, follow_redirects=False, headers=headers) as client:
            response = self._open(client)
            try:
                body = self._body(response)
                self._consume(body, staging, str(response.url))
            finally:
                response.close()
        return {"name": self.place.name, "handle": self.place.handle, "variant": self.place.variant,
                "request_url": self.url, "url": str(response.url), "archive_bytes": body.count,
                "archive_sha256": body.sha256.hexdigest(), "etag": response.headers.get("ETag"),
                "fetched_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}

    # ------------------------------------------------------------------ requests

    def _open(self, client: "httpx.Client") -> "httpx.Response":
        """The 200 response of the request URL, redirects followed (`_next_url`), 429s waited for."""
        current, seen, retries = self.url, [self.url], 0
        self._check_scheme(current, previous=None)
        while True:
            response = self._send(client, current)
            status = response.status_code
            if status == 200:
                return response
            response.close()
            if status == 429:
                retries += 1
                self._wait(response, retries)
                continue
            if status not in _REDIRECTS:
                raise self._status_error(response)
            current = self._next_url(response, current, seen)

    def _send(self, client: "httpx.Client", url: str) -> "httpx.Response":
        import httpx

        # No cookie jar across requests: a cookie Kaggle sets is not the storage bucket's business.
        client.cookies.clear()
        try:
            return client.send(client.build_request("GET", url), stream=True)
        except httpx.HTTPError as exc:
            raise self._unreachable(f"{url}: {_reason(exc)}") from exc

    def _next_url(self, response: "httpx.Response", current: str, seen: list[str]) -> str:
        """Where a redirect goes, if it may be followed; `seen` (the URLs so far) grows by it."""
        location = response.headers.get("Location")
        if not location:
            raise self._refused(f"{current} answered {response.status_code} without a Location to go to")
        target = urljoin(current, location)
        self._check_scheme(target, previous=current)
        if target in seen:
            raise self._refused(f"redirect loop: {current} sends back to {target}")
        seen.append(target)
        if len(seen) > MAX_REDIRECTS + 1:  # distinct URLs each time (a counter in the query) is no loop, yet
            raise self._refused(f"more than {MAX_REDIRECTS} redirects (the last to {target})")
        return target

    def _check_scheme(self, target: str, *, previous: str | None) -> None:
        """https, or plain http when the request URL is on loopback and so is `target`; nothing else."""
        parts = urlsplit(target)
        scheme = parts.scheme.lower()
        if scheme == "https" and parts.hostname:
            return
        start = urlsplit(self.url)
        if scheme == "http" and _is_loopback(parts.hostname) and start.scheme == "http" \
                and _is_loopback(start.hostname):
            return
        what = f"the redirect from {previous} to {target}" if previous else f"the URL {target}"
        raise self._refused(f"refusing {what}: only https is followed (plain http only between loopback hosts)")

    def _wait(self, response: "httpx.Response", retries: int) -> None:
        """Sleep as long as a 429's Retry-After asks, if that is short and retries remain."""
        asked = response.headers.get("Retry-After")
        seconds = _retry_after(asked)
        if seconds is None or seconds > RETRY_AFTER_MAX_SECONDS or retries > RATE_LIMIT_RETRIES:
            why = (f"Retry-After: {asked}" if asked else "no Retry-After") + (
                f", after {RATE_LIMIT_RETRIES} waits" if retries > RATE_LIMIT_RETRIES else
                f"; hubfork waits at most {RETRY_AFTER_MAX_SECONDS} s")
            raise RateLimitedError(self.place.name, repo_id=self.repo, revision=None, endpoint=self.endpoint,
                                   detail=f"{response.url} answered 429 ({why})")
        time.sleep(seconds)

    # ---------------------------------------------------------------------- body

    def _body(self, response: "httpx.Response") -> "_Body":
        import httpx
        from huggingface_hub.utils import tqdm

        length = _content_length(response)
        limit = archive_limits(self.url).max_bytes
        if length is not None and length > limit:
            raise ArchiveError(str(response.url), f"is {length} bytes, more than {limit} (the limit; "
                                                  f"{ENV_ARCHIVE_MAX_BYTES} raises it)")
        bar = tqdm(total=length, unit="B", unit_scale=True, unit_divisor=1024, desc=_short(self.place),
                   file=sys.stderr, leave=False)

        def lost(exc: Exception, count: int) -> HubError:
            got = f"after {count}" + (f" of {length}" if length is not None else "") + " bytes"
            if isinstance(exc, httpx.RemoteProtocolError):  # the server ended the body short of its promise
                return self._refused(f"the body of {response.url} ended {got}: {_reason(exc)}")
            return self._unreachable(f"the connection to {response.url} broke {got}: {_reason(exc)}")

        # The chunks as they arrive (64 KiB reads of the socket), not regrouped into MiB: httpx would copy
        # every byte three more times to do it.
        return _Body(response.iter_raw(), expected=length, limit=limit, name=str(response.url),
                     progress=bar, lost=lost, too_long=self._refused)

    def _consume(self, body: "_Body", staging: Path, url: str) -> None:
        try:
            if self.place.variant in ("lite", "coral"):
                with open(staging / TFLITE_FILE, "wb") as out:
                    shutil.copyfileobj(body, out, _CHUNK)
            else:
                extract_stream(body, staging, url, size=body.expected)
                while body.read(_CHUNK):  # what follows the tar's end still counts, and is hashed
                    pass
            body.finish()
        finally:
            body.close_progress()

    # -------------------------------------------------------------------- errors

    def _status_error(self, response: "httpx.Response") -> HubError:
        status, url = response.status_code, response.url
        common = dict(repo_id=self.repo, revision=None, endpoint=self.endpoint)
        if status == 404:
            return RepoNotFoundError(self.place.name, **common,
                                     detail=f"{url} answered 404: not on tfhub.dev/Kaggle Models (never migrated "
                                            "to Kaggle Models, or no such model or version)")
        if status in (401, 403):
            return AccessDeniedError(self.place.name, **common, detail=f"{url} answered {status}")
        return self._refused(f"{url} answered HTTP {status}")

    def _refused(self, detail: str) -> DownloadError:
        return DownloadError(self.place.name, repo_id=self.repo, endpoint=self.endpoint, detail=detail)

    def _unreachable(self, detail: str) -> HubUnreachableError:
        variable = ENV_KAGGLE_ENDPOINT if _on_kaggle(self.place.url or self.url) else ENV_TFHUB_ENDPOINT
        return HubUnreachableError(self.place.name, repo_id=self.repo, revision=None, endpoint=self.endpoint,
                                   detail=f"{detail} ({variable} sets where these URLs are fetched from; now "
                                          f"{self.endpoint})")


class _Body(io.RawIOBase):
    """An HTTP body read as a file: hashed, counted against its Content-Length and the byte limit, with
    progress; the transfer's failures raised as hubfork's errors (`lost`).

    `read(n)` gives the chunks as they arrived (at most `n` bytes of one, uncopied when it fits), and `peek`
    the rest of the current one: readers that want exact sizes wrap it in an `io.BufferedReader`."""

    def __init__(self, chunks: Iterator[bytes], *, expected: int | None, limit: int, name: str, progress,
                 lost: Callable[[Exception, int], HubError], too_long: Callable[[str], HubError]):
        super().__init__()
        self._chunks, self._pending, self._at = chunks, b"", 0
        self.expected, self.limit, self.name, self.progress = expected, limit, name, progress
        self._lost, self._too_long = lost, too_long
        self.count = self._unreported = 0
        self.sha256 = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            return self.readall()
        if not size or not self._fill():
            return b""
        pending, at = self._pending, self._at
        data = pending if at == 0 and size >= len(pending) else pending[at:at + size]
        self._at += len(data)
        return data

    def peek(self, size: int = 0) -> bytes:
        return self._pending[self._at:] if self._fill() else b""

    def readinto(self, buffer) -> int:  # type: ignore[override]
        if not self._fill():
            return 0
        size = min(len(buffer), len(self._pending) - self._at)
        buffer[:size] = self._pending[self._at:self._at + size]
        self._at += size
        return size

    def _fill(self) -> bool:
        """Make sure some of the body is pending; False at its end."""
        if self._at < len(self._pending):
            return True
        import httpx

        while self._at >= len(self._pending):
            try:
                chunk = next(self._chunks)
            except StopIteration:
                return False
            except httpx.HTTPError as exc:
                raise self._lost(exc, self.count) from exc
            self._take(chunk)
        return True

    def _take(self, chunk: bytes) -> None:
        self.count += len(chunk)
        if self.expected is not None and self.count > self.expected:
            raise self._too_long(f"{self.name} sent more than the {self.expected} bytes its Content-Length promised")
        if self.count > self.limit:
            raise ArchiveError(self.name, f"is more than {self.limit} bytes (the limit; {ENV_ARCHIVE_MAX_BYTES} "
                                          "raises it)")
        self.sha256.update(chunk)
        self._unreported += len(chunk)
        if self._unreported >= _CHUNK:  # the bar moves by the MiB, not for every 64 KiB read of the socket
            self.progress.update(self._unreported)
            self._unreported = 0
        self._pending, self._at = chunk, 0

    def close_progress(self) -> None:
        if self._unreported:
            self.progress.update(self._unreported)
            self._unreported = 0
        self.progress.close()

    def finish(self) -> None:
        """Raise unless the whole promised body arrived."""
        if self.expected is not None and self.count != self.expected:
            raise self._too_long(f"{self.name} ended after {self.count} of the {self.expected} bytes promised")


# ---------------------------------------------------------------------------- helpers


def _is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _retry_after(value: str | None) -> float | None:
    """Seconds a Retry-After header asks for (a number, or an HTTP date), or None when it says neither."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def _content_length(response: "httpx.Response") -> int | None:
    value = response.headers.get("Content-Length", "").strip()
    return int(value) if value.isdigit() else None


def _reason(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _short(place: ResolvedName) -> str:
    text = place.handle or place.name
    return text if len(text) <= 40 else "..." + text[-37:]


def _user_agent() -> str:

    return f"hubfork/{__version__}"


__all__ = ["CompressedHttpBackend", "TFHUB_FOLDER", "FORMAT_QUERIES", "TFLITE_FILE", "request_url", "cache_key",
           "base_endpoint", "cached_snapshot", "tfhub_cache_dir", "tfhub_cache_folder", "source_name"]
