"""The shapes of model names: TF Hub handles, Hugging Face repo ids, and the URLs
that carry them.

Pure string functions with no I/O, shared by the card parser (which reads names
out of prose and code) and the hub resolver (which turns names into downloads).
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple
from urllib.parse import SplitResult, urlsplit

from hubfork.constants import MAX_REVISION_CHARS

#: A TF Hub model handle: ``publisher/name/version`` where the name may hold slashes.
TFHUB_HANDLE = re.compile(r"(?P<publisher>[\w-]+)/(?P<name>[\w.-]+(?:/[\w.-]+)*)/(?P<version>\d+)")

# Hugging Face repo ids: ``namespace/name``, each part letters, digits, '-', '_'
# and '.', at most 96 characters, no '--' or '..', not ending in '.git'
# (the rules of huggingface_hub.utils.validate_repo_id, kept here as a regex so
# that the card layer need not import huggingface_hub).
_REPO_PART = r"[A-Za-z0-9](?:[\w.-]{0,94}[A-Za-z0-9_])?"
REPO_ID = re.compile(rf"(?P<namespace>{_REPO_PART})/(?P<name>{_REPO_PART})")

# git's check-ref-format rules, plus no '..' anywhere (refs/<revision> is a path in the cache).
_BAD_REVISION = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]|@\{|//|\.\.|^[/.-]|[/.]$|\.lock$|/\.")

TFHUB_HOSTS = frozenset({"tfhub.dev", "www.tfhub.dev"})
KAGGLE_HOSTS = frozenset({"kaggle.com", "www.kaggle.com"})
HF_HOSTS = frozenset({"huggingface.co", "www.huggingface.co", "hf.co"})

# Hosts whose /a/b paths are not model repos, so a link there never names one.
_NOT_A_HUB = frozenset(
    {
        "github.com",
        "www.github.com",
        "arxiv.org",
        "colab.research.google.com",
        "www.tensorflow.org",
        "tensorflow.org",
        "storage.googleapis.com",
        "www.gstatic.com",
        "twitter.com",
        "x.com",
        "en.wikipedia.org",
        "www.youtube.com",
        "doi.org",
        "paperswithcode.com",
        "ai.google",
        "ai.googleblog.com",
    }
)

# Path prefixes tfhub.dev used for converted variants of a model.
_TFHUB_VARIANT_PREFIX = re.compile(r"^(?:tfjs|lite|coral)-model/")


def is_repo_id(text: str) -> bool:
    """True when `text` is a well-formed Hugging Face repo id (``org/name``)."""
    return bool(REPO_ID.fullmatch(text)) and ".." not in text and "--" not in text and not text.endswith(".git")


def is_revision(text: str) -> bool:
    """True when `text` is a safe git revision (branch, tag or commit sha) to name in a cache path:
    git's ref rules, no '..', at most `MAX_REVISION_CHARS` bytes in UTF-8 (the cache keeps it as a
    file name), and no invisible or unencodable characters (format, private-use, surrogates, spaces)."""
    if not text or _BAD_REVISION.search(text):
        return False
    if any(unicodedata.category(c)[0] in "CZ" for c in text):
        return False
    return len(text.encode("utf-8")) <= MAX_REVISION_CHARS


def split_url(url: str) -> SplitResult | None:
    """`urlsplit(url)`, or None for text that is not a well-formed URL (an unclosed IPv6 bracket, a
    port out of range): names come from anywhere, and a malformed one names nothing."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - parsed lazily: this is where a bad port raises
    except ValueError:
        return None
    return parts


def is_tfhub_handle(text: str) -> bool:
    """True when `text` has the shape ``publisher/name/version``."""
    return bool(TFHUB_HANDLE.fullmatch(text))


def tfhub_url_to_handle(url: str) -> str | None:
    """``https://tfhub.dev/google/tfjs-model/x/1?q`` -> ``google/x/1``; None if not tfhub.dev.

    A URL without a version (a model's landing page) gives ``publisher/name``.
    """
    parts = split_url(url)
    if parts is None or parts.scheme not in ("http", "https") or parts.hostname not in TFHUB_HOSTS:
        return None
    path = parts.path.strip("/")
    publisher, _, rest = path.partition("/")
    if not publisher or not rest:
        return None
    rest = _TFHUB_VARIANT_PREFIX.sub("", rest)
    handle = f"{publisher}/{rest}"
    return handle if re.fullmatch(r"[\w-]+/[\w.-]+(?:/[\w.-]+)*", handle) else None


def tfhub_url_to_publisher(url: str) -> str | None:
    """``https://tfhub.dev/google`` (a publisher's page) -> ``google``; None for anything else."""
    parts = split_url(url)
    if parts is None or parts.scheme not in ("http", "https") or parts.hostname not in TFHUB_HOSTS:
        return None
    path = parts.path.strip("/")
    return path if re.fullmatch(r"[\w-]+", path) else None


def tfhub_collection_handle(handle: str) -> str | None:
    """``google/collections/bert/1`` (what a tfhub.dev collection URL gives) -> ``google/bert``, the
    handle of the Collection card; None for a handle that is not a collection's."""
    parts = handle.split("/")
    if len(parts) < 3 or parts[1] != "collections":
        return None
    rest = parts[2:-1] if len(parts) > 3 and parts[-1].isdigit() else parts[2:]
    return "/".join([parts[0], *rest])


def kaggle_key(text: str) -> str:
    """Kaggle names and registry names compare lower-cased, without '-' and '_'."""
    return re.sub(r"[-_]", "", text.lower())


class KaggleModel(NamedTuple):
    """A Kaggle model's parts, as a model URL or a kagglehub handle names them."""

    publisher: str
    model: str
    variation: str
    version: int | None
    framework: str | None = None

    @property
    def kagglehub_handle(self) -> str:
        """``owner/model/framework/variation[/version]``, as kagglehub takes it."""
        return "/".join([self.publisher, self.model, self.framework or "", self.variation]
                        + ([str(self.version)] if self.version is not None else []))


_KAGGLE_PART = re.compile(r"[\w.-]+")


def is_kaggle_framework(text: str) -> bool:
    """True for one of Kaggle's model frameworks as handles and short URLs write them (``TensorFlow2``)."""
    from hubfork.constants import KAGGLE_FRAMEWORKS

    return text.lower() in KAGGLE_FRAMEWORKS


def kaggle_path_to_model(segments: list[str]) -> KaggleModel | None:
    """The model a Kaggle model page's path names (after ``/models/``): the short form
    ``owner/model/Framework/variation[/version]`` or the long form
    ``owner/model/frameworks/F/variations/V[/versions/N]``; None for anything else."""
    if len(segments) < 4 or not all(_KAGGLE_PART.fullmatch(s) and s not in (".", "..") for s in segments):
        return None
    publisher, model, rest = segments[0], segments[1], segments[2:]
    if rest[0] == "frameworks":
        if len(rest) % 2:
            return None
        fields = dict(zip(rest[0::2], rest[1::2]))
        if set(fields) - {"frameworks", "variations", "versions"} or "variations" not in fields:
            return None
        framework, variation, version = fields["frameworks"], fields["variations"], fields.get("versions")
    elif is_kaggle_framework(rest[0]) and len(rest) in (2, 3):
        framework, variation, version = rest[0], rest[1], (rest[2] if len(rest) == 3 else None)
    else:
        return None
    if version is not None and not version.isdigit():
        return None
    return KaggleModel(publisher, model, variation, int(version) if version is not None else None, framework)


def kaggle_url_to_model(url: str) -> KaggleModel | None:
    """The parts of a Kaggle model URL (either form) that name a variation; None for anything else."""
    parts = split_url(url)
    if parts is None or parts.scheme not in ("http", "https") or parts.hostname not in KAGGLE_HOSTS:
        return None
    segments = [s for s in parts.path.split("/") if s]
    if not segments or segments[0] != "models":
        return None
    return kaggle_path_to_model(segments[1:])


def kagglehub_handle_to_model(text: str) -> KaggleModel | None:
    """``owner/model/framework/variation[/version]`` (a kagglehub handle) -> its parts; None for anything
    else (a framework Kaggle does not know tells a TF Hub handle of as many parts apart)."""
    segments = text.split("/")
    if len(segments) not in (4, 5) or not is_kaggle_framework(segments[2]):
        return None
    return kaggle_path_to_model(segments)


class RepoRef(NamedTuple):
    """A Hugging Face-style repo named by a URL: its id, revision and endpoint."""

    repo_id: str
    revision: str | None
    endpoint: str


def hub_url_to_repo(url: str) -> RepoRef | None:
    """Read a model repo out of a hub URL on huggingface.co or any mirror host.

    ``https://<host>/org/name``, ``.../tree/<rev>``, ``.../blob/<rev>/<file>`` and
    ``.../resolve/<rev>/<file>`` all name the repo ``org/name``; a mirror serves
    the same paths as huggingface.co, so the host only decides the endpoint.
    Hosts known to hold something else (GitHub, arXiv, tfhub.dev, Kaggle, ...)
    give None.
    """
    parts = split_url(url)
    host = (parts.hostname or "").lower() if parts is not None else ""
    if parts is None or parts.scheme not in ("http", "https") or not host:
        return None
    if host in _NOT_A_HUB or host in TFHUB_HOSTS or host in KAGGLE_HOSTS:
        return None
    segments = [s for s in parts.path.split("/") if s]
    if segments and segments[0] == "models":
        segments = segments[1:]
    if len(segments) < 2 or segments[0] in ("datasets", "spaces", "api", "docs", "blog"):
        return None
    repo_id = f"{segments[0]}/{segments[1]}"
    if not is_repo_id(repo_id):
        return None
    revision = None
    if len(segments) >= 4 and segments[2] in ("tree", "blob", "resolve"):
        revision = segments[3]
    endpoint = f"{parts.scheme}://{parts.netloc}"
    return RepoRef(repo_id, revision, endpoint)


__all__ = [
    "is_kaggle_framework", "kaggle_path_to_model", "kagglehub_handle_to_model",
    "TFHUB_HANDLE",
    "REPO_ID",
    "RepoRef",
    "is_repo_id",
    "is_revision",
    "split_url",
    "KaggleModel",
    "kaggle_key",
    "kaggle_url_to_model",
    "is_tfhub_handle",
    "tfhub_url_to_handle",
    "hub_url_to_repo",
]
