"""`pull_from_hub`: fetch a model by any name and load it as a ``hub.KerasLayer``.

TensorFlow is imported only when it is called.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from hubfork.errors import NotTrainableError
from hubfork.hub.download import Patterns, fetch, with_revision
from hubfork.hub.patterns import Regexes, regex_allow_patterns
from hubfork.hub.resolvers import resolve
from hubfork.models import _tf
from hubfork.models.hub_compat import keras_layer_class
from hubfork.models.savedmodel import TF1_NOT_TRAINABLE, is_tf1_module, load_errors, signature_names
from hubfork.scanning.scanner import check_model

if TYPE_CHECKING:  # pragma: no cover
    import tensorflow_hub

# Keyword arguments of the hub side (the rest go to hub.KerasLayer).
_HUB_KWARGS = ("cache_dir", "token", "endpoint", "registry", "sources")


def pull_from_hub(
    name: str | None = None,
    *,
    trainable: bool = False,
    revision: str | None = None,
    local_files_only: bool = False,
    allow_patterns: Patterns = None,
    ignore_patterns: Patterns = None,
    signature: str | None = None,
    output_key: str | None = None,
    signature_outputs_as_dict: bool | None = None,
    tags: Any = None,
    trust: bool = False,
    **kwargs: Any,
) -> "tensorflow_hub.KerasLayer":
    """Fetch `name` (any form `hubfork.hub.resolve` accepts) and return a ``hub.KerasLayer`` on it.

    Hub options: `revision`, `local_files_only`, `allow_patterns`/`ignore_patterns`
    (globs), and as keywords `cache_dir`, `token`, `endpoint`, `registry`, `sources` (which sources
    may serve it, as ``HUBFORK_SOURCES``: e.g. ``mirrors``, ``-tfhub``). Everything
    else (``arguments=``, ``output_shape=``, ``load_options=``...) goes to ``hub.KerasLayer``;
    since `name` is the model's name, the Keras layer's name is given as ``layer_name=``.

    Calls written for the earlier TF Hub fork keep working:
    ``pull_from_hub(repo_id=..., trainable=True, allow_regex=..., ignore_regex=...)``;
    regexes select files with ``re.search`` on their repo paths (see `hubfork.hub.patterns`).

    A TF1 Hub-format module (``tfhub_module.pb``) cannot be fine-tuned through
    hub.KerasLayer: ``trainable=True`` raises `NotTrainableError`; without a
    `signature` it is loaded through its ``tokens`` signature with outputs as a dict.

    Before anything loads it, the model is scanned (`hubfork.scan`; the verdict is cached)
    and refused if its graph would do more than compute; `trust=True` skips the scan for
    this call, for a model you trust.

    Raises:
        TypeError: no name, or two different ones (`name` and ``repo_id=``).
        HubError: the name cannot be resolved or fetched (its subclasses in `hubfork.errors`:
            `InvalidNameError`, `UnresolvedNameError`, `NotInRegistryError`, `RepoNotFoundError`,
            `NotCachedError`, `HubUnreachableError`, `NoMatchingFilesError`, ...).
        NotTrainableError: ``trainable=True`` on a TF1 Hub-format module.
        UnsafeModelError: the scan found ops that read or write files, use the network, run code or
            are unknown (the message lists them); nothing was loaded.
        UnreadableModelError: the folder holds no readable ``saved_model.pb``.
    """
    repo_id = kwargs.pop("repo_id", None)
    if name is not None and repo_id is not None and name != repo_id:
        raise TypeError(f"pull_from_hub() got two names: {name!r} and repo_id={repo_id!r}")
    name = name if name is not None else repo_id
    if name is None:
        raise TypeError("pull_from_hub() needs a model name (or repo_id=)")
    allow_regex: Regexes = kwargs.pop("allow_regex", None)
    ignore_regex: Regexes = kwargs.pop("ignore_regex", None)
    hub_options = {key: kwargs.pop(key) for key in _HUB_KWARGS if key in kwargs}
    if "layer_name" in kwargs:
        kwargs["name"] = kwargs.pop("layer_name")
    registry = hub_options.pop("registry", None)

    path = fetch_checked(name, revision=revision, local_files_only=local_files_only, allow_patterns=allow_patterns,
                         ignore_patterns=ignore_patterns, allow_regex=allow_regex, ignore_regex=ignore_regex,
                         trust=trust, registry=registry, **hub_options)

    if is_tf1_module(path):
        if trainable:
            raise NotTrainableError(name, path=str(path), reason=TF1_NOT_TRAINABLE)
        if signature is None and "tokens" in signature_names(path):
            signature = "tokens"
            if signature_outputs_as_dict is None:
                signature_outputs_as_dict = True

    # A text preprocessor's graph uses TF Text ops, which exist only once tensorflow_text is
    # imported: without it the load fails with "Op type not registered". TF Hub's docs told
    # notebooks to import it first; pull_from_hub does it for them.
    _tf.tensorflow_text()
    with load_errors(path):
        return keras_layer_class()(str(path), trainable=trainable, signature=signature, output_key=output_key,
                                   signature_outputs_as_dict=signature_outputs_as_dict, tags=tags, **kwargs)


def fetch_checked(name: str, *, revision: str | None = None, local_files_only: bool = False,
                  allow_patterns: Patterns = None, ignore_patterns: Patterns = None, allow_regex: Regexes = None,
                  ignore_regex: Regexes = None, trust: bool = False, registry: Any = None,
                  sources: str | None = None, **hub_options: Any) -> Path:
    """The local folder of `name`, resolved, fetched and scanned (`check_model`): what every loader
    that takes a name does before TensorFlow sees the model. Raises as `pull_from_hub`."""
    resolved = with_revision(resolve(name, registry=registry), revision)
    if resolved.kind == "repo" and (allow_regex is not None or ignore_regex is not None):
        allow_patterns = regex_allow_patterns(
            resolved, allow_regex=allow_regex, ignore_regex=ignore_regex, allow_patterns=allow_patterns,
            ignore_patterns=ignore_patterns, local_files_only=local_files_only, **hub_options)
        ignore_patterns = None
    snapshot = fetch(resolved, local_files_only=local_files_only, allow_patterns=allow_patterns,
                     ignore_patterns=ignore_patterns, sources=sources, **hub_options)
    path = Path(snapshot.path)
    check_model(path, name=name, trust=trust)
    return path


__all__ = ["fetch_checked", "pull_from_hub"]
