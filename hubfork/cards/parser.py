"""Read a model card file (either family) into a `Card`."""

from __future__ import annotations

import errno
import os
from dataclasses import replace
from pathlib import Path
from typing import Iterable, Iterator

from hubfork._reading import megabytes, read_regular_file
from hubfork.cards.body import MAX_NESTING, Body, parse_body
from hubfork.cards.catalogue import is_catalogue_root
from hubfork.cards.checks import check_header, is_hub_endpoint
from hubfork.cards.huggingface_format import (
    description as prose_description,
)
from hubfork.cards.huggingface_format import (
    has_front_matter,
    model_name,
    prose_sections,
    read_front_matter,
    repo_id_for,
)
from hubfork.cards.names import names_in_code, names_in_links
from hubfork.cards.records import Card, Problem, Source
from hubfork.cards.schema import Reading, read_facts
from hubfork.cards.tfhub_format import looks_like_tfhub_card, parse_header
from hubfork.cards.vocabulary import Vocabulary
from hubfork.constants import HF_CARD_KIND
from hubfork.handles import hub_url_to_repo, is_repo_id

#: File names read when a folder is given.
CARD_SUFFIXES = (".md",)
#: The largest card read (10 MB; real cards are a few kB, the biggest READMEs a few hundred):
#: a larger one is refused unread.
MAX_CARD_BYTES = 10_000_000
#: The most lines a card may have (real cards have hundreds, the biggest READMEs tens of
#: thousands). Markdown parsing costs per line more than per byte: a 10 MB card of
#: empty headings ('#' lines) would take a minute, 100,000 lines of anything about 2 s.
MAX_CARD_LINES = 100_000
_READ_ERROR_CODES = {errno.EFBIG: "too-large", errno.EINVAL: "not-a-file"}


def parse_card(
    path: str | os.PathLike[str],
    text: str | None = None,
    *,
    repo_id: str | None = None,
    vocabulary: Vocabulary | None = None,
) -> Card:
    """Parse one model card, TF Hub markdown or Hugging Face README.

    Never raises for what is in the card: problems (with file and line) are in
    `Card.problems`; call `Card.raise_for_problems()` to turn errors into a
    `CardError`. `text` parses given content instead of reading `path`;
    `repo_id` names the repo a Hugging Face README came from.

    Raises:
        Nothing for a card file: one that cannot be read or decoded is a `Problem` too.
    """
    path_str = os.fspath(path)
    if text is None:
        _, text, problem = read_card_file(path_str)
        if problem is not None:
            return Card(path_str, problems=[problem])
    too_big = _size_problem(path_str, text)
    if too_big is not None:
        return Card(path_str, problems=[too_big])
    vocabulary = vocabulary or Vocabulary.default()
    # tfhub.dev split on "\n"; a CRLF file is read as if it had plain newlines.
    lines = text.split("\n")
    if "\r" in text:
        lines = [line[:-1] if line.endswith("\r") else line for line in lines]
    if not text.strip():
        empty = Problem(path_str, 1, "the file is empty; expected a model card", "error", "empty")
        return Card(path_str, problems=[empty])
    if looks_like_tfhub_card(lines[0]):
        card = _parse_tfhub(path_str, lines, vocabulary)
    else:
        card = _parse_huggingface(path_str, text, repo_id, vocabulary)
    # "Expected X after the last line" is reported on the last line, which exists.
    last = len(lines)
    card.problems = [p if p.line <= last else replace(p, line=last) for p in card.problems]
    return card


def _size_problem(path: str, text: str) -> Problem | None:
    """A card given as text that is larger than a card file may be, or longer than `MAX_CARD_LINES`."""
    if len(text) > MAX_CARD_BYTES:
        return Problem(path, 1, f"the card is {megabytes(len(text.encode('utf-8')))}; at most "
                       f"{megabytes(MAX_CARD_BYTES)} is read", "error", "too-large")
    n_lines = text.count("\n") + 1
    if n_lines > MAX_CARD_LINES:
        return Problem(path, MAX_CARD_LINES + 1, f"the card has {n_lines:,} lines; at most {MAX_CARD_LINES:,} "
                       "are read", "error", "too-large")
    return None


def iter_card_paths(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path]:
    """Files named directly, and ``*.md`` files under folders (sorted, recursively; anything
    but a folder, so that a FIFO or device named ``x.md`` is reported, not skipped). The top
    files of a tfhub.dev checkout (its README) are not cards and are left out."""
    for given in paths:
        path = Path(given)
        if is_folder(path):
            # Not only regular files: a FIFO or device named *.md is then refused with a problem
            # (by `read_card_file`) rather than skipped without a word.
            found = [p for p in path.rglob("*") if p.suffix in CARD_SUFFIXES and not is_folder(p)
                     and not is_catalogue_root(p.parent)]
            yield from sorted(found, key=lambda p: p.as_posix())
        else:
            yield path


def is_folder(path: Path) -> bool:
    """True for a folder; False, not an error, for a name the system cannot even look up (too long)."""
    try:
        return path.is_dir()
    except OSError:
        return False


def parse_cards(paths: Iterable[str | os.PathLike[str]], *, vocabulary: Vocabulary | None = None) -> list[Card]:
    """Parse every card named by `paths` (files, or folders searched for ``*.md``).

    Raises:
        Nothing for a card file: problems are in each card's `Card.problems`, as `parse_card`.
    """
    vocabulary = vocabulary or Vocabulary.default()
    return [parse_card(p, vocabulary=vocabulary) for p in iter_card_paths(paths)]


def read_card_file(path: str | os.PathLike[str]) -> tuple[bytes, str, Problem | None]:
    """A card file's bytes and text, or the problem that kept it from being read: a card that is
    not a regular file, or larger than `MAX_CARD_BYTES`, is refused without being read."""
    path = os.fspath(path)
    try:
        raw = read_regular_file(path, MAX_CARD_BYTES)
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        code = _READ_ERROR_CODES.get(exc.errno, "io")
        return b"", "", Problem(path, 1, f"cannot read the card: {reason}", "error", code)
    try:
        return raw, raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return raw, "", Problem(path, line, f"not UTF-8 text (byte {exc.start} cannot be decoded)", "error", "encoding")


def _parse_tfhub(path: str, lines: list[str], vocabulary: Vocabulary) -> Card:
    header = parse_header(lines, path)
    card = Card(
        path,
        family="tfhub",
        kind=header.kind,
        handle=header.handle,
        publisher=header.publisher,
        name=header.name,
        version=header.version,
        description=header.description,
        metadata=header.metadata,
        icon_url=header.icon_url,
        problems=header.problems,
    )
    if header.kind is None:
        return card
    card.problems.extend(check_header(header, path, vocabulary))
    body = parse_body(lines[header.body_line - 1 :], header.body_line)
    card.problems.extend(_body_problems(path, body))
    for line in body.stray_metadata_lines:
        card.problems.append(
            Problem(path, line, "metadata comment after the metadata block is ignored "
                    "(the block ends at the first line starting with '#')", "warning", "stray-metadata")
        )
    card.sections = body.sections
    card.code_blocks = body.code_blocks
    card.changelog = body.changelog
    card.code_handles = names_in_code("\n".join(block.text for block in body.code_blocks))
    hub_repo = card.metadata.get("hub-repo")
    if isinstance(hub_repo, str):
        card.sources = [_source(hub_repo, card.metadata.get("hub-endpoint"))]
    _read_facts(card, f"{card.description}\n{body.prose}", names_in_links(body.prose), lines[header.body_line - 1 :],
                vocabulary)
    return card


def _parse_huggingface(path: str, text: str, repo_id: str | None, vocabulary: Vocabulary) -> Card:
    card = Card(path, family="huggingface", kind=HF_CARD_KIND)
    front = read_front_matter(text, path) if has_front_matter(text) else None
    body_text, body_line = (front.body, front.body_line) if front else (text, 1)
    if front:
        card.metadata = front.metadata
        card.problems.extend(front.problems)
    lines = body_text.split("\n")
    body = parse_body(lines, body_line)
    card.problems.extend(_body_problems(path, body))
    card.code_blocks = body.code_blocks
    # A card rendered as plain text has its code as plain lines among the prose.
    code = "\n".join(block.text for block in body.code_blocks) if body.code_blocks else body_text
    card.code_handles = names_in_code(code)
    links = names_in_links(body.prose)
    # A card rendered as plain text (seed 003) has no markdown structure; a "#"
    # there is a comment in a code line, not a heading.
    is_markdown = bool(body.code_blocks) or any(s.level >= 2 for s in body.sections)
    card.sections = body.sections if is_markdown else prose_sections(lines, body_line)
    card.changelog = body.changelog
    name = model_name(body_text, card.metadata)
    repo = repo_id or _front_matter_repo(card.metadata) or repo_id_for(
        name, [n for n in card.code_handles + links if is_repo_id(n)]
    )
    if repo is None:
        card.problems.append(
            Problem(
                path,
                1,
                "cannot tell which model this card is about: a TF Hub card starts with "
                "'# Module publisher/name/version' (or Placeholder, Lite, Tfjs, Coral, Collection, Publisher); "
                "a Hugging Face card names its repo (front matter 'repo_id', or 'Model name: NAME' with the "
                "repo id 'org/NAME' in its text)",
                "error",
                "unknown-card",
            )
        )
        return card
    card.handle = repo
    card.publisher, card.name = repo.split("/", 1)
    card.sources = [Source(repo)]
    card.description = str(card.metadata.get("description") or prose_description(body.prose))
    _read_facts(card, body.prose, links, lines, vocabulary)
    return card


def _body_problems(path: str, body: Body) -> list[Problem]:
    if body.too_deep_line is None:
        return []
    return [Problem(path, body.too_deep_line, f"lists and block quotes nest too deep here (more than {MAX_NESTING} "
                    "levels, a list counting two): what they hold is not read, for a list up to the end of the card",
                    "error", "nesting")]


def _front_matter_repo(metadata: dict) -> str | None:
    value = metadata.get("repo_id")
    return value if isinstance(value, str) and is_repo_id(value) else None


def _source(value: str, endpoint: object = None) -> Source:
    """A ``hub-repo`` value (a repo id with optional @revision, or a hub URL) and its ``hub-endpoint``
    (a hub URL, or ``embedded``; an invalid one is an error of the card and is left out here)."""
    ref = hub_url_to_repo(value) if value.startswith(("http://", "https://")) else None
    if ref is not None:
        return Source(ref.repo_id, ref.revision, ref.endpoint)
    repo, _, revision = value.partition("@")
    hub = endpoint.rstrip("/") if isinstance(endpoint, str) and is_hub_endpoint(endpoint) else None
    return Source(repo.strip(), revision.strip() or None, hub)


def _read_facts(card: Card, prose: str, link_names: list[str], body_lines: list[str], vocabulary: Vocabulary) -> None:
    """Set the facts the parse rules of `hubfork.cards.schema.FACTS` read from the card, and add
    their warnings (such as a name and prose that disagree on the size)."""
    reading = Reading(path=card.path, family=card.family or "tfhub", kind=card.kind, handle=card.handle,
                      name=card.name, version=card.version, metadata=card.metadata, prose=prose,
                      code_blocks=card.code_blocks, code_handles=card.code_handles, link_names=link_names,
                      body_lines=body_lines, changelog=card.changelog, vocabulary=vocabulary)
    for name, value in read_facts(reading).items():
        setattr(card, name, value)
    card.problems.extend(reading.problems)
