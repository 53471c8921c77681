"""A Hugging Face-compatible hub in a folder: git repos served by olah.

Layout (see docs/hub.md)::

    DIR/olah.toml                       olah's configuration (offline mirror mode)
    DIR/mirrors/models/<org>/<name>/    one git repository per model, branch main
    DIR/cache/                          olah's own cache
    DIR/logs/                           olah's logs, and hubfork's serve.log

`LocalHub.add` scans a SavedModel (`hubfork.scanning`), then commits the folder
as the repo's next commit without touching the repository until the commit
exists, then moves ``main`` (and the tag, if any) in one atomic ref
transaction: a refused or failed add leaves no commit, no tag and, for a new
repo, no repo.
"""

from __future__ import annotations

import ipaddress
import os
import re
import shutil
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from hubfork._files import atomic_write_bytes, atomic_write_text
from hubfork._reading import read_regular_file
from hubfork.constants import LOCAL_HUB_HOST, LOCAL_HUB_PORT, SAVED_MODEL
from hubfork.errors import HubServerError, LocalHubError
from hubfork.hub.git import git, identity_options, rev_parse
from hubfork.hub.names import check_repo_id, check_revision
from hubfork.hub.server import HubServer, free_port, start_olah

DEFAULT_HOST, DEFAULT_PORT = LOCAL_HUB_HOST, LOCAL_HUB_PORT
#: Served on demand for this process's own downloads: loopback only, never the network.
LOOPBACK = "127.0.0.1"
BRANCH = "main"  # olah answers "Repository Not Found" for any other default branch
#: The hub's lock file, in its folder (olah serves only ``mirrors/`` beside it).
LOCK_NAME = ".hub.lock"

#: The comment at the top of the olah.toml `LocalHub.init` writes.
CONFIG_COMMENT = ("olah's configuration for a hubfork local hub (written by `hubfork hub init`).",
                  "Paths are relative to this folder: `hubfork hub serve` runs olah here.")
#: What olah itself serves on when olah.toml does not say.
OLAH_HOST, OLAH_PORT = "localhost", 8090
#: More than any olah.toml hubfork writes or a person edits; a larger one is refused unread.
MAX_CONFIG_BYTES = 1_000_000
# A host name (RFC 1123): dot-separated labels of letters, digits and '-', neither first nor last.
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOST_NAME = re.compile(rf"{_LABEL}(?:\.{_LABEL})*\.?")


def check_address(host: object, port: object, *, where: str, any_port: bool = False) -> tuple[str, int]:
    """`host` and `port` when olah can serve on them: a host name or an IP address, and a TCP port
    from 1 to 65535 (0 too with `any_port`: a free port is picked). Every address a hub is given,
    or reads from its olah.toml, goes through here before it is used or written.

    Raises:
        LocalHubError: which of the two is wrong, its value, and what was expected (under `where`).
    """
    if not (isinstance(host, str) and _is_host(host)):
        raise LocalHubError(f"host {host!r} is not a host name or an IP address (e.g. 127.0.0.1, ::1, localhost)",
                            path=where)
    low = 0 if any_port else 1
    if isinstance(port, bool) or not isinstance(port, int) or not low <= port <= 65535:
        free = "; 0 picks a free one" if any_port else ""
        raise LocalHubError(f"port {port!r} is not a TCP port ({low}-65535{free})", path=where)
    return host, port


def _is_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    # All digits and dots is an IPv4 address or nothing (999.1.1.1 is no host name).
    return (len(host) <= 253 and bool(_HOST_NAME.fullmatch(host))
            and not re.fullmatch(r"[0-9.]+", host))


def _new_config(host: str, port: int) -> str:
    import tomlkit

    document = tomlkit.document()
    for line in CONFIG_COMMENT:
        document.add(tomlkit.comment(line))
    basic = tomlkit.table()
    basic.update({"host": host, "port": port, "mirrors-path": ["mirrors"], "repos-path": "cache"})
    document["basic"] = basic
    document["accessibility"] = tomlkit.table()
    document["accessibility"]["offline"] = True
    return tomlkit.dumps(document)


@dataclass(frozen=True)
class HubCommit:
    """What `LocalHub.add` made."""

    repo_id: str
    commit: str
    tag: str | None
    path: Path
    files: int
    #: False when the repo already held exactly these files (and the tag, if any): nothing was written.
    changed: bool = True


class LocalHub:
    """A local hub folder: create it, add models to it, serve it."""

    def __init__(self, root: str | os.PathLike[str]):
        self.root = Path(root).expanduser().absolute()

    @property
    def config(self) -> Path:
        return self.root / "olah.toml"

    @property
    def mirrors(self) -> Path:
        return self.root / "mirrors"

    @property
    def cache(self) -> Path:
        return self.root / "cache"

    def init(self, *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> "LocalHub":
        """Create the folders and olah.toml (an existing olah.toml is kept).

        Raises:
            LocalHubError: `host` or `port` cannot be served on (`check_address`; nothing is created), the
                folder is a file, or it or one of the hub's own folders is a symbolic link.
        """
        check_address(host, port, where=str(self.root))
        self._refuse_links(self.config, self.cache, self.mirrors / "models")
        if self.root.exists() and not self.root.is_dir():
            raise LocalHubError("exists and is not a folder", path=str(self.root))
        (self.mirrors / "models").mkdir(parents=True, exist_ok=True)
        self.cache.mkdir(exist_ok=True)
        if not self.config.exists():
            atomic_write_text(self.config, _new_config(host, port))
        return self

    @property
    def initialised(self) -> bool:
        return self.config.is_file() and (self.mirrors / "models").is_dir()

    @property
    def can_init(self) -> bool:
        """Whether `init` may make a hub here: no folder yet, an empty one, or one holding only a hub's
        own parts (another process may be initialising the same new hub at this moment)."""
        if not self.root.is_dir():
            return not self.root.exists()
        own = {self.config.name, self.mirrors.name, self.cache.name, LOCK_NAME}
        return all(entry.name in own or (entry.name.startswith(f".{self.config.name}.") and entry.suffix == ".tmp")
                   for entry in self.root.iterdir())

    def _require_init(self) -> None:
        if not self.initialised:
            raise LocalHubError("not a local hub (no olah.toml and mirrors/models); run `hubfork hub init` first",
                                path=str(self.root))

    def repo_path(self, repo_id: str) -> Path:
        """The git repository that holds `repo_id`.

        Raises:
            InvalidNameError: `repo_id` is not ``org/name``.
            LocalHubError: a folder on the way (the hub's, ``mirrors``, ``models``, the org's, the
                repo's or its ``.git``) is a symbolic link.
        """
        repo = self.mirrors / "models" / check_repo_id(repo_id, repo_id)
        self._refuse_links(repo / ".git")
        return repo

    def _refuse_links(self, *paths: Path) -> None:
        """Raise `LocalHubError` if the hub's folder, or any folder from it down to each of `paths`,
        is a symbolic link: git and olah would follow it, and a hub's writes would land outside it."""
        for path in paths:
            for step in (path, *path.parents):
                if step.is_symlink():
                    raise LocalHubError(f"{step} is a symbolic link; a local hub's own folders must be real "
                                        "folders (writes would land outside the hub)", path=str(self.root))
                if step == self.root:
                    break

    def repos(self) -> list[str]:
        """The repo ids this hub holds."""
        models = self.mirrors / "models"
        if not models.is_dir():
            return []
        return sorted(f"{org.name}/{repo.name}" for org in models.iterdir() if org.is_dir()
                      for repo in org.iterdir() if (repo / ".git").exists() and not repo.name.startswith("."))

    def tags(self, repo_id: str) -> list[str]:
        """The tags of a repo (its revisions besides main and commit shas)."""
        out = git(self.repo_path(repo_id), "tag", "--list")
        return out.split() if out else []

    def add(self, model_dir: str | os.PathLike[str], repo_id: str, *, tag: str | None = None,
            message: str | None = None, trust: bool = False) -> HubCommit:
        """Commit the files of `model_dir` as the next commit of `repo_id` (created if new) on
        branch main, and tag it `tag` if given. The commit holds exactly `model_dir`'s files.

        A SavedModel (a ``saved_model.pb`` at the folder's root) is scanned first, unless `trust`:
        a hub serves what it holds to whoever asks, so a model the scan refuses is not committed.
        Adding the files main already holds makes no commit (`HubCommit.changed` is False); the
        tag, if new, then names main's commit. A tag that exists names one commit for good: it is
        accepted only when that commit holds exactly these files.

        Raises:
            UnsafeModelError: the scan found ops beyond computing (`hubfork.scanning.check_model`).
            UnreadableModelError: the scan could not read the SavedModel, or it restores weights
                that are missing.
            InvalidNameError: `repo_id` or `tag` is malformed.
            LocalHubError: not a hub, not a model folder (or one holding a symbolic link), a repo
                that is not hubfork's, a tag that names other files, or git failed.
        """
        self._require_init()
        repo = self.repo_path(repo_id)
        if tag is not None:
            check_revision(tag, tag)
        source = Path(model_dir).expanduser().absolute()
        files = _model_files(source)
        if not trust:
            _refuse_unsafe(source)
        created = not (repo / ".git").exists()
        if not created and not (repo / ".git").is_dir():
            raise LocalHubError("is not a git repository hubfork made", path=str(repo))
        if created and repo.exists() and any(repo.iterdir()):
            raise LocalHubError("exists, is not empty and is not a git repository", path=str(repo))
        # A new repo is made beside its place and renamed into it once it holds the commit: an add
        # killed on the way (SIGKILL) cannot leave a repo without commits where the repo belongs.
        work = repo.parent / f".{repo.name}.{uuid.uuid4().hex}.partial" if created else repo
        try:
            if created:
                work.mkdir(parents=True)
                git(work, "init", "-q")
                git(work, "symbolic-ref", "HEAD", f"refs/heads/{BRANCH}")
            commit, changed = self._commit(work, source, tag,
                                           message or f"Add {source.name}" + (f" ({tag})" if tag else ""))
            if created:
                _move_into_place(work, repo)
        except BaseException:
            if created:
                shutil.rmtree(work, ignore_errors=True)
                _remove_if_empty(repo.parent)
            raise
        # The refs are final; checking the files out only keeps the work tree in step for people.
        if changed:
            git(repo, "reset", "-q", "--hard", BRANCH, check=False)
        return HubCommit(repo_id, commit, tag, repo, files, changed)

    def _commit(self, repo: Path, source: Path, tag: str | None, message: str) -> tuple[str, bool]:
        """The commit that holds `source` on main (a new one unless main already holds it), and
        whether any ref moved."""
        tagged = rev_parse(repo, f"refs/tags/{tag}") if tag is not None else None
        parent = rev_parse(repo, f"refs/heads/{BRANCH}")
        git_dir = repo / ".git"
        # A private index: the repo's own index and work tree stay as they are until the refs move.
        index = {"GIT_INDEX_FILE": str(git_dir / f"hubfork-add-{uuid.uuid4().hex}.index")}
        try:
            git(source, f"--git-dir={git_dir}", f"--work-tree={source}", "add", "-A", "--force", "--", ".", env=index)
            tree = git(repo, "write-tree", env=index)
        finally:
            Path(index["GIT_INDEX_FILE"]).unlink(missing_ok=True)
        if tagged is not None:
            if _tree(repo, tagged) != tree:
                raise LocalHubError(f"tag {tag!r} already exists and names other files; a tag names one commit "
                                    "for good (publish under a new tag)", path=str(repo))
            return tagged, False
        if parent is not None and _tree(repo, parent) == tree:
            if tag is None:
                return parent, False
            git(repo, "update-ref", "-m", "hubfork hub add", "--stdin", input=f"create refs/tags/{tag} {parent}\n")
            return parent, True
        commit = git(repo, *identity_options(repo), "commit-tree", tree, *(["-p", parent] if parent else []),
                     "-m", message)
        # One transaction: main and the tag move together, and only if main is still where we read it.
        updates = (f"update refs/heads/{BRANCH} {commit} {parent}\n" if parent
                   else f"create refs/heads/{BRANCH} {commit}\n")
        if tag is not None:
            updates += f"create refs/tags/{tag} {commit}\n"
        git(repo, "update-ref", "-m", "hubfork hub add", "--stdin", input=updates)
        return commit, True

    def address(self) -> tuple[str, int]:
        """The host and port olah.toml gives (olah's defaults when it gives none).

        Raises:
            LocalHubError: olah.toml cannot be read, is not TOML, or gives an address olah cannot serve
                on (`check_address`).
        """
        self._require_init()
        basic = self._read_config().unwrap().get("basic", {})
        if not isinstance(basic, dict):
            raise LocalHubError("[basic] is not a table", path=str(self.config))
        return check_address(basic.get("host", OLAH_HOST), basic.get("port", OLAH_PORT), where=str(self.config))

    def _read_config(self):
        import tomlkit
        from tomlkit.exceptions import TOMLKitError

        try:
            return tomlkit.parse(read_regular_file(self.config, MAX_CONFIG_BYTES).decode("utf-8"))
        except OSError as exc:
            raise LocalHubError(f"cannot read it: {exc.strerror or exc}", path=str(self.config)) from None
        except (UnicodeDecodeError, TOMLKitError) as exc:
            raise LocalHubError(f"not a TOML file: {exc}", path=str(self.config)) from None

    def start(self, *, host: str | None = None, port: int | None = None, timeout: float = 60.0) -> HubServer:
        """Start olah on this hub and wait until it answers.

        `host`/`port` default to olah.toml's; ``port=0`` picks a free port. A host or
        port that differs from olah.toml's is written into it (olah reads only the file).

        Raises:
            LocalHubError: `host` or `port` cannot be served on (`check_address`), or olah.toml cannot be
                read; nothing is written or started.
            HubServerError: no free port on `host`, or olah did not start (`start_olah`).
        """
        self._require_init()
        self._refuse_links(self.config, self.root / "logs")
        config_host, config_port = self.address()
        host, port = check_address(config_host if host is None else host, config_port if port is None else port,
                                   where=str(self.root), any_port=True)
        if port == 0:
            port = _free_port(host, self.root)
        if (host, port) != (config_host, config_port):
            import tomlkit

            document = self._read_config()
            if "basic" not in document:
                document["basic"] = tomlkit.table()
            document["basic"]["host"] = host
            document["basic"]["port"] = port
            atomic_write_text(self.config, tomlkit.dumps(document))
        return start_olah(self.root, self.config, host, port, timeout=timeout)

    @contextmanager
    def serve(self, *, host: str | None = None, port: int | None = None, timeout: float = 60.0) -> Iterator[str]:
        """Serve the hub while the block runs; yields the endpoint (``HF_ENDPOINT``)."""
        server = self.start(host=host, port=port, timeout=timeout)
        try:
            yield server.endpoint
        finally:
            server.stop()

    @property
    def lock_file(self) -> Path:
        """The hub's lock: inside its folder, so a hub leaves nothing in the folder that holds it."""
        return self.root / LOCK_NAME

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the hub's lock (`lock_file`; the hub's folder is made for it) while the block runs: one
        builder or on-demand server at a time, across processes.

        Raises:
            LocalHubError: the hub's folder is a file or a symbolic link.
        """
        from huggingface_hub.utils import WeakFileLock

        self._refuse_links(self.root)
        if self.root.exists() and not self.root.is_dir():
            raise LocalHubError("exists and is not a folder", path=str(self.root))
        self.root.mkdir(parents=True, exist_ok=True)
        with WeakFileLock(self.lock_file):
            yield

    @contextmanager
    def serve_on_loopback(self, timeout: float = 60.0) -> Iterator[str]:
        """Serve the hub on a free loopback port for one download, holding its lock; olah.toml is put
        back as it was afterwards, so the address `hubfork hub serve` uses does not move."""
        with self.locked():
            self._require_init()
            original = self.config.read_bytes()
            try:
                with self.serve(host=LOOPBACK, port=0, timeout=timeout) as endpoint:
                    yield endpoint
            finally:
                if self.config.read_bytes() != original:
                    atomic_write_bytes(self.config, original)

    def files(self, repo_id: str, revision: str | None = None) -> list[str] | None:
        """Every file of `repo_id` at `revision` (default main), read from git; None when the hub
        has no such repo or revision."""
        repo = self.repo_path(repo_id)
        commit = rev_parse(repo, revision or BRANCH) if (repo / ".git").is_dir() else None
        if commit is None:
            return None
        return sorted(path for path in git(repo, "ls-tree", "-r", "--name-only", "-z", commit).split("\0") if path)

    @staticmethod
    def is_fixed_revision(revision: str | None) -> bool:
        """True when `revision` names one commit for good: on a local hub everything but ``main`` is
        a tag (`add` never moves one) or a commit sha."""
        return revision is not None and revision != BRANCH

    @property
    def url(self) -> str:
        """The hub's ``file://`` URL: a card's or registry's ``hub-endpoint`` for a hub in this folder,
        served on loopback on demand (`hub_from_url`)."""
        return self.root.as_uri()

    def __repr__(self) -> str:
        return f"LocalHub({str(self.root)!r})"


def hub_from_url(endpoint: str | None) -> LocalHub | None:
    """The `LocalHub` a ``file:///path/to/hub`` endpoint names, or None for any other endpoint."""
    if not endpoint or not endpoint.startswith("file://"):
        return None
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(endpoint)
    if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
        raise LocalHubError("a local hub's endpoint is file:///absolute/path/to/hub", path=endpoint)
    return LocalHub(unquote(parts.path))


def _model_files(source: Path) -> int:
    if not source.is_dir():
        raise LocalHubError("is not a model folder", path=str(source))
    count = 0
    for path in source.rglob("*"):
        if path.is_symlink():
            raise LocalHubError(f"{path.relative_to(source)} is a symbolic link; a hub repo holds regular files "
                                "(copy what it points to instead)", path=str(source))
        if path.is_file() and ".git" not in path.relative_to(source).parts:
            count += 1
    if count == 0:
        raise LocalHubError("holds no files to add", path=str(source))
    return count


def _refuse_unsafe(source: Path) -> None:
    """Scan the SavedModel at `source`, if it is one, as the loaders do (a cached verdict is reused)."""
    from hubfork.scanning.scanner import check_model

    if (source / SAVED_MODEL).is_file():
        check_model(source, name=str(source))


def _free_port(host: str, root: Path) -> int:
    try:
        return free_port(host)
    except OSError as exc:  # a name that does not resolve, an address this machine does not have
        raise HubServerError(f"cannot pick a free port on {host}: {exc.strerror or exc}", path=str(root)) from None


def _tree(repo: Path, commit: str) -> str:
    return git(repo, "rev-parse", f"{commit}^{{tree}}")


def _move_into_place(work: Path, repo: Path) -> None:
    """Rename the new repo `work` to `repo` (absent or an empty folder)."""
    try:
        if repo.exists():
            repo.rmdir()  # empty (checked by `add`); a folder cannot replace one on every system
        os.replace(work, repo)
    except OSError as exc:
        raise LocalHubError(f"cannot create the repo ({exc.strerror}); was it created by another add at the "
                            "same time?", path=str(repo)) from None


def _remove_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass


__all__ = ["LocalHub", "HubCommit", "hub_from_url", "check_address", "DEFAULT_HOST", "DEFAULT_PORT", "LOOPBACK",
           "CONFIG_COMMENT"]
