"""`compare`: each fact a card states that the model contradicts is one error at the card's line
that states it; `check_card_against_model` on the real SavedModels of every generation."""

from __future__ import annotations

import pytest

from hubfork.cards.parser import parse_card
from hubfork.publishing.card_writer import write_card
from hubfork.publishing.model_checks import compare
from tests.publishing.test_card_writer import HANDLE, PRE, encoder_facts, preprocessor_facts


def problems(text: str, facts, **kwargs) -> list[str]:
    card = parse_card("card.md", text)
    return [str(p) for p in compare(card, facts, text=text, **kwargs)]


def card_text(lines: list[str], first: str = f"# Module {HANDLE}") -> str:
    return "\n".join([first, "A tiny BERT.", "", "<!-- asset-path: legacy -->", *lines]) + "\n"


def test_a_card_saying_l_12_for_the_2_layer_model_is_refused_at_its_name():
    text = card_text(["<!-- task: text-embedding -->"], first="# Module hubfork/bert_L-12_H-32_A-2/3")
    assert problems(text, encoder_facts("v3")) == ["card.md:1: error: card says L-12, the model has 2 layers"]


def test_sizes_in_the_prose_are_refused_at_their_line():
    text = card_text(["<!-- task: text-embedding -->", "", "## Overview", "", "It has L=2 layers,",
                      "H=768 and A=12 heads."])
    assert problems(text, encoder_facts("v3")) == [
        "card.md:10: error: card says H-768, the model has hidden size 32",
        "card.md:10: error: card says A-12, the model has 2 attention heads",
    ]


def test_cased_vs_uncased():
    text = card_text(["<!-- task: text-embedding -->"], first="# Module hubfork/bert_en_cased/3")
    assert problems(text, encoder_facts("v3")) == ["card.md:1: error: card says cased, the model is uncased"]
    prose = card_text(["", "## Overview", "", 'Text is normalized the "uncased" way.'])
    assert problems(prose, encoder_facts("v3", casing="cased")) == [
        "card.md:8: error: card says uncased, the model is cased"]


def test_the_list_api_on_a_v3_model():
    text = card_text(["<!-- task: text-embedding -->", "", "## Usage", "", "```python",
                      "pooled_output, sequence_output = encoder([ids, mask, types])", "```"])
    assert problems(text, encoder_facts("v3")) == [
        "card.md:10: error: card says the list API, the model is v3 (dict API)"]


def test_the_tf1_format_on_a_v2_model_is_refused_at_its_format_line():
    text = card_text(["<!-- fine-tunable: true -->", "<!-- format: hub -->", "<!-- task: text-embedding -->"])
    assert problems(text, encoder_facts("v2")) == [
        "card.md:6: error: card says format: hub, the model is a TF2 SavedModel (format: saved_model_2)",
        "card.md:6: error: card says the TF1 Hub format (hub.Module), the model is v2 (list API)",
    ]


def test_mlm_claimed_on_v3():
    text = card_text(["<!-- task: text-embedding -->", "", "## Usage", "", 'Call `encoder.mlm(inputs)["mlm_logits"]`.'])
    assert problems(text, encoder_facts("v3")) == [
        "card.md:9: error: card says the model has the .mlm subobject, the model (v3) has none"]
    # A v4 card that does not mention .mlm says nothing wrong.
    assert problems(card_text(["<!-- task: text-embedding -->"]), encoder_facts("v4")) == []


def test_fine_tunable():
    text = card_text(["<!-- fine-tunable: true -->", "<!-- task: text-embedding -->"])
    assert problems(text, encoder_facts("tf1-hub")) == [
        "card.md:5: error: card says fine-tunable: true, the model has no trainable variables"]


def test_a_preprocessing_card_on_an_encoder_and_the_reverse():
    pre_card = card_text(["<!-- task: text-preprocessing -->"])
    assert problems(pre_card, encoder_facts("v3")) == [
        "card.md:5: error: card says text-preprocessing, the model is a text encoder"]
    encoder_card = card_text(["<!-- task: text-embedding -->"], first="# Module hubfork/bert_en_cased/3")
    assert problems(encoder_card, preprocessor_facts()) == [
        "card.md:5: error: card says text-embedding, the model is a preprocessor"]


def test_the_preprocessors_casing_and_vocab_against_the_encoders():
    text = write_card(encoder_facts("v3"), HANDLE, preprocessor=PRE).text
    line = next(i for i, row in enumerate(text.split("\n"), 1) if PRE in row)
    assert problems(text, encoder_facts("v3"), preprocessor_facts=preprocessor_facts()) == []
    assert problems(text, encoder_facts("v3"), preprocessor_facts=preprocessor_facts(casing="cased")) == [
        f"card.md:{line}: error: the preprocessor {PRE} is cased, the model is uncased"]
    assert problems(text, encoder_facts("v3"), preprocessor_facts=preprocessor_facts(vocab_size=119547)) == [
        f"card.md:{line}: error: the preprocessor {PRE} has a vocab of 119547 word pieces, the model has 31"]
    assert problems(text, encoder_facts("v3"), preprocessor_facts=preprocessor_facts(vocab_sha256="b" * 64)) == [
        f"card.md:{line}: error: the preprocessor {PRE} has another vocab than the model "
        "(sha256 bbbbbbbbbbbb… vs aaaaaaaaaaaa…)"]
    assert problems(text, encoder_facts("v3"), preprocessor_facts=encoder_facts("v3")) == [
        f"card.md:{line}: error: card names {PRE} as its preprocessor, but it is an encoder"]


def test_a_huggingface_card_is_compared_too():
    text = write_card(encoder_facts("v4"), HANDLE, format="huggingface", preprocessor=PRE).text
    assert problems(text, encoder_facts("v4")) == []
    line = next(i for i, row in enumerate(text.split("\n"), 1) if "L=2" in row)
    assert problems(text, encoder_facts("v4", layers=6)) == [
        f"card.md:{line}: error: card says L-2, the model has 6 layers"]
    assert [p.split(": error: ")[1] for p in problems(text, encoder_facts("v3"))] == [
        "card says the model has the .mlm subobject, the model (v3) has none"]


def test_a_card_that_states_nothing_disagrees_with_nothing():
    text = "# Module hubfork/x/1\nSomething.\n\n<!-- asset-path: legacy -->\n"
    assert problems(text, encoder_facts("v2")) == []


def test_the_card_file_is_read_for_the_lines_when_no_text_is_given(tmp_path):
    path = tmp_path / "card.md"
    path.write_text(card_text(["<!-- task: text-embedding -->", "", "## Overview", "", "L=12"]), encoding="utf-8")
    card = parse_card(path)
    assert [(p.line, p.message) for p in compare(card, encoder_facts("v3"))] == [
        (9, "card says L-12, the model has 2 layers")]


# ------------------------------------------------------------- on real SavedModels


@pytest.fixture(scope="module")
def inspected(generations, tiny_preprocessor):
    """The facts of every generation and the preprocessor, read once for the module's tests: each
    `inspect_model` loads its SavedModel."""
    from hubfork.models.inspection import inspect_model

    return {name: inspect_model(path) for name, path in {**generations, "pre": tiny_preprocessor}.items()}


@pytest.mark.parametrize("format", ["tfhub", "huggingface"])
@pytest.mark.parametrize("name", ["tf1-hub", "v1", "v2", "v3", "v4", "pre"])
def test_cards_written_from_real_models_read_back_as_them(inspected, name, format):
    facts = inspected[name]
    handle = PRE if name == "pre" else HANDLE
    draft = write_card(facts, handle, format=format, preprocessor=PRE)
    assert draft.conflicts == []
    card = parse_card("card.md", draft.text)
    assert card.problems == []
    assert compare(card, facts, text=draft.text, preprocessor_facts=inspected["pre"]) == []
    if name == "pre":
        assert (card.tasks[-1], card.casing, card.architecture) == ("text-preprocessing", "uncased", None)
        return
    api = {"tf1-hub": "tf1-hub", "v1": "list", "v2": "list", "v3": "dict", "v4": "dict"}[name]
    assert (card.architecture.label, card.casing, card.api, card.mlm, card.preprocessor) == (
        "L-2_H-32_A-2", "uncased", api, name == "v4", PRE)
    assert card.format == ("hub" if name == "tf1-hub" else "saved_model_2")


def test_check_card_against_model_names_an_unresolvable_preprocessor(generations, inspected, tmp_path):
    from hubfork.publishing.model_checks import check_card_against_model

    card = tmp_path / "card.md"
    card.write_text(write_card(inspected["v3"], HANDLE, preprocessor=PRE).text, encoding="utf-8")
    found = check_card_against_model(card, generations["v3"], run=False)
    line = next(i for i, row in enumerate(card.read_text().split("\n"), 1) if PRE in row)
    assert [(p.line, p.severity, p.code) for p in found] == [(line, "error", "preprocessor")]
    assert found[0].message.startswith(f"the preprocessor {PRE} cannot be fetched: ")


def test_check_card_against_model_runs_one_batch(generations, inspected, tmp_path):
    from hubfork.publishing.model_checks import check_card_against_model

    card = tmp_path / "card.md"
    text = write_card(inspected["v3"], "hubfork/bert_L-12_H-32_A-2/3").text
    card.write_text(text, encoding="utf-8")
    found = check_card_against_model(card, generations["v3"], run=True)
    assert [str(p) for p in found] == [
        f"{card}:1: warning: the name says L-12_H-32_A-2 but the text says L-2_H-32_A-2; using the name",
        f"{card}:1: error: card says L-12, the model has 2 layers",
    ]


def test_a_model_that_fails_to_run_is_a_problem(generations, inspected, tmp_path, monkeypatch):
    import hubfork.loading.text
    from hubfork.publishing.model_checks import check_card_against_model

    card = tmp_path / "card.md"
    card.write_text(write_card(inspected["v2"], HANDLE).text, encoding="utf-8")

    def broken(*args, **kwargs):
        raise RuntimeError("no kernel for op X")

    monkeypatch.setattr(hubfork.loading.text, "load_text_model", broken)
    assert [str(p) for p in check_card_against_model(card, generations["v2"])] == [
        f"{card}:1: error: running one batch through the model failed: RuntimeError: no kernel for op X"]
    assert check_card_against_model(card, generations["v2"], run=False) == []


@pytest.mark.parametrize("generation", ["tf1-hub", "v1", "v2", "v3", "v4"])
def test_a_written_card_of_every_generation_passes_validate_with_its_model(generations, inspected, generation,
                                                                         tmp_path):
    """What ``hubfork cards validate CARD --model DIR`` runs, one batch included (the preprocessor is
    built from the encoder's own vocab)."""
    from hubfork.publishing.model_checks import check_card_against_model

    card = tmp_path / "card.md"
    card.write_text(write_card(inspected[generation], HANDLE).text, encoding="utf-8")
    assert check_card_against_model(card, generations[generation]) == []
