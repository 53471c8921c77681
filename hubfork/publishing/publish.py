"""`push_to_hub`: a model folder and its card, checked, pushed to a hub and recorded in a registry.

The steps, each refused before the next begins:

1. the model is scanned (`hubfork.scanning`), before anything loads it;
2. the card is the user's (``card=``) or written from the model (`card_writer`), and gets the
   ``hub-repo`` (and ``hub-endpoint``) it is being published to;
3. the card is checked as a card and against the model (`model_checks`): every fact it states
   agrees with what `inspect_model` finds, its companion preprocessor resolves, one batch runs;
4. the model's files and the card (as ``README.md``) are pushed as one commit (and tag): a git
   commit in a local hub (`LocalHub.add`) or one ``create_commit`` through ``HfApi`` (`hf_push`);
   or, to Kaggle Models, uploaded as a new version with ``kagglehub.model_upload`` (`kaggle_push`);
5. the card is put into the registry's folder of cards and the registry rebuilt, under its lock
   (`hubfork.registry.update.put_card`).

A failure at 1-3 writes nothing. The push is all or nothing, and the same files again make no
commit, so a publish that was interrupted after it (killed, or its registry not writable) is
finished by running it again. A registry that cannot be rebuilt after a push to a local hub
moves the hub's refs back to where they were.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from hubfork.constants import HOME_CARDS, HOME_REGISTRY, KAGGLE_SOURCE_ENDPOINT, SAVED_MODEL, home_dir
from hubfork.errors import CardError, InvalidNameError, PublishError

if TYPE_CHECKING:  # pragma: no cover
    from hubfork._progress import StepReport
    from hubfork.hub.local_hub import HubCommit, LocalHub
    from hubfork.publishing.kaggle_push import KaggleUpload

#: The name a card has in the pushed repo, where hubs show it.
CARD_FILE = "README.md"
#: What the card says of a model pushed to huggingface.co itself: nothing (it is the default hub).
_DEFAULT_HOSTS = ("https://huggingface.co", "https://www.huggingface.co")


@dataclass(frozen=True)
class Published:
    """What `push_to_hub` did.

    `endpoint` is where the repo is: a local hub's ``file://`` URL, an HTTP endpoint, or ``kaggle``
    (Kaggle Models: `repo_id` is ``owner/model/framework/variation``, `version` the version the upload
    became, and `commit` that number as text).
    `changed` is False when the hub already held exactly these files (no commit was made).
    """

    handle: str
    repo_id: str
    commit: str
    tag: str | None
    endpoint: str
    changed: bool
    created_repo: bool
    files: int
    card: Path
    registry: Path
    #: Warnings the checks found (a card with errors is never published).
    warnings: tuple[str, ...] = ()
    #: The Kaggle Models version number, for a model published to Kaggle; None otherwise.
    version: int | None = None

    @property
    def revision(self) -> str:
        """The revision the registry's card names: the tag, else the commit."""
        return self.tag or self.commit

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data.update(card=str(self.card), registry=str(self.registry), warnings=list(self.warnings),
                     revision=self.revision)
        return data


@dataclass(frozen=True)
class RegistryTarget:
    """The folder of cards a publish writes into and the registry built from it."""

    cards: Path
    registry: Path


def registry_target(cards: str | os.PathLike[str] | None = None,
                    registry: str | os.PathLike[str] | None = None) -> RegistryTarget:
    """Where a publish records its card: `cards` and `registry` as given (either one implies the
    other beside it); with neither, the user's own registry (``$HUBFORK_HOME``), which hubfork
    layers over the shipped one, when that folder exists, else ``./cards`` and ``./registry.yaml``."""
    if cards is None and registry is None:
        home = home_dir()
        base = home if home.is_dir() else Path.cwd()
        return RegistryTarget(base / HOME_CARDS, base / HOME_REGISTRY)
    if cards is None:
        registry_path = Path(registry)  # type: ignore[arg-type]
        return RegistryTarget(registry_path.parent / HOME_CARDS, registry_path)
    cards_path = Path(cards)
    return RegistryTarget(cards_path, Path(registry) if registry is not None else cards_path.parent / HOME_REGISTRY)


def push_to_hub(
    model: Any,
    repo_id: str | None = None,
    folder_path: str | os.PathLike[str] | None = None,
    path_in_repo: str = "./",
    token: str | bool | None = None,
    *,
    card: str | os.PathLike[str] | None = None,
    handle: str | None = None,
    tag: str | None = None,
    hub: str | os.PathLike[str] | None = None,
    endpoint: str | None = None,
    kaggle: str | None = None,
    kaggle_license: str | None = None,
    cards: str | os.PathLike[str] | None = None,
    registry: str | os.PathLike[str] | None = None,
    preprocessor: str | None = None,
    license: str | None = None,
    language: str | None = None,
    description: str | None = None,
    card_format: Literal["tfhub", "huggingface"] = "tfhub",
    message: str | None = None,
    run: bool = True,
    trust: bool = False,
    progress: "StepReport | None" = None,
) -> Published:
    """Publish the SavedModel folder `model` as `repo_id` on a hub, and record its card in a registry.

    The hub is the local hub in the folder `hub` (created if missing), else the HF-compatible
    `endpoint` (default ``$HF_ENDPOINT``, else huggingface.co) with `token`. With `kaggle`
    (``owner/model/framework/variation``, instead of `repo_id`), the model is uploaded to Kaggle Models
    as a new version through ``kagglehub.model_upload`` (kagglehub's credentials; `kaggle_license` as
    its Kaggle license name, e.g. ``Apache 2.0``, default Kaggle's; `message` as its version notes; a
    written card's handle defaults to ``owner/model_variation/N``, N the version Kaggle will give it)
    and recorded with ``hub-endpoint: kaggle``. The card is the file
    `card` (TF Hub or Hugging Face format), else one written from the model for `handle`
    (default ``ORG/NAME/N``, N from a tag ``vN``, else 1) in `card_format`, naming `preprocessor`
    and stating `license`, `language` and `description`. The registry is `cards`/`registry` (see `registry_target`).
    `tag` names the pushed commit for good (``v1`` for a TF Hub version 1). Publishing the same
    files again makes no new commit. See the module's docs for the steps; `progress` is called with
    the name of each as it starts.

    Also takes the earlier tensorflow_hub fork's call, ``push_to_hub(layer, repo_id, folder_path,
    path_in_repo="./", token=None)``: a model that is not a folder is saved with
    ``tf.saved_model.save`` into `folder_path` first; `path_in_repo` must be the repo's root.

    Raises:
        PublishError: bad arguments (``step="check"``), a failed push (``"push"``, ``"tag"``) or
            registry update (``"registry"``); the message says what the hub and registry hold.
        CardError: the card has errors, or states facts the model contradicts (each at its line).
        UnsafeModelError: the model's scan found ops beyond computing (unless `trust`), even if its
            weights are missing; nothing is written anywhere.
        UnreadableModelError: the scan cannot read the model, or its graph restores weights that are
            missing (unless `trust`).
        InvalidNameError: a malformed `repo_id`, `kaggle` handle, `tag` or `handle`.
    """
    repo_id = _target_id(repo_id, kaggle, tag, hub, endpoint)
    model_dir = _model_folder(model, folder_path, path_in_repo, repo_id)
    where = KAGGLE_SOURCE_ENDPOINT if kaggle is not None else _hub_choice(hub, endpoint, repo_id)
    target = registry_target(cards, registry)
    _check_names(None if kaggle is not None else repo_id, tag, handle)
    say = progress or (lambda step: None)

    from hubfork.scanning.scanner import check_model

    say("scanning the model")
    check_model(model_dir, name=str(model_dir), trust=trust)  # before anything loads it
    # Read before the card is written: a written card's handle takes the version this upload will become.
    before = _kaggle_version(kaggle) if kaggle is not None else None
    if kaggle is not None and handle is None and card is None:
        handle = kaggle_default_handle(kaggle, before)
    if card is None:
        say("writing the card")
    text, shown = _card_text(model_dir, repo_id, card=card, handle=handle, tag=tag, preprocessor=preprocessor,
                             license=license, language=language, description=description, card_format=card_format)
    text = _with_source(text, repo_id, tag, where)
    with tempfile.TemporaryDirectory(prefix="hubfork-publish-") as scratch:
        staging = Path(scratch) / "repo"
        _stage(model_dir, staging, text)
        say("checking the card against the model")
        parsed, warnings = _check(staging / CARD_FILE, shown, model_dir, target, run=run, trust=trust, say=say)
        if handle is not None and parsed.handle != handle:
            raise PublishError(f"the card {shown} is about {parsed.handle}, not {handle}", repo_id=repo_id,
                               step="card")
        commit_message = message or f"Publish {parsed.handle}" + (f" ({tag})" if tag else "")
        say(f"pushing to {_hub_name(where)}")
        if kaggle is not None:
            return _publish_to_kaggle(staging, kaggle, before, kaggle_license, commit_message, text, parsed.handle,
                                      target, warnings, say=say)
        if isinstance(where, str):
            return _publish_to_endpoint(staging, repo_id, where, token, tag, commit_message, text, parsed.handle,
                                        target, warnings, say=say)
        return _publish_to_local_hub(staging, repo_id, where, tag, commit_message, text, parsed.handle, target,
                                     warnings, trust=trust, say=say)


# ---------------------------------------------------------------------------- arguments


def _model_folder(model: Any, folder_path: str | os.PathLike[str] | None, path_in_repo: str, repo_id: str) -> Path:
    if path_in_repo.strip() not in ("./", ".", "", "/"):
        raise PublishError(f"path_in_repo={path_in_repo!r}: a model is published at the root of its repo, where "
                           "hubs and hubfork look for saved_model.pb", repo_id=repo_id, step="check")
    if isinstance(model, (str, os.PathLike)):
        folder = Path(model)
    else:
        # The earlier fork's call: a Keras layer or tf.Module, saved first.
        if folder_path is None:
            raise PublishError("a model object is saved into folder_path before it is pushed; give folder_path",
                               repo_id=repo_id, step="check")
        from hubfork.models._tf import tensorflow

        folder = Path(folder_path)
        tensorflow().saved_model.save(model, str(folder))
    if not (folder / SAVED_MODEL).is_file():
        raise PublishError(f"{folder} is not a SavedModel folder (no {SAVED_MODEL})", repo_id=repo_id, step="check")
    return folder


def _hub_choice(hub: str | os.PathLike[str] | None, endpoint: str | None, repo_id: str) -> "LocalHub | str":
    if hub is not None and endpoint is not None:
        raise PublishError("give a local hub folder or an endpoint, not both", repo_id=repo_id, step="check")
    if hub is not None:
        from hubfork.hub.local_hub import LocalHub

        return LocalHub(hub)
    from hubfork.hub import settings

    return settings.endpoint(endpoint)


def _hub_name(where: "LocalHub | str") -> str:
    if where == KAGGLE_SOURCE_ENDPOINT:
        return "Kaggle Models"
    return where if isinstance(where, str) else str(where.root)


def _target_id(repo_id: str | None, kaggle: str | None, tag: str | None, hub: object, endpoint: str | None) -> str:
    """The repo id, or the Kaggle handle, published to."""
    if kaggle is None:
        if repo_id is None:
            raise PublishError("push_to_hub needs a repo_id (ORG/NAME), or kaggle=OWNER/MODEL/FRAMEWORK/VARIATION",
                               step="check")
        return repo_id
    from hubfork.publishing.kaggle_push import check_handle

    if repo_id is not None or hub is not None or endpoint is not None:
        raise PublishError("give kaggle= or a repo_id with a hub or endpoint, not both", repo_id=kaggle, step="check")
    if tag is not None:
        raise PublishError("Kaggle numbers the versions of a model itself: a tag cannot be given", repo_id=kaggle,
                           step="check")
    return check_handle(kaggle)


def _kaggle_version(kaggle: str) -> int | None:
    from hubfork.publishing.kaggle_push import current_version

    return current_version(kaggle)


def kaggle_default_handle(kaggle: str, before: int | None) -> str:
    """``owner/model_variation/N`` for a Kaggle variation, N the version its next upload becomes: the name the
    registry matches a Kaggle model URL by (model and variation, compared without '-' and '_')."""
    owner, model, _framework, variation = kaggle.split("/")
    return f"{owner}/{model}_{variation}/{(before or 0) + 1}"


def _check_names(repo_id: str | None, tag: str | None, handle: str | None) -> None:
    from hubfork.handles import is_tfhub_handle
    from hubfork.hub.names import check_repo_id, check_revision

    if repo_id is not None:
        check_repo_id(repo_id, repo_id)
    if tag is not None:
        check_revision(tag, tag)
    if handle is not None and not is_tfhub_handle(handle):
        raise InvalidNameError(handle, "a TF Hub handle is publisher/name/version (a version number last)")


# --------------------------------------------------------------------------------- card


def _card_text(model_dir: Path, repo_id: str, *, card: str | os.PathLike[str] | None, handle: str | None,
               tag: str | None, preprocessor: str | None, license: str | None, language: str | None,
               description: str | None, card_format: str) -> tuple[str, str]:
    """The card's text and the name its problems are reported under."""
    if card is not None:
        path = Path(card)
        try:
            return path.read_text(encoding="utf-8"), str(path)
        except (OSError, UnicodeDecodeError) as exc:
            raise PublishError(f"cannot read the card {path}: {exc}", repo_id=repo_id, step="card") from exc
    from hubfork.models.inspection import inspect_model
    from hubfork.publishing.card_writer import write_card

    handle = handle or default_handle(repo_id, tag)
    draft = write_card(inspect_model(str(model_dir)), handle, format=card_format,  # type: ignore[arg-type]
                       preprocessor=preprocessor, license=license, language=language, description=description)
    return draft.text, f"<the card written for {handle}>"


def default_handle(repo_id: str, tag: str | None) -> str:
    """``ORG/NAME/N`` for a repo: N from a tag ``vN`` (or ``N``), else 1."""
    version = tag[1:] if tag and tag[:1] in "vV" and tag[1:].isdigit() else tag if tag and tag.isdigit() else "1"
    return f"{repo_id}/{int(version)}"


def _with_source(text: str, repo_id: str, tag: str | None, where: "LocalHub | str") -> str:
    """The card with the ``hub-repo`` it is published to (a Hugging Face card names its repo itself)."""
    from hubfork.cards.huggingface_format import has_front_matter
    from hubfork.registry.user import with_source

    if has_front_matter(text):
        if where == KAGGLE_SOURCE_ENDPOINT:
            # A Hugging Face card names a repo id in its front matter, never a Kaggle handle and endpoint.
            raise PublishError("a model published to Kaggle needs a TF Hub-format card (it is recorded with "
                               "'hub-endpoint: kaggle'); give --format tfhub or a TF Hub card", repo_id=repo_id,
                               step="card")
        return text
    endpoint = where if isinstance(where, str) else where.url
    if endpoint.rstrip("/") in _DEFAULT_HOSTS:
        endpoint = None
    return with_source(text, repo_id + (f"@{tag}" if tag else ""), endpoint)


def _check(card_file: Path, shown: str, model_dir: Path, target: RegistryTarget, *, run: bool,
           trust: bool, say: "StepReport") -> tuple[Any, tuple[str, ...]]:
    """The card parsed, once it has no errors as a card and against the model."""
    from hubfork.cards.parser import parse_card
    from hubfork.publishing.model_checks import check_card_against_model

    problems = [dataclasses.replace(p, path=shown) if p.path == str(card_file) else p
                for p in check_card_against_model(card_file, model_dir, registry=_companions(target), run=run,
                                                  trust=trust, progress=say)]
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise CardError(errors)
    return parse_card(card_file), tuple(str(p) for p in problems)


def _companions(target: RegistryTarget) -> Any:
    """The registry a card's companion preprocessor is looked up in: the target registry over the
    default one (a model and its preprocessor are often published together)."""
    from hubfork.registry import store
    from hubfork.registry.registry import LayeredRegistry, Registry

    default = Registry.load()
    if not target.registry.is_file() or target.registry.resolve() == store.user_registry_path().resolve():
        return default
    return LayeredRegistry([Registry.load_file(target.registry), default])


def _stage(model_dir: Path, staging: Path, card_text: str) -> None:
    """The repo's files: the model's (hard links where the filesystem allows) and the card."""
    def link_or_copy(source: str, destination: str) -> None:
        try:
            os.link(source, destination)
        except OSError:
            shutil.copy2(source, destination)

    shutil.copytree(model_dir, staging, copy_function=link_or_copy, ignore=shutil.ignore_patterns(".git"))
    card = staging / CARD_FILE
    card.unlink(missing_ok=True)  # never write through a hard link into the user's folder
    card.write_text(card_text, encoding="utf-8")


# --------------------------------------------------------------------------------- push


def _publish_to_local_hub(staging: Path, repo_id: str, hub: "LocalHub", tag: str | None, message: str, text: str,
                          handle: str, target: RegistryTarget, warnings: tuple[str, ...], *,
                          trust: bool, say: "StepReport") -> Published:
    from hubfork.hub.git import rev_parse

    if not hub.initialised:
        if not hub.can_init:
            raise PublishError(f"{hub.root} is not a local hub and not empty; give a hub folder (or a new one)",
                               repo_id=repo_id, step="push")
        hub.init()
    repo = hub.repo_path(repo_id)
    before = rev_parse(repo, "refs/heads/main") if (repo / ".git").is_dir() else None
    # The hub scans what it commits too (the verdict on this saved_model.pb is cached by now).
    made = hub.add(staging, repo_id, tag=tag, message=message, trust=trust)
    try:
        card_file, _ = _record(text, target, say)
    except BaseException:
        if made.changed:
            _undo(hub, made, before)
        raise
    return Published(handle, repo_id, made.commit, tag, hub.url, made.changed, before is None and made.changed,
                     made.files, card_file, target.registry, warnings)


def _undo(hub: "LocalHub", made: "HubCommit", before: str | None) -> None:
    """Move the refs an add moved back (a repo the add created goes entirely)."""
    from hubfork.hub.git import git

    if before is None:
        shutil.rmtree(made.path, ignore_errors=True)
        return
    updates = f"update refs/heads/main {before} {made.commit}\n"
    if made.tag is not None:
        updates += f"delete refs/tags/{made.tag} {made.commit}\n"
    git(made.path, "update-ref", "-m", "hubfork publish: undo", "--stdin", input=updates)
    git(made.path, "reset", "-q", "--hard", "main", check=False)


def _publish_to_endpoint(staging: Path, repo_id: str, endpoint: str, token: str | bool | None, tag: str | None,
                         message: str, text: str, handle: str, target: RegistryTarget,
                         warnings: tuple[str, ...], *, say: "StepReport") -> Published:
    from hubfork.publishing.hf_push import push_folder

    pushed = push_folder(staging, repo_id, endpoint=endpoint, token=token, tag=tag, message=message)
    try:
        card_file, _ = _record(text, target, say)
    except (CardError, PublishError, OSError) as exc:
        # The hub's API cannot take a commit back; publishing again (no new commit) finishes the job.
        raise PublishError(f"pushed as commit {pushed.commit}, but the registry {target.registry} could not be "
                           f"updated ({exc}); run the publish again once that is fixed: it makes no new commit",
                           repo_id=repo_id, step="registry") from exc
    return Published(handle, repo_id, pushed.commit, tag, pushed.endpoint, pushed.changed, pushed.created_repo,
                     pushed.files, card_file, target.registry, warnings)


def _publish_to_kaggle(staging: Path, kaggle: str, before: int | None, license: str | None, message: str,
                       text: str, handle: str, target: RegistryTarget, warnings: tuple[str, ...], *,
                       say: "StepReport") -> Published:
    from hubfork.publishing.kaggle_push import upload_folder
    from hubfork.registry.user import with_source

    uploaded = upload_folder(staging, kaggle, license_name=license, version_notes=message, before=before)
    # Only now is the version known: the registry's card names it, the uploaded README.md cannot.
    recorded = with_source(text, f"{kaggle}@{uploaded.version}", KAGGLE_SOURCE_ENDPOINT)
    try:
        card_file, _ = _record(recorded, target, say)
    except (CardError, PublishError, OSError) as exc:
        raise PublishError(_kaggle_unrecorded(uploaded, target, exc), repo_id=kaggle, step="registry") from exc
    return Published(handle, kaggle, str(uploaded.version), None, KAGGLE_SOURCE_ENDPOINT, True, uploaded.created,
                     uploaded.files, card_file, target.registry, warnings, version=uploaded.version)


def _kaggle_unrecorded(uploaded: "KaggleUpload", target: RegistryTarget, exc: BaseException) -> str:
    # Unlike a hub commit, an upload is never a no-op: publishing again would make one more version.
    return (f"uploaded to Kaggle Models as version {uploaded.version}, but the registry {target.registry} could not "
            f"be updated ({exc}); publishing again would upload version {uploaded.version + 1}: once the registry "
            f"is fixed, record this one with a card whose source is "
            f"'<!-- hub-repo: {uploaded.handle}@{uploaded.version} -->' and '<!-- hub-endpoint: kaggle -->'")


def _record(text: str, target: RegistryTarget, say: "StepReport") -> tuple[Path, Any]:
    from hubfork.registry.update import put_card

    say(f"recording the card in {target.registry}")
    return put_card(text, target.cards, target.registry)


__all__ = ["push_to_hub", "Published", "RegistryTarget", "registry_target", "default_handle", "kaggle_default_handle",
           "CARD_FILE"]
