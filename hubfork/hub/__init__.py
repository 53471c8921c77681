"""hubfork's hub client: name any model and fetch it into a local folder.

Public API (loaded on first use). Nothing here imports `hubfork.models`, nor
TensorFlow except through a build of the embedded hub (its converters are named
by string, see `hubfork.hub.embedded`): loading what was fetched is the work of
`hubfork.loading` (``hubfork.pull_from_hub``, ``hubfork.load_text_model``), a
layer above this one.

- ``resolve(name, *, registry=None) -> ResolvedName``: where a name points. Forms:
  ``org/repo[@rev]``, ``hf://org/repo[@rev]``, ``https://huggingface.co/org/repo[/tree/rev]``
  (or any mirror host), ``https://tfhub.dev/publisher/name/N`` and ``publisher/name/N`` TF Hub
  handles (tfhub.dev, served by Kaggle Models, and the mirrors the registry knows), Kaggle model
  URLs, kagglehub handles ``owner/model/framework/variation[/N]``, archive URLs, local folders,
  ``file://`` URLs and ``.tar.gz`` archives.
- ``Resolver``, ``ResolverChain``, ``default_resolvers(registry)``: the chain itself, one
  small class per form (``RepoIdResolver``, ``HfUriResolver``, ``HubUrlResolver``,
  ``TfhubUrlResolver``, ``KaggleUrlResolver``, ``KaggleHandleResolver``, ``CompressedUrlResolver``,
  ``RegistryHandleResolver``, ``LocalFolderResolver``, ``FileUrlResolver``, ``ArchiveResolver``).
- ``snapshot_download(name, *, revision, cache_dir, local_files_only, allow_patterns,
  ignore_patterns, token, endpoint, sources) -> str``: fetch from the first source that has it
  (``sources``, else ``HUBFORK_SOURCES``, chooses which may be used) into one cache.
- ``fetch(...) -> Snapshot``: the same, with the source that served it, repo id or URL, revision and commit.
- ``Backend``, ``BackendRegistry``, ``FetchOptions``: the fetch backends (one per kind of source:
  folders, archives, Hugging Face-style hubs, local and embedded hubs, TF Hub's compressed archives over
  HTTP, Kaggle Models through kagglehub; `hubfork.hub.backends`).
- ``verify_cache(name=None, ...) -> list[SnapshotCheck]``: cached files checked (sizes, hashes)
  against the hub's listing, corrupt ones fetched again (``hubfork cache verify``).
- ``unpack_archive(archive, cache_dir) -> Path``: safe, atomic, once.
- ``LocalHub(dir)`` (``.init()``, ``.add(model_dir, repo_id, tag=...)``, ``.serve()``) and
  ``HubServer``: a hub on this machine (git repos served by olah).

Errors are in `hubfork.errors` (``HubError`` and its subclasses) and re-exported here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hubfork import errors as _errors
from hubfork._lazy import attach

_EXPORTS = {
    "resolve": "hubfork.hub.resolvers",
    "default_resolvers": "hubfork.hub.resolvers",
    "Resolver": "hubfork.hub.resolvers",
    "ResolverChain": "hubfork.hub.resolvers",
    "ArchiveResolver": "hubfork.hub.resolvers",
    "FileUrlResolver": "hubfork.hub.resolvers",
    "LocalFolderResolver": "hubfork.hub.resolvers",
    "HfUriResolver": "hubfork.hub.resolvers",
    "HubUrlResolver": "hubfork.hub.resolvers",
    "RepoIdResolver": "hubfork.hub.resolvers",
    "RegistryHandleResolver": "hubfork.hub.resolvers",
    "TfhubUrlResolver": "hubfork.hub.resolvers",
    "KaggleUrlResolver": "hubfork.hub.resolvers",
    "ResolvedName": "hubfork.hub.resolved",
    "snapshot_download": "hubfork.hub.download",
    "Backend": "hubfork.hub.backends.base",
    "BackendRegistry": "hubfork.hub.backends.base",
    "FetchOptions": "hubfork.hub.backends.base",
    "KaggleHandleResolver": "hubfork.hub.resolvers",
    "CompressedUrlResolver": "hubfork.hub.resolvers",
    "fetch": "hubfork.hub.download",
    "Snapshot": "hubfork.hub.snapshot",
    "verify_cache": "hubfork.hub.verify",
    "SnapshotCheck": "hubfork.hub.cache_check",
    "FileProblem": "hubfork.hub.cache_check",
    "unpack_archive": "hubfork.hub.archives",
    "LocalHub": "hubfork.hub.local_hub",
    "HubCommit": "hubfork.hub.local_hub",
    "HubServer": "hubfork.hub.server",
}
# The hub's errors: every HubError of hubfork.errors.
_EXPORTS.update((name, "hubfork.errors") for name in _errors.__all__
                if issubclass(getattr(_errors, name), _errors.HubError))

__all__ = sorted(_EXPORTS)


__getattr__, __dir__ = attach('hubfork.hub', globals(), _EXPORTS)


if TYPE_CHECKING:  # pragma: no cover
    from hubfork.errors import *  # noqa: F403
    from hubfork.hub.archives import unpack_archive
    from hubfork.hub.backends.base import Backend, BackendRegistry, FetchOptions
    from hubfork.hub.cache_check import FileProblem, SnapshotCheck
    from hubfork.hub.download import fetch, snapshot_download
    from hubfork.hub.local_hub import HubCommit, LocalHub
    from hubfork.hub.resolved import ResolvedName
    from hubfork.hub.resolvers import (
        ArchiveResolver,
        CompressedUrlResolver,
        FileUrlResolver,
        HfUriResolver,
        HubUrlResolver,
        KaggleHandleResolver,
        KaggleUrlResolver,
        LocalFolderResolver,
        RegistryHandleResolver,
        RepoIdResolver,
        Resolver,
        ResolverChain,
        TfhubUrlResolver,
        default_resolvers,
        resolve,
    )
    from hubfork.hub.server import HubServer
    from hubfork.hub.snapshot import Snapshot
    from hubfork.hub.verify import verify_cache
