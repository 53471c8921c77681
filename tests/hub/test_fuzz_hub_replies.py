"""Fuzzing a hub's replies: a real olah reply's revision info, listing and file headers mutated, served
on loopback and fetched through huggingface_hub. Only the documented outcomes may happen: a snapshot in
the cache or one `HubforkError` line, nothing written outside the cache, no hang. ``scripts/fuzz.py
--targets hub-replies`` runs the same property for minutes; see tests/fixtures/hub_reply_fuzzing.py."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from tests.fixtures.hub_reply_fuzzing import hub_lies, hub_reply_property


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(hub_lies())
def test_mutated_hub_replies_end_in_a_snapshot_or_one_hubfork_error(lies):
    hub_reply_property(lies)
