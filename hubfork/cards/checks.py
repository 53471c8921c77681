"""Checks on a TF Hub card's metadata, per kind of card.

Structural problems (a missing required key, two values for a one-value key, a
format that is not a model format) are errors, as they were on tfhub.dev. A
value outside the shipped vocabulary, or a key a kind does not use, is only a
warning: real cards use free text (``dataset: Wikipedia and BooksCorpus``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hubfork.cards.parts import Problem
from hubfork.cards.tfhub_format import Header
from hubfork.cards.vocabulary import Vocabulary
from hubfork.constants import EMBEDDED_ENDPOINT, KAGGLE_FRAMEWORKS, KAGGLE_SOURCE_ENDPOINT, POOLINGS

#: Keys hubfork adds to the TF Hub format (see docs/cards.md).
HUBFORK_KEYS = frozenset({"hub-repo", "hub-endpoint", "pooling", "normalize"})
SAVED_MODEL_FORMATS = ("hub", "saved_model", "saved_model_2")
_PARENT = re.compile(r"[\w-]+/[\w.-]+(?:/[\w.-]+)*/\d+")
# A hub's base URL: http(s), a host, an optional path prefix; no query, fragment or spaces.
_HUB_URL = re.compile(r"https?://[^\s/?#@]+(?:/[^\s?#]*)?")
_HUB_FOLDER = re.compile(r"file://(?:localhost)?/[^\s?#]*")
# A Kaggle Models slug (owner, model, variation): what kagglehub puts into a URL path and a cache path.
_KAGGLE_SLUG = re.compile(r"[A-Za-z0-9][\w.-]*")


@dataclass(frozen=True)
class KindRules:
    required: frozenset[str]
    optional: frozenset[str]
    asset_suffix: str | None = None


def _rules(required: set[str], optional: set[str], asset_suffix: str | None = None) -> KindRules:
    return KindRules(frozenset(required), frozenset(optional | HUBFORK_KEYS), asset_suffix)


_MODEL_OPTIONAL = {"network-architecture", "colab", "dataset", "language", "license", "interactive-visualizer"}

#: What tfhub.dev required and allowed per kind of card.
KIND_RULES: dict[str, KindRules] = {
    "Module": _rules({"asset-path", "fine-tunable", "format", "task"}, _MODEL_OPTIONAL, ".tar.gz"),
    "Placeholder": _rules(
        {"task"},
        {"dataset", "fine-tunable", "interactive-visualizer", "language", "license", "network-architecture"},
    ),
    "Tfjs": _rules({"asset-path", "parent-model"}, {"colab", "demo", "interactive-visualizer"}, ".tar.gz"),
    "Lite": _rules({"asset-path", "parent-model"}, {"colab", "interactive-visualizer"}, ".tflite"),
    "Coral": _rules({"asset-path", "parent-model"}, {"colab", "interactive-visualizer"}, ".tflite"),
    "Collection": _rules({"task"}, {"dataset", "language", "network-architecture"}),
    "Publisher": _rules(set(), set()),
}


def check_header(header: Header, path: str, vocabulary: Vocabulary) -> list[Problem]:
    """Problems with the metadata of a TF Hub card whose first line was read."""
    rules = KIND_RULES[header.kind]  # type: ignore[index]
    metadata = header.metadata
    problems: list[Problem] = []
    metadata_line = header.metadata_lines[0].line if header.metadata_lines else header.body_line

    def add(line: int, message: str, severity: str, code: str) -> None:
        problems.append(Problem(path, line, message, severity, code))  # type: ignore[arg-type]

    # Older cards said module-type where newer ones say task; tfhub.dev accepted both in turn.
    present = set(metadata) | ({"task"} if "module-type" in metadata else set())
    missing = sorted(rules.required - present)
    if missing:
        keys = ", ".join(f"'{k}'" for k in missing)
        add(metadata_line, f"a {header.kind} card needs the metadata {keys} ('<!-- key: value -->' lines)",
            "error", "missing-metadata")
    # Keys older versions of tfhub.dev's format allowed.
    legacy = {"module-type", "interactive-model-name"} if header.kind in ("Module", "Placeholder", "Collection") \
        else set()
    for entry in header.metadata_lines:
        if entry.key not in rules.required | rules.optional | legacy:
            add(entry.line, f"'{entry.key}' is not a metadata key of {header.kind} cards", "warning", "unknown-key")
    if header.kind == "Module" and isinstance(metadata.get("format"), str):
        if metadata["format"] not in SAVED_MODEL_FORMATS:
            add(_line(header, "format"), f"'format' must be one of {', '.join(SAVED_MODEL_FORMATS)}; "
                f"found {metadata['format']!r}", "error", "format")
    problems.extend(_value_warnings(header, path, vocabulary, rules))
    problems.extend(_hub_endpoint_errors(header, path))
    problems.extend(_embedding_errors(header, path))
    return problems


def _embedding_errors(header: Header, path: str) -> list[Problem]:
    # Errors, not warnings: embed and similarity follow these keys, so a typo would
    # quietly give every caller other vectors than the card promises.
    problems = []
    for entry in header.metadata_lines:
        if entry.key == "pooling" and entry.value.strip().lower() not in POOLINGS:
            message = f"'pooling' must be one of {', '.join(POOLINGS)}, not {entry.value!r}"
        elif entry.key == "normalize" and entry.value.strip().lower() not in ("true", "false"):
            message = f"'normalize' must be true or false, not {entry.value!r}"
        else:
            continue
        problems.append(Problem(path, entry.line, message, "error", "embedding-defaults"))
    return problems


def is_hub_endpoint(value: str) -> bool:
    """True for a ``hub-endpoint`` value: an http(s) URL of a hub, ``embedded``, ``kaggle`` (Kaggle Models,
    through kagglehub), or the ``file:///absolute/path`` of a local hub's folder (served on loopback when a
    model is fetched)."""
    return (value in (EMBEDDED_ENDPOINT, KAGGLE_SOURCE_ENDPOINT) or bool(_HUB_URL.fullmatch(value))
            or bool(_HUB_FOLDER.fullmatch(value)))


def kaggle_handle_problem(value: str, *, versioned: bool | None = None) -> str | None:
    """Why `value` is not a Kaggle Models handle ``owner/model/framework/variation[/version]``, or None.
    `versioned`: True requires the version, False refuses it, None allows either."""
    parts = value.split("/")
    if len(parts) not in (4, 5) or (versioned is True and len(parts) != 5) or (versioned is False and len(parts) != 4):
        shape = {True: "owner/model/framework/variation/version", False: "owner/model/framework/variation"}
        return f"a Kaggle handle is {shape.get(versioned, 'owner/model/framework/variation[/version]')}"
    owner, model, framework, variation = parts[:4]
    if not all(_KAGGLE_SLUG.fullmatch(part) and ".." not in part for part in (owner, model, variation)):
        return "owner, model and variation are letters, digits, '-', '_' and '.', starting with a letter or digit"
    if framework.lower() not in KAGGLE_FRAMEWORKS:
        return f"{framework!r} is not a Kaggle framework ({', '.join(sorted(KAGGLE_FRAMEWORKS))})"
    if len(parts) == 5 and not (parts[4].isdigit() and int(parts[4]) > 0):
        return f"a Kaggle version is a number from 1, not {parts[4]!r}"
    return None


def _kaggle_repo_problem(hub_repo: str) -> str | None:
    handle, at, version = hub_repo.partition("@")
    if at and not (version.isdigit() and int(version) > 0):
        return f"'hub-repo' on Kaggle takes @version, a number from 1, not @{version!r}"
    problem = kaggle_handle_problem(handle.strip(), versioned=False)
    return f"'hub-repo' on Kaggle is owner/model/framework/variation[@version]: {problem}" if problem else None


def _hub_endpoint_errors(header: Header, path: str) -> list[Problem]:
    # Errors, not warnings: a wrong endpoint sends every fetch of the model to the wrong place.
    value = header.metadata.get("hub-endpoint")
    if not isinstance(value, str):
        return []
    line = _line(header, "hub-endpoint")
    hub_repo = header.metadata.get("hub-repo")
    if not is_hub_endpoint(value):
        message = (f"'hub-endpoint' must be an http(s) URL, '{EMBEDDED_ENDPOINT}', '{KAGGLE_SOURCE_ENDPOINT}' or the "
                   f"file:///path of a local hub's folder, not {value!r}")
    elif not isinstance(hub_repo, str):
        message = "'hub-endpoint' says which hub holds the 'hub-repo', but the card has no 'hub-repo'"
    elif hub_repo.startswith(("http://", "https://")):
        message = "'hub-repo' is a URL, which names its hub already; give 'hub-repo: org/name@revision' instead"
    elif value == KAGGLE_SOURCE_ENDPOINT and (problem := _kaggle_repo_problem(hub_repo)):
        line, message = _line(header, "hub-repo"), problem
    else:
        return []
    return [Problem(path, line, message, "error", "hub-endpoint")]


def _value_warnings(header: Header, path: str, vocabulary: Vocabulary, rules: KindRules) -> list[Problem]:
    problems = []
    for entry in header.metadata_lines:
        message = vocabulary.check(entry.key, entry.value)
        if entry.key == "fine-tunable" and entry.value not in ("true", "false"):
            message = f"'fine-tunable' should be true or false, not {entry.value!r}"
        elif entry.key == "parent-model" and not _PARENT.fullmatch(entry.value):
            message = f"'parent-model' should be a handle publisher/name/version, not {entry.value!r}"
        elif entry.key == "asset-path" and rules.asset_suffix:
            value = entry.value
            if value not in ("legacy", "internal") and not value.split("?", 1)[0].endswith(rules.asset_suffix):
                message = f"'asset-path' should be 'legacy', 'internal' or end in {rules.asset_suffix}"
        elif entry.key == "hub-repo" and not _is_kaggle(header) and not _is_hub_repo(entry.value):
            message = f"'hub-repo' should be a repo id, optionally with @revision, not {entry.value!r}"
        if message:
            problems.append(Problem(path, entry.line, message, "warning", "value"))
    return problems


def _is_kaggle(header: Header) -> bool:
    # A Kaggle handle is no repo id; `_hub_endpoint_errors` checks it instead.
    return header.metadata.get("hub-endpoint") == KAGGLE_SOURCE_ENDPOINT


def _is_hub_repo(value: str) -> bool:
    from hubfork.handles import is_repo_id

    repo_id, at, revision = value.partition("@")
    return is_repo_id(repo_id) and (not at or bool(revision.strip()))


def _line(header: Header, key: str) -> int:
    lines = header.lines_of(key)
    return lines[0] if lines else header.body_line
