"""Hugging Face model cards: a README with optional YAML front matter, then prose.

The front matter is read by huggingface_hub's own card support (`ModelCard`), so
hubfork sees the metadata exactly as the Hub does. Many TF Hub mirrors carry
their card as plain prose (the page as rendered, headings as bare lines, code
as plain lines): the facts are read from that prose too.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from typing import Any

from hubfork.cards import yaml_limits
from hubfork.cards.parts import Problem, Section

_MODEL_NAME_LINE = re.compile(r"^\s*model\s+name\s*:\s*(?P<name>[\w.-]+)\s*$", re.IGNORECASE | re.MULTILINE)
_TITLE_LINE = re.compile(r"^#\s+(?P<title>.+?)\s*#*\s*$", re.MULTILINE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\"])")
_CODE_CHARS = re.compile(r"[=(){}\[\]<>#`]|^\s*[,.]")
# Identifiers (pooled_output) mark a line as prose about code, never a heading.
_NOT_A_HEADING = re.compile(r"[=(){}\[\]<>#`_.]")


@dataclass(slots=True)
class FrontMatter:
    """A card's YAML front matter (as a plain dict) and where its body starts."""

    metadata: dict[str, Any] = field(default_factory=dict)
    body: str = ""
    #: 1-based line of the file where `body` starts.
    body_line: int = 1
    problems: list[Problem] = field(default_factory=list)


def has_front_matter(text: str) -> bool:
    return text.lstrip().startswith("---")


def read_front_matter(text: str, path: str) -> FrontMatter:
    """Split a card into front-matter metadata and body, with huggingface_hub."""
    from huggingface_hub import ModelCard
    from huggingface_hub.repocard import REGEX_YAML_BLOCK

    match = REGEX_YAML_BLOCK.search(text)
    if not match:
        return FrontMatter(body=text, problems=[_unclosed(text, path)] if has_front_matter(text) else [])
    yaml_line = text[: match.start(2)].count("\n") + 1
    body_line = text[: match.end()].count("\n") + 1
    refused = yaml_limits.refusal(match.group(2))
    if refused is not None:
        line, message = refused
        return FrontMatter(
            body=text[match.end() :],
            body_line=body_line,
            problems=[Problem(path, yaml_line + line, f"YAML front matter: {message}", "error", "front-matter")],
        )
    try:
        card = ModelCard(text)
    except Exception as exc:  # yaml.YAMLError, or ValueError from the card data
        mark = getattr(exc, "problem_mark", None)
        line = yaml_line + mark.line if mark is not None else yaml_line
        problem = getattr(exc, "problem", None) or str(exc)
        return FrontMatter(
            body=text[match.end() :],
            body_line=body_line,
            problems=[Problem(path, line, f"YAML front matter: {problem}", "error", "front-matter")],
        )
    try:
        metadata = {str(k): _plain(v, str(k)) for k, v in card.data.to_dict().items()}
    except TypeError as exc:
        problem = Problem(path, yaml_line, f"YAML front matter: {exc}", "error", "front-matter")
        return FrontMatter(body=card.text, body_line=body_line, problems=[problem])
    return FrontMatter(metadata=metadata, body=card.text, body_line=body_line)


def _unclosed(text: str, path: str) -> Problem:
    line = text[: text.index("---")].count("\n") + 1
    return Problem(path, line, "YAML front matter opened with '---' is never closed by a '---' line",
                   "error", "front-matter")


def _plain(value: Any, key: str) -> Any:
    """Front-matter values as JSON-ready data (YAML dates become ISO strings).

    Raises:
        TypeError: a value that is no plain data (``!!binary`` bytes, a ``!!set``), naming its key.
    """
    if isinstance(value, dict):
        return {str(k): _plain(v, f"{key}.{k}") for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v, key) for v in value]
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, float)):
        return value
    raise TypeError(f"'{key}' holds {type(value).__name__} data; expected text, numbers, true/false, "
                    "lists or mappings")


def model_name(text: str, metadata: dict[str, Any]) -> str | None:
    """The model's name as the card gives it: ``Model name: X``, ``model_name``, or an h1 title."""
    match = _MODEL_NAME_LINE.search(text)
    if match:
        return match["name"]
    value = metadata.get("model_name")
    if isinstance(value, str) and value.strip():
        return value.strip()
    match = _TITLE_LINE.search(text)
    if match and re.fullmatch(r"[\w.-]+(?:/[\w.-]+)?", match["title"]):
        return match["title"]
    return None


def repo_id_for(name: str | None, candidates: list[str]) -> str | None:
    """The repo among `candidates` (repo ids the card names) that is this card's
    model: the one named `name`, or `name` itself when it is a repo id."""
    if not name:
        return None
    if "/" in name and name in candidates:
        return name
    short = name.rsplit("/", 1)[-1].lower()
    for candidate in candidates:
        if candidate.count("/") == 1 and candidate.rsplit("/", 1)[-1].lower() == short:
            return candidate
    return None


def prose_sections(lines: list[str], first_line: int) -> list[Section]:
    """Sections of a card rendered as plain text, where headings are bare short lines.

    A heading is a short line (at most six words) that starts with a capital,
    has no code characters and no closing punctuation, followed by a longer line.
    """
    starts: list[tuple[int, str]] = []
    for index, raw in enumerate(lines):
        line = raw.strip()
        following = lines[index + 1].strip() if index + 1 < len(lines) else ""
        if (
            line
            and line[0].isupper()
            and len(line.split()) <= 6
            and not _NOT_A_HEADING.search(line)
            and line[-1] not in ".:,;!?"
            and len(following) > len(line)
        ):
            starts.append((index, line))
    sections = []
    for i, (index, title) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(lines)
        sections.append(Section(title, 2, index + first_line, end + first_line - 1))
    return sections


def description(prose: str) -> str:
    """The first sentence of the first paragraph of real prose.

    The paragraph starts at the first line of eight words or more that is not
    code or a ``Model name:`` line, and runs to the next empty line.
    """
    lines = prose.split("\n")
    for index, raw in enumerate(lines):
        line = raw.strip()
        if len(line.split()) < 8 or _CODE_CHARS.search(line.split(" ", 1)[0]) or _MODEL_NAME_LINE.match(line):
            continue
        paragraph = [line]
        for following in lines[index + 1 :]:
            if not following.strip():
                break
            paragraph.append(following.strip())
        return _SENTENCE_END.split(" ".join(paragraph), 1)[0]
    return ""
