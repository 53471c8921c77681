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
from hubfork.handles import KAGGLE_HOSTS, TFHUB_HOSTS, hub_url_to_repo, split_url, tfhub_url_to_handle
from hubfork.hub.embedded import EMBEDDED, is_embedded, latest_tag
from hubfork.hub.names import check_handle, check_repo_id, check_revision, check_text, has_escape, split_revision
from hubfork.hub.registry_sources import RegistryLike, RegistrySources, hub_endpoint
from hubfork.hub.resolved import ResolvedName

ARCHIVE_SUFFIXES = (".tar.gz", ".tgz")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:(//)?")
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")
_KAGGLE_PART = re.compile(r"[\w.-]+")


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
    except RuntimeError:  # ~user for a user this machine does not know
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
    """``publisher/name/version``: a TF Hub handle, placed on a hub by the registry."""

    id = "registry-handle"
    form = "publisher/name/version, a TF Hub handle (through the registry)"

    def is_supported(self, name: str) -> bool:
        parts = name.split("/")
        return not _has_scheme(name) and "@" not in name and len(parts) >= 3 and parts[-1].isdigit()

    def __call__(self, name: str) -> ResolvedName:
        return self.sources.by_handle(name, check_handle(name, name), self.id)


class TfhubUrlResolver(_RegistryResolver):
    """``https://tfhub.dev/publisher/name/version``, through the registry."""

    id = "tfhub-url"
    form = "https://tfhub.dev/publisher/name/version (through the registry)"

    def is_supported(self, name: str) -> bool:
        parts = split_url(name)
        return parts is not None and parts.scheme in ("http", "https") and (parts.hostname or "") in TFHUB_HOSTS

    def __call__(self, name: str) -> ResolvedName:
        path = unquote(urlsplit(name).path)
        handle = tfhub_url_to_handle(name)
        if has_escape(path) or handle is None:
            raise InvalidNameError(name, "not a tfhub.dev model URL (https://tfhub.dev/publisher/name/version)")
        return self.sources.by_handle(name, handle, self.id)


class KaggleUrlResolver(_RegistryResolver):
    """A Kaggle model URL, matched to a registry entry by publisher, name and version."""

    id = "kaggle-url"
    form = ("https://www.kaggle.com/models/publisher/model/frameworks/fw/variations/variation/versions/N "
            "(through the registry)")

    def is_supported(self, name: str) -> bool:
        parts = split_url(name)
        return parts is not None and parts.scheme in ("http", "https") and (parts.hostname or "") in KAGGLE_HOSTS

    def __call__(self, name: str) -> ResolvedName:
        segments = [unquote(s) for s in urlsplit(name).path.split("/") if s]
        usage = "expected https://www.kaggle.com/models/publisher/model/frameworks/fw/variations/variation/versions/N"
        if len(segments) < 3 or segments[0] != "models" or len(segments[3:]) % 2:
            raise InvalidNameError(name, f"not a Kaggle model URL ({usage})")
        publisher, model = segments[1], segments[2]
        fields = dict(zip(segments[3::2], segments[4::2]))
        unknown = set(fields) - {"frameworks", "variations", "versions"}
        values = [publisher, model, *fields.values()]
        if unknown or not all(_KAGGLE_PART.fullmatch(v) and v != ".." for v in values):
            raise InvalidNameError(name, f"not a Kaggle model URL ({usage})")
        if "variations" not in fields:
            raise InvalidNameError(name, f"a Kaggle model URL must name a variation ({usage})")
        version = fields.get("versions")
        if version is not None and not version.isdigit():
            raise InvalidNameError(name, f"a Kaggle version is a number, not {version!r}")
        return self.sources.by_kaggle(name, publisher, model, fields["variations"],
                                      int(version) if version is not None else None, self.id)


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
        HubUrlResolver(),
        RegistryHandleResolver(sources),
        RepoIdResolver(),
    ]


def resolve(name: str, *, registry: RegistryLike = None, resolvers: Sequence[Resolver] | None = None) -> ResolvedName:
    """Where the model `name` refers to lives (see `default_resolvers` for the forms).

    Raises:
        InvalidNameError: a name that could escape its folder or that no hub allows.
        UnresolvedNameError: no resolver accepts the name (the message lists the forms tried).
        NotInRegistryError: a tfhub.dev or Kaggle name the registry maps to no hub repo.
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
    "ResolverChain",
    "default_resolvers",
    "resolve",
    "file_url_path",
]
