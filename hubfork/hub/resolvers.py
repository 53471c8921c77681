"""The resolver chain: one small class per form of model name, tried in order.

As in tensorflow_hub, each resolver says which names it supports
(`is_supported`) and resolves them (`__call__`); `ResolverChain` asks each in
turn and, when none accepts a name, raises `UnresolvedNameError` listing every
form it tried. Adding a form of name means adding one class.

A resolver only reads the name (and, for TF Hub names, the registry): nothing
is fetched here. Local forms come first so that an existing folder named like a
repo id is used as a folder, as tensorflow_hub and transformers do.
"""

from __future__ import annotations

import os
import re
from abc import ABC, abstractmethod
from pathlib import Path
from typing import ClassVar, Iterable, Sequence
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from hubfork.errors import InvalidNameError, LocalModelNotFoundError, UnresolvedNameError
from hubfork.handles import (
    KAGGLE_HOSTS,
    TFHUB_HOSTS,
    hub_url_to_repo,
    kaggle_path_to_model,
    kagglehub_handle_to_model,
    split_url,
)
from hubfork.hub import settings
from hubfork.hub.embedded import EMBEDDED, is_embedded, latest_tag
from hubfork.hub.names import check_handle, check_repo_id, check_revision, check_text, has_escape, split_revision
from hubfork.hub.registry_sources import RegistryLike, RegistrySources, hub_endpoint
from hubfork.hub.resolved import ResolvedName

ARCHIVE_SUFFIXES = (".tar.gz", ".tgz")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:(//)?")
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")


class Resolver(ABC):
    """Turns the names of one form into a `ResolvedName`."""

    #: Short id of the form, recorded in `ResolvedName.form`.
    id: ClassVar[str]
    #: What names of this form look like, for people (listed when no resolver accepts a name).
    form: ClassVar[str]

    @abstractmethod
    def is_supported(self, name: str) -> bool:
        """True when `name` has this resolver's form (even if it then turns out invalid)."""

    @abstractmethod
    def __call__(self, name: str) -> ResolvedName:
        """Resolve `name`, or raise a `HubError` saying why it cannot be."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


# ------------------------------------------------------------------ local forms


def _has_scheme(name: str) -> bool:
    return bool(_SCHEME.match(name)) and not _WINDOWS_DRIVE.match(name)


def _looks_like_path(name: str) -> bool:
    return (name in (".", "..") or name.startswith(("/", "./", "../", "~", ".\\", "..\\"))
            or bool(_WINDOWS_DRIVE.match(name)) or os.path.isabs(name))


def _is_archive_name(name: str) -> bool:
    return name.lower().endswith(ARCHIVE_SUFFIXES)


def file_url_path(name: str) -> Path:
    """The local path of a ``file://`` URL (only local hosts; only absolute paths)."""
    parts = urlsplit(name)
    if parts.netloc not in ("", "localhost"):
        raise InvalidNameError(name, f"a file:// URL names a local path (file:///path), not host {parts.netloc!r}")
    path = url2pathname(parts.path)
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in path):
        raise InvalidNameError(name, "control characters (such as %00) are not allowed in a file:// URL's path")
    if not os.path.isabs(path):
        raise InvalidNameError(name, "a file:// URL takes an absolute path (file:///path/to/model)")
    return Path(path)


class ArchiveResolver(Resolver):
    """A TF Hub-format ``.tar.gz`` archive on this machine."""

    id = "archive"
    form = "a TF Hub-format .tar.gz (or .tgz) archive: a local path or file:// URL"

    def is_supported(self, name: str) -> bool:
        if not _is_archive_name(name):
            return False
        return name.lower().startswith("file:") or _looks_like_path(name) or os.path.isfile(name)

    def __call__(self, name: str) -> ResolvedName:
        path = file_url_path(name) if name.lower().startswith("file:") else _local_path(name)
        if not _stat(name, path, lambda p: p.is_file()):
            raise LocalModelNotFoundError(name, str(path), "no such archive")
        return ResolvedName(name, self.id, "archive", path=path.resolve())


class FileUrlResolver(Resolver):
    """``file:///path/to/model``: a local model folder as a URL."""

    id = "file-url"
    form = "file:///path/to/model, a local model folder as a file:// URL"

    def is_supported(self, name: str) -> bool:
        return name.lower().startswith("file:")

    def __call__(self, name: str) -> ResolvedName:
        return _folder(name, file_url_path(name), self.id)


class LocalFolderResolver(Resolver):
    """A model folder on this machine."""

    id = "local-folder"
    form = "a local model folder: an absolute, ./, ../ or ~ path, or an existing relative folder"

    def is_supported(self, name: str) -> bool:
        if _has_scheme(name):
            return False
        return _looks_like_path(name) or (not has_escape(name) and os.path.isdir(name))

    def __call__(self, name: str) -> ResolvedName:
        return _folder(name, _local_path(name), self.id)


def _local_path(name: str) -> Path:
    """`name` as a local path, ``~`` and ``~user`` expanded."""
    try:
        return Path(name).expanduser()
    except (RuntimeError, ValueError):  # ~user for a user this machine does not know, or cannot name
        raise LocalModelNotFoundError(name, name, "no such user's home folder") from None


def _stat(name: str, path: Path, test) -> bool:
    """`test(path)`, with the OS's refusals (a name too long, a folder not readable) as
    `LocalModelNotFoundError` rather than an OSError from deep inside pathlib."""
    try:
        return test(path)
    except OSError as exc:
        raise LocalModelNotFoundError(name, str(path), f"cannot be read: {exc.strerror or exc}") from None


def _folder(name: str, path: Path, form: str) -> ResolvedName:
    if _stat(name, path, lambda p: p.is_dir()):
        return ResolvedName(name, form, "folder", path=path.resolve())
    if _stat(name, path, lambda p: p.is_file()):
        raise LocalModelNotFoundError(name, str(path), "is a file, not a model folder (archives end in .tar.gz "
                                                       "or .tgz)")
    raise LocalModelNotFoundError(name, str(path), "no such folder")


# -------------------------------------------------------------------- hub forms


class HfUriResolver(Resolver):
    """``hf://org/repo[@revision]`` (``hf://models/org/repo`` too)."""

    id = "hf-uri"
    form = "hf://org/repo[@revision]"

    def is_supported(self, name: str) -> bool:
        return name.lower().startswith("hf://")

    def __call__(self, name: str) -> ResolvedName:
        rest = name[len("hf://"):]
        if rest.startswith("models/"):
            rest = rest[len("models/"):]
        elif rest.split("/", 1)[0] in ("datasets", "spaces", "kernels", "buckets"):
            raise InvalidNameError(name, "only model repos hold models (hf://org/repo or hf://models/org/repo)")
        base, revision = split_revision(rest)
        return _repo(name, self.id, check_repo_id(base, name), revision)


class HubUrlResolver(Resolver):
    """``https://huggingface.co/org/repo[/tree/revision]``, or the same path on a mirror."""

    id = "hub-url"
    form = ("https://huggingface.co/org/repo[/tree/revision], or the same path on any mirror host "
            "(the host becomes the endpoint)")

    def is_supported(self, name: str) -> bool:
        return name.lower().startswith(("http://", "https://"))

    def __call__(self, name: str) -> ResolvedName:
        parts = urlsplit(name)
        if has_escape(unquote(parts.path)):
            raise InvalidNameError(name, "'..' and backslashes are not allowed in a repo URL")
        ref = hub_url_to_repo(name)
        if ref is None:
            raise InvalidNameError(name, "not a model repo URL (expected https://host/org/repo[/tree/revision])")
        revision = unquote(ref.revision) if ref.revision is not None else None
        return _repo(name, self.id, check_repo_id(ref.repo_id, name), revision, hub_endpoint(ref.endpoint))


class RepoIdResolver(Resolver):
    """``org/repo[@revision]``: a repo on the configured hub."""

    id = "repo-id"
    form = "org/repo[@revision], a hub repo id"

    def is_supported(self, name: str) -> bool:
        base, _ = split_revision(name)
        return not _has_scheme(name) and base.count("/") == 1

    def __call__(self, name: str) -> ResolvedName:
        base, revision = split_revision(name)
        return _repo(name, self.id, check_repo_id(base, name), revision)


def _repo(name: str, form: str, repo_id: str, revision: str | None, endpoint: str | None = None) -> ResolvedName:
    if revision is not None:
        check_revision(revision, name)
    pinned = revision is not None
    if endpoint is None and is_embedded(repo_id):
        # hubfork's own models live on the embedded hub whatever HF_ENDPOINT says (a URL with a host
        # reaches another hub), by default at their newest tag: a tag never moves, so a cached copy
        # is served without starting the hub.
        endpoint, revision = EMBEDDED, revision or latest_tag(repo_id)
    return ResolvedName(name, form, "repo", repo_id=repo_id, revision=revision, endpoint=endpoint, pinned=pinned)


# --------------------------------------------------------------- registry forms


class _RegistryResolver(Resolver, ABC):
    def __init__(self, sources: RegistrySources | None = None, *, registry: RegistryLike = None):
        self.sources = sources or RegistrySources(registry)


class RegistryHandleResolver(_RegistryResolver):
    """``publisher/name/version``: a TF Hub handle, served by tfhub.dev (Kaggle Models) and the registry's
    sources."""

    id = "registry-handle"
    form = "publisher/name/version, a TF Hub handle (tfhub.dev, and the sources the registry knows)"

    def is_supported(self, name: str) -> bool:
        parts = name.split("/")
        return not _has_scheme(name) and "@" not in name and len(parts) >= 3 and parts[-1].isdigit()

    def __call__(self, name: str) -> ResolvedName:
        handle = check_handle(name, name)
        official = ResolvedName(name, self.id, "compressed", url=f"{settings.tfhub_endpoint()}/{handle}",
                                handle=handle, origin="official")
        return self.sources.places(name, self.id, lookup=handle, official=official)


#: tfhub.dev's own hosts, and the mirror tensorflow_hub reads from in mainland China.
_TFHUB_CN_HOST = "hub.tensorflow.google.cn"
_TFHUB_CN_ARCHIVES = "https://gcs.tensorflow.google.cn/tfhub-modules"
_VARIANT_PATH = re.compile(r"^[\w-]+/(tfjs|lite|coral)-model/")


def _host_of(url: str) -> tuple[str, int | None] | None:
    parts = split_url(url)
    if parts is None or parts.scheme not in ("http", "https"):
        return None
    return (parts.hostname or "").lower(), parts.port


def _on_endpoint(name: str, endpoint: str) -> bool:
    """True when `name` is an http(s) URL on the host (and port) of `endpoint`."""
    here, there = _host_of(name), _host_of(endpoint)
    return here is not None and here == there


class TfhubUrlResolver(_RegistryResolver):
    """``https://tfhub.dev/publisher/name/version`` (and ``hub.tensorflow.google.cn``, and URLs on the
    configured ``HUBFORK_TFHUB_ENDPOINT``): fetched as tensorflow_hub fetches them, with the registry's
    sources around it."""

    id = "tfhub-url"
    form = "https://tfhub.dev/publisher/name/version (tfhub.dev, served by Kaggle Models; lite-model/, tfjs-model/)"

    def is_supported(self, name: str) -> bool:
        host = _host_of(name)
        if host is None:
            return False
        return host[0] in TFHUB_HOSTS or host[0] == _TFHUB_CN_HOST or _on_endpoint(name, settings.tfhub_endpoint())

    def __call__(self, name: str) -> ResolvedName:
        parts = urlsplit(name)
        path = unquote(parts.path).strip("/")
        usage = "not a tfhub.dev model URL (https://tfhub.dev/publisher/name/version)"
        if has_escape(path) or not re.fullmatch(r"[\w-]+/[\w.-]+(?:/[\w.-]+)*", path):
            raise InvalidNameError(name, usage)
        if path.split("/")[1] == "collections":
            raise InvalidNameError(name, "a tfhub.dev collection lists models but is none itself: pick one of its "
                                         f"members (hubfork show {name})")
        lookup = f"https://tfhub.dev/{path}"  # the registry reads variants and collections from the URL's path
        if not path.rsplit("/", 1)[-1].isdigit():
            # A model's page without a version: its newest version, as the registry lists them.
            entry = self.sources.registry.find(lookup)
            if entry is None or entry.version is None:
                raise InvalidNameError(name, usage + "; the registry knows no version of it")
            path = lookup = entry.handle
        variant = _VARIANT_PATH.match(path)
        handle = _VARIANT_PATH.sub(lambda m: m.group(0).split("/")[0] + "/", path)
        if (parts.hostname or "").lower() == _TFHUB_CN_HOST:
            url = f"{_TFHUB_CN_ARCHIVES}/{path}.tar.gz"
        else:
            url = f"{settings.tfhub_endpoint()}/{path}"
        official = ResolvedName(name, self.id, "compressed", url=url, handle=check_handle(handle, name),
                                variant=variant.group(1) if variant else None, origin="official")
        return self.sources.places(name, self.id, lookup=lookup, official=official)


class KaggleUrlResolver(_RegistryResolver):
    """A Kaggle model URL, short or long form: fetched as tensorflow_hub fetches it (``HUBFORK_KAGGLE_ENDPOINT``),
    with the sources the registry knows for the catalogue entry it matches."""

    id = "kaggle-url"
    form = ("https://www.kaggle.com/models/owner/model/Framework/variation/N (or .../frameworks/F/variations/V/"
            "versions/N)")

    def is_supported(self, name: str) -> bool:
        host = _host_of(name)
        if host is None:
            return False
        return host[0] in KAGGLE_HOSTS or _on_endpoint(name, settings.kaggle_endpoint())

    def __call__(self, name: str) -> ResolvedName:
        segments = [unquote(s) for s in urlsplit(name).path.split("/") if s]
        usage = ("expected https://www.kaggle.com/models/owner/model/Framework/variation/N or "
                 ".../models/owner/model/frameworks/F/variations/V/versions/N")
        model = kaggle_path_to_model(segments[1:]) if segments[:1] == ["models"] else None
        if model is None:
            raise InvalidNameError(name, f"not a Kaggle model URL ({usage})")
        path = "/".join(segments)
        official = ResolvedName(name, self.id, "compressed", url=f"{settings.kaggle_endpoint()}/{path}",
                                kaggle=model.kagglehub_handle, origin="official")
        return self.sources.places(name, self.id, lookup=name, official=official,
                                   kaggle=(model.publisher, model.model, model.variation, model.version))


class KaggleHandleResolver(_RegistryResolver):
    """``owner/model/framework/variation[/version]``: a Kaggle Models handle, fetched through kagglehub."""

    id = "kaggle-handle"
    form = "owner/model/framework/variation[/version], a kagglehub handle (Kaggle Models)"

    def is_supported(self, name: str) -> bool:
        return not _has_scheme(name) and "@" not in name and kagglehub_handle_to_model(name) is not None

    def __call__(self, name: str) -> ResolvedName:
        model = kagglehub_handle_to_model(name)
        if model is None:
            raise InvalidNameError(name, "not a kagglehub handle (owner/model/framework/variation[/version])")
        official = ResolvedName(name, self.id, "kaggle", kaggle=name, origin="official")
        return self.sources.places(name, self.id, lookup=name, official=official,
                                   kaggle=(model.publisher, model.model, model.variation, model.version))


class CompressedUrlResolver(Resolver):
    """Any http(s) URL of a TF Hub-format archive: ``?tf-hub-format=compressed``, or a path ending in .tar.gz."""

    id = "compressed-url"
    form = "https://host/path?tf-hub-format=compressed or https://host/model.tar.gz (a TF Hub-format archive)"

    def is_supported(self, name: str) -> bool:
        return _host_of(name) is not None and is_archive_url(name)

    def __call__(self, name: str) -> ResolvedName:
        if has_escape(unquote(urlsplit(name).path)):
            raise InvalidNameError(name, "'..' and backslashes are not allowed in an archive URL")
        return ResolvedName(name, self.id, "compressed", url=name, origin="official")


def is_archive_url(name: str) -> bool:
    """An http(s) URL of a TF Hub-format archive (what tensorflow_hub's compressed resolver downloads)."""
    parts = split_url(name)
    if parts is None:
        return False
    return parts.path.lower().endswith(ARCHIVE_SUFFIXES) or "tf-hub-format=compressed" in parts.query


# ------------------------------------------------------------------------ chain


class ResolverChain(Resolver):
    """Resolvers tried in order; the first that supports a name resolves it."""

    id = "chain"
    form = "any of the forms of its resolvers"

    def __init__(self, resolvers: Iterable[Resolver]):
        self.resolvers: tuple[Resolver, ...] = tuple(resolvers)

    @property
    def forms(self) -> tuple[str, ...]:
        """Every form the chain accepts, in the order tried."""
        return tuple(r.form for r in self.resolvers)

    def is_supported(self, name: str) -> bool:
        return any(r.is_supported(name) for r in self.resolvers)

    def __call__(self, name: str) -> ResolvedName:
        text = check_text(name)
        for resolver in self.resolvers:
            if resolver.is_supported(text):
                return resolver(text)
        if has_escape(text) or text.startswith("/"):
            raise InvalidNameError(text, "'..' and backslashes are not allowed in a model name")
        raise UnresolvedNameError(text, self.forms)

    def __repr__(self) -> str:
        return f"ResolverChain({list(self.resolvers)!r})"


def default_resolvers(registry: RegistryLike = None) -> list[Resolver]:
    """hubfork's resolvers in the order they are tried (TF Hub forms share one lazily loaded registry)."""
    sources = RegistrySources(registry)
    return [
        ArchiveResolver(),
        FileUrlResolver(),
        LocalFolderResolver(),
        HfUriResolver(),
        TfhubUrlResolver(sources),
        KaggleUrlResolver(sources),
        CompressedUrlResolver(),
        HubUrlResolver(),
        KaggleHandleResolver(sources),
        RegistryHandleResolver(sources),
        RepoIdResolver(),
    ]


def resolve(name: str, *, registry: RegistryLike = None, resolvers: Sequence[Resolver] | None = None) -> ResolvedName:
    """Where the model `name` refers to lives (see `default_resolvers` for the forms).

    Raises:
        InvalidNameError: a name that could escape its folder or that no hub allows.
        UnresolvedNameError: no resolver accepts the name (the message lists the forms tried).
        NotInRegistryError: a registry entry that gives no source, for a name with no official home.
        ModelDeletedError: a model tfhub.dev deleted, that no source the registry knows holds.
        LocalModelNotFoundError: a local path or file:// URL that is not a model.
    """
    return ResolverChain(resolvers if resolvers is not None else default_resolvers(registry))(name)


__all__ = [
    "ARCHIVE_SUFFIXES",
    "Resolver",
    "ArchiveResolver",
    "FileUrlResolver",
    "LocalFolderResolver",
    "HfUriResolver",
    "HubUrlResolver",
    "RepoIdResolver",
    "RegistryHandleResolver",
    "TfhubUrlResolver",
    "KaggleUrlResolver",
    "KaggleHandleResolver",
    "CompressedUrlResolver",
    "is_archive_url",
    "ResolverChain",
    "default_resolvers",
    "resolve",
    "file_url_path",
]
