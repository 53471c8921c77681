"""Fuzzing the card parser with mutations of real cards (tests/data/seeds and the sample cards of cards/tfhub.dev): it
returns a Card, whatever the text or the bytes of the file, and raises nothing (problems are in the
card). ``scripts/fuzz.py`` runs the same properties for minutes; see tests/fixtures/fuzzing.py."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings

from tests.fixtures.fuzzing import card_file_property, card_parser_property, card_seeds, mutated_bytes, mutated_text

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                          HealthCheck.data_too_large])


@FUZZ
@given(mutated_text(card_seeds()))
# What scripts/fuzz.py found: a lone carriage return before a comment, a URL key with a bracket.
@example("\r<!--")
@example("# Module t/2/1\n<!--colab://[-->")
@example("# Module t/2/1\n<!--colab://]-->")
def test_mutated_cards_give_a_card(text):
    card_parser_property(text)


@FUZZ
@given(mutated_bytes(card_seeds()))
@example(b"\r<!n")
def test_mutated_card_files_give_a_card(data):
    card_file_property(data)
