"""The options several commands share, each declared here once with one help text, and the argparse
types they take (as huggingface_hub's ``cli/_cli_utils.py`` does for its commands).

A command adds the ones it takes with the functions below; `scripts/gen_docs.py` writes docs/cli.md
from the parser they build. Imports nothing but `hubfork.constants`: building the parser stays fast
and TensorFlow-free.
"""

from __future__ import annotations

import argparse

from hubfork.constants import DEFAULT_HF_ENDPOINT, POOLINGS

#: What a command adds options to: a parser, or a group of one (mutually exclusive or titled).
Target = argparse._ActionsContainer

#: Texts per encoder batch when ``--batch-size`` is not given.
DEFAULT_BATCH_SIZE = 64


def whole_number(text: str) -> int | None:
    """`text` as a whole number of at least 1, else None."""
    try:
        number = int(text)
    except ValueError:
        return None
    return number if number >= 1 else None


def positive_int(value: str) -> int:
    """A whole number of at least 1 (``--limit -3`` would silently drop the last three results).

    Raises:
        argparse.ArgumentTypeError: anything else, named in the message (a usage error, exit 2).
    """
    number = whole_number(value)
    if number is None:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not {value!r}")
    return number


# ------------------------------------------------------------------ output


def add_json(parser: Target, what: str) -> None:
    """``--json``: print `what` (e.g. "a list of {text, embedding}") as JSON instead of text for people."""
    parser.add_argument("--json", action="store_true", help=f"print {what} as JSON")


# ------------------------------------------------------------------ registry and hubs


def add_registry(parser: Target) -> None:
    """``--registry FILE``: the registry read for TF Hub names, handles and preprocessors."""
    parser.add_argument("--registry", metavar="FILE", help="registry file (default: $HUBFORK_REGISTRY, else your "
                        "$HUBFORK_HOME/registry.yaml over the registry shipped with hubfork)")


def add_endpoint(parser: Target) -> None:
    """``--endpoint URL``: the Hugging Face-style hub of repo ids that name no host."""
    parser.add_argument("--endpoint", metavar="URL",
                        help=f"the hub of repo ids without a host (default: $HF_ENDPOINT, else {DEFAULT_HF_ENDPOINT})")


def add_trust(parser: Target) -> None:
    """``--trust``: go on with a model whose scan has findings."""
    parser.add_argument("--trust", action="store_true",
                        help="go on with a model whose scan finds ops that read or write files, use the network, "
                        "run code or are unknown (for a model you trust)")


def add_hub_options(parser: Target, *, trust: bool = True) -> None:
    """The options of every command that fetches a model: --revision, --offline, --cache-dir,
    --endpoint, --registry and, for those that load or hand over a model, --trust."""
    parser.add_argument("--revision", metavar="R", help="branch, tag or commit (default: the name's, else main)")
    parser.add_argument("--offline", action="store_true", help="use the cache only (as HF_HUB_OFFLINE=1)")
    parser.add_argument("--cache-dir", metavar="DIR", help="model cache (default: $HF_HUB_CACHE)")
    add_endpoint(parser)
    add_registry(parser)
    if trust:
        add_trust(parser)


# ------------------------------------------------------------------ text models


def add_model_options(parser: Target) -> None:
    """The options that name a text encoder and how to load it: --model, --preprocessor, --seq-length,
    --device and the hub options."""
    parser.add_argument("--model", required=True, metavar="NAME",
                        help="the encoder: a repo id, hub or tfhub.dev URL, registry handle, local folder...")
    parser.add_argument("--preprocessor", metavar="NAME",
                        help="its preprocessor (default: the companion the registry or model card names, else one "
                        "built from the encoder's vocab)")
    parser.add_argument("--seq-length", type=positive_int, metavar="N",
                        help="tokens per text, [CLS] and [SEP] included")
    parser.add_argument("--device", metavar="D", help="cpu, gpu or gpu:N (default: a GPU when TensorFlow sees one)")
    add_hub_options(parser)


def add_pooling(parser: Target, fallback: str) -> None:
    """``--pooling``: None is the model's (its sentence-transformers configuration or card), else `fallback`."""
    parser.add_argument("--pooling", choices=POOLINGS, default=None,
                        help=f"pooled_output, mean over tokens, or the [CLS] vector (default: as the model says, "
                        f"else {fallback})")


def add_normalize(parser: Target) -> None:
    """``--normalize``/``--no-normalize``: None is the model's choice, else not."""
    parser.add_argument("--normalize", action=argparse.BooleanOptionalAction, default=None,
                        help="L2-normalise each vector, or not (default: as the model says, else not)")


def add_stated_embedding(parser: Target) -> None:
    """``--pooling`` and ``--normalize``/``--no-normalize`` of a card being written: what the card states
    (the card keys ``pooling`` and ``normalize``); None is what the model folder says, else nothing."""
    default = "default: as the model folder's sentence-transformers configuration says, else not stated"
    parser.add_argument("--pooling", choices=POOLINGS, default=None,
                        help=f"the pooling the card states for the model's embeddings ({default})")
    parser.add_argument("--normalize", action=argparse.BooleanOptionalAction, default=None,
                        help=f"whether the card states the model's embeddings are L2-normalised ({default})")


def add_batch_size(parser: Target) -> None:
    """``--batch-size N``: texts per encoder batch on average."""
    parser.add_argument("--batch-size", type=positive_int, default=DEFAULT_BATCH_SIZE, metavar="N",
                        help="texts per encoder batch on average: short texts get more rows a batch, long ones "
                        f"fewer (default {DEFAULT_BATCH_SIZE})")


# ------------------------------------------------------------------ models and their commits


def add_no_run(parser: Target) -> None:
    """``--no-run``: skip the one batch a check runs through the model (``dest="run"``)."""
    parser.add_argument("--no-run", dest="run", action="store_false",
                        help="do not run one batch through the model to check it")


def add_repo_id(parser: Target, *, required: bool = False) -> None:
    """``--repo-id ORG/NAME``: the hub repo a model is committed to."""
    parser.add_argument("--repo-id", required=required, metavar="ORG/NAME", help="the hub repo to commit to")


def add_tag(parser: Target) -> None:
    """``--tag TAG``: the tag a commit gets."""
    parser.add_argument("--tag", metavar="TAG",
                        help="tag the commit (v1 is the revision TF Hub version 1 maps to); a tag never moves")


def add_message(parser: Target) -> None:
    """``-m/--message TEXT``: the commit message."""
    parser.add_argument("-m", "--message", metavar="TEXT", help="the commit message")


# ------------------------------------------------------------------ serving and workers


def add_host(parser: Target, default: str | None, shown: str | None = None) -> None:
    """``--host H``, `default` when not given (shown as `shown`, else `default` itself)."""
    parser.add_argument("--host", default=default, metavar="H",
                        help=f"host name or IP address to serve on (default: {shown or default})")


def add_port(parser: Target, default: int | None, shown: str | None = None, *, any_port: bool = False) -> None:
    """``--port N``, `default` when not given (shown as `shown`, else `default` itself); with `any_port`,
    0 picks a free port. Ranges are checked where the port is used (exit 1 naming it), not here."""
    free = "; 0 picks a free one" if any_port else ""
    parser.add_argument("--port", type=int, default=default, metavar="N",
                        help=f"TCP port to serve on{free} (default: {shown or default})")


def add_jobs(parser: Target, work: str) -> None:
    """``-j/--jobs N``: worker processes for `work` (e.g. "parsing cards")."""
    parser.add_argument("-j", "--jobs", type=int, default=None, metavar="N",
                        help=f"worker processes for {work}")
