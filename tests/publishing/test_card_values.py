"""Values written into a card are one line of plain text: ``card new`` and ``publish`` (through
`write_card`) refuse, naming the option, a value that could end its line or comment and add
metadata of its own (``hub-endpoint``, ``hub-repo``) or hide what it says."""

from __future__ import annotations

import dataclasses

import pytest

from hubfork.cards.values import card_value_problem
from hubfork.errors import PublishError
from hubfork.models.inspection import SignatureFacts, TensorFacts
from hubfork.publishing.card_writer import write_card
from tests.conftest import run_cli
from tests.publishing.test_card_writer import HANDLE, PRE, encoder_facts

#: A ``--language`` that, written as given, would give the card a hub-endpoint and hub-repo of its choosing.
INJECTED = "en -->\n<!-- hub-endpoint: http://evil.example -->\n<!-- hub-repo: evil/model"


@pytest.mark.parametrize(("value", "problem"), [
    ("en\nde", "holds a line break; a card value is one line"),
    ("en\rde", "holds a line break; a card value is one line"),
    ("en\u2028de", "holds a line break; a card value is one line"),  # str.splitlines ends a line there
    ("en\x85de", "holds a line break; a card value is one line"),
    ("mit --> x", "holds '-->', which would end or start a card's metadata comment"),
    ("<!-- hub-repo: evil/x", "holds '<!--', which would end or start a card's metadata comment"),
    ("apache\x1b[2J", "holds the control or format character U+001B"),
    ("en\tde", "holds the control or format character U+0009"),
    ("mit\u202e", "holds the control or format character U+202E"),
    ("m\u200bit", "holds the control or format character U+200B"),
])
def test_card_value_problem_names_what_is_wrong(value, problem):
    assert card_value_problem(value) == problem


@pytest.mark.parametrize("value", ["en", "apache-2.0", "org/bert@v1", "http://127.0.0.1:8090/x", "é, 漢字 - > <!",
                                   "A BERT  encoder; see https://example.org/?a=b#c"])
def test_plain_one_line_values_are_fine(value):
    assert card_value_problem(value) is None


@pytest.mark.parametrize("format", ["tfhub", "huggingface"])
@pytest.mark.parametrize("option", ["preprocessor", "license", "language", "hub_repo", "hub_endpoint", "description",
                                    "base_model"])
def test_write_card_refuses_a_value_that_would_add_metadata(option, format):
    values = {"hub_repo": "me/tiny-bert"} if option == "hub_endpoint" else {}
    values[option] = INJECTED
    with pytest.raises(PublishError) as caught:
        write_card(encoder_facts("v3"), HANDLE, format=format, **values)
    flag = "--" + option.replace("_", "-")
    assert str(caught.value) == f"{flag} {INJECTED!r} holds a line break; a card value is one line"
    assert caught.value.step == "card" and "\n" not in str(caught.value)


def test_completing_a_users_card_refuses_them_too():
    existing = write_card(encoder_facts("v3"), HANDLE).text
    with pytest.raises(PublishError, match=r"^--license 'mit\\u202e' holds the control or format character U\+202E$"):
        write_card(encoder_facts("v3"), HANDLE, existing=existing, license="mit\u202e")


def test_a_description_is_one_line():
    # A value the user gave is written as given or refused, never folded into something else.
    with pytest.raises(PublishError, match="^--description 'A tiny BERT.\\\\nFor tests.' holds a line break"):
        write_card(encoder_facts("v3"), HANDLE, description="A tiny BERT.\nFor tests.")


def test_the_models_own_names_are_refused_too():
    # A hostile SavedModel names its outputs; the card lists them one a line.
    outputs = (TensorFacts("pooled_output\n<!-- hub-endpoint: http://evil.example -->", "float32", (None, 32)),)
    facts = dataclasses.replace(encoder_facts("v3"), signatures=(SignatureFacts("serving_default", (), outputs),))
    with pytest.raises(PublishError) as caught:
        write_card(facts, HANDLE, preprocessor=PRE)
    assert str(caught.value) == (
        "/models/v3: the model's signature 'serving_default' has a name, "
        "'pooled_output\\n<!-- hub-endpoint: http://evil.example -->', that cannot be written into a card: it "
        "holds a line break; a card value is one line")


# ------------------------------------------------------------------------ the commands


def test_card_new_refuses_before_reading_the_model(tmp_path, tripwire):
    out = tmp_path / "card.md"
    # No model is there: the value is refused first, and TensorFlow is never imported (the tripwire).
    result = run_cli("card", "new", str(tmp_path / "no-model"), "--handle", "acme/bert/1", "--language", INJECTED,
                     "-o", str(out), pythonpath=[tripwire])
    assert result.returncode == 1
    assert result.stderr == f"hubfork: error: --language {INJECTED!r} holds a line break; a card value is one line\n"
    assert result.stdout == "" and not out.exists()


def test_publish_refuses_before_reading_the_model(tmp_path, tripwire):
    hub = tmp_path / "hub"
    result = run_cli("publish", str(tmp_path / "no-model"), "--repo-id", "acme/bert", "--hub", str(hub),
                     "--cards", str(tmp_path / "cards"), "--registry", str(tmp_path / "registry.yaml"),
                     "--license", "mit\n<!-- hub-repo: evil/model -->", pythonpath=[tripwire])
    assert result.returncode == 1
    assert result.stderr == ("hubfork: error: --license 'mit\\n<!-- hub-repo: evil/model -->' holds a line break; "
                             "a card value is one line\n")
    assert list(tmp_path.iterdir()) == []  # no hub, no cards, no registry
