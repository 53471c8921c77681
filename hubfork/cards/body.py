"""The structure of a card's markdown body, read with markdown-it-py: sections,
code blocks, the changelog, and the prose that facts are read from."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from hubfork.cards import markdown
from hubfork.cards.markdown import MAX_NESTING
from hubfork.cards.parts import ChangelogEntry, CodeBlock, Section

_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
# Emphasis and code markers, but not the underscores inside names like pooled_output.
_MARKUP = re.compile(r"[*`]+|(?<!\w)_+|_+(?!\w)")
_CHANGELOG_TITLE = re.compile(r"change\s*log|version\s+history|release\s+notes", re.IGNORECASE)
_VERSION_TITLE = re.compile(r"^v(?:ersion)?\s*(\d+)\b", re.IGNORECASE)
# No two neighbouring quantifiers may match the same characters: a line of blanks after "- "
# would otherwise be tried every way of splitting it (time quadratic in the line's length).
_VERSION_BULLET = re.compile(r"^\s*[*+-]\s+(?:\*+\s*)?v(?:ersion)?\s*(\d+)\b\**\s*[:.)-]?\s*(.*)$", re.IGNORECASE)
_BULLET = re.compile(r"^\s*(?:[*+-]|\d+[.)])\s+")
_LONE_CR = re.compile(r"\r(?!\n)")
_METADATA_COMMENT = re.compile(r"^<!--(?:\w|\s|-)+:.+-->\s*$")


@dataclass(slots=True)
class Body:
    sections: list[Section] = field(default_factory=list)
    code_blocks: list[CodeBlock] = field(default_factory=list)
    changelog: list[ChangelogEntry] = field(default_factory=list)
    #: The body's text outside code blocks and HTML, for facts stated in prose.
    prose: str = ""
    #: Lines of ``<!-- key: value -->`` comments found after the metadata block.
    stray_metadata_lines: list[int] = field(default_factory=list)
    #: The line where lists and block quotes nest as deep as markdown-it reads (`MAX_NESTING`):
    #: it reads nothing of the body past there, so the card's later sections are missed.
    too_deep_line: int | None = None


# Tokens whose content markdown-it reads as blocks again, one level down: opened at the last
# level, their content is the first thing it does not read.
_CONTAINERS = frozenset({"blockquote_open", "list_item_open"})


def parse_body(lines: list[str], first_line: int) -> Body:
    """Parse `lines`, which start at line `first_line` (1-based) of the card file."""
    body = Body()
    if not lines:
        return body
    offset = first_line - 1
    # markdown-it also breaks lines at a lone "\r"; lines here are split at "\n" only, so a
    # lone "\r" is read as a blank to keep its line numbers and these the same.
    text = "\n".join(lines)
    tokens = markdown.parser().parse(_LONE_CR.sub(" ", text) if "\r" in text else text)
    hidden: list[tuple[int, int]] = []  # half-open line ranges (0-based, in `lines`) kept out of prose
    headings: list[tuple[int, int, str]] = []  # (level, line index, title)
    for index, token in enumerate(tokens):
        if token.map is None:
            continue
        start, end = token.map
        if token.type in _CONTAINERS and token.level >= MAX_NESTING - 1 and body.too_deep_line is None:
            body.too_deep_line = start + offset + 1
        if token.type == "heading_open":
            title = tokens[index + 1].content if index + 1 < len(tokens) else ""
            headings.append((int(token.tag[1:]), start, clean_title(title)))
        elif token.type in ("fence", "code_block"):
            language = token.info.strip().split(" ", 1)[0] if token.type == "fence" else ""
            body.code_blocks.append(CodeBlock(language, start + offset + 1, token.content))
            hidden.append((start, end))
        elif token.type == "html_block":
            hidden.append((start, end))
            for number in range(start, end):
                if _METADATA_COMMENT.match(lines[number]):
                    body.stray_metadata_lines.append(number + offset + 1)
    body.sections = _sections(headings, len(lines), offset)
    body.prose = _prose(lines, hidden)
    body.changelog = read_changelog(body.sections, lines, offset)
    return body


def clean_title(title: str) -> str:
    """Heading text without link syntax, emphasis markers and closing hashes."""
    # Most titles have neither: the substring tests spare them both substitutions.
    if "](" in title:
        title = _LINK.sub(r"\1", title)
    if "*" in title or "`" in title or "_" in title:
        title = _MARKUP.sub("", title)
    return title.strip().rstrip("#").strip()


def _sections(headings: list[tuple[int, int, str]], n_lines: int, offset: int) -> list[Section]:
    """A section per heading, running to the next heading of its level or above (or the end).

    One pass with a stack of open sections: each heading closes the open ones at its
    level or below, so a card of many headings costs time in proportion to them.
    """
    ends = [n_lines] * len(headings)
    open_sections: list[int] = []  # indices into `headings`, levels strictly rising
    for index, (level, start, _) in enumerate(headings):
        while open_sections and headings[open_sections[-1]][0] >= level:
            ends[open_sections.pop()] = start
        open_sections.append(index)
    return [
        Section(title, level, start + offset + 1, _last_line(end, offset))
        for (level, start, title), end in zip(headings, ends)
    ]


def _last_line(end_index: int, offset: int) -> int:
    return max(end_index + offset, 1)


def _prose(lines: list[str], hidden: list[tuple[int, int]]) -> str:
    """`lines` without those in the `hidden` ranges, joined: the stretches between ranges (in
    order of their starts, past the furthest end so far) are sliced, not copied line by line."""
    kept: list[str] = []
    position = 0
    for start, end in sorted(hidden):
        if start > position:
            kept += lines[position:start]
        position = max(position, end)
    kept += lines[position:]
    return "\n".join(kept)


def read_changelog(sections: list[Section], lines: list[str], offset: int) -> list[ChangelogEntry]:
    """``Version N`` entries of the first changelog section, as subsections or bullets."""
    log = next((s for s in sections if _CHANGELOG_TITLE.search(s.title)), None)
    if log is None:
        return []
    entries: list[ChangelogEntry] = []
    subsections = [
        s for s in sections
        if s.level > log.level and log.line < s.line <= log.end_line and _VERSION_TITLE.match(s.title)
    ]
    for sub in subsections:
        version = int(_VERSION_TITLE.match(sub.title).group(1))  # type: ignore[union-attr]
        text = lines[sub.line - offset : sub.end_line - offset]
        entries.append(ChangelogEntry(version, sub.line, tuple(_notes(text))))
    if entries:
        return entries
    for number in range(log.line - offset, min(log.end_line - offset, len(lines))):
        match = _VERSION_BULLET.match(lines[number])
        if match:
            notes = (match.group(2).strip(),) if match.group(2).strip() else ()
            entries.append(ChangelogEntry(int(match.group(1)), number + offset + 1, notes))
    return entries


def _notes(text: list[str]) -> list[str]:
    """Bullet points of a changelog entry, continuation lines joined.

    Each note's lines are gathered in a list and joined once: adding every line to a
    growing string would copy the note again per line (quadratic in a long entry).
    """
    notes: list[list[str]] = []
    for raw in text:
        line = raw.strip()
        if not line or line.startswith(("#", "<!--", "```")):
            continue
        if _BULLET.match(raw) or not notes:
            notes.append([_BULLET.sub("", raw).strip()])
        else:
            notes[-1].append(line)
    return [" ".join(parts) for parts in notes]
