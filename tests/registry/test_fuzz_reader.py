"""Fuzzing the registry reader with mutations of the shipped registry.yaml: `Registry.load_file`
returns a registry or raises `RegistryError`, nothing else. ``scripts/fuzz.py`` runs the same
property for minutes; see tests/fixtures/fuzzing.py.

Most examples mutate a sample of the shipped registry (every kind of entry, its header and count
line); a few mutate the whole 2.8 MB file, whose every example that still loads costs half a second."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from hubfork.registry.registry import Registry
from tests.conftest import ROOT
from tests.fixtures.fuzzing import mutated_bytes, registry_property, registry_sample_seed, registry_seed


def test_the_sample_is_a_registry_of_every_kind(tmp_path):
    sample = tmp_path / "registry.yaml"
    sample.write_text(registry_sample_seed(), encoding="utf-8")
    kinds = {entry.kind for entry in Registry.load_file(sample)}
    assert kinds == {entry.kind for entry in Registry.load_file(ROOT / "registry.yaml")}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mutated_bytes((registry_sample_seed(),)))
def test_mutated_registries_load_or_raise_registry_error(data):
    registry_property(data)


@pytest.mark.slow
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mutated_bytes((registry_seed(),)))
def test_mutations_of_the_whole_shipped_registry_load_or_raise_registry_error(data):
    registry_property(data)
