"""Fuzzing the registry reader with mutations of the shipped registry.yaml: `Registry.load_file`
returns a registry or raises `RegistryError`, nothing else. ``scripts/fuzz.py`` runs the same
property for minutes; see tests/fixtures/fuzzing.py."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from tests.fixtures.fuzzing import mutated_bytes, registry_property, registry_seed


@pytest.mark.slow
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mutated_bytes((registry_seed(),)))
def test_mutated_registries_load_or_raise_registry_error(data):
    registry_property(data)
