"""The embedded local hub: hubfork's own models, built on this machine on first use.

Some models (all-MiniLM-L6-v2 converted to the TF Hub format, and its
preprocessor) are not downloaded from anywhere: they are converted from a
checkpoint an installed package ships, committed to a `LocalHub` in
``$HUBFORK_LOCAL_HUB`` (default ``<hubfork cache>/local-hub``), and served on
loopback only while ``huggingface_hub`` downloads them into its cache. Cards
and registry entries name this hub with the endpoint ``embedded``.

Converting needs TensorFlow, which `hubfork.hub` never imports: the builders
live above it, in `hubfork.loading.embedded`, and the table names them by
string (see `EmbeddedRepo.build`). Nothing imports TensorFlow until a model
actually has to be converted.
"""

from __future__ import annotations

import importlib
import os
import re
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Mapping

from hubfork.constants import EMBEDDED_ENDPOINT, ENV_LOCAL_HUB, cache_dir
from hubfork.errors import RepoNotFoundError
from hubfork.hub.local_hub import LOCK_NAME, LOOPBACK, LocalHub

#: The endpoint a card (``<!-- hub-endpoint: embedded -->``) or registry source gives for this hub.
EMBEDDED = EMBEDDED_ENDPOINT
_SHA = re.compile(r"[0-9a-f]{40}")

Progress = Callable[[str], None]
#: Builds model folders under a scratch folder; returns them by output name.
Builder = Callable[[Path, Progress], Mapping[str, Path]]


@dataclass(frozen=True)
class EmbeddedRepo:
    """One repo of the embedded hub: which builder makes it, and which of its outputs it holds."""

    repo_id: str
    tag: str
    #: The `Builder`, as ``"package.module:function"``, imported only when a build is needed. A builder
    #: converts a checkpoint, so it needs TensorFlow and sits above the hub (`hubfork.loading`); naming
    #: it by string, the way ``console_scripts`` entry points name functions, lets the hub call it
    #: without importing `hubfork.models` or `hubfork.loading`, which stay free to import the hub.
    build: str
    output: str
    message: str


#: What the embedded hub holds. A tag is never moved: a new model version is a new row with a new tag.
EMBEDDED_REPOS: tuple[EmbeddedRepo, ...] = (
    EmbeddedRepo("hubfork/all-MiniLM-L6-v2", "v1", "hubfork.loading.embedded:minilm", "encoder",
                 "all-MiniLM-L6-v2 as a TF Hub v3 encoder"),
    EmbeddedRepo("hubfork/all-MiniLM-L6-v2_preprocess", "v1", "hubfork.loading.embedded:minilm", "preprocessor",
                 "the uncased preprocessor of all-MiniLM-L6-v2"),
)


def builder(spec: str) -> Builder:
    """The builder a ``"package.module:function"`` string names (see `EmbeddedRepo.build`)."""
    module, sep, attribute = spec.partition(":")
    if not sep or not module or not attribute:
        raise ValueError(f"a builder is named as 'package.module:function', not {spec!r}")
    found = importlib.import_module(module)
    for part in attribute.split("."):
        found = getattr(found, part)
    return found


def embedded_hub_dir() -> Path:
    """``$HUBFORK_LOCAL_HUB``, else ``<hubfork cache>/local-hub``."""
    explicit = os.environ.get(ENV_LOCAL_HUB)
    return Path(explicit).expanduser().absolute() if explicit else cache_dir().absolute() / "local-hub"


def is_embedded(repo_id: str) -> bool:
    """True when `repo_id` is a repo of the embedded hub."""
    return any(repo.repo_id == repo_id for repo in EMBEDDED_REPOS)


def tags_of(repo_id: str) -> list[str]:
    """The tags the embedded hub gives `repo_id`, oldest first."""
    return [repo.tag for repo in EMBEDDED_REPOS if repo.repo_id == repo_id]


def latest_tag(repo_id: str) -> str | None:
    """The newest tag the embedded hub gives `repo_id` (the table's last row for it), or None."""
    tags = tags_of(repo_id)
    return tags[-1] if tags else None


def is_fixed_revision(repo_id: str, revision: str | None) -> bool:
    """True when `revision` names one commit for good: one of the table's tags, or a commit sha
    (``main`` moves when a new version is added)."""
    return revision is not None and (revision in tags_of(repo_id) or bool(_SHA.fullmatch(revision)))


def missing_repos(hub: LocalHub) -> list[EmbeddedRepo]:
    """The rows of `EMBEDDED_REPOS` that `hub` does not hold yet."""
    held = set(hub.repos()) if hub.initialised else set()
    return [repo for repo in EMBEDDED_REPOS if repo.repo_id not in held or repo.tag not in hub.tags(repo.repo_id)]


def repo_files(name: str, repo_id: str, revision: str | None) -> list[str]:
    """Every file of an embedded repo at `revision`, read from its git repository (no server needed)."""
    hub = ensure_embedded_hub()
    files = hub.files(repo_id, revision)
    if files is None:
        raise RepoNotFoundError(name, repo_id=repo_id, revision=revision, endpoint=EMBEDDED,
                                detail=f"the embedded hub in {hub.root} has no such repo or revision")
    return files


def ensure_embedded_hub(progress: Progress | None = None) -> LocalHub:
    """The embedded hub, built first if it lacks any of its repos (converting needs TensorFlow)."""
    root = embedded_hub_dir()
    hub = LocalHub(root)
    if not missing_repos(hub):  # the common case: no lock, no TensorFlow
        return hub
    with _locked(root):
        return _ensure(root, progress or (lambda message: None))


@contextmanager
def serve_embedded(progress: Progress | None = None) -> Iterator[str]:
    """Build the embedded hub if needed and serve it on a free loopback port while the block runs;
    yields the endpoint."""
    root = embedded_hub_dir()
    # The lock is held while serving too: serving writes the chosen port into olah.toml, so two
    # processes serving the same hub at once could start olah on each other's port.
    with _locked(root):
        hub = _ensure(root, progress or (lambda message: None))
        with hub.serve(host=LOOPBACK, port=0) as endpoint:
            yield endpoint


@contextmanager
def _locked(root: Path) -> Iterator[None]:
    with LocalHub(root).locked():
        yield


def _ensure(root: Path, say: Progress) -> LocalHub:
    """Add the missing repos (call with the lock held). A new hub is built in a scratch folder inside
    its folder and its parts moved into place, olah.toml last (what makes it a hub), so a failed build
    leaves only the lock; into an existing hub each repo is added in one atomic `LocalHub.add`."""
    hub = LocalHub(root)
    missing = missing_repos(hub)
    if not missing:
        return hub
    # A killed build's scratch folder may be left; it holds no part of the hub.
    fresh = all(entry.name == LOCK_NAME or entry.name.endswith(".partial") for entry in root.iterdir())
    with tempfile.TemporaryDirectory(prefix=".build-", suffix=".partial", dir=root) as scratch:
        target = LocalHub(Path(scratch) / "hub").init() if fresh else hub.init()
        say(f"building the embedded hub in {root}: {', '.join(f'{r.repo_id}@{r.tag}' for r in missing)}")
        built: dict[str, Mapping[str, Path]] = {}
        for repo in missing:
            if repo.build not in built:  # one builder may make several repos (an encoder and its preprocessor)
                built[repo.build] = builder(repo.build)(Path(scratch) / f"build-{len(built)}", say)
            target.add(built[repo.build][repo.output], repo.repo_id, tag=repo.tag, message=repo.message)
            say(f"added {repo.repo_id}@{repo.tag}")
        if fresh:
            for part in (target.cache, target.mirrors, target.config):
                os.replace(part, root / part.name)
    return LocalHub(root)


__all__ = ["EMBEDDED", "EMBEDDED_REPOS", "EmbeddedRepo", "Builder", "builder", "embedded_hub_dir",
           "ensure_embedded_hub", "serve_embedded", "is_embedded", "tags_of", "latest_tag", "is_fixed_revision",
           "missing_repos", "repo_files"]
