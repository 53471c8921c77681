"""Every error hubfork raises, in one place, grouped by concern.

Each error carries the data a caller needs to act on it (the file, the line, the
handle), so callers can catch precisely and messages stay consistent.
"""

from __future__ import annotations

from typing import Iterable, Protocol, Sequence


# The records these errors carry belong to the layers that raise them (a card's problems, a scan's
# report); errors.py sits below every layer, so it names them by the little it reads from them.
class _Problem(Protocol):
    """A `hubfork.cards.records.Problem`: a file, a line, and a ``PATH:LINE: severity: message`` str."""

    path: str
    line: int


class _ScanReport(Protocol):
    """A `hubfork.scanning.report.ScanReport`: its findings, each printable on one line."""

    @property
    def findings(self) -> Sequence[object]: ...


class HubforkError(Exception):
    """Base class of every error hubfork raises on purpose.

    Every subclass pickles whole (message and attributes), whatever its
    constructor takes: errors cross process pools (the registry build's workers).
    """

    def __reduce__(self):
        return _restore, (type(self), self.args, self.__dict__)


def _restore(cls: type, args: tuple, state: dict) -> HubforkError:
    # Not cls(*args): a subclass's constructor takes its data (a path, a name...), not its message.
    error = cls.__new__(cls, *args)
    error.args = args
    error.__dict__.update(state)
    return error


# --------------------------------------------------------------------- environment


class SettingError(HubforkError, ValueError):
    """An environment variable holds a value that cannot be used (a folder variable naming a file, say);
    `variable` names it. `value` is None when it must not be shown (a token)."""

    def __init__(self, variable: str, reason: str, *, value: str | None = None):
        self.variable = variable
        self.value = value
        self.reason = reason
        super().__init__(f"{variable}={value!r}: {reason}" if value is not None else f"{variable}: {reason}")


# --------------------------------------------------------------------------- cards


class CardError(HubforkError):
    """A model card (or several) has errors.

    `problems` holds every problem found, each with its file and line; the
    message lists them one per line as ``PATH:LINE: severity: message``.
    """

    def __init__(self, problems: Iterable[_Problem]):
        self.problems: tuple[_Problem, ...] = tuple(problems)
        if not self.problems:
            raise ValueError("CardError needs at least one problem")
        first = self.problems[0]
        self.path: str = first.path
        self.line: int = first.line
        super().__init__("\n".join(str(p) for p in self.problems))


# ------------------------------------------------------------------------ registry


class RegistryError(HubforkError):
    """A registry file could not be found, read or written."""

    def __init__(self, message: str, *, path: str | None = None):
        self.path = path
        super().__init__(f"{path}: {message}" if path else message)


class RegistryNotFoundError(RegistryError):
    """No registry file where one was expected."""


class RegistryFormatError(RegistryError):
    """A registry file is not a registry hubfork can read (with the line, when known)."""

    def __init__(self, message: str, *, path: str, line: int | None = None):
        self.line = line
        where = f"{path}:{line}" if line is not None else path
        HubforkError.__init__(self, f"{where}: {message}")
        self.path = path


class EntryNotFoundError(RegistryError, LookupError):
    """No registry entry for a handle; `suggestions` lists close handles."""

    def __init__(self, handle: str, *, path: str | None = None, suggestions: Sequence[str] = ()):
        self.handle = handle
        self.suggestions = tuple(suggestions)
        message = f"no registry entry for {handle!r}"
        if self.suggestions:
            message += "; did you mean " + " or ".join(repr(s) for s in self.suggestions) + "?"
        super().__init__(message, path=path)


class SourceError(RegistryError, ValueError):
    """A mapping ``hubfork registry add-source`` refuses: a name that is no TF Hub handle, or a repo
    id, revision or endpoint no hub would take. Nothing is written."""

    def __init__(self, name: str, reason: str):
        self.name = name
        self.reason = reason
        super().__init__(f"cannot map {name!r}: {reason}")


# -------------------------------------------------------------------------- models


class ModelError(HubforkError):
    """A model could not be built, converted, written or loaded."""


class ModelFormatError(ModelError):
    """A checkpoint or SavedModel is not in a form hubfork handles (says what was found)."""


class NoMaskedLMError(ModelError):
    """`fill_mask` on an encoder without a masked-LM head (only v4 encoders have ``.mlm``)."""

    def __init__(self, path: str, generation: str):
        self.path, self.generation = path, generation
        super().__init__(
            f"{path}: a {generation} encoder has no masked-LM head; fill-mask needs a v4 encoder "
            "(a dict-API SavedModel with an .mlm subobject)")


class TextInputError(ModelError, ValueError):
    """Text given to a text model that it cannot take (says which item and why)."""


# ------------------------------------------------------------------------ scanning


class UnreadableModelError(ModelFormatError):
    """A folder the scanner cannot read as a SavedModel (no saved_model.pb, or one that does not
    parse); `reason` says which."""

    def __init__(self, path: str, reason: str):
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class UnsafeModelError(HubforkError):
    """A model whose graph would do more than compute (read or write files, use the network,
    run code, or run ops nobody has vetted); it was not loaded. `report` is the `ScanReport`."""

    def __init__(self, name: str, *, path: str, report: _ScanReport, shown: int = 5):
        self.name = name
        self.path = path
        self.report = report
        findings = report.findings
        lines = [f"  - {finding}" for finding in findings[:shown]]
        if len(findings) > shown:
            lines.append(f"  - ... and {len(findings) - shown} more (hubfork scan {path} lists them all)")
        super().__init__(
            f"{name!r} ({path}) was not loaded: its graph holds {len(findings)} op(s) a model's computation does not "
            "need:\n" + "\n".join(lines) + "\nIf you trust this model and its publisher, load it with trust=True "
            "(on the command line: --trust).")



class CorpusError(HubforkError):
    """A corpus `hubfork embed-corpus` cannot start on (no file matches its glob), or an output
    folder it will not replace (it holds files the command did not write)."""


# ----------------------------------------------------------------------------- hub


class HubError(HubforkError):
    """A model name could not be resolved or fetched, or the local hub failed."""


class InvalidNameError(HubError, ValueError):
    """A model name hubfork refuses: it could escape its folder (``..``, an absolute
    path inside a repo id), holds characters no hub allows, or contradicts itself."""

    def __init__(self, name: str, reason: str):
        self.name = name
        self.reason = reason
        super().__init__(f"refusing model name {name!r}: {reason}")


class UnresolvedNameError(HubError, LookupError):
    """No resolver accepts a name; `forms` lists every form tried, in order."""

    def __init__(self, name: str, forms: Sequence[str]):
        self.name = name
        self.forms = tuple(forms)
        tried = "".join(f"\n  - {form}" for form in self.forms)
        super().__init__(f"{name!r} is not a model name hubfork understands; forms tried:{tried}")


class NotInRegistryError(HubError, LookupError):
    """A name only the registry can place (a Kaggle URL matched to a catalogue entry, a handle a
    command needs an entry for) that the registry does not know."""

    def __init__(self, name: str, *, handle: str | None = None, registry: str | None = None,
                 reason: str | None = None, suggestions: Sequence[str] = ()):
        self.name = name
        self.handle = handle
        self.registry = registry
        self.suggestions = tuple(suggestions)
        what = f"{name!r}" + (f" (handle {handle!r})" if handle and handle != name else "")
        message = f"{what}: {reason or 'not in the registry'}"
        if registry:
            message += f" [registry: {registry}]"
        if self.suggestions:
            message += "; did you mean " + " or ".join(repr(s) for s in self.suggestions) + "?"
        super().__init__(message)


class ModelDeletedError(HubError, LookupError):
    """A tfhub.dev model whose files were deleted instead of moving to Kaggle Models, and that no
    source the registry knows still holds."""

    def __init__(self, name: str, *, handle: str, deleted: str):
        self.name = name
        self.handle = handle
        self.deleted = deleted
        super().__init__(f"{name!r}: tfhub.dev deleted {handle} on {deleted} (it was never migrated to Kaggle "
                         "Models) and the registry knows no mirror of it; if you have a copy, map it with "
                         f"`hubfork registry add-source {handle} org/repo`")


class NoSourceError(HubError, LookupError):
    """Every source that holds a model is excluded (``HUBFORK_SOURCES`` or ``--source``)."""

    def __init__(self, name: str, *, selection: str, available: Sequence[str]):
        self.name = name
        self.selection = selection
        self.available = tuple(available)
        super().__init__(f"{name!r}: the sources allowed ({selection}) exclude every source of it; it is served by "
                         + "; ".join(self.available))


class LocalModelNotFoundError(HubError, LookupError):
    """A local path or file:// URL that is not a model folder or .tar.gz archive."""

    def __init__(self, name: str, path: str, reason: str = "no such folder or .tar.gz archive"):
        self.name = name
        self.path = path
        super().__init__(f"{name!r}: {path}: {reason}")


class _RepoAccessError(HubError):
    """A repo on a hub could not be fetched; carries the name, repo, revision and hub."""

    #: The message, with ``{name}``, ``{repo}`` (``org/name@revision``) and ``{endpoint}``.
    template = ""

    def __init__(self, name: str, *, repo_id: str, revision: str | None, endpoint: str, detail: str = "",
                 file: str | None = None):
        self.name = name
        self.repo_id = repo_id
        self.revision = revision
        self.endpoint = endpoint
        #: The file of the repo being fetched when it failed, if it failed mid-download.
        self.file = file
        repo = repo_id + (f"@{revision}" if revision else "")
        message = self.template.format(name=repr(name), repo=repo, endpoint=endpoint)
        message += f" (while fetching {file})" if file else ""
        super().__init__(message + (f": {detail}" if detail else ""))


class RepoNotFoundError(_RepoAccessError, LookupError):
    """The hub has no such repo, or no such revision of it (or refuses access)."""

    template = "{name}: repo {repo} not found at {endpoint} (no such repo or revision, or no access)"


class HubUnreachableError(_RepoAccessError, ConnectionError):
    """The hub could not be reached and the model is not in the cache."""

    template = "{name}: could not reach the hub at {endpoint} and {repo} is not in the cache"


class AccessDeniedError(RepoNotFoundError):
    """The source answered that the model needs credentials or consent (HTTP 401/403: gated or private)."""

    template = ("{name}: {repo} at {endpoint} refuses access (a gated or private model: sign in, accept its "
                "terms on its page, or check the credentials)")


class RateLimitedError(HubUnreachableError):
    """The source asked to wait (HTTP 429) longer than hubfork waits."""

    template = "{name}: {endpoint} is rate-limiting downloads of {repo}; try again later"


class NotCachedError(HubError, LookupError):
    """Offline (``HF_HUB_OFFLINE`` or ``local_files_only``) and the model is not in the cache."""

    def __init__(self, name: str, *, repo_id: str, revision: str | None, cache_dir: str, why: str):
        self.name = name
        self.repo_id = repo_id
        self.revision = revision
        self.cache_dir = cache_dir
        self.why = why
        at = f"@{revision}" if revision else ""
        super().__init__(f"{name!r}: offline ({why}) and {repo_id}{at} is not in the cache at {cache_dir}; "
                         "fetch it once while online (hubfork pull NAME), or unset offline mode")


class CorruptCacheError(NotCachedError):
    """Cached files of a model are not what the hub listed (a size, or with verification a hash, differs)
    and could not be fetched again (offline, or the hub unreachable); `files` names them, `problems`
    says what is wrong with each."""

    def __init__(self, name: str, *, repo_id: str, revision: str | None, cache_dir: str, why: str,
                 files: Sequence[str], problems: Sequence[str]):
        self.name = name
        self.repo_id = repo_id
        self.revision = revision
        self.cache_dir = cache_dir
        self.why = why
        self.files = tuple(files)
        self.problems = tuple(problems)
        at = f"@{revision}" if revision else ""
        HubError.__init__(self, f"{name!r}: corrupt file(s) in the cached {repo_id}{at} at {cache_dir}: "
                                f"{'; '.join(self.problems)}; they could not be fetched again ({why}): run "
                                f"`hubfork cache verify {name}` online (or `hubfork pull {name} --verify`) to repair")


class NoMatchingFilesError(HubError, LookupError):
    """The file filters given (patterns or regexes) leave no file of the repo to fetch."""

    def __init__(self, name: str, *, repo_id: str, filters: str):
        self.name = name
        self.repo_id = repo_id
        self.filters = filters
        super().__init__(f"{name!r}: no file of {repo_id} passes {filters}")


class DownloadError(HubError):
    """The hub answered, but with an error hubfork cannot act on."""

    def __init__(self, name: str, *, repo_id: str, endpoint: str, detail: str, file: str | None = None):
        self.name = name
        self.repo_id = repo_id
        self.endpoint = endpoint
        #: The file of the repo that could not be fetched, when one was.
        self.file = file
        what = f"{file} of {repo_id}" if file else repo_id
        super().__init__(f"{name!r}: fetching {what} from {endpoint} failed: {detail}")


class HubReplyError(DownloadError):
    """A hub's reply was refused before anything of it was written: a value of the wrong shape (a commit
    sha, an ETag, a size, a listed path), a body longer or slower than allowed, a pagination link to
    another host or in a loop, a redirect hubfork does not follow (`hubfork.hub.guard`)."""


class ArchiveError(HubError):
    """A .tar.gz model archive is unreadable or unsafe (a member that would land
    outside its folder, a link, a device); nothing of it was unpacked."""

    def __init__(self, path: str, reason: str, *, member: str | None = None):
        self.path = path
        self.member = member
        self.reason = reason
        where = f"{path}: member {member!r}" if member is not None else path
        super().__init__(f"{where}: {reason}")


class LocalHubError(HubError):
    """The local hub (its folder, its git repos, its server) could not do what was asked."""

    def __init__(self, message: str, *, path: str | None = None):
        self.path = path
        super().__init__(f"{path}: {message}" if path else message)


class HubServerError(LocalHubError):
    """The local hub's server (olah) did not start or answer; `log` is where it wrote."""

    def __init__(self, message: str, *, path: str, log: str | None = None, endpoint: str | None = None):
        self.log = log
        self.endpoint = endpoint
        super().__init__(message + (f" (server log: {log})" if log else ""), path=path)


class NotTrainableError(HubError, ModelError):
    """A model asked for ``trainable=True`` that hub.KerasLayer cannot fine-tune."""

    def __init__(self, name: str, *, path: str, reason: str):
        self.name = name
        self.path = path
        self.reason = reason
        super().__init__(f"{name!r} ({path}): {reason}")


# ----------------------------------------------------------------------- publishing


class PublishError(HubforkError):
    """A model could not be published: its card disagrees with it, or a push or registry update failed.

    `repo_id` is the repo being published to (None before one is named); `step` says which
    step failed (``check``, ``card``, ``push``, ``tag``, ``registry``). A local hub and the registry
    are left as they were. An HTTP hub's API cannot take a commit back: when tagging it or
    updating the registry fails after the commit landed, the message says what the repo now holds
    (publishing again makes no new commit and finishes the job).
    """

    def __init__(self, message: str, *, repo_id: str | None = None, step: str = "push"):
        self.repo_id = repo_id
        self.step = step
        super().__init__(f"{repo_id}: {message}" if repo_id else message)


__all__ = [
    "HubforkError",
    "SettingError",
    "CardError",
    "RegistryError",
    "RegistryNotFoundError",
    "RegistryFormatError",
    "EntryNotFoundError",
    "SourceError",
    "ModelError",
    "ModelFormatError",
    "NoMaskedLMError",
    "TextInputError",
    "UnreadableModelError",
    "UnsafeModelError",
    "CorpusError",
    "HubError",
    "InvalidNameError",
    "UnresolvedNameError",
    "NotInRegistryError",
    "ModelDeletedError",
    "NoSourceError",
    "LocalModelNotFoundError",
    "RepoNotFoundError",
    "AccessDeniedError",
    "HubUnreachableError",
    "RateLimitedError",
    "NotCachedError",
    "CorruptCacheError",
    "NoMatchingFilesError",
    "DownloadError",
    "HubReplyError",
    "ArchiveError",
    "LocalHubError",
    "HubServerError",
    "NotTrainableError",
    "PublishError",
]
