"""The markdown-it parser card bodies are read with: CommonMark's block rules only, tried only
on the lines that can start their blocks.

markdown-it tries every block rule on every line (and every rule that can end a paragraph on
each of a paragraph's lines); each try logs a debug message and checks the line's indentation
before it looks at the line's first character. Here the rules that start on a given character
are grouped into one, which looks at that character and calls only those that can start there
(in markdown-it's order), and the setext and indented-code rules look first at what they need;
the input's line ends are normalised with str.replace. The tokens are the same (tests/cards/
test_markdown.py compares both parsers on every card in the repository, on generated markdown
and on hostile inputs) in half the time.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable

#: How deep markdown-it nests tokens (its "commonmark" preset's ``maxNesting``; a list is two
#: levels, a block quote one). Deeper, it stops reading instead of recursing without end.
MAX_NESTING = 20

Rule = Callable[[Any, int, int, bool], bool]

#: The characters each rule's line must start with (after its indentation): every one of these
#: rules returns False, changing nothing, on a line starting with anything else.
_FIRST_CHARACTERS = {
    "fence": "~`",
    "blockquote": ">",
    "hr": "*-_",
    "list": "*-+0123456789",
    "reference": "[",
    "html_block": "<",
    "heading": "#",
}
#: markdown-it's block rules in the order it tries them (``table`` is off in CommonMark).
_ORDER = ("code", "fence", "blockquote", "hr", "list", "reference", "html_block", "heading", "lheading", "paragraph")
#: Rules tried as one, by the first character of the line, in the place of the first of them.
#: Each group shares the chains of terminators it is in (its rules' ``alt``), so a paragraph
#: line is tried with 2 calls instead of 6, a list line with 1 instead of 3.
_GROUPS = (("fence", "blockquote", "hr"), ("list", "html_block", "heading"))


def full_parser():
    """markdown-it as configured for cards, without the guards (the reference the guards are tested against)."""
    from markdown_it import MarkdownIt

    # Block structure is all a card's facts need; skipping the inline pass
    # makes parsing about three times faster over a whole corpus.
    return MarkdownIt("commonmark", {"maxNesting": MAX_NESTING}).disable(["inline", "text_join"])


@lru_cache(maxsize=1)
def parser():
    """The parser card bodies are read with: `full_parser` with its block rules guarded and grouped
    (or `full_parser` itself, should a markdown-it release arrange its rules otherwise)."""
    md = full_parser()
    ruler = md.block.ruler
    rules = {rule.name: rule for rule in ruler.__rules__ if rule.enabled}
    if (tuple(rules) != _ORDER or "normalize" not in md.core.ruler.get_active_rules()
            or any(len({tuple(rules[name].alt) for name in group}) != 1 for group in _GROUPS)):
        return md
    md.core.ruler.at("normalize", _normalize)
    ruler.at("code", _indented(rules["code"].fn), {"alt": list(rules["code"].alt)})
    ruler.at("lheading", _underlined(rules["lheading"].fn), {"alt": list(rules["lheading"].alt)})
    ruler.at("reference", _by_first_character([rules["reference"]]), {"alt": list(rules["reference"].alt)})
    for first, *others in _GROUPS:
        grouped = _by_first_character([rules[name] for name in (first, *others)])
        ruler.at(first, grouped, {"alt": list(rules[first].alt)})
        ruler.disable(others)
    return md


def _normalize(state: Any) -> None:
    """markdown-it's first step (line ends made "\\n", NUL made U+FFFD) with str.replace, not two
    regular expressions over the whole text: a "\\r" before "\\n" goes with it, any other is a line end."""
    src = state.src
    if "\r" in src:
        src = src.replace("\r\n", "\n").replace("\r", "\n")
    if "\0" in src:
        src = src.replace("\0", "\ufffd")
    state.src = src


def _by_first_character(rules: list[Any]) -> Rule:
    """One rule trying `rules` in order, but only those a line's first character can start."""
    table: dict[str, tuple[Rule, ...]] = {}
    for rule in rules:
        for character in _FIRST_CHARACTERS[rule.name]:
            table[character] = (*table.get(character, ()), rule.fn)
    everything = tuple(rule.fn for rule in rules)
    candidates = table.get

    def grouped(state: Any, line: int, end: int, silent: bool) -> bool:
        pos = state.bMarks[line] + state.tShift[line]
        src = state.src
        # At the end of the text every rule is called, to behave (or fail) exactly as they do.
        for rule in candidates(src[pos], ()) if pos < len(src) else everything:
            if rule(state, line, end, silent):
                return True
        return False

    return grouped


def _indented(rule: Rule) -> Rule:
    # An indented code block starts only on a line indented 4 or more past the block's indent.
    def guarded(state: Any, line: int, end: int, silent: bool) -> bool:
        if state.sCount[line] - state.blkIndent < 4:
            return False
        return rule(state, line, end, silent)

    return guarded


def _underlined(rule: Rule) -> Rule:
    """A setext heading needs a line starting with '-' or '=' before the paragraph's next blank
    line: without one the rule is not tried (it would run every paragraph terminator on every
    line to find out). It fails then as the rule does, leaving the parent type "paragraph"."""

    def guarded(state: Any, line: int, end: int, silent: bool) -> bool:
        src, b_marks, t_shift, e_marks = state.src, state.bMarks, state.tShift, state.eMarks
        for number in range(line + 1, end):
            pos = b_marks[number] + t_shift[number]
            if pos >= e_marks[number]:
                break
            if src[pos] in "-=":
                return rule(state, line, end, silent)
        if state.is_code_block(line):
            return False
        state.parentType = "paragraph"
        return False

    return guarded
