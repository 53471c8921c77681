"""No input makes the parser raise: every problem is a Problem with a line."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hubfork import parse_card

pieces = st.sampled_from([
    "# Module a/b/1", "# Publisher p", "# Collection a/b/1", "---", "license: mit", "repo_id: a/b", "tags: [x",
    "<!-- format: hub -->", "<!-- task: text-embedding -->", "[![Icon URL]](x)", "```python", "```", "## Changelog",
    "### Version 2", "* Version 3: dicts", "Model name: x", 'snapshot_download(repo_id="a/x")', "L=12 H=768 A=12",
    "", " ", "\t", "\r", "&zwnj;", "\ufeff", "\u2028", "text", "# ", "<!--", "-->",
])


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=300), st.lists(pieces, max_size=25).map("\n".join)))
def test_any_text_gives_a_card_and_located_problems(text):
    card = parse_card("fuzz.md", text)
    n_lines = text.count("\n") + 1
    for problem in card.problems:
        assert problem.path == "fuzz.md"
        assert 1 <= problem.line <= n_lines, problem
        assert problem.severity in ("error", "warning") and problem.message
    if card.handle is None:
        assert card.errors  # a card that names nothing always says why
    card.to_dict()  # always serialisable


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_any_bytes_on_disk(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("fuzz") / "card.md"
    path.write_bytes(data)
    card = parse_card(path)
    assert all(p.line >= 1 for p in card.problems)
