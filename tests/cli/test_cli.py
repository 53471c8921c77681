"""The hubfork command, run in a fresh process as a user would."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.conftest import HEAVY_MODULES, ROOT, SAMPLE_PATHS, SAMPLES, SEEDS, run_cli, run_cli_here

# A folder of the vendored catalogue holding one card, and google's sample cards.
BERT_MULTI = "cards/tfhub.dev/assets/docs/google/models/bert_multi_cased_L-12_H-768_A-12"
GOOGLE_SAMPLES = [str(p) for p in SAMPLE_PATHS if p.relative_to(SAMPLES).parts[0] == "google"]


def test_cards_parse_json_has_the_promised_fields():
    result = run_cli("cards", "parse", "--json", str(SEEDS / "003_9a012e9809835804.txt"), *GOOGLE_SAMPLES)
    assert result.returncode == 0, result.stderr
    cards = json.loads(result.stdout)
    required = {"handle", "kind", "publisher", "name", "version", "description", "metadata", "architecture",
                "casing", "preprocessor", "api", "mlm", "source"}
    assert all(required <= set(card) for card in cards)
    seed = cards[0]
    assert seed["handle"] == "Dimitre/bert_en_cased_L-12_H-768_A-12"
    assert seed["architecture"] == {"layers": 12, "hidden_size": 768, "heads": 12}
    assert (seed["casing"], seed["preprocessor"], seed["mlm"]) == ("cased", "Dimitre/bert_en_cased_preprocess", True)
    assert seed["source"].endswith("003_9a012e9809835804.txt")
    assert [c["handle"] for c in cards[1:]] == [
        "google/bert", "google", "google/bert_multi_cased_L-12_H-768_A-12/1",
        "google/imagenet/mobilenet_v2_075_224/feature_vector/3/default/1",
        "google/imagenet/mobilenet_v2_100_224/feature_vector/1", "google/universal-sentence-encoder/4"]


def test_cards_parse_table_for_people():
    result = run_cli("cards", "parse", BERT_MULTI)
    assert result.returncode == 0
    assert "google/bert_multi_cased_L-12_H-768_A-12/1" in result.stdout and "tf1-hub" in result.stdout


def test_cards_validate_ok_and_errors_as_path_line(tmp_path):
    ok = run_cli("cards", "validate", "cards")
    # The catalogue's cards have warnings (what tfhub.dev's later validators refused), never errors.
    assert ok.returncode == 0 and ": error:" not in ok.stdout and len(ok.stdout.splitlines()) == 64
    assert "2824 cards: 0 with errors, 0 errors, 64 warnings" in ok.stderr
    # --quiet (the main job's): the warnings counted, not listed, and the summary says how to list them.
    quiet = run_cli_here("cards", "validate", "--quiet", "cards")
    assert quiet.returncode == 0 and quiet.stdout == ""
    assert quiet.stderr.strip().splitlines()[-1] == (
        "2824 cards: 0 with errors, 0 errors, 64 warnings (not listed: without --quiet, each is)")
    bad = tmp_path / "bad.md"
    bad.write_text("# Module acme/x/1\nDesc.\n\n<!-- format: hub -->\n<!-- format: saved_model -->\nstray prose\n")
    broken = tmp_path / "broken.md"
    broken.write_text("# Module acme/y\nno version\n")
    result = run_cli("cards", "validate", str(bad), str(broken), BERT_MULTI)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert f"{bad}:5: error: 'format' takes one value but is given 'hub' (line 4) and 'saved_model'" in lines
    assert any(line.startswith(f"{bad}:6: error: unexpected line in the metadata block") for line in lines)
    assert any(line.startswith(f"{broken}:1: error: expected \"# Module publisher/name/version\"") for line in lines)
    assert "Traceback" not in result.stderr


def test_cards_validate_strict_fails_on_warnings():
    seed = str(SEEDS / "000_220639c8ea345bd7.txt")
    assert run_cli("cards", "validate", seed).returncode == 0
    strict = run_cli("cards", "validate", "--strict", seed)
    assert strict.returncode == 1 and ": warning: unknown dataset" in strict.stdout


def test_registry_build_then_browse(tmp_path):
    shutil.copytree(ROOT / "cards", tmp_path / "cards")
    out = tmp_path / "index.yaml"
    built = run_cli("registry", "build", str(tmp_path / "cards"), "-o", str(out))
    assert built.returncode == 0, built.stderr
    assert "2824 entries" in built.stderr and out.is_file()
    listed = run_cli("list", "--json", "--registry", str(out))
    assert len(json.loads(listed.stdout)) == 2824
    found = run_cli("search", "bert", "--language", "en", "--task", "embedding", "--json", "--registry", str(out))
    page = json.loads(found.stdout)
    assert {k: page[k] for k in ("query", "filters", "total", "page", "per_page", "pages")} == {
        "query": "bert", "filters": {"language": "en", "task": "embedding"}, "total": 102, "page": 1,
        "per_page": 20, "pages": 6}
    assert [e["handle"] for e in page["results"]][:4] == [
        "google/experts/bert/wiki_books/2", "google/experts/bert/pubmed/2",
        "tensorflow/bert_en_uncased_L-12_H-768_A-12/4", "google/experts/bert/pubmed/squad2/2"]
    shown = run_cli("show", "Dimitre/bert_en_cased_L-12_H-768_A-12", "--json", "--registry", str(out))
    entry = json.loads(shown.stdout)
    assert entry["card"]["path"] == "cards/huggingface/Dimitre/bert_en_cased_L-12_H-768_A-12/README.md"
    table = run_cli("show", "tensorflow/bert_en_wwm_uncased_L-24_H-1024_A-16", "--registry", str(out))
    assert "L-24_H-1024_A-16 (24 layers, hidden size 1024, 16 heads)" in table.stdout


def test_registry_build_refuses_bad_cards_and_keeps_the_old_file(tmp_path):
    shutil.copytree(ROOT / "cards", tmp_path / "cards")
    assert run_cli("registry", "build", str(tmp_path / "cards")).returncode == 0
    before = (tmp_path / "registry.yaml").read_bytes()
    google = tmp_path / "cards" / "tfhub.dev" / "assets" / "docs" / "google" / "google.md"
    google.write_text("# Publisher Google Inc\nGoogle\n")
    result = run_cli("registry", "build", str(tmp_path / "cards"))
    assert result.returncode == 1
    assert f"{google}:1: error:" in result.stderr
    assert "Traceback" not in result.stderr
    assert (tmp_path / "registry.yaml").read_bytes() == before
    skipping = run_cli("registry", "build", str(tmp_path / "cards"), "--skip-invalid")
    assert skipping.returncode == 0
    assert "2823 entries" in skipping.stderr and "1 cards with errors left out" in skipping.stderr
    assert f"{google}:1: error:" in skipping.stderr


def test_default_registry_and_python_dash_m():
    result = run_cli("search", "preprocess", "--json")
    page = json.loads(result.stdout)
    assert (page["total"], page["pages"], len(page["results"])) == (18, 1, 18)
    assert [e["handle"] for e in page["results"]][:2] == [
        "tensorflow/bert_en_uncased_preprocess/3", "tensorflow/bert_en_cased_preprocess/3"]


@pytest.mark.parametrize(
    "args, code, needle",
    [
        (("show", "no/such/model"), 1, "hubfork: error:"),
        (("search", "--registry", "/nonexistent/registry.yaml"), 1, "no registry file here"),
        (("search", "nothing-matches-this"), 1, "0 results for 'nothing-matches-this' among 2824 entries"),
        (("search", "bert", "--page", "99"), 1, "hubfork: error: page 99 is past the end: 177 results make 9 pages"),
        (("cards", "parse", "/nonexistent/card.md"), 1, "/nonexistent/card.md:1: error: cannot read the card"),
        (("frobnicate",), 2, "invalid choice"),
    ],
)
def test_failures_are_messages_not_tracebacks(args, code, needle):
    result = run_cli(*args)
    assert result.returncode == code
    assert needle in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("search", "bert"),
        ("search", "bert", "--json"),
        ("list",),
        ("show", "tensorflow/bert_en_uncased_preprocess/1"),
        ("cards", "parse", "--json", "cards"),
        ("cards", "validate", "cards"),
        ("--version",),
        ("pull", "--help"),
        ("embed", "--help"),
        ("fill-mask", "--help"),
        ("similarity", "--help"),
        ("hub", "init", "{tmp}/hub"),
    ],
)
def test_browse_and_card_commands_never_import_tensorflow(args, tripwire, tmp_path):
    # The tripwire packages exit with 97 the moment anything imports them.
    result = run_cli(*(a.format(tmp=tmp_path) for a in args), pythonpath=[tripwire])
    assert result.returncode == 0, result.stderr
    assert "TRIPWIRE" not in result.stderr


def test_registry_build_never_imports_tensorflow(tripwire, tmp_path):
    shutil.copytree(ROOT / "cards", tmp_path / "cards")
    result = run_cli("registry", "build", str(tmp_path / "cards"), pythonpath=[tripwire])
    assert result.returncode == 0 and "TRIPWIRE" not in result.stderr


def test_tripwire_really_fires(tripwire):
    import subprocess
    import sys

    probe = subprocess.run([sys.executable, "-c", f"import {HEAVY_MODULES[0]}"],
                           env={"PYTHONPATH": str(tripwire)}, capture_output=True, text=True)
    assert probe.returncode == 97


@pytest.mark.parametrize("args, usage", [
    (("card", "--help"), "usage: hubfork card [-h]"),
    (("card", "new", "--help"), "usage: hubfork card new [-h]"),
    (("card", "parse", "--help"), "usage: hubfork card parse [-h]"),
    (("cards", "new", "--help"), "usage: hubfork cards new [-h]"),
])
def test_help_names_a_command_as_typed(args, usage):
    """argparse names an aliased group's commands by its first name (``hubfork cards new``)."""
    result = run_cli_here(*args)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(usage), result.stdout[:200]


def test_a_usage_error_names_the_command_as_typed():
    result = run_cli_here("card", "new")
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == ("hubfork card new: error: the following arguments are required: "
                                              "MODEL_DIR, --handle")
