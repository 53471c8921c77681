"""Fuzzing the resolver with mutations of real names (every form, and the shipped registry's handles
and repos), resolved against the shipped registry: `resolve` returns a ResolvedName or raises a
`HubforkError`, and a repo it returns has a repo id and revision that cannot leave the cache.
``scripts/fuzz.py`` runs the same property for minutes; see tests/fixtures/fuzzing.py."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.fixtures.fuzzing import mutated_text, name_seeds, resolver_property


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.one_of(mutated_text(name_seeds(), max_mutations=4), st.text(max_size=60)))
# Crashes earlier campaigns found, kept as examples: a file name too long for the OS, a ~user
# nobody has, a ~user the system cannot encode, an unclosed IPv6 bracket and a port out of range.
@example("./" + "a" * 300 + "bert")
@example("~\ud800org/bert")
@example("~a\x00b/bert")
@example("~0")
@example("~nosuchuser/model.tar.gz")
@example("https://[::1/org/bert")
@example("https://hf-mirror.com:99999/org/bert")
def test_mutated_names_resolve_or_raise_hubfork_errors(name):
    resolver_property(name)


@pytest.fixture(autouse=True)
def _in_an_empty_folder(tmp_path, monkeypatch):
    # Relative names are looked up as folders: start where nothing is.
    monkeypatch.chdir(tmp_path)
