"""``hubfork search``, ``show`` and ``list`` on the shipped catalogue, run as a user would: facets,
ranking, pages, and what ``show`` tells of a model's versions, variants, collections and status."""

from __future__ import annotations

import json

import pytest

from hubfork.registry import store
from tests.conftest import run_cli

USE = "google/universal-sentence-encoder"


def table_handles(stdout: str) -> list[str]:
    """The first column of a rich table's rows."""
    return [line.split("│")[1].strip() for line in stdout.splitlines() if line.startswith("│")]


def search_json(*args: str) -> dict:
    result = run_cli("search", *args, "--json")
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


def test_done_when_a_fresh_install_finds_and_shows_the_universal_sentence_encoder():
    # The isolated environment of every test is a fresh install's: no cache, no home, the default registry.
    found = run_cli("search", "universal-sentence-encoder")
    assert found.returncode == 0, found.stderr
    assert found.stdout.startswith("results 1-20 of 40 for 'universal-sentence-encoder' (page 1 of 2; --page 2 ")
    listed = table_handles(found.stdout)
    assert listed[:5] == [f"{USE}/4", f"{USE}/3", f"{USE}/2", f"{USE}/1", USE]
    assert f"{USE}-large/5" in listed + table_handles(run_cli("search", "universal-sentence-encoder",
                                                              "--page", "2").stdout)
    shown = run_cli("show", f"{USE}/4")
    assert shown.returncode == 0, shown.stderr
    lines = [" ".join(line.split()) for line in shown.stdout.splitlines()]
    assert lines[0] == f"{USE}/4"
    for fact in ["Kind Module", "Description Encoder of greater-than-word length text trained on a variety of data.",
                 "Publisher google", "Version 4", "Versions 4 (shown), 3, 2, 1", f"Collections {USE}",
                 "Format saved_model_2", "Tasks text-embedding", "Languages en", "Fine-tunable yes",
                 "network-architecture dan"]:
        assert fact in lines, fact
    assert any(line.startswith("Card ") and line.endswith("google/models/universal-sentence-encoder/4.md "
                                                          "(sha256 8e5492d02ebe…)") for line in lines)


def test_show_json_carries_versions_variants_collections_and_the_preprocessor():
    use = json.loads(run_cli("show", f"{USE}/2", "--json").stdout)
    assert [(v["handle"], v["shown"]) for v in use["versions"]] == [
        (f"{USE}/4", False), (f"{USE}/3", False), (f"{USE}/2", True), (f"{USE}/1", False)]
    assert (use["variants"], use["collections"], use["models"]) == ([], [USE], [])
    bert = json.loads(run_cli("show", "tensorflow/bert_en_uncased_L-12_H-768_A-12/4", "--json").stdout)
    assert (bert["preprocessor"], bert["preprocessor_known"]) == ("tensorflow/bert_en_uncased_preprocess/3", True)
    ondevice = json.loads(run_cli("show", f"{USE}-qa-ondevice/1", "--json").stdout)
    assert ondevice["kind"] == "Placeholder"
    assert ondevice["variants"] == [{"handle": f"{USE}-qa-ondevice/1", "kind": "Lite"},
                                    {"handle": f"{USE}-qa-ondevice/1", "kind": "Tfjs"}]
    lite = run_cli("show", f"{USE}-qa-ondevice/1", "--kind", "LITE")
    assert " ".join(lite.stdout.splitlines()[1].split()) == "Kind Lite"


def test_show_of_a_collection_lists_its_models():
    result = run_cli("show", USE, "--kind", "collection")
    assert result.returncode == 0, result.stderr
    assert "11 models in google/universal-sentence-encoder" in result.stdout
    assert table_handles(result.stdout)[:3] == [f"{USE}/4", f"{USE}-large/5", f"{USE}-lite/2"]
    models = json.loads(run_cli("show", USE, "--kind", "collection", "--json").stdout)["models"]
    assert models[0] == {"member": USE, "handle": f"{USE}/4", "kind": "Module",
                         "description": "Encoder of greater-than-word length text trained on a variety of data."}
    # Without --kind the bare handle is the newest model, not the collection of the same name.
    assert json.loads(run_cli("show", USE, "--json").stdout)["handle"] == f"{USE}/4"


def test_show_marks_a_deleted_model_and_an_unknown_member(tmp_path):
    path = tmp_path / "registry.yaml"
    path.write_text(store.render({"format": 1, "cards": "cards", "entries": [
        {"handle": "acme/set", "kind": "Collection", "version": 1, "members": ["acme/gone", "acme/kept"]},
        {"handle": "acme/gone/1", "kind": "Module", "version": 1, "status": "deleted", "preprocessor": "acme/pre/1"},
        {"handle": "acme/kept/1", "kind": "Module", "version": 1, "status": "deleted",
         "sources": [{"repo_id": "org/kept"}]},
    ]}), encoding="utf-8")
    gone = run_cli("show", "acme/gone/1", "--registry", str(path)).stdout
    assert "DELETED: deleted by tfhub.dev in March 2024 with the unmigrated assets; no copy can be fetched " \
           "unless a source is listed (none is)" in " ".join(gone.split())
    assert "acme/pre/1 (not in the registry)" in gone
    kept = run_cli("show", "acme/kept/1", "--registry", str(path)).stdout
    assert "unless a source is listed" in " ".join(kept.split()) and "(none is)" not in kept
    collection = run_cli("show", "acme/set", "--registry", str(path))
    rows = [" ".join(line.replace("│", " ").split()) for line in collection.stdout.splitlines() if "│" in line]
    assert rows == ["acme/gone/1 Module", "acme/kept/1 Module"]
    path.write_text(path.read_text().replace('"acme/kept"]', '"acme/nowhere"]'), encoding="utf-8")
    models = json.loads(run_cli("show", "acme/set", "--registry", str(path), "--json").stdout)["models"]
    assert models[1] == {"member": "acme/nowhere", "handle": None, "kind": None, "description": None}
    table = run_cli("show", "acme/set", "--registry", str(path)).stdout
    assert "acme/nowhere" in table and "(not in the registry)" in table
    found = run_cli("search", "acme", "--kind", "module", "--registry", str(path)).stdout
    assert [" ".join(line.replace("│", " ").split()) for line in found.splitlines() if "│" in line] == [
        "acme/gone/1 Module (deleted)", "acme/kept/1 Module (deleted)"]


@pytest.mark.parametrize("args, check", [
    (["--publisher", "DEEPMIND"], lambda e: e["publisher"] == "deepmind"),
    (["--task", "embedding"], lambda e: any("embedding" in t for t in e["tasks"])),
    (["--kind", "LiTe"], lambda e: e["kind"] == "Lite"),
    (["--format", "tfjs"], lambda e: e["format"] == "tfjs"),
    (["--language", "English"], lambda e: "en" in e["languages"]),
    (["--architecture", "L-12_H-768_A-12"], lambda e: e["architecture"] == {"layers": 12, "hidden_size": 768,
                                                                            "heads": 12}),
    (["--fine-tunable"], lambda e: e["fine_tunable"] is True),
    (["--fine-tunable", "no"], lambda e: e["fine_tunable"] is False),
    (["--has-source"], lambda e: e["sources"]),
])
def test_each_facet_narrows_the_results(args, check):
    everything = search_json("--per-page", "5000")
    narrowed = search_json(*args, "--per-page", "5000")
    assert 0 < narrowed["total"] < everything["total"] == len(everything["results"])
    assert narrowed["total"] == len(narrowed["results"]) == sum(1 for e in everything["results"] if check(e))
    assert all(check(e) for e in narrowed["results"])


def test_facets_combine_and_arch_is_architecture():
    both = search_json("bert", "--arch", "12/768/12", "--has-source", "--per-page", "100")
    assert [e["handle"] for e in both["results"]] == ["Dimitre/bert_en_cased_L-12_H-768_A-12",
                                                      "tensorflow/bert_en_cased_L-12_H-768_A-12/4"]
    assert both["filters"] == {"arch": "12/768/12", "has_source": True}
    assert search_json("bert", "--architecture", "12/768/12", "--has-source", "--per-page", "100") == both


def test_pages_count_and_limit_is_per_page():
    first = search_json("bert")
    assert (first["total"], first["page"], first["per_page"], first["pages"], len(first["results"])) == \
        (294, 1, 20, 15, 20)
    last = search_json("bert", "--page", "15")
    assert len(last["results"]) == 14
    every = [(e["handle"], e["kind"]) for page in range(1, 16)
             for e in search_json("bert", "--page", str(page))["results"]]
    assert len(set(every)) == 294  # each result on one page (a model and its variants share a handle)
    assert search_json("bert", "--limit", "7") == search_json("bert", "--per-page", "7")
    table = run_cli("search", "bert", "--per-page", "100", "--page", "3")
    assert table.stdout.startswith("results 201-294 of 294 for 'bert' (page 3 of 3)")
    past = run_cli("search", "bert", "--page", "16")
    assert (past.returncode, past.stdout) == (1, "")
    assert past.stderr == "hubfork: error: page 16 is past the end: 294 results make 15 pages of 20\n"
    none = run_cli("search", "bert", "--kind", "coral")
    assert none.returncode == 1 and none.stdout.startswith("0 results for 'bert' --kind Coral among 2824 entries")


@pytest.mark.parametrize("args, message", [
    (["--fine-tunable", "maybe"], "argument --fine-tunable: expected yes or no, not 'maybe'"),
    (["--page", "0"], "argument --page: expected a whole number of at least 1, not '0'"),
    (["--kind", "gadget"], "argument --kind: unknown kind 'gadget'"),
])
def test_bad_facet_values_are_usage_errors(args, message):
    result = run_cli("search", "bert", *args)
    assert result.returncode == 2 and message in result.stderr
