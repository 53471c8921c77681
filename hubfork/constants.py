"""Names and values hubfork uses in several places: environment variables, default
locations, the kinds of card, the encoder generations, the pooling modes.

Imports nothing of hubfork's and nothing outside the standard library, so the
command line can build its parser (choices, help texts) without loading the
modules that use these values.
"""

from __future__ import annotations

import os
from pathlib import Path

#: Registry file used when no ``--registry`` is given.
ENV_REGISTRY = "HUBFORK_REGISTRY"
#: Folder for hubfork's own caches (defaults to ``$XDG_CACHE_HOME/hubfork``).
ENV_CACHE = "HUBFORK_CACHE"
#: Folder of the user's own cards and registry, layered over the shipped registry (see `home_dir`).
ENV_HOME = "HUBFORK_HOME"
#: The user's cards (``hubfork registry add-source`` writes them) and registry, inside `home_dir`.
HOME_CARDS = "cards"
HOME_REGISTRY = "registry.yaml"
#: Folder of the embedded local hub (defaults to ``cache_dir() / "local-hub"``; see hubfork.hub.embedded).
ENV_LOCAL_HUB = "HUBFORK_LOCAL_HUB"
#: The endpoint (card key ``hub-endpoint``, registry ``sources``) that names the embedded local hub.
EMBEDDED_ENDPOINT = "embedded"
#: The endpoint (card key ``hub-endpoint``, registry ``sources``) that names Kaggle Models: the source's repo id
#: is then a kagglehub handle ``owner/model/framework/variation`` and its revision the version.
KAGGLE_SOURCE_ENDPOINT = "kaggle"

#: Version of the registry file layout written by ``hubfork registry build``.
REGISTRY_FORMAT = 1

# ----------------------------------------------------------------- card kinds

#: Every kind of card, in the order a lookup prefers them when several share a handle
#: (the loadable model first): TF Hub's first-line kinds, and "Model" for a Hugging Face card.
CARD_KINDS = ("Module", "Model", "Placeholder", "Collection", "Publisher", "Lite", "Tfjs", "Coral")
#: The kind of every Hugging Face card.
HF_CARD_KIND = "Model"
#: The kinds a TF Hub card's first line can name.
TFHUB_KINDS = tuple(kind for kind in CARD_KINDS if kind != HF_CARD_KIND)
#: TF Hub kinds that are not one model of a publisher (no ``publisher/name/version`` of a model).
TFHUB_GROUP_KINDS = ("Collection", "Publisher")
#: TF Hub kinds whose first line is ``# Kind publisher/name/version``.
TFHUB_MODEL_KINDS = tuple(kind for kind in TFHUB_KINDS if kind not in TFHUB_GROUP_KINDS)
#: The variants of a model, each with the format it implies (and the ``<format>-model`` part of
#: its tfhub.dev URL).
VARIANT_FORMATS = {"Lite": "lite", "Tfjs": "tfjs", "Coral": "coral"}
#: The `status` of a tfhub.dev catalogue card whose model files were deleted (March 2024) without
#: moving to Kaggle: the card remains, the model cannot be fetched from tfhub.dev any more.
STATUS_DELETED = "deleted"
#: Results a page of ``hubfork search`` holds unless ``--per-page`` says otherwise.
SEARCH_PER_PAGE = 20

# ------------------------------------------------------------------ encoders

#: Encoder SavedModel generations hubfork writes and loads, oldest first.
GENERATIONS = ("tf1-hub", "v1", "v2", "v3", "v4")
#: Tokens per text a preprocessor packs when nothing says otherwise (tfhub.dev's preprocessors' too).
DEFAULT_SEQ_LENGTH = 128
#: How `TextModel.embed` turns token vectors into one vector: the pooler, the mean, or [CLS].
POOLINGS = ("pooled", "mean", "cls")


def _folder(variable: str, path: Path, value: str) -> Path:
    # Checked where the path is made, so no caller meets a file where it makes or reads a folder.
    from hubfork._environment import usable_folder

    return usable_folder(variable, path, value)


def _default_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME")
    if base:
        return _folder("XDG_CACHE_HOME", Path(base), base) / "hubfork"
    return Path(os.path.expanduser("~")) / ".cache" / "hubfork"


def cache_dir() -> Path:
    """Where hubfork keeps its own caches (not the Hugging Face model cache).

    Raises:
        SettingError: ``$HUBFORK_CACHE`` (or ``$XDG_CACHE_HOME``) names a file, or a path under one.
    """
    explicit = os.environ.get(ENV_CACHE)
    return _folder(ENV_CACHE, Path(explicit), explicit) if explicit else _default_dir()


def home_dir() -> Path:
    """Where the user's own cards and registry are: ``$HUBFORK_HOME``, else ``~/.cache/hubfork``.

    The same folder as the cache by default, but not moved by ``$HUBFORK_CACHE``: pointing the
    caches elsewhere (or clearing them) must not lose the mappings a user added.

    Raises:
        SettingError: ``$HUBFORK_HOME`` (or ``$XDG_CACHE_HOME``) names a file, or a path under one.
    """
    explicit = os.environ.get(ENV_HOME)
    return _folder(ENV_HOME, Path(explicit).expanduser(), explicit) if explicit else _default_dir()


# ------------------------------------------------------------ hostile inputs

#: Longest model name (in characters) a resolver reads: a path or URL is never longer (PATH_MAX).
MAX_NAME_CHARS = 4096
#: Longest revision (branch, tag or commit) a name may carry: the cache keeps it as a file name.
MAX_REVISION_CHARS = 255

#: Limits on a .tar.gz model archive, read from its tar headers before anything is unpacked (each
#: may be set by the environment variable beside it). Files, in all (a BERT-Large SavedModel is 1.3 GB):
ARCHIVE_MAX_BYTES = 64 * 2**30
ENV_ARCHIVE_MAX_BYTES = "HUBFORK_ARCHIVE_MAX_BYTES"
#: Members (files and folders; a SavedModel has a dozen or so).
ARCHIVE_MAX_MEMBERS = 10_000
ENV_ARCHIVE_MAX_MEMBERS = "HUBFORK_ARCHIVE_MAX_MEMBERS"
#: Unpacked bytes per archive byte, beyond the first `ARCHIVE_RATIO_FREE_BYTES` (weights barely
#: compress; a member of zeros a thousand times its compressed size is a bomb, not a model).
ARCHIVE_MAX_RATIO = 100
ENV_ARCHIVE_MAX_RATIO = "HUBFORK_ARCHIVE_MAX_RATIO"
ARCHIVE_RATIO_FREE_BYTES = 64 * 2**20
#: Bytes of tar headers (pax records, GNU long names) an archive may hold in all: tarfile reads each
#: into memory whole, so one claiming gigabytes is refused before it is read.
ARCHIVE_MAX_HEADER_BYTES = 16 * 2**20

#: Bounds on what a Hugging Face-style hub sends (`hubfork.hub.guard`). A revision's info, a listing's
#: page or any other API reply, in bytes (a page of huggingface.co's listing is well under 1 MB):
REPLY_MAX_BYTES = 64 * 2**20
#: Entries of one repo's listing, over all its pages.
LISTING_MAX_ENTRIES = 200_000
#: Bytes a file's body may run past the size its hub announced before it is cut off.
BODY_MARGIN_BYTES = 64 * 2**10
#: The least average rate (bytes/s) a reply must keep once its first read timeouts have passed.
DOWNLOAD_MIN_BYTES_PER_SECOND = 64 * 2**10
ENV_MIN_DOWNLOAD_RATE = "HUBFORK_MIN_DOWNLOAD_RATE"
#: Seconds one fetch (a model's whole snapshot) may take in all.
PULL_DEADLINE_SECONDS = 12 * 3600
ENV_PULL_DEADLINE = "HUBFORK_PULL_DEADLINE"

#: Seconds one git command of the local hub may take (a commit of a large model included).
GIT_TIMEOUT = 600

# -------------------------------------------------------------- model sources

#: Base URL of tfhub.dev handles and URLs (``https://tfhub.dev``, which redirects to Kaggle Models), as
#: ``HF_ENDPOINT`` is for Hugging Face: a proxy, a mirror, or a test's loopback emulator.
ENV_TFHUB_ENDPOINT = "HUBFORK_TFHUB_ENDPOINT"
DEFAULT_TFHUB_ENDPOINT = "https://tfhub.dev"
#: Base URL of Kaggle model page URLs (``https://www.kaggle.com/models/...``), fetched the way
#: tensorflow_hub fetches them (``?tf-hub-format=compressed``).
ENV_KAGGLE_ENDPOINT = "HUBFORK_KAGGLE_ENDPOINT"
DEFAULT_KAGGLE_ENDPOINT = "https://www.kaggle.com"
#: Which sources a model may come from (comma-separated ids or groups; ``-id`` excludes one).
ENV_SOURCES = "HUBFORK_SOURCES"
#: The fetch backends by id, each with what it serves (`hubfork.hub.backends`).
SOURCE_IDS = {
    "tfhub": "TF Hub compressed archives over HTTP: tfhub.dev (served by Kaggle Models), Kaggle model URLs, "
             "?tf-hub-format=compressed URLs",
    "kaggle": "Kaggle Models through kagglehub (owner/model/framework/variation[/version])",
    "hf": "Hugging Face-style hubs over HTTP (huggingface.co, mirrors, private hubs; HF_ENDPOINT)",
    "local-hub": "a local hub in a folder (file:///path/to/hub), served on loopback on demand",
    "embedded": "hubfork's embedded hub (hubfork/...), built and served on demand",
}
#: Names for several sources at once in ``HUBFORK_SOURCES`` and ``--source``.
SOURCE_GROUPS = {"official": ("tfhub", "kaggle"), "mirrors": ("hf", "local-hub", "embedded")}
#: When tfhub.dev's links started to redirect to Kaggle Models, and when the models that were not
#: migrated were deleted (the catalogue's README lists them).
TFHUB_MOVED_DATE = "2023-11-15"
TFHUB_DELETED_DATE = "2024-03-18"
#: Redirects one archive download may follow (tfhub.dev -> Kaggle -> storage is two).
MAX_REDIRECTS = 10
#: Kaggle's model frameworks as they appear in kagglehub handles (``google/bert/tensorFlow2/...``),
#: lower-cased: what tells a Kaggle handle from a TF Hub handle of as many parts.
KAGGLE_FRAMEWORKS = frozenset({
    "tensorflow1", "tensorflow2", "tflite", "tfjs", "pytorch", "jax", "flax", "pax", "maxtext", "gemmacpp", "ggml",
    "gguf", "coral", "scikitlearn", "mxnet", "onnx", "keras", "transformers", "api", "other", "tensorrtllm",
    "triton", "vllm"})
#: Longest wait (seconds) a source's HTTP 429 ``Retry-After`` may ask for before hubfork waits and asks
#: again; a longer one (hours, say) raises `RateLimitedError` at once rather than hang a load.
RETRY_AFTER_MAX_SECONDS = 30
ENV_RETRY_AFTER_MAX = "HUBFORK_RETRY_AFTER_MAX"
#: How many times one archive download is asked again after an HTTP 429 it was willing to wait for.
RATE_LIMIT_RETRIES = 3
