"""Names and values hubfork uses in several places: environment variables, default
locations, the kinds of card, the encoder generations, the pooling modes.

Imports nothing of hubfork's and nothing outside the standard library, so the
command line can build its parser (choices, help texts) without loading the
modules that use these values.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

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

#: Where ``hubfork hub init`` has a local hub served unless told otherwise (written into its olah.toml).
LOCAL_HUB_HOST = "127.0.0.1"
LOCAL_HUB_PORT = 18090
#: The only address ``hubfork registry serve`` listens on (the catalogue is for this machine's browser),
#: and its port unless ``--port`` says otherwise.
SITE_HOST = "127.0.0.1"
SITE_PORT = 8765

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
#: The columns of the command line's tables. Narrower than this no table is readable: a smaller width
#: (``COLUMNS=5``, a tiny pane) is raised to it.
TABLE_MIN_WIDTH = 40
#: Piped output has no terminal width; rich would squeeze tables into 80 columns and cut handles.
TABLE_PIPED_WIDTH = 200
#: What a terminal that does not tell its width (or says 0) is taken to be.
TABLE_DEFAULT_WIDTH = 80

# ------------------------------------------------------------------ encoders

#: The file that makes a folder a SavedModel: its graphs and signatures, as a protobuf.
SAVED_MODEL = "saved_model.pb"
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

#: The Hugging Face-style hub of repo ids without a host when neither ``--endpoint`` nor ``HF_ENDPOINT`` names one.
DEFAULT_HF_ENDPOINT = "https://huggingface.co"
#: huggingface_hub's default for both of its timeouts, in seconds (``constants.DEFAULT_DOWNLOAD_TIMEOUT``).
HF_DEFAULT_TIMEOUT = 10.0
#: The longest timeout taken from the environment: a day (a longer wait for one answer is no timeout at
#: all, and a far longer one overflows the system's timers).
HF_MAX_TIMEOUT = 86_400
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

# ------------------------------------------------------------ the environment


class EnvironmentVariable(NamedTuple):
    """An environment variable hubfork reads, as docs/environment.md lists it (``scripts/gen_docs.py``)."""

    name: str
    #: What holds while it is unset or empty.
    default: str
    meaning: str
    #: The values it takes, and what a value outside them does.
    bounds: str = ""


_FOLDER = "a folder: a file there, or on its path, is an error naming the variable"
_WARNED = "anything else is warned about (one line on stderr) and the default used"
_REFUSED = "anything else stops the unpacking with an error naming the variable"
_BASE_URL = "an http(s) base URL; anything else is an error naming the variable"
_DEFAULT_CACHE = "$XDG_CACHE_HOME/hubfork, else ~/.cache/hubfork"
_SWITCH = ("1, ON, YES or TRUE (any case) turns it on; 0, OFF, NO, FALSE or empty leave it off; anything else is "
           "warned about and taken as off, as huggingface_hub takes it")
_KAGGLEHUB = "read by kagglehub, not by hubfork: "

#: Every environment variable hubfork reads, its own (``HUBFORK_*``) first, then those of the tools it works
#: with; tests/cli/test_generated_docs.py checks that no variable read anywhere in hubfork is missing.
ENVIRONMENT = (
    EnvironmentVariable(
        ENV_REGISTRY, f"your $HUBFORK_HOME/{HOME_REGISTRY} layered over the registry shipped with hubfork",
        "The registry file read when no --registry is given: for search, show, list, pull and loading TF Hub names.",
        "a registry file written by `hubfork registry build`"),
    EnvironmentVariable(
        ENV_HOME, _DEFAULT_CACHE,
        f"Folder of your own cards ({HOME_CARDS}/) and registry ({HOME_REGISTRY}), written by `hubfork registry "
        f"add-source` and `hubfork publish` and layered over the shipped registry. Not moved by {ENV_CACHE}: "
        "pointing the caches elsewhere, or clearing them, keeps the mappings you added.", _FOLDER),
    EnvironmentVariable(
        ENV_CACHE, _DEFAULT_CACHE, "Folder of hubfork's own caches (not the Hugging Face model cache).", _FOLDER),
    EnvironmentVariable(
        ENV_LOCAL_HUB, "local-hub in hubfork's cache folder",
        "Folder of the embedded local hub, which holds the models hubfork converts itself "
        "(`hubfork hub embedded`).", "a folder (~ is expanded)"),
    EnvironmentVariable(
        ENV_SOURCES, "every source",
        "Which sources a model may come from; `hubfork pull --source` overrides it.",
        f"comma-separated source ids ({', '.join(SOURCE_IDS)}) or groups ("
        + "; ".join(f"{group}: {', '.join(ids)}" for group, ids in SOURCE_GROUPS.items())
        + "); -id excludes one. An unknown id is an error listing the known ones"),
    EnvironmentVariable(
        ENV_TFHUB_ENDPOINT, DEFAULT_TFHUB_ENDPOINT,
        "Base URL of tfhub.dev handles and URLs (tfhub.dev redirects to Kaggle Models), as HF_ENDPOINT is for "
        "Hugging Face: a proxy, a mirror, or a test's loopback emulator.", _BASE_URL),
    EnvironmentVariable(
        ENV_KAGGLE_ENDPOINT, DEFAULT_KAGGLE_ENDPOINT,
        "Base URL of Kaggle model page URLs (/models/...), fetched the way tensorflow_hub fetches them "
        "(?tf-hub-format=compressed).", _BASE_URL),
    EnvironmentVariable(
        ENV_ARCHIVE_MAX_BYTES, f"{ARCHIVE_MAX_BYTES} ({ARCHIVE_MAX_BYTES // 2**30} GiB)",
        "Most bytes of files a .tar.gz model archive may unpack to, read from its tar headers before anything is "
        "unpacked.", f"a whole number of at least 1; {_REFUSED}"),
    EnvironmentVariable(
        ENV_ARCHIVE_MAX_MEMBERS, str(ARCHIVE_MAX_MEMBERS),
        "Most members (files and folders) of a .tar.gz model archive; a SavedModel has a dozen or so.",
        f"a whole number of at least 1; {_REFUSED}"),
    EnvironmentVariable(
        ENV_ARCHIVE_MAX_RATIO, str(ARCHIVE_MAX_RATIO),
        "Most unpacked bytes per archive byte, beyond the first "
        f"{ARCHIVE_RATIO_FREE_BYTES // 2**20} MiB: weights barely compress, a member of zeros a thousand times "
        "its compressed size is a bomb.", f"a whole number of at least 1; {_REFUSED}"),
    EnvironmentVariable(
        ENV_MIN_DOWNLOAD_RATE, f"{DOWNLOAD_MIN_BYTES_PER_SECOND} ({DOWNLOAD_MIN_BYTES_PER_SECOND // 2**10} KiB/s)",
        "The least average rate, in bytes a second, a download must keep once its first read timeouts have "
        "passed; a slower one is cut off.", f"a number above 0; {_WARNED}"),
    EnvironmentVariable(
        ENV_PULL_DEADLINE, f"{PULL_DEADLINE_SECONDS} ({PULL_DEADLINE_SECONDS // 3600} hours)",
        "Seconds one fetch (a model's whole snapshot) may take in all.", f"a number above 0; {_WARNED}"),
    EnvironmentVariable(
        ENV_RETRY_AFTER_MAX, str(RETRY_AFTER_MAX_SECONDS),
        f"Longest wait, in seconds, a source's HTTP 429 Retry-After may ask for: hubfork waits and asks again (up "
        f"to {RATE_LIMIT_RETRIES} times); a longer one fails at once with RateLimitedError rather than hang a load.",
        f"a number above 0; {_WARNED}"),
    EnvironmentVariable(
        "HF_ENDPOINT", DEFAULT_HF_ENDPOINT,
        "The Hugging Face-style hub of repo ids without a host (huggingface.co, a mirror, a local hub); "
        "--endpoint overrides it."),
    EnvironmentVariable(
        "HF_HUB_CACHE", "$HF_HOME/hub",
        "The model cache every fetch goes into; --cache-dir overrides it.", _FOLDER),
    EnvironmentVariable(
        "HUGGINGFACE_HUB_CACHE", "unset", "The older name of HF_HUB_CACHE, read when that is unset.", _FOLDER),
    EnvironmentVariable(
        "HF_HOME", "$XDG_CACHE_HOME/huggingface, else ~/.cache/huggingface",
        "huggingface_hub's folder: the model cache (hub/) and the token (token) are inside it.", _FOLDER),
    EnvironmentVariable(
        "HF_TOKEN", "the token file ($HF_TOKEN_PATH)",
        "The token sent to Hugging Face-style hubs (read by huggingface_hub at every request); "
        "`hubfork publish --token` overrides it."),
    EnvironmentVariable(
        "HF_TOKEN_PATH", "$HF_HOME/token", "The file huggingface_hub keeps its token in.",
        "a file in a folder: a folder in its place, or a file on its path, is an error naming the variable"),
    EnvironmentVariable(
        "HF_HUB_OFFLINE", "off", "Use the cache only, as --offline and local_files_only=True do.", _SWITCH),
    EnvironmentVariable(
        "TRANSFORMERS_OFFLINE", "off", "The same as HF_HUB_OFFLINE, as transformers reads it.", _SWITCH),
    EnvironmentVariable(
        "HF_HUB_DOWNLOAD_TIMEOUT", f"{HF_DEFAULT_TIMEOUT:g}",
        "Seconds to wait for a hub's answer, given to every request huggingface_hub would send without one.",
        f"a whole number from 1 to {HF_MAX_TIMEOUT}; {_WARNED}"),
    EnvironmentVariable(
        "HF_HUB_ETAG_TIMEOUT", f"{HF_DEFAULT_TIMEOUT:g}", "Seconds to wait for a file's metadata.",
        f"a whole number from 1 to {HF_MAX_TIMEOUT}; {_WARNED}"),
    EnvironmentVariable(
        "XDG_CACHE_HOME", "~/.cache", "Where the default cache folders go (hubfork's and Hugging Face's).", _FOLDER),
    EnvironmentVariable(
        "TFHUB_CACHE_DIR", "tfhub_modules in the system's temporary folder",
        "tensorflow_hub's cache: a model it has downloaded whole is used from there rather than fetched again."),
    EnvironmentVariable(
        "KAGGLE_API_TOKEN", "unset", _KAGGLEHUB + "the Kaggle credentials for private models and "
        "`hubfork publish --kaggle` (or KAGGLE_USERNAME and KAGGLE_KEY, or kaggle.json in KAGGLE_CONFIG_DIR)."),
    EnvironmentVariable("KAGGLE_USERNAME", "unset", _KAGGLEHUB + "your Kaggle user name, with KAGGLE_KEY."),
    EnvironmentVariable("KAGGLE_KEY", "unset", _KAGGLEHUB + "your Kaggle API key, with KAGGLE_USERNAME."),
    EnvironmentVariable("KAGGLE_CONFIG_DIR", "~/.kaggle", _KAGGLEHUB + "the folder of kaggle.json."),
    EnvironmentVariable(
        "KAGGLE_API_ENVIRONMENT", "PROD (https://api.kaggle.com)",
        "Which Kaggle API kagglehub calls (PROD, or TEST, LOCALHOST, STAGING, ADMIN, QA); it takes no URL.",
        "a name kagglesdk knows; anything else is an error naming the variable"),
    EnvironmentVariable(
        "KAGGLE_API_ENDPOINT", "unset",
        "The Kaggle API URL of kagglehub before 1.x; kagglehub 1.x ignores it, and hubfork warns that it does."),
    EnvironmentVariable(
        "COLUMNS", f"the terminal's width ({TABLE_DEFAULT_WIDTH} when it does not say); {TABLE_PIPED_WIDTH} when "
        "output is piped", "The width the command line's tables are laid out in.",
        f"a whole number of at least 1, else the default; a width below {TABLE_MIN_WIDTH} is taken as "
        f"{TABLE_MIN_WIDTH}"),
    EnvironmentVariable(
        "TF_CPP_MIN_LOG_LEVEL", "set by hubfork: 3 by the command line, 0 with `hubfork -v`; 2 by the library, "
        "when unset", "TensorFlow's C++ log level. At 2 or 3, hubfork also keeps off stderr the start-up lines "
        "TensorFlow writes before honouring it (and CUDA's cuInit failure where there is no GPU driver); 0 or 1 "
        "shows everything TensorFlow says."),
    EnvironmentVariable(
        "TF_USE_LEGACY_KERAS", "set to 1 by hubfork's loaders when unset",
        "Makes tf.keras Keras 2 (tf_keras), the Keras TF Hub models are made of; Keras 3 stays one `import keras` "
        "away (hubfork.keras3)."),
)
