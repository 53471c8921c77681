"""The registry's YAML writer: PyYAML's safe_load reads back exactly what was written, one line per
list item."""

from __future__ import annotations

import math

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from hubfork.registry import yaml_writer

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=False),
    st.text(),  # any unicode, control characters and line separators included
    st.sampled_from(["yes", "No", "on", "OFF", "null", "~", "", "1.0", "0x1F", "1e3", "12:30", "2021-01-01",
                     "- a", "a: b", "#x", "x #y", "[a]", "{b}", "*ref", "&anchor", "!tag", "'q'", '"q"',
                     "saved_model_2", "L-12_H-768_A-12", ".inf", "-.5", "+1", "c++", "_x", "a\u2028b", "\ufeff"]),
)
documents = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(st.text(max_size=8), children,
                                                                               max_size=4)),
    max_leaves=25,
)


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(st.dictionaries(st.text(max_size=10), documents, max_size=5))
def test_safe_load_reads_back_what_was_written(document):
    text = yaml_writer.dump(document, "# header")
    assert yaml.safe_load(text) == (document or None)


def test_floats_keep_their_value_and_type():
    values = [1e-05, 0.5, 3.0, -2.5e20, float("inf"), float("-inf")]
    loaded = yaml.safe_load(yaml_writer.dump({"v": values}))["v"]
    assert loaded == values and all(isinstance(v, float) for v in loaded)
    assert math.isnan(yaml.safe_load(yaml_writer.dump({"v": float("nan")}))["v"])


def test_layout_is_one_line_per_item_in_json():
    text = yaml_writer.dump({"format": 1, "cards": "cards", "entries": [
        {"handle": "a/b/1", "tags": ["x", "z"], "card": {"path": "c.md"}}, {"handle": "é\u2028"}]})
    assert text == ('format: 1\ncards: "cards"\nentries:\n'
                    '- {"handle": "a/b/1", "tags": ["x", "z"], "card": {"path": "c.md"}}\n'
                    '- {"handle": "é\\u2028"}\n')


def test_floats_are_written_as_yaml_reads_them_not_as_json_would():
    assert yaml_writer.flow({"a": 1e-05, "b": [float("inf"), 2.0]}) == '{"a": 1.0e-05, "b": [.inf, 2.0]}'


def test_values_no_registry_can_hold_are_refused():
    with pytest.raises(TypeError, match="cannot write set"):
        yaml_writer.flow({"a": {1, 2}})
    with pytest.raises(ValueError, match="lone surrogate"):
        yaml_writer.flow("a\ud800b")
