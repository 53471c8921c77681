"""The guarded markdown-it parser reads card bodies into exactly the tokens of the plain one.

`hubfork.cards.markdown.parser` skips block rules by a line's first character; these tests compare
it with `full_parser` (markdown-it as configured, rules untouched) token by token on every card in
the repository and on generated and hostile markdown, and compare `hubfork cards validate` with
either parser.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hubfork.cards import markdown
from hubfork.cards.markdown import MAX_NESTING
from hubfork.cards.parser import iter_card_paths
from hubfork.cli.main import main
from tests.conftest import DATA, ROOT

FULL = markdown.full_parser()
#: Pieces of lines that start, continue or end every kind of block, in indentations and nestings.
FRAGMENTS = [
    "", " ", "   ", "    ", "\t", "#", "# ", "## t", "###### x", "####### x", "#x", "-", "- ", "--", "---",
    "- - -", "===", "=", "* ", "*", "***", "* * *", "_ _ _", "__", "+ ", "+", "1. ", "1) ", "2. ", "0.",
    "1234567890. ", "> ", ">", ">>", "```", "```py", "~~~", "~~", "``` `x", "<div>", "</div>", "<!-- a: b -->",
    "<!--", "-->", "<pre>", "</pre>", "<script>", "<?", "?>", "<!X", "<![CDATA[", "]]>", "<a href='x'>", "<x-y>",
    "[a]: /u", "[a]:", "[a]", '"t"', "text", "word ", "`", "\\", "|a|b|", "\r", "\x00", "é",
]


def signature(tokens) -> list[tuple]:
    return [(t.type, t.tag, t.nesting, t.level, t.map, t.content, t.info, t.markup, t.block, t.hidden, t.attrs)
            for t in tokens]


def assert_same_tokens(text: str) -> None:
    assert signature(markdown.parser().parse(text)) == signature(FULL.parse(text)), repr(text)


def test_the_guards_are_in_place():
    # Should a markdown-it release arrange its rules otherwise, `parser` falls back to the plain
    # parser (still right, twice as slow): this says so.
    ruler = markdown.parser().block.ruler
    assert len(ruler.getRules("")) == 6
    assert len(ruler.getRules("paragraph")) == 2
    assert len(ruler.getRules("list")) == 1


@pytest.mark.slow
def test_every_card_in_the_repository_gives_the_same_tokens():
    paths = list(iter_card_paths([ROOT / "cards", DATA]))
    assert len(paths) > 2800
    for path in paths:
        assert_same_tokens(path.read_text(encoding="utf-8", errors="replace"))


@pytest.mark.parametrize("text", [
    "para\n- item\n1. one\n2) two\n# head\n> quote\n```\ncode\n```\n<div>\n</div>\n***\n",
    "para\n___\ntext\n~~~\nx\n~~~\n+ plus\n",
    "Title\n===\nSub\n---\n  Lazy\n  ---\n\nx\n    ---\n",
    "a\n\n    indented code\n\tcode\n\n- x\n\n      code in a list\n",
    "> a\n> - b\n>   ```\n>   c\nlazy\n---\n",
    "[ref]: /url 'title'\n===\n\n[ref]:\n/url\n---\n",
    "1. a\n   1. b\n      - c\n        > d\n",
    "- " * (MAX_NESTING + 5) + "deep\n# after\n",
    "> " * (MAX_NESTING + 5) + "deep\n# after\n",
    "line\r\nother\rlast\x00\n",
    "   \n",
    "text\n   ",
    "- a\n -\n  - b\n   - c\n    - d\n     - e\n",
    "10. a\n2. b\n\npara\n2. not a list\n",
    "<!-- a\n-->\n<pre>\n\n</pre>\n<?x\n?>\n<!X\n>\n<![CDATA[\n]]>\n",
])
def test_hand_written_markdown_gives_the_same_tokens(text):
    assert_same_tokens(text)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.lists(st.sampled_from(FRAGMENTS), max_size=4).map("".join), min_size=1, max_size=14))
def test_generated_markdown_gives_the_same_tokens(lines):
    assert_same_tokens("\n".join(lines))


def test_a_paragraph_without_underline_leaves_the_parent_type_as_the_setext_rule_does():
    # markdown-it's setext rule, failing, leaves the parent type "paragraph"; the guard does the same.
    from markdown_it.rules_block import StateBlock

    states = [StateBlock("text\nmore\n", md, {}, []) for md in (markdown.parser(), FULL)]
    results = []
    for state in states:
        lheading = next(rule.fn for rule in state.md.block.ruler.__rules__ if rule.name == "lheading")
        results.append((lheading(state, 0, state.lineMax, False), state.parentType))
    assert results == [(False, "paragraph")] * 2


@pytest.mark.slow
def test_validate_reports_the_same_with_the_plain_parser(tmp_path, capsys, monkeypatch):
    nested = tmp_path / "nested.md"
    nested.write_text("# Module acme/deep/1\nDeep.\n\n<!-- asset-path: legacy -->\n\n## Overview\n\n"
                      + "- " * (MAX_NESTING + 3) + "x\n\n## Later\n\n<!-- task: text-embedding -->\n")
    (tmp_path / "header.md").write_text("# Module acme/Bad Name/x\n\n<!-- format: nope -->\n## Title\n===\n")
    given = [str(ROOT / "cards"), str(DATA), str(tmp_path)]

    def validate() -> tuple[int, str, str]:
        code = main(["cards", "validate", *given])
        out = capsys.readouterr()
        return code, out.out, out.err

    guarded = validate()
    monkeypatch.setattr(markdown, "parser", markdown.full_parser)
    plain = validate()
    assert guarded == plain
    assert guarded[0] == 1 and "nest too deep" in guarded[1] + guarded[2]
