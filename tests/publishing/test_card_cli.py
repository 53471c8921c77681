"""``hubfork card new`` and ``hubfork cards validate --model``, run as a user would: each command once
as a fresh process (`run_cli`: the card printed by ``card new``, the mismatch ``card validate`` reports
with its exit status), the rest in this process (`run_cli_here`), which prints and exits the same without
a fresh Python importing TensorFlow each time."""

from __future__ import annotations

from hubfork.cards.parser import parse_card
from tests.conftest import run_cli, run_cli_here
from tests.publishing.test_card_writer import PRE, USER_CARD


def test_card_new_prints_a_card_that_reads_back_as_the_model(generations):
    result = run_cli("card", "new", str(generations["v4"]), "--handle", "hubfork/tiny_bert/3", "--preprocessor", PRE,
                     "--license", "apache-2.0", "--language", "en")
    assert result.returncode == 0, result.stderr
    card = parse_card("stdout", result.stdout)
    assert card.problems == []
    assert (card.handle, card.architecture.label, card.casing, card.api, card.mlm, card.preprocessor) == (
        "hubfork/tiny_bert/3", "L-2_H-32_A-2", "uncased", "dict", True, PRE)


def test_card_new_refuses_a_bad_handle(generations):
    result = run_cli_here("card", "new", str(generations["v3"]), "--handle", "tiny_bert")
    assert result.returncode == 2
    assert "hubfork: error: --handle 'tiny_bert' is not a TF Hub handle PUBLISHER/NAME/VERSION" in result.stderr
    assert result.stdout == ""


def test_card_new_with_a_contradicting_card_writes_nothing(generations, tmp_path):
    user = tmp_path / "user.md"
    user.write_text(USER_CARD, encoding="utf-8")
    out = tmp_path / "out.md"
    result = run_cli_here("card", "new", str(generations["v3"]), "--handle", "hubfork/tiny_bert/3", "--card",
                          str(user), "-o", str(out))
    assert result.returncode == 1
    assert f"{user}:9: error: card says L-12, the model has 2 layers\n" in result.stderr
    assert f"{user}:12: error: card says the list API, the model is v3 (dict API)\n" in result.stderr
    assert not out.exists()


def test_card_new_writes_with_o_and_replaces_only_with_force(generations, tmp_path):
    out = tmp_path / "card.md"
    args = ("card", "new", str(generations["v2"]), "--handle", "hubfork/tiny_bert/2", "--format", "huggingface",
            "-o", str(out))
    assert run_cli_here(*args).returncode == 0
    written = out.read_text(encoding="utf-8")
    assert parse_card(out).api == "list"
    out.write_text("mine", encoding="utf-8")
    again = run_cli_here(*args)
    assert again.returncode == 1 and f"{out} exists; pass --force to replace it" in again.stderr
    assert out.read_text(encoding="utf-8") == "mine"
    assert run_cli_here(*args, "--force").returncode == 0
    assert out.read_text(encoding="utf-8") == written


def test_cards_validate_with_model_reports_the_mismatch_at_its_line(generations, tmp_path):
    card = tmp_path / "card.md"
    card.write_text("# Module hubfork/bert_en_cased_L-12_H-32_A-2/3\nA tiny BERT.\n\n<!-- asset-path: legacy -->\n"
                    "<!-- fine-tunable: true -->\n<!-- format: saved_model_2 -->\n<!-- task: text-embedding -->\n",
                    encoding="utf-8")
    result = run_cli("card", "validate", str(card), "--model", str(generations["v3"]), "--no-run")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [f"{card}:1: error: card says L-12, the model has 2 layers",
                                          f"{card}:1: error: card says cased, the model is uncased"]
    fixed = card.read_text(encoding="utf-8").replace("bert_en_cased_L-12_H-32_A-2", "bert_en_uncased_L-2_H-32_A-2")
    card.write_text(fixed, encoding="utf-8")
    ok = run_cli_here("cards", "validate", str(card), "--model", str(generations["v3"]), "--no-run")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout == ""
